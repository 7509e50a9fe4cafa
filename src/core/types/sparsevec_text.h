// Parsing of the sparsevec text form "{1:0.5,3:2}/5" without PostgreSQL, and the index checks
// every constructor of a sparse vector shares.
//
// Grammar (pgvector 0.8): optional whitespace, '{', zero or more "index:value" pairs separated
// by ',' (index: a decimal integer, 1-based; value: a number in strtof syntax; whitespace around
// every token), '}', '/', the dimension (a decimal integer), optional whitespace. Problems are
// reported in the order pgvector finds them while scanning. Pairs whose value is zero are
// dropped; the others are returned in input order with 0-based indices, for the caller to sort
// (SortSparseElements) and check against the dimension (CheckSparseIndices).
#pragma once

#include <cstddef>
#include <cstdint>

namespace vector_core
{

// Outcome of ParseSparsevecText; kOk or the first problem met while scanning.
enum class SparsevecTextStatus {
	kOk,
	kMissingOpenBrace, // input does not start with '{'
	kTooManyElements,  // more pairs than the capacity the caller gave
	kInvalidSyntax,    // anything else malformed
	kOutOfRange,       // a value that overflows or underflows float
	kNaN,              // a value is NaN
	kInfinite,         // a value is +/-Infinity
	kUnexpectedEnd,    // no "/dim" after the closing '}'
	kJunkAfterClose,   // characters after the dimension
};

// One non-zero element: 0-based index and value.
struct SparseElement {
	std::int32_t index;
	float value;
};

// Result of a parse: status, the number of elements stored (zeros dropped), the dimension
// (clamped into int32 range so that range errors name a sensible number) and, for
// kOutOfRange, the offending token [token_begin, token_begin + token_length).
struct SparsevecTextResult {
	SparsevecTextStatus status;
	int nnz;
	std::int64_t dim;
	std::size_t token_begin;
	std::size_t token_length;
};

// Number of pairs text can hold at most (commas + 1), counted up to cap + 1 so that callers can
// refuse too long input before allocating.
int CountSparsevecTextElements(const char *text, int cap) noexcept;

// Parses text (NUL-terminated) into out, which has room for capacity elements. Indices are
// clamped into [INT32_MIN + 1, INT32_MAX] before the 1-based to 0-based shift, so that any
// out-of-range index stays out of range instead of wrapping.
SparsevecTextResult ParseSparsevecText(const char *text, SparseElement *out, int capacity) noexcept;

// Sorts elements by index (ascending); equal indices stay adjacent for CheckSparseIndices.
void SortSparseElements(SparseElement *elements, int count) noexcept;

// Outcome of CheckSparseIndices.
enum class SparseIndexStatus {
	kOk,
	kOutOfBounds,  // an index < 0 or >= dim
	kNotAscending, // an index smaller than its predecessor
	kDuplicate,    // an index equal to its predecessor
};

// Checks indices[0..count) one by one, each first against [0, dim) and then against its
// predecessor (pgvector's order), and reports the first problem.
SparseIndexStatus CheckSparseIndices(const std::int32_t *indices, int count, std::int64_t dim) noexcept;

} // namespace vector_core
