// Reading PostgreSQL page images without PostgreSQL's headers, for the index checkers: the
// standard page layout (storage/bufpage.h, storage/itemid.h, storage/itemptr.h; src/pg/admin/
// index_check.cpp asserts at compile time that it is PostgreSQL's) and unaligned little readers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "core/check/index_check.h"

namespace vector_core
{
namespace page_decoding
{

// PostgreSQL's standard page layout (storage/bufpage.h, storage/itemid.h, storage/itemptr.h).
constexpr std::size_t kPageHeaderSize = 24; // SizeOfPageHeaderData, already MAXALIGNed
constexpr std::size_t kOffLower = 12, kOffUpper = 14, kOffSpecial = 16, kOffPageSizeVersion = 18;
constexpr std::uint16_t kPageLayoutVersion = 4;
constexpr unsigned kLpUnused = 0, kLpNormal = 1;
constexpr std::size_t kTidSize = 6;
constexpr std::uint32_t kInvalidBlock = 0xFFFFFFFFu;
constexpr std::uint16_t kMaxHeapOffset = 2048; // generous bound on heap line pointers (8 kB pages: 291)

template <typename T> T Load(const unsigned char *p)
{
	T v;
	std::memcpy(&v, p, sizeof(T));
	return v;
}

inline std::uint16_t U16(const unsigned char *page, std::size_t off)
{
	return Load<std::uint16_t>(page + off);
}
inline std::uint32_t U32(const unsigned char *page, std::size_t off)
{
	return Load<std::uint32_t>(page + off);
}

// An ItemPointerData at p: block (bi_hi, bi_lo) and offset.
inline void LoadTid(const unsigned char *p, std::uint32_t *block, std::uint16_t *offset)
{
	*block = (static_cast<std::uint32_t>(Load<std::uint16_t>(p)) << 16) | Load<std::uint16_t>(p + 2);
	*offset = Load<std::uint16_t>(p + 4);
}

// printf into a string (at most 255 characters), for the details of findings.
std::string Format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

// "(block,offset)".
std::string TidText(PackedTid tid);

// Whether a page image is all zeroes (extended but never written).
bool AllZero(const unsigned char *page);

} // namespace page_decoding
} // namespace vector_core
