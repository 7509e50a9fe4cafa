// IVF build compute that needs FAISS, BLAS or OpenMP: list assignment, SQ8 and PQ training, and
// PQ encoding of many rows on OpenMP threads. Part of vector_build.so (build/build_api.h), never
// of vector.so; the kernels a scan or an insert needs are in core/ivf/ivf_quant.h.
//
// Pure C++, no PostgreSQL header. Functions that can fail (allocation, FAISS) are noexcept and
// return a Status (core/common/status.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/common/status.h"
#include "core/distance/metric.h"

namespace vector_core
{

// Assigns each of the n rows of x to its nearest of the k centroids (metric distance, see
// IvfDistance), writing list numbers to lists; threads OpenMP threads (plain arrays only).
Status IvfAssign(const float *x, std::size_t n, std::size_t dim, const float *centroids, std::size_t k, Metric metric,
                 int threads, std::int32_t *lists) noexcept;

// Trains per-dimension vmin and vdiff (dim floats each) on the n x dim sample with FAISS's
// min/max scalar quantizer. n may be 0 (then vmin = 0, vdiff = 0).
Status Sq8Train(const float *x, std::size_t n, std::size_t dim, float *vmin, float *vdiff) noexcept;

// Trains the PQ codebook (m x 256 x dim/m floats) on the sample with FAISS (needs dim % m == 0;
// a sample smaller than 256 is repeated to reach it; n == 0 gives a zero codebook).
Status PqTrain(const float *x, std::size_t n, std::size_t dim, std::size_t m, float *codebook) noexcept;

// PqEncode (core/ivf/ivf_quant.h) of n rows on threads OpenMP threads.
void PqEncodeParallel(const float *x, std::size_t n, std::size_t dim, std::size_t m, const float *book_t,
                      const float *norms, int threads, std::uint8_t *codes) noexcept;

} // namespace vector_core
