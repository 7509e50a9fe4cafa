// Distances between sparse vectors (the `sparsevec` type), without PostgreSQL.
//
// A sparse vector is given as parallel arrays: strictly ascending 0-based indices and their
// (non-zero) float values, count elements. Both operands must have the same dimension; the
// kernels never look at it. Sums run over the union of indices in ascending index order and
// accumulate in float, so they equal pgvector's results exactly and the dense kernels' results
// on the same values up to summation order.
#pragma once

#include <cstdint>

#include "core/distance/float_distance.h"

namespace vector_core
{

// Sum over all indices of (a[i] - b[i])^2 (an index missing from one side counts as 0).
float SparseL2SquaredDistance(const std::int32_t *ai, const float *av, int an, const std::int32_t *bi, const float *bv,
                              int bn);
// Sum over the indices present in both of a[i] * b[i].
float SparseInnerProduct(const std::int32_t *ai, const float *av, int an, const std::int32_t *bi, const float *bv,
                         int bn);
// Sum over all indices of |a[i] - b[i]|.
float SparseL1Distance(const std::int32_t *ai, const float *av, int an, const std::int32_t *bi, const float *bv,
                       int bn);
// dot(a, b), |a|^2 and |b|^2 for cosine distance in one merge walk: each sum in float in
// ascending index order, so the three equal SparseInnerProduct and SparseSquaredNormFloat of
// each side bit for bit. The norms' additions overlap the dot product's instead of running as two
// more dependent chains after it.
CosineParts SparseCosineParts(const std::int32_t *ai, const float *av, int an, const std::int32_t *bi, const float *bv,
                              int bn);
// Sum of v[i]^2 accumulated in double (l2_norm, l2_normalize).
double SparseSquaredNorm(const float *v, int n);
// Sum of v[i]^2 accumulated in float (the norms of cosine distance, like pgvector).
float SparseSquaredNormFloat(const float *v, int n);

} // namespace vector_core
