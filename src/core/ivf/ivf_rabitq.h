// RaBitQ codes for IVF lists (Gao and Long, SIGMOD 2024): one bit per dimension of a row's
// residual from its list's centroid, after a random rotation, plus two floats that make the
// inner product of the code with a query an unbiased estimate of the residual's. The scan ranks
// a list's entries by that estimate and re-ranks the best with exact distances from the table.
//
// The rotation is fixed (part of the stored format): the residual, padded with zeros to
// RabitqPaddedDim(dim) (a power of two), goes three times through a sign flip and a normalised
// Walsh-Hadamard transform. It is orthogonal, costs O(P log P), and needs no stored matrix.
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
// Pure C++, no PostgreSQL header; nothing here allocates or fails.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/distance/metric.h"

namespace vector_core
{

// Seed of the rotation's signs (part of the stored format: changing it breaks every index).
constexpr std::uint64_t kRabitqRotationSeed = 0x5241424954512D31ULL; // "RABITQ-1"

// Dimensions after padding: the next power of two at least dim, at least 64.
std::size_t RabitqPaddedDim(std::size_t dim) noexcept;
// Bytes of a code: two floats and one bit per padded dimension.
std::size_t RabitqCodeBytes(std::size_t dim) noexcept;

// Fills signs (3 * padded floats, each +1 or -1): the rotation's sign flips.
void RabitqInitSigns(std::size_t padded, float *signs) noexcept;
// Rotates x (padded floats) in place.
void RabitqRotate(float *x, std::size_t padded, const float *signs) noexcept;

// Encodes the row x (dim floats) against its list's centroid c into code; scratch holds padded
// floats.
void RabitqEncode(const float *x, const float *c, std::size_t dim, const float *signs, float *scratch,
                  std::uint8_t *code) noexcept;

// A query prepared for one list.
struct RabitqQuery {
	const float *rotated; // padded floats: the rotation of u (owned by the caller)
	std::size_t padded;
	float sum;   // sum_i u'_i
	float base;  // L2: |q - c|^2; inner product: <c, q>
	float unorm; // |u|
	bool ip;     // negative inner product (else squared L2)
};

// How many standard errors below its estimate a code's lower bound lies (RabitqBound). The
// estimate's error is below epsilon * |r| |u| sqrt(1 - a^2) / (a sqrt(P - 1)), with a =
// <o, r' / |r|>, except with a probability that falls as exp(-c epsilon^2) (the paper's theorem
// 3.2). The paper's code re-ranks with 1.9; with that, a table of 8 dimensions (regress
// ivf_quantized) returned rows out of order, and with 4 none, while at 768 dimensions the scan
// stayed 3-5x pgvector's ivfflat at equal recall (docs/benchmarks.md).
constexpr float kRabitqBoundEpsilon = 4.0f;

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
// A lower bound of the distance of one code to the prepared query (see kRabitqBoundEpsilon).
float RabitqBound(const RabitqQuery *query, const std::uint8_t *code) noexcept;

// sum of u[i] over the bits set in bits (padded / 8 bytes; padded a multiple of 64). Exposed for
// the unit tests of the dispatched kernels.
float RabitqMaskedSum(const float *u, const std::uint8_t *bits, std::size_t padded) noexcept;
float RabitqMaskedSumScalar(const float *u, const std::uint8_t *bits, std::size_t padded) noexcept;

} // namespace vector_core
