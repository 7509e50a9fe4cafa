// Inner products of many rows with a few centroids, as BLAS matrix products over blocks of rows:
// what list assignment (ivf_train.cpp, ivf_bounded_assign.cpp) is made of. BLAS owns the cores
// during each product.
//
// Part of vector_build.so: pure C++, no PostgreSQL header. May throw std::bad_alloc (callers
// catch at their noexcept boundary).
#pragma once

#include <cstddef>
#include <functional>

namespace vector_core
{

// Calls visit(first, rows, products) for consecutive blocks of the n rows of x (n x dim), where
// products[i * k + j] is the inner product of row first + i with centroid j (k x dim). Blocks hold
// at most 4,096 rows, and fewer with many centroids (a block of products stays within 16 MB).
// k and dim must fit in an int.
void ForEachProductBlock(const float *x, std::size_t n, std::size_t dim, const float *centroids, std::size_t k,
                         const std::function<void(std::size_t first, std::size_t rows, const float *products)> &visit);

} // namespace vector_core
