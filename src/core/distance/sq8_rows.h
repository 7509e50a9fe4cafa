// SQ8 rows: one byte per dimension, scaled per row, for indexes that traverse compact codes and
// take exact distances from the table (hnsw WITH (quantizer = 'sq8')). No training: every row
// carries its own scale, so an insert encodes its row alone and VACUUM compares rows as they are.
//
// Row layout (ElementKind::kSq8, 24 + dims bytes, padded to 4 on pages), floats first:
//    0 float lo     the row's smallest value
//    4 float step   (largest - smallest) / 255, >= 0; the decoded row is x^_i = lo + step * c_i
//    8 float norm2  |x^|^2
//   12 float sumc   sum of the codes (exact: at most 255 * 16,000)
//   16 float r2     |x - x^|, the Euclidean norm of what the codes lost (rounded up)
//   20 float r1     sum |x_i - x^_i|, the same in taxicab (rounded up)
//   24 uint8 codes[dims]
//
// Two rows compare by their decoded values (an estimate: inserts, VACUUM). A query is not encoded:
// Sq8PrepareQuery writes its floats behind a header whose step is negative (no row has one), and a
// query compares with a row by a lower bound of the distance between the query and the row the
// codes came from (the estimate less what the codes lost, r2 or r1, less the rounding of both this
// computation and the SQL operator's), so that a scan can return rows by these bounds and have
// PostgreSQL re-rank them exactly from the table (xs_recheckorderby). Sq8LowerBound* give the bound
// in the units of the SQL operators.
//
// Distances are "smaller is closer" as in element_distance.h: squared Euclidean, negative inner
// product (cosine: of rows normalised beforehand), taxicab.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/distance/metric.h"

namespace vector_core
{

constexpr std::size_t kSq8HeaderBytes = 24;

// Bytes of a row of dims dimensions (unpadded), and of a prepared query.
constexpr std::size_t Sq8RowBytes(std::size_t dims)
{
	return kSq8HeaderBytes + dims;
}
constexpr std::size_t Sq8QueryBytes(std::size_t dims)
{
	return kSq8HeaderBytes + dims * sizeof(float);
}

// Encodes x (finite values) as a row at out (Sq8RowBytes(dims) bytes, any 4-byte aligned address).
void Sq8EncodeRow(const float *x, std::size_t dims, void *out) noexcept;
// Writes the query form of q at out (Sq8QueryBytes(dims) bytes, 4-byte aligned). With estimate,
// the distance functions give the estimate between the query and the decoded row instead of a
// lower bound: inserts search with it (the distances their neighbor selection compares with the
// estimates between rows).
void Sq8PrepareQuery(const float *q, std::size_t dims, void *out, bool estimate = false) noexcept;
// Makes every bound of a row or a prepared query -infinity (re-ranked, never trusted): for values
// whose cosine the operator cannot compute accurately, as Sq8CosineNormBounded tells.
void Sq8DropBound(void *row_or_query) noexcept;
// Whether the <=> operator computes the cosine of a value of squared norm norm2 (before
// normalising) accurately: its float sums neither overflow nor lose it to subnormal rounding.
bool Sq8CosineNormBounded(double norm2) noexcept;
// Whether the bytes at p are a prepared query rather than a row.
bool Sq8IsQuery(const void *p) noexcept;
// The decoded row x^ (lo + step * code) into out.
void Sq8DecodeRow(const void *row, std::size_t dims, float *out) noexcept;

// Element distances (ElementDistanceFn): a row and a row give the estimate between the decoded
// rows; a prepared query (first) and a row give a lower bound of the distance between the query and
// the encoded row, in the same units (squared for L2), or -infinity when it cannot be computed
// (values so large that the distance overflows); an estimate query gives the estimate between
// the query and the decoded row.
float Sq8L2(const void *a, const void *b, std::size_t dims);
float Sq8NegativeInnerProduct(const void *a, const void *b, std::size_t dims);
float Sq8L1(const void *a, const void *b, std::size_t dims);

// The SQL operator's value that a lower bound of Sq8L2 / Sq8NegativeInnerProduct / Sq8L1 (query
// first) stands for: the distance itself for L2 (the square root), the negative inner product, 1 +
// it for cosine (rows normalised), the taxicab distance. metric is the operator's.
double Sq8OperatorBound(Metric metric, float bound) noexcept;

// Kernels, dispatched at run time (scalar references in the tests): sum q_i c_i and sum a_i b_i
// (exact) by the level of float_distance.h (sq8_kernels.cpp); sum |q_i - (lo + step c_i)| and
// sum |lo_a + step_a a_i - lo_b - step_b b_i| by the loader (target_clones).
float Sq8DotFloat(const float *q, const std::uint8_t *c, std::size_t n) noexcept;
std::uint32_t Sq8DotCodes(const std::uint8_t *a, const std::uint8_t *b, std::size_t n) noexcept;
float Sq8L1Float(const float *q, float lo, float step, const std::uint8_t *c, std::size_t n) noexcept;
float Sq8L1Codes(float lo_a, float step_a, const std::uint8_t *a, float lo_b, float step_b, const std::uint8_t *b,
                 std::size_t n) noexcept;

// The dot products per level, so that tests can compare each with the scalar one (calling a level
// the CPU lacks raises SIGILL).
namespace sq8_levels
{
float DotFloatScalar(const float *q, const std::uint8_t *c, std::size_t n) noexcept;
float DotFloatAvx2(const float *q, const std::uint8_t *c, std::size_t n) noexcept;
float DotFloatAvx512(const float *q, const std::uint8_t *c, std::size_t n) noexcept;
std::uint32_t DotCodesScalar(const std::uint8_t *a, const std::uint8_t *b, std::size_t n) noexcept;
std::uint32_t DotCodesAvx2(const std::uint8_t *a, const std::uint8_t *b, std::size_t n) noexcept;
std::uint32_t DotCodesAvx512(const std::uint8_t *a, const std::uint8_t *b, std::size_t n) noexcept;
} // namespace sq8_levels

// Relative rounding the bounds allow for, at n dimensions: the kernels' float sums (at most
// n / 4 + 16 terms in a row per lane, each rounding by 2^-24) and the SQL operators' own, with
// room to spare.
constexpr double Sq8RoundingSlack(std::size_t n)
{
	return 8.0 * (static_cast<double>(n) / 4.0 + 16.0) / 16777216.0;
}

} // namespace vector_core
