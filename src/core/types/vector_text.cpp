// Parsers of the vector and halfvec text forms; see vector_text.h for the grammar.
#include "core/types/vector_text.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "core/types/decimal_float.h"

namespace vector_core
{

// The six characters isspace() accepts in the C locale.
bool IsVectorSpace(char c) noexcept
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Commas + 1, stopping at cap.
int CountVectorTextElements(const char *text, int cap) noexcept
{
	int count = 1;
	for (const char *p = text; *p != '\0' && count < cap; p++)
		if (*p == ',')
			count++;
	return count;
}

// Builds a result without a token.
static VectorTextResult Result(VectorTextStatus status, int dims) noexcept
{
	return VectorTextResult{status, dims, 0, 0};
}

namespace
{

// The grammar shared by vector and halfvec; store(value, index) converts and stores one
// element that strtof read without a range error and returns kOk or why it refuses it
// (kOutOfRange refers to the token just read).
template <typename Store> VectorTextResult ParseBracketed(const char *text, int max_dims, Store store) noexcept
{
	const char *p = text;
	int dims = 0;

	while (IsVectorSpace(*p))
		p++;
	if (*p != '[')
		return Result(VectorTextStatus::kMissingOpenBracket, 0);
	p++;
	while (IsVectorSpace(*p))
		p++;
	if (*p == ']')
		return Result(VectorTextStatus::kNoDimensions, 0);

	for (;;) {
		if (dims == max_dims)
			return Result(VectorTextStatus::kTooManyDimensions, dims);
		while (IsVectorSpace(*p))
			p++;
		if (*p == '\0')
			return Result(VectorTextStatus::kInvalidSyntax, dims);

		// strtof (StrToFloat: the same result, faster), like float4in, avoids double
		// rounding; the backend runs with LC_NUMERIC=C so the decimal point is always '.'.
		char *end = nullptr;
		errno = 0;
		float value = StrToFloat(p, &end);
		if (end == p)
			return Result(VectorTextStatus::kInvalidSyntax, dims);
		VectorTextStatus status =
		    (errno == ERANGE && std::isinf(value)) ? VectorTextStatus::kOutOfRange : store(value, dims);
		if (status == VectorTextStatus::kOutOfRange)
			return VectorTextResult{VectorTextStatus::kOutOfRange, dims, static_cast<std::size_t>(p - text),
			                        static_cast<std::size_t>(end - p)};
		if (status != VectorTextStatus::kOk)
			return Result(status, dims);
		dims++;

		p = end;
		while (IsVectorSpace(*p))
			p++;
		if (*p == ',') {
			p++;
		} else if (*p == ']') {
			p++;
			break;
		} else {
			return Result(VectorTextStatus::kInvalidSyntax, dims);
		}
	}

	while (IsVectorSpace(*p))
		p++;
	if (*p != '\0')
		return Result(VectorTextStatus::kJunkAfterClose, dims);
	return Result(VectorTextStatus::kOk, dims);
}

} // namespace

// Stores floats; NaN and infinity (spelled out, so no range error) are refused.
VectorTextResult ParseVectorText(const char *text, float *out, int max_dims) noexcept
{
	return ParseBracketed(text, max_dims, [out](float value, int index) noexcept {
		if (std::isnan(value))
			return VectorTextStatus::kNaN;
		if (std::isinf(value))
			return VectorTextStatus::kInfinite;
		out[index] = value;
		return VectorTextStatus::kOk;
	});
}

// Stores halves; a finite number that rounds to a half infinity is out of range (like
// pgvector, which reports it before NaN/infinity checks of the half).
VectorTextResult ParseHalfvecText(const char *text, Half *out, int max_dims) noexcept
{
	return ParseBracketed(text, max_dims, [out](float value, int index) noexcept {
		Half half = FloatToHalf(value);
		if (HalfIsInf(half) && !std::isinf(value))
			return VectorTextStatus::kOutOfRange;
		if (HalfIsNaN(half))
			return VectorTextStatus::kNaN;
		if (HalfIsInf(half))
			return VectorTextStatus::kInfinite;
		out[index] = half;
		return VectorTextStatus::kOk;
	});
}

} // namespace vector_core
