// Structural checks of hnsw and IVF index pages, on raw page images, without PostgreSQL.
//
// The checkers are fed every block of an index (block 0 first) as BLCKSZ byte copies and then
// cross-check what they saw: metapage magic and version, page headers and line pointers, item
// kinds and sizes, neighbor list counts against their capacity, links that leave the relation,
// vector chunk chains, HNSW elements that no chain of layer-0 links from the entry point reaches
// (an exhaustive scan does not find them), IVF directory entries and list chains (cycles, pages
// shared by two lists, pages of the wrong kind). They collect the heap TIDs the index holds so
// that the caller can look for table rows missing from it.
//
// Findings have a severity: "error" is never produced by a correct index (corruption or a
// bug); "warning" is legal but worth knowing (an HNSW element no link reaches, which pruning and
// VACUUM can leave behind; a list page no list links to). Links to freed or reused slots are
// hints by design (see core/hnsw/hnsw_page_format.h) and are only counted.
//
// The byte layouts decoded here are defined once, in core/hnsw/hnsw_page_format.h and
// core/ivf/ivf_page_format.h, whose offsets the access methods' structs assert at compile time;
// PostgreSQL's own page layout is in page_decoding.h, asserted against PostgreSQL's headers by
// src/pg/admin/index_check.cpp. What the checker
// assumes of the stored vectors (their byte size) is confined to PayloadBytes() / the params.
// Every function is noexcept at the boundary: nothing here throws out of a Checker call. A
// checker's result is its findings; AddPage says whether checking can go on, and Finish fails
// (a Status, core/common/status.h) only when memory ran out.
//
// This header holds what every checker shares; the checkers themselves are HnswChecker
// (hnsw_check.h) and IvfChecker (ivf_check.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/status.h"

namespace vector_core
{

constexpr std::size_t kCheckPageSize = 8192; // BLCKSZ of the builds we support

// A TID packed as block << 16 | offset.
using PackedTid = std::uint64_t;
inline PackedTid PackTid(std::uint32_t block, std::uint16_t offset)
{
	return (static_cast<PackedTid>(block) << 16) | offset;
}

struct CheckFinding {
	bool error;          // else a warning ("info" rows come from CheckSummary)
	std::string problem; // short, stable name of the kind of finding
	std::int64_t block;  // -1 when none
	std::int32_t offset; // item offset (hnsw) or entry number (ivf); -1 when none
	std::string detail;
};

struct CheckSummary {
	std::uint64_t pages = 0;
	std::uint64_t elements = 0; // hnsw elements or ivf list entries
	std::uint64_t links = 0;
	std::uint64_t stale_links = 0; // links of live elements to a freed or reused slot (legal hints)
	std::uint64_t marked = 0;      // hnsw elements marked deleted by VACUUM, not yet freed
	std::uint64_t heap_tids = 0;   // heap TIDs of the live hnsw elements (identical rows share one)
	std::uint64_t unreachable = 0;
	std::uint64_t errors = 0;
	std::uint64_t warnings = 0;
};

// Common part: findings, the summary and the sorted heap TIDs of the index.
class IndexCheckerBase
{
public:
	virtual ~IndexCheckerBase() = default;
	// Feeds block `block` (a kCheckPageSize image). Block 0 must come first; returns false when
	// checking cannot go on (unusable metapage: the finding says why).
	virtual bool AddPage(std::uint32_t block, const unsigned char *page) noexcept = 0;
	// Cross-checks after the last page. Fails only when memory ran out (OutOfMemory).
	virtual Status Finish() noexcept = 0;
	// Whether the index holds heap TID (after Finish).
	bool HasHeapTid(std::uint32_t block, std::uint16_t offset) const noexcept;
	// The FilterAttrsHash of the attribute area the index holds for heap TID (after Finish);
	// false when the index has no filter columns or not this TID.
	bool HeapTidAttrsHash(std::uint32_t block, std::uint16_t offset, std::uint64_t *hash) const noexcept;
	// Records a finding (capped per kind of problem; the summary counts them all).
	void Report(bool error, const char *problem, std::int64_t block, std::int32_t offset,
	            std::string detail) noexcept;

	const std::vector<CheckFinding> &findings() const
	{
		return findings_;
	}
	const CheckSummary &summary() const
	{
		return summary_;
	}
	// Whether the cosine metric is used (zero vectors are not indexed then).
	bool cosine() const
	{
		return cosine_;
	}
	// vector_core::ElementKind of the index's rows (from the metapage; 0, floats, in older ones).
	std::uint8_t kind() const
	{
		return kind_;
	}
	// vector_core::ElementKind of the indexed values: kind() unless the rows are codes of them.
	std::uint8_t value_kind() const
	{
		return value_kind_;
	}

protected:
	explicit IndexCheckerBase(std::uint32_t nblocks) : nblocks_(nblocks)
	{
	}
	// Standard page header and special space checks; false when the page cannot be read further.
	bool CheckPageHeader(std::uint32_t block, const unsigned char *page, std::size_t special_size) noexcept;
	// Sorts the heap TIDs (with their attribute hashes, when there are filter columns).
	void SortHeapTids();

	std::uint32_t nblocks_;
	std::vector<CheckFinding> findings_;
	std::vector<std::pair<std::string, int>> per_problem_;
	CheckSummary summary_;
	std::vector<PackedTid> heap_tids_;
	// With filter columns: FilterAttrsHash of each heap TID's attribute area, in heap_tids_'s order
	// (empty without filter columns).
	std::vector<std::uint64_t> heap_attrs_;
	bool cosine_ = false;
	std::uint8_t kind_ = 0;
	std::uint8_t value_kind_ = 0;
	bool failed_alloc_ = false;
};

// Runs a checker over nblocks page images laid out one after the other (fuzzing, unit tests).
// kind: "hnsw" or "ivf".
void CheckIndexImage(IndexCheckerBase *checker, const unsigned char *pages, std::uint32_t nblocks) noexcept;

} // namespace vector_core
