// The attribute area of an index with filter columns (the key columns after the vector column,
// see src/pg/common/filter_columns.h), the same in hnsw elements and IVF list entries: a null
// bitmap of (columns + 7) / 8 bytes (bit c set: column c is NULL), then one 8-byte
// little-endian signed integer per column, unaligned: the fixed-width filter types (integers,
// bool, date, timestamp) compare as their value widened to int64; a text column holds a hash of
// its value and an integer array a 64-bit signature of its elements (lossy: the executor
// rechecks). A NULL column's value is 0. Pure C++, for the access methods and the page checker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace vector_core
{

constexpr int kMaxFilterColumns = 31;

constexpr std::size_t FilterAttrBitmapBytes(int columns)
{
	return (static_cast<std::size_t>(columns) + 7) / 8;
}

constexpr std::size_t FilterAttrAreaLength(int columns)
{
	return columns <= 0 ? 0 : FilterAttrBitmapBytes(columns) + 8 * static_cast<std::size_t>(columns);
}

// Whether an attribute area of columns filter columns is well formed: no null bit past the last
// column, and the value 0 for every NULL column.
inline bool FilterAttrsValid(const unsigned char *attrs, int columns) noexcept
{
	if (columns <= 0)
		return true;
	const std::size_t slots = FilterAttrBitmapBytes(columns);
	for (int c = columns; c < 8 * static_cast<int>(slots); c++)
		if ((attrs[c / 8] >> (c % 8)) & 1)
			return false;
	for (int c = 0; c < columns; c++) {
		if (!((attrs[c / 8] >> (c % 8)) & 1))
			continue;
		std::int64_t value;
		std::memcpy(&value, attrs + slots + 8 * static_cast<std::size_t>(c), sizeof(value));
		if (value != 0)
			return false;
	}
	return true;
}

// A 64-bit hash (FNV-1a) of an attribute area: the checker compares the index's areas with the
// ones the table's rows give.
inline std::uint64_t FilterAttrsHash(const unsigned char *attrs, std::size_t length) noexcept
{
	std::uint64_t hash = 0xcbf29ce484222325ULL;
	for (std::size_t i = 0; i < length; i++) {
		hash ^= attrs[i];
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

} // namespace vector_core
