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
// hints by design (see src/pg/hnsw/hnsw.h) and are only counted.
//
// The byte layout decoded here is the one src/pg/hnsw/hnsw.h and src/pg/ivf/ivf.h declare;
// src/pg/admin/index_check.cpp asserts at compile time that the offsets agree. What the checker
// assumes of the stored vectors (their byte size) is confined to PayloadBytes() / the params.
// Every function is noexcept at the boundary: nothing here throws out of a Checker call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vector_core {

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
	std::uint64_t stale_links = 0; // links to a freed or reused slot (legal hints)
	std::uint64_t unreachable = 0;
	std::uint64_t errors = 0;
	std::uint64_t warnings = 0;
};

// Common part: findings, the summary and the sorted heap TIDs of the index.
class IndexCheckerBase {
public:
	virtual ~IndexCheckerBase() = default;
	// Feeds block `block` (a kCheckPageSize image). Block 0 must come first; returns false when
	// checking cannot go on (unusable metapage: the finding says why).
	virtual bool AddPage(std::uint32_t block, const unsigned char *page) noexcept = 0;
	// Cross-checks after the last page. Returns false only on allocation failure.
	virtual bool Finish() noexcept = 0;
	// Whether the index holds heap TID (after Finish).
	bool HasHeapTid(std::uint32_t block, std::uint16_t offset) const noexcept;
	// Records a finding (capped per kind of problem; the summary counts them all).
	void Report(bool error, const char *problem, std::int64_t block, std::int32_t offset, std::string detail) noexcept;

	const std::vector<CheckFinding> &findings() const { return findings_; }
	const CheckSummary &summary() const { return summary_; }
	// Whether the cosine metric is used (zero vectors are not indexed then).
	bool cosine() const { return cosine_; }
	// vector_core::ElementKind of the index's rows (from the metapage; 0, floats, in older ones).
	std::uint8_t kind() const { return kind_; }

protected:
	explicit IndexCheckerBase(std::uint32_t nblocks) : nblocks_(nblocks) {}
	// Standard page header and special space checks; false when the page cannot be read further.
	bool CheckPageHeader(std::uint32_t block, const unsigned char *page, std::size_t special_size) noexcept;
	void SortHeapTids();

	std::uint32_t nblocks_;
	std::vector<CheckFinding> findings_;
	std::vector<std::pair<std::string, int>> per_problem_;
	CheckSummary summary_;
	std::vector<PackedTid> heap_tids_;
	bool cosine_ = false;
	std::uint8_t kind_ = 0;
	bool failed_alloc_ = false;
};

// hnsw (src/pg/hnsw/hnsw.h).
class HnswChecker : public IndexCheckerBase {
public:
	explicit HnswChecker(std::uint32_t nblocks) : IndexCheckerBase(nblocks) {}
	bool AddPage(std::uint32_t block, const unsigned char *page) noexcept override;
	bool Finish() noexcept override;

	// Bytes of one stored row of kind with dims dimensions, padded as pages store it (0 for
	// sparse rows, whose size each row tells: see RowBytesAt). Float rows in older indexes.
	static std::size_t PayloadBytes(std::uint32_t dims, std::uint8_t kind = 0);
	// Stored bytes of the sparse row whose first word (its nnz) is nnz; 0 when nnz is impossible.
	static std::size_t SparseRowBytes(std::int32_t nnz);

private:
	struct Element {
		PackedTid tid;
		PackedTid lists; // neighbor tuple, 0 when inline
		PackedTid vector; // first chunk, 0 when inline
		std::uint32_t first_link;
		std::uint32_t link_count;
		std::uint8_t level;
	};
	struct ListTuple {
		PackedTid tid;
		std::uint32_t first_link;
		std::uint32_t link_count;
		std::uint8_t level;
		bool used;
	};
	struct Chunk {
		PackedTid tid;
		PackedTid next;
		std::uint32_t count;
		std::int32_t first_word; // of the row's bytes here (a sparse row's nnz in its first chunk)
	};
	void AddItems(std::uint32_t block, const unsigned char *page);
	// Parses the lists of layers 0..level at p (room bytes); appends links; false on a bad count.
	bool ParseLists(std::uint32_t block, std::uint16_t offset, const unsigned char *p, std::size_t room, int level,
	                std::uint32_t *first, std::uint32_t *count);
	bool FinishImpl();

	bool meta_ok_ = false;
	std::uint32_t dims_ = 0;
	int m_ = 0;
	int max_level_ = 0;
	int entry_level_ = -1;
	PackedTid entry_ = 0;
	std::vector<Element> elements_;
	std::vector<ListTuple> list_tuples_;
	std::vector<Chunk> chunks_;
	std::vector<PackedTid> links_; // layer << 56 | target
};

// ivfflat and ivf (src/pg/ivf/ivf.h).
class IvfChecker : public IndexCheckerBase {
public:
	explicit IvfChecker(std::uint32_t nblocks) : IndexCheckerBase(nblocks) {}
	bool AddPage(std::uint32_t block, const unsigned char *page) noexcept override;
	bool Finish() noexcept override;

	// Expected payload bytes of a list entry, and bytes of a directory entry (the payload
	// assumptions): flat stores the vector, sq8 one byte per dimension, pq pq_m bytes.
	static bool ExpectedSizes(std::int32_t quantizer, std::int32_t dim, std::int32_t pq_m, std::uint32_t *code_size,
	                          std::uint32_t *dir_entry_size, std::uint32_t row_bytes = 0);

private:
	struct ListPage {
		std::uint32_t next = 0xFFFFFFFFu;
		std::uint16_t flags = 0;
		bool is_new = true;
		std::uint32_t first_tid = 0; // in page_tids_
		std::uint32_t tid_count = 0;
		std::int32_t owner = -1; // list that reached it
	};
	bool FinishImpl();
	void AddPageImpl(std::uint32_t block, const unsigned char *page);

	bool meta_ok_ = false;
	std::int32_t dim_ = 0, lists_ = 0, quantizer_ = 0;
	std::uint32_t entry_head_ = 0, entry_size_ = 0;
	std::uint32_t aux_start_ = 0, aux_pages_ = 0, dir_start_ = 0, dir_pages_ = 0, dir_per_page_ = 0,
	              dir_entry_size_ = 0;
	std::vector<std::uint32_t> starts_, inserts_;
	std::vector<ListPage> pages_;
	std::vector<PackedTid> page_tids_;
};

// Runs a checker over nblocks page images laid out one after the other (fuzzing, unit tests).
// kind: "hnsw" or "ivf".
void CheckIndexImage(IndexCheckerBase *checker, const unsigned char *pages, std::uint32_t nblocks) noexcept;

} // namespace vector_core
