// RaBitQ codes for IVF lists (Gao and Long, SIGMOD 2024): one bit per dimension of a row's
// residual from its list's centroid, after a random rotation, plus two floats that make the
// inner product of the code with a query an unbiased estimate of the residual's. The scan ranks
// a list's entries by that estimate and re-ranks the best with exact distances from the table.
//
// The rotation is fixed (part of the stored format): the residual, padded with zeros to P =
// RabitqPaddedDim(dim) (a power of two, at least 512), goes three times through a sign flip and
// a normalised Walsh-Hadamard transform. It is orthogonal, costs O(P log P), and needs no stored
// matrix.
//
// A code (RabitqCodeBytes(dim) bytes, unaligned):
//   0  float  |r|^2, the squared norm of the residual r = x - c
//   4  float  f = |r|^2 / sum_i |r'_i|, where r' is the rotated residual (0 when r = 0)
//   8  P / 8 bytes: bit i (byte i / 8, bit i % 8) set when r'_i > 0
// With the quantized unit vector o = (2b - 1) / sqrt(P), the estimate of <r, u> for any vector u
// with rotation u' is |r| <o, u'> / <o, r' / |r|> = f (2 sum_{b_i = 1} u'_i - sum_i u'_i).
//
// Distances are "smaller is closer", as the other IVF kernels: squared L2 with u = q - c, and
// the negative inner product -(<c, q> + <r, q>) with u = q (cosine indexes store unit vectors).
//
// Pure C++, no PostgreSQL header; nothing here fails, and only RabitqEncodeRows allocates
// (per-thread scratch, and it reports a failure as a Status).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/common/status.h"
#include "core/distance/metric.h"

namespace vector_core
{

// Seed of the rotation's signs (part of the stored format: changing it breaks every index).
constexpr std::uint64_t kRabitqRotationSeed = 0x5241424954512D31ULL; // "RABITQ-1"

// Dimensions after padding: the next power of two at least dim, at least 512. The estimate's
// error shrinks as 1 / sqrt(padded dims) whatever the row's own dimensions (a rotated row is a
// random direction of the padded space), so small rows get more bits than dimensions: at 100
// dimensions, 128 bits re-ranked about 750 table rows per 10 returned with a bound of four
// standard errors (GloVe-100, cosine), 512 bits 190-590 with six, 1,024 bits 80-210 but a 1.3x
// longer build and a 1.8x larger index for no faster queries (docs/benchmarks.md).
constexpr std::size_t RabitqPaddedDim(std::size_t dim) noexcept
{
	std::size_t p = 512;
	while (p < dim)
		p *= 2;
	return p;
}
// Bytes of a code: two floats and one bit per padded dimension.
// (Both are inline: the page checker needs them without the rest of this module.)
constexpr std::size_t RabitqCodeBytes(std::size_t dim) noexcept
{
	return 2 * sizeof(float) + RabitqPaddedDim(dim) / 8;
}

// Fills signs (3 * padded floats, each +1 or -1): the rotation's sign flips.
void RabitqInitSigns(std::size_t padded, float *signs) noexcept;
// Rotates x (padded floats) in place.
void RabitqRotate(float *x, std::size_t padded, const float *signs) noexcept;

// Encodes the row x (dim floats) against its list's centroid c into code; scratch holds padded
// floats.
void RabitqEncode(const float *x, const float *c, std::size_t dim, const float *signs, float *scratch,
                  std::uint8_t *code) noexcept;

// Encodes rows x (n x dim) against the centroids of their lists (centroids: lists x dim, lists[i]
// the list of row i) into codes (row i at codes + i * RabitqCodeBytes(dim)), on threads threads
// (core/common/thread_pool.h: plain memory only, signals blocked on the helpers). Fails only when
// memory or a thread runs out.
Status RabitqEncodeRows(const float *x, std::size_t n, std::size_t dim, const float *centroids,
                        const std::int32_t *lists, const float *signs, int threads, std::uint8_t *codes) noexcept;

// A query prepared for one list.
struct RabitqQuery {
	const float *rotated; // padded floats: the rotation of u (owned by the caller)
	std::size_t padded;
	float sum;   // sum_i u'_i
	float base;  // L2: |q - c|^2; inner product: <c, q>
	float unorm; // |u|
	float cnorm; // |c|
	bool ip;     // negative inner product (else squared L2)
};

// How many standard errors below its estimate a code's lower bound lies (RabitqBound). The
// estimate's error is below epsilon * |r| |u| sqrt(1 - a^2) / (a sqrt(P - 1)), with a =
// <o, r' / |r|>, except with a probability that falls as exp(-c epsilon^2) (the paper's theorem
// 3.2). It is a bound with high probability, not a guarantee (one-bit codes allow no useful
// certain bound). The paper's code re-ranks with 1.9: then a table of 8 dimensions (regress
// ivf_quantized) returned rows out of order. With 4 a review still measured 1-20 failures in
// 400,000 row / query pairs (dimensions 4 to 768), enough to lose a row of a large scan now and
// then; 6 puts a Gaussian tail near 1e-9, for about 1.5x the rows re-ranked at 768 dimensions
// (docs/benchmarks.md). A row whose bound failed comes back as a row of a later round would
// (NextRabitqRow in pg/ivf/ivf_scan.cpp): left out in off mode, so rows stay in order.
constexpr float kRabitqBoundEpsilon = 6.0f;

// Prepares query for the list of centroid c (dim floats): rotated (padded floats, the caller's)
// receives the rotation of u. The metric is the index's stored-form metric (kCosine compares unit
// vectors by inner product).
void RabitqPrepareQuery(const float *q, const float *c, std::size_t dim, Metric metric, const float *signs,
                        float *rotated, RabitqQuery *query) noexcept;
// Moves a query prepared for inner product (query->ip) to the list of centroid c: only <c, q>
// changes (u = q for every list), so the rotation is not redone.
void RabitqMoveToList(const float *q, const float *c, std::size_t dim, RabitqQuery *query) noexcept;
// The estimated distance of one code to the prepared query.
float RabitqDistance(const RabitqQuery *query, const std::uint8_t *code) noexcept;
// A lower bound of the distance of one code to the prepared query, with high probability (see
// kRabitqBoundEpsilon); -infinity when the code's values overflow the estimate.
float RabitqBound(const RabitqQuery *query, const std::uint8_t *code) noexcept;

// sum of u[i] over the bits set in bits (padded / 8 bytes; padded a multiple of 64). Exposed for
// the unit tests of the dispatched kernels.
float RabitqMaskedSum(const float *u, const std::uint8_t *bits, std::size_t padded) noexcept;
float RabitqMaskedSumScalar(const float *u, const std::uint8_t *bits, std::size_t padded) noexcept;

} // namespace vector_core
