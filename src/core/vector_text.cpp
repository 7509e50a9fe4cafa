// Parser of the vector text form; see vector_text.h for the grammar.
#include "core/vector_text.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace vector_core {

bool IsVectorSpace(char c) noexcept
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

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

VectorTextResult ParseVectorText(const char *text, float *out, int max_dims) noexcept
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

		// strtof, like float4in, avoids double rounding; the backend runs with
		// LC_NUMERIC=C so the decimal point is always '.'.
		char *end = nullptr;
		errno = 0;
		float value = std::strtof(p, &end);
		if (end == p)
			return Result(VectorTextStatus::kInvalidSyntax, dims);
		if (errno == ERANGE && std::isinf(value))
			return VectorTextResult{VectorTextStatus::kOutOfRange, dims, static_cast<std::size_t>(p - text),
						static_cast<std::size_t>(end - p)};
		if (std::isnan(value))
			return Result(VectorTextStatus::kNaN, dims);
		if (std::isinf(value))
			return Result(VectorTextStatus::kInfinite, dims);
		out[dims++] = value;

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

}  // namespace vector_core
