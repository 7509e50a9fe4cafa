// The IVF build's refit step: one Lloyd iteration over every row of the table after k-means has
// trained the centroids on a sample. Sample-trained centroids carry the sample's noise; the mean of
// the rows a list actually receives is a better centre for it, and rows assigned to the refitted
// centroids make lists whose nearest centroids hold a query's neighbours more often (recall at a
// given probes: see docs/benchmarks.md, "IVFFlat recall at equal probes").
//
// Pure C++, no PostgreSQL header; nothing here can fail.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vector_core
{

// Adds row i of x (n x dim) to sums[lists[i]] (k x dim) and counts one more row for that list,
// rows in order (the sums are the same whatever the batches the rows come in).
void IvfAccumulateRows(const float *x, std::size_t n, std::size_t dim, const std::int32_t *lists, double *sums,
                       std::int64_t *counts) noexcept;

// Replaces each centroid of a list that received rows with the mean of those rows, scaled to unit
// length when spherical (lists by direction: cosine, whose rows are unit vectors, and inner
// product, where the scaled sum is the unit vector of largest total inner product with the rows);
// a list without rows, or whose sum is the zero vector under spherical, keeps its centroid.
void IvfRefitCentroids(const double *sums, const std::int64_t *counts, std::size_t k, std::size_t dim, bool spherical,
                       float *centroids) noexcept;

// How far each of the k centroids moved from before to after (Euclidean), rounded up: what the
// build's bounded reassignment (build/ivf_bounded_assign.h) lowers each bound by.
void IvfCentroidShifts(const float *before, const float *after, std::size_t k, std::size_t dim, float *shifts) noexcept;

} // namespace vector_core
