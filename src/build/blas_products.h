// Inner products of many rows with a few centroids, as BLAS matrix products over blocks of rows:
// what list assignment (ivf_train.cpp, ivf_bounded_assign.cpp) is made of.
//
// Part of vector_build.so: pure C++, no PostgreSQL header. May throw std::bad_alloc (callers
// catch at their noexcept boundary).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/common/status.h"

namespace vector_core
{

// Calls visit(first, rows, products) for consecutive blocks of the n rows of x (n x dim), where
// products[i * k + j] is the inner product of row first + i with centroid j (k x dim). Blocks hold
// at most 4,096 rows, and fewer with many centroids (a block of products stays within 16 MB).
// k and dim must fit in an int.
//
// With OpenBLAS on its own threads behind BLAS, its thread count is held at one, and with
// threads > 1 that many OpenMP threads each take blocks and run their products: visit is then
// called on several threads at once, for different blocks, and must not throw. Otherwise (one
// thread, few rows, or another BLAS) the blocks come in order on this thread.
void ForEachProductBlock(const float *x, std::size_t n, std::size_t dim, const float *centroids, std::size_t k,
                         int threads,
                         const std::function<void(std::size_t first, std::size_t rows, const float *products)> &visit);

// Whether k lists of dim dimensions can be assigned from BLAS products (both non-zero, each within
// an int); an error Status saying which is not.
Status CheckAssignmentSizes(std::size_t dim, std::size_t k) noexcept;

// |c|^2 of each of the k centroids.
std::vector<float> CentroidSquaredNorms(const float *centroids, std::size_t k, std::size_t dim);

// A row's list from its inner products ip with the k centroids of squared norms norms: the one of
// smallest |c|^2 - 2 x.c under L2 (the row's own norm does not change which), of largest x.c
// otherwise; the first on ties, list 0 for a row of NaNs.
std::int32_t NearestFromProducts(const float *ip, const float *norms, std::size_t k, bool l2) noexcept;

} // namespace vector_core
