// Parsing of the vector text form "[1, 2.5, -3e4]" into floats (vector) or binary16 halves
// (halfvec), without PostgreSQL.
//
// The grammar and the order in which problems are reported follow pgvector 0.8, so
// that the same input fails with the same message: optional whitespace, '[', one
// or more numbers in strtof syntax separated by ',', ']', optional whitespace.
// Each element is checked (NaN, then infinity) as soon as it is read.
#pragma once

#include <cstddef>

#include "core/distance/half.h"

namespace vector_core
{

// Outcome of ParseVectorText; kOk or the first problem met while scanning.
enum class VectorTextStatus {
	kOk,
	kMissingOpenBracket, // input does not start with '['
	kNoDimensions,       // "[]"
	kTooManyDimensions,  // more than max_dims elements
	kInvalidSyntax,      // anything else malformed
	kOutOfRange,         // a number that overflows float
	kNaN,                // an element is NaN
	kInfinite,           // an element is +/-Infinity
	kJunkAfterClose,     // characters after the closing ']'
};

// Result of a parse: the status, the number of elements read, and for
// kOutOfRange the offending token as [token_begin, token_begin + token_length).
struct VectorTextResult {
	VectorTextStatus status;
	int dims;
	std::size_t token_begin;
	std::size_t token_length;
};

// True for the whitespace characters the vector text form allows around tokens.
bool IsVectorSpace(char c) noexcept;

// Upper bound on the number of elements text can hold (commas + 1), capped at
// cap; lets callers size the output buffer before parsing.
int CountVectorTextElements(const char *text, int cap) noexcept;

// Parses text (NUL-terminated) into out, which has room for max_dims floats.
// Never reads past the terminating NUL and never writes past out[max_dims - 1].
VectorTextResult ParseVectorText(const char *text, float *out, int max_dims) noexcept;

// Parses the halfvec text form (the same grammar) into out (max_dims halves). A finite number
// beyond the half range is kOutOfRange (with its token), like a float overflow.
VectorTextResult ParseHalfvecText(const char *text, Half *out, int max_dims) noexcept;

} // namespace vector_core
