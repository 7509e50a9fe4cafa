// Distance functions of every element kind; see element_distance.h.
#include "core/distance/element_distance.h"

#include <cmath>
#include <cstring>

#include "core/distance/bit_distance.h"
#include "core/distance/float_distance.h"
#include "core/distance/half.h"
#include "core/distance/sparse_distance.h"
#include "core/distance/sq8_rows.h"

namespace vector_core
{

namespace
{

// Reads the sparse row header and locates its arrays (memcpy: rows may be unaligned).
struct SparseRow {
	int nnz;
	const std::int32_t *indices;
	const float *values;
};

SparseRow ReadSparse(const void *row)
{
	std::int32_t nnz;
	std::memcpy(&nnz, row, sizeof(nnz));
	const auto *indices =
	    reinterpret_cast<const std::int32_t *>(static_cast<const char *>(row) + sizeof(std::int32_t));
	return {nnz, indices, reinterpret_cast<const float *>(indices + nnz)};
}

float FloatL2(const void *a, const void *b, std::size_t dims)
{
	return L2SquaredDistance(static_cast<const float *>(a), static_cast<const float *>(b), dims);
}

float FloatNegativeInnerProduct(const void *a, const void *b, std::size_t dims)
{
	return -InnerProduct(static_cast<const float *>(a), static_cast<const float *>(b), dims);
}

float FloatL1(const void *a, const void *b, std::size_t dims)
{
	return L1Distance(static_cast<const float *>(a), static_cast<const float *>(b), dims);
}

float HalfL2(const void *a, const void *b, std::size_t dims)
{
	return HalfL2SquaredDistance(static_cast<const Half *>(a), static_cast<const Half *>(b), dims);
}

float HalfNegativeInnerProduct(const void *a, const void *b, std::size_t dims)
{
	return -HalfInnerProduct(static_cast<const Half *>(a), static_cast<const Half *>(b), dims);
}

// 1 - dot / sqrt(|a|^2 |b|^2) in double, as cosine_distance(halfvec, halfvec); 0 for a zero row.
float HalfCosine(const void *a, const void *b, std::size_t dims)
{
	const CosineParts parts =
	    HalfCosineDistanceParts(static_cast<const Half *>(a), static_cast<const Half *>(b), dims);
	const double norms = static_cast<double>(parts.norm_a) * static_cast<double>(parts.norm_b);
	if (!(norms > 0.0))
		return 0.0f;
	double similarity = static_cast<double>(parts.dot) / std::sqrt(norms);
	similarity = similarity > 1.0 ? 1.0 : (similarity < -1.0 ? -1.0 : similarity);
	return static_cast<float>(1.0 - similarity);
}

float HalfL1(const void *a, const void *b, std::size_t dims)
{
	return HalfL1Distance(static_cast<const Half *>(a), static_cast<const Half *>(b), dims);
}

float BitHamming(const void *a, const void *b, std::size_t dims)
{
	return static_cast<float>(HammingDistance(static_cast<const std::uint8_t *>(a),
	                                          static_cast<const std::uint8_t *>(b), (dims + 7) / 8));
}

float BitJaccard(const void *a, const void *b, std::size_t dims)
{
	return static_cast<float>(JaccardDistance(static_cast<const std::uint8_t *>(a),
	                                          static_cast<const std::uint8_t *>(b), (dims + 7) / 8));
}

float SparseL2(const void *a, const void *b, std::size_t)
{
	const SparseRow x = ReadSparse(a), y = ReadSparse(b);
	return SparseL2SquaredDistance(x.indices, x.values, x.nnz, y.indices, y.values, y.nnz);
}

float SparseNegativeInnerProduct(const void *a, const void *b, std::size_t)
{
	const SparseRow x = ReadSparse(a), y = ReadSparse(b);
	return -SparseInnerProduct(x.indices, x.values, x.nnz, y.indices, y.values, y.nnz);
}

float SparseL1(const void *a, const void *b, std::size_t)
{
	const SparseRow x = ReadSparse(a), y = ReadSparse(b);
	return SparseL1Distance(x.indices, x.values, x.nnz, y.indices, y.values, y.nnz);
}

} // namespace

ElementDistanceFn ElementDistance(ElementKind kind, Metric metric) noexcept
{
	switch (kind) {
	case ElementKind::kFloat:
		switch (metric) {
		case Metric::kL2:
			return FloatL2;
		case Metric::kInnerProduct:
			return FloatNegativeInnerProduct;
		case Metric::kL1:
			return FloatL1;
		default:
			return nullptr;
		}
	case ElementKind::kHalf:
		switch (metric) {
		case Metric::kL2:
			return HalfL2;
		case Metric::kInnerProduct:
			return HalfNegativeInnerProduct;
		case Metric::kL1:
			return HalfL1;
		case Metric::kCosine:
			return HalfCosine;
		default:
			return nullptr;
		}
	case ElementKind::kBit:
		switch (metric) {
		case Metric::kHamming:
			return BitHamming;
		case Metric::kJaccard:
			return BitJaccard;
		default:
			return nullptr;
		}
	case ElementKind::kSq8:
		switch (metric) {
		case Metric::kL2:
			return Sq8L2;
		case Metric::kInnerProduct:
			return Sq8NegativeInnerProduct;
		case Metric::kL1:
			return Sq8L1;
		default:
			return nullptr;
		}
	case ElementKind::kSparse:
		switch (metric) {
		case Metric::kL2:
			return SparseL2;
		case Metric::kInnerProduct:
			return SparseNegativeInnerProduct;
		case Metric::kL1:
			return SparseL1;
		default:
			return nullptr;
		}
	}
	return nullptr;
}

std::size_t ElementFixedBytes(ElementKind kind, std::size_t dims) noexcept
{
	switch (kind) {
	case ElementKind::kFloat:
		return dims * sizeof(float);
	case ElementKind::kHalf:
		return dims * sizeof(Half);
	case ElementKind::kBit:
		return (dims + 7) / 8;
	case ElementKind::kSparse:
		return 0;
	case ElementKind::kSq8:
		return Sq8RowBytes(dims);
	}
	return 0;
}

std::size_t ElementRowBytes(ElementKind kind, std::size_t dims, const void *row) noexcept
{
	if (kind != ElementKind::kSparse)
		return ElementFixedBytes(kind, dims);
	std::int32_t nnz;
	std::memcpy(&nnz, row, sizeof(nnz));
	return SparseElementBytes(nnz < 0 ? 0 : static_cast<std::size_t>(nnz));
}

} // namespace vector_core
