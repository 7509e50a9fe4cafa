// The checker of hnsw index pages (see index_check.h for what checkers do).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/check/index_check.h"

namespace vector_core
{

// hnsw (core/hnsw/hnsw_page_format.h).
class HnswChecker : public IndexCheckerBase
{
public:
	explicit HnswChecker(std::uint32_t nblocks) : IndexCheckerBase(nblocks)
	{
	}
	bool AddPage(std::uint32_t block, const unsigned char *page) noexcept override;
	Status Finish() noexcept override;

	// Bytes of one stored row of kind with dims dimensions, padded as pages store it (0 for
	// sparse rows, whose size each row tells: see RowBytesAt). Float rows in older indexes.
	static std::size_t PayloadBytes(std::uint32_t dims, std::uint8_t kind = 0);
	// Stored bytes of the sparse row whose first word (its nnz) is nnz; 0 when nnz is impossible.
	static std::size_t SparseRowBytes(std::int32_t nnz);

private:
	struct Element {
		PackedTid tid;
		PackedTid lists;  // neighbor tuple, 0 when inline
		PackedTid vector; // first chunk, 0 when inline
		std::uint32_t first_link;
		std::uint32_t link_count;
		std::uint8_t level;
		bool marked; // kHnswElementDeleted: VACUUM is removing it (or left it for the next one)
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
	int filter_columns_ = 0;   // key columns after the vector: the size of every attribute area
	bool label_lists_ = false; // every element holds a label list after its layers' lists
	int entry_level_ = -1;
	PackedTid entry_ = 0;
	std::vector<Element> elements_;
	std::vector<ListTuple> list_tuples_;
	std::vector<Chunk> chunks_;
	std::vector<PackedTid> links_; // layer << 56 | target
};

} // namespace vector_core
