// List assignment that remembers, for every row, a lower bound of its distance to every centroid
// (Elkan's k-means bounds), so that once the centroids have moved a reassignment only computes
// the distances that can still change a row's list. The IVF build assigns every row three times
// (two refit passes and the load, ivf_build.cpp); after the first, most centroids move by a small
// fraction of the distances between rows and centroids, and on lifted GloVe 768-d (60,000 rows,
// 250 lists) about 0.3% of the row-centroid pairs need a distance: the rest of the pass is one
// distance per row and a subtraction per pair instead of a full matrix product.
//
// The bounds are Euclidean distances in the space the lists partition: the rows themselves for
// L2, the rows scaled to unit length for inner product (lists by direction: unit centroids, where
// the nearest centroid is the one of largest inner product; a zero row is the origin). Lists are
// chosen as a full assignment chooses them, up to float rounding: the nearest under L2, the
// largest inner product under inner product (centroids rounded to binary16 are unit only to about
// 1e-4, and the distance to the unit row would rank them differently), whose lower bound follows
// from the distance's.
//
// Part of vector_build.so (BLAS, OpenMP): pure C++, no PostgreSQL header, noexcept with a Status.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/common/status.h"
#include "core/distance/metric.h"

namespace vector_core
{

// Assigns each of the n rows of x to its nearest of the k centroids, as IvfAssign does (metric
// kL2 or kInnerProduct), and writes bounds (n x k floats, row-major): for each row and centroid
// a lower bound of their distance in the bounded space. On threads OpenMP threads (plain arrays
// only).
Status IvfAssignBounded(const float *x, std::size_t n, std::size_t dim, const float *centroids, std::size_t k,
                        Metric metric, int threads, std::int32_t *lists, float *bounds) noexcept;

// Reassigns rows whose lists and bounds came from IvfAssignBounded or from this function, after
// centroid j moved by at most shifts[j] (Euclidean, in the bounded space): each row gets its
// nearest centroid among centroids and bounds valid for them. Computes a row's distance to its
// own centroid, and to another only where that one's bound is below it. Adds the number of
// distances computed to *computed. On threads OpenMP threads (plain arrays only).
Status IvfReassignBounded(const float *x, std::size_t n, std::size_t dim, const float *centroids, std::size_t k,
                          Metric metric, const float *shifts, int threads, std::int32_t *lists, float *bounds,
                          std::int64_t *computed) noexcept;

} // namespace vector_core
