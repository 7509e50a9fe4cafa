// What an index stores per element and how two stored elements are compared, without
// PostgreSQL: the element kinds (float, half, bit and sparse vectors), their byte layouts in
// index pages and in-memory builds, and the distance function of each supported pair of kind
// and metric.
//
// Row layouts (what ElementDistanceFn receives, any 4-byte aligned or unaligned address):
//   kFloat   dims float values
//   kHalf    dims IEEE binary16 values (vector_core::Half)
//   kBit     (dims + 7) / 8 bytes, most significant bit first (PostgreSQL's bit layout)
//   kSparse  int32 nnz, then nnz int32 indices (ascending), then nnz float values
//   kSq8     a 24-byte header, then dims one-byte codes (sq8_rows.h): rows of vector or halfvec
//            values (normalised for cosine) in an index that re-ranks from the table; its
//            distance functions also take a prepared query first (Sq8PrepareQuery), for which
//            they give a lower bound rather than an estimate
// Pages store rows padded to a multiple of 4 bytes (ElementStoredBytes).
//
// Every distance is "smaller is closer": squared Euclidean, negative inner product, taxicab,
// Hamming (bit count) or Jaccard distance (core/distance/metric.h). Cosine of float and sparse
// rows is the negative inner product of normalised rows (callers normalise before they store or
// search); half rows keep their values (a normalised row rounded to binary16 would order rows
// slightly differently from the <=> operator) and use Metric::kCosine, computed as that operator
// does. StoredRowMetric says which of the two an index uses.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/distance/metric.h"

namespace vector_core
{

enum class ElementKind : std::uint8_t {
	kFloat = 0,
	kHalf = 1,
	kBit = 2,
	kSparse = 3,
	kSq8 = 4, // one byte per dimension, scaled per row (core/distance/sq8_rows.h)
};

// Distance between two rows of dims dimensions (bits for kBit; unused for kSparse).
using ElementDistanceFn = float (*)(const void *a, const void *b, std::size_t dims);

// The distance function of kind under metric; nullptr when the pair is not supported. kCosine
// is 1 - cos(a, b) of rows not normalised beforehand, which only half rows use.
ElementDistanceFn ElementDistance(ElementKind kind, Metric metric) noexcept;

// The metric an index compares its stored rows with: cosine becomes the inner product of rows
// normalised beforehand, except for half rows, which keep their values (see above).
constexpr Metric StoredRowMetric(ElementKind kind, Metric metric)
{
	return metric == Metric::kCosine && kind != ElementKind::kHalf ? Metric::kInnerProduct : metric;
}

// Bytes of a row of a fixed-size kind with dims dimensions; 0 for kSparse.
std::size_t ElementFixedBytes(ElementKind kind, std::size_t dims) noexcept;
// Bytes of a sparse row with nnz non-zero elements.
inline std::size_t SparseElementBytes(std::size_t nnz) noexcept
{
	return sizeof(std::int32_t) + nnz * (sizeof(std::int32_t) + sizeof(float));
}
// Bytes of row (reads the sparse header), unpadded.
std::size_t ElementRowBytes(ElementKind kind, std::size_t dims, const void *row) noexcept;
// Bytes pages give a row of unpadded bytes: rounded up to 4.
inline std::size_t ElementStoredBytes(std::size_t bytes) noexcept
{
	return (bytes + 3) & ~static_cast<std::size_t>(3);
}

} // namespace vector_core
