// Parser of the sparsevec text form and the shared index checks; see sparsevec_text.h.
#include "core/types/sparsevec_text.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>

#include "core/types/decimal_float.h"
#include "core/types/vector_text.h"

namespace vector_core
{

namespace
{

// Builds a result without a token.
SparsevecTextResult Result(SparsevecTextStatus status, int nnz, std::int64_t dim = 0) noexcept
{
	return SparsevecTextResult{status, nnz, dim, 0, 0};
}

// Skips the whitespace the text form allows between tokens.
const char *SkipSpace(const char *p) noexcept
{
	while (IsVectorSpace(*p))
		p++;
	return p;
}

} // namespace

// Commas + 1, stopping once the count exceeds cap.
int CountSparsevecTextElements(const char *text, int cap) noexcept
{
	int count = 1;
	for (const char *p = text; *p != '\0' && count <= cap; p++)
		if (*p == ',')
			count++;
	return count;
}

// Scans the pairs, then "/dim"; strtol for integers (like int2vectorin), strtof for values.
SparsevecTextResult ParseSparsevecText(const char *text, SparseElement *out, int capacity) noexcept
{
	const char *p = SkipSpace(text);
	int nnz = 0;
	int pairs = 0;

	if (*p != '{')
		return Result(SparsevecTextStatus::kMissingOpenBrace, 0);
	p = SkipSpace(p + 1);
	if (*p == '}') {
		p++;
	} else {
		for (;;) {
			if (pairs == capacity)
				return Result(SparsevecTextStatus::kTooManyElements, nnz);
			p = SkipSpace(p);
			if (*p == '\0')
				return Result(SparsevecTextStatus::kInvalidSyntax, nnz);

			char *end = nullptr;
			errno = 0;
			long index = std::strtol(p, &end, 10);
			if (end == p)
				return Result(SparsevecTextStatus::kInvalidSyntax, nnz);
			// Clamp so that "index - 1" cannot wrap: any clamped value is still out of bounds.
			index = std::clamp<long>(index, static_cast<long>(INT_MIN) + 1, INT_MAX);
			p = SkipSpace(end);
			if (*p != ':')
				return Result(SparsevecTextStatus::kInvalidSyntax, nnz);
			p = SkipSpace(p + 1);

			// strtof like float4in (no double rounding; StrToFloat: the same, faster); LC_NUMERIC
			// is C in the backend.
			errno = 0;
			float value = StrToFloat(p, &end);
			if (end == p)
				return Result(SparsevecTextStatus::kInvalidSyntax, nnz);
			if (errno == ERANGE && (value == 0 || std::isinf(value)))
				return SparsevecTextResult{SparsevecTextStatus::kOutOfRange, nnz, 0,
				                           static_cast<std::size_t>(p - text),
				                           static_cast<std::size_t>(end - p)};
			if (std::isnan(value))
				return Result(SparsevecTextStatus::kNaN, nnz);
			if (std::isinf(value))
				return Result(SparsevecTextStatus::kInfinite, nnz);
			pairs++;
			// Zeros are not stored: a sparse vector keeps only non-zero elements.
			if (value != 0) {
				out[nnz].index = static_cast<std::int32_t>(index - 1);
				out[nnz].value = value;
				nnz++;
			}

			p = SkipSpace(end);
			if (*p == ',') {
				p++;
			} else if (*p == '}') {
				p++;
				break;
			} else {
				return Result(SparsevecTextStatus::kInvalidSyntax, nnz);
			}
		}
	}

	p = SkipSpace(p);
	if (*p != '/')
		return Result(SparsevecTextStatus::kUnexpectedEnd, nnz);
	p = SkipSpace(p + 1);
	char *end = nullptr;
	errno = 0;
	long dim = std::strtol(p, &end, 10);
	if (end == p)
		return Result(SparsevecTextStatus::kInvalidSyntax, nnz);
	dim = std::clamp<long>(dim, INT_MIN, INT_MAX);
	p = SkipSpace(end);
	if (*p != '\0')
		return Result(SparsevecTextStatus::kJunkAfterClose, nnz, dim);
	return Result(SparsevecTextStatus::kOk, nnz, dim);
}

// std::sort by index; needs no allocation, so it cannot throw.
void SortSparseElements(SparseElement *elements, int count) noexcept
{
	std::sort(elements, elements + count,
	          [](const SparseElement &a, const SparseElement &b) { return a.index < b.index; });
}

// Bounds first, then order against the predecessor, element by element.
SparseIndexStatus CheckSparseIndices(const std::int32_t *indices, int count, std::int64_t dim) noexcept
{
	for (int i = 0; i < count; i++) {
		if (indices[i] < 0 || indices[i] >= dim)
			return SparseIndexStatus::kOutOfBounds;
		if (i > 0 && indices[i] < indices[i - 1])
			return SparseIndexStatus::kNotAscending;
		if (i > 0 && indices[i] == indices[i - 1])
			return SparseIndexStatus::kDuplicate;
	}
	return SparseIndexStatus::kOk;
}

} // namespace vector_core
