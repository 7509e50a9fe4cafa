// K-means training for the IVF lists, on plain float arrays (FAISS underneath).
//
// Part of vector_build.so (build/build_api.h), never of vector.so. Pure C++: no PostgreSQL
// header. Every entry point catches all exceptions and reports failure through a Status
// (core/common/status.h), which the module's table turns into a VectorBuildResult.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/common/status.h"

namespace vector_core
{

// Trains k centroids (k x dim floats, written to centroids) from the n x dim sample x:
// k-means++ seeds drawn from a random subset of the sample (16 points per centroid), then niter
// Lloyd iterations (FAISS) on the whole sample.
// spherical: normalize centroids after each iteration (cosine). With fewer sample points
// than k (or none), the points themselves are taken as centroids and the remaining ones are
// random unit-ish vectors, so that a build on an empty or tiny table still succeeds.
// threads: OpenMP threads of the seeding and of the bounded iterations (FAISS's own loops run on
// one; BLAS keeps its own threads): the caller blocks signals around the call. should_stop, when
// not null, is polled between seeding steps and k-means iterations (possibly from FAISS's
// threads: it must only read a flag); when it returns true training stops and the Status is
// Cancelled. bounds_bytes: memory the iterations may keep bounds in (n x k floats; with less,
// each iteration assigns by a full matrix product), see build/bounded_assign_index.h.
Status KmeansTrain(const float *x, std::size_t n, std::size_t dim, std::size_t k, bool spherical, int niter,
                   int threads, std::uint32_t seed, bool (*should_stop)(), std::size_t bounds_bytes,
                   float *centroids) noexcept;

// Normalizes each of the n rows of x (n x dim) to unit L2 norm in place; zero rows stay zero.
void NormalizeRows(float *x, std::size_t n, std::size_t dim) noexcept;

// FAISS computes squared distances in float: rows whose squared norm comes near FLT_MAX (values of
// about 1e19 and more) turn them into infinities and NaNs, and FAISS's k-means then fails an
// assertion, which aborts the process. Training scales such samples by a power of two first
// (exact, and k-means commutes with it): TrainingScaleExponent gives e such that x * 2^-e has
// squared norms of at most 2^100 (0 when x has them already), ScaleRows multiplies count floats
// by 2^scale in place, and TrainingRows returns x itself when e is 0, else a copy of its n rows
// in *copy scaled by 2^-e; *exponent is e (the trained centroids scale back by 2^e).
int TrainingScaleExponent(const float *x, std::size_t n, std::size_t dim) noexcept;
void ScaleRows(float *x, std::size_t count, int scale) noexcept;
const float *TrainingRows(const float *x, std::size_t n, std::size_t dim, std::vector<float> *copy, int *exponent);

} // namespace vector_core
