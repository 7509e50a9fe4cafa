// The checker of ivfflat and ivf index pages (see index_check.h for what checkers do).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/check/index_check.h"

namespace vector_core
{

// ivfflat and ivf (core/ivf/ivf_page_format.h).
class IvfChecker : public IndexCheckerBase
{
public:
	explicit IvfChecker(std::uint32_t nblocks) : IndexCheckerBase(nblocks)
	{
	}
	bool AddPage(std::uint32_t block, const unsigned char *page) noexcept override;
	Status Finish() noexcept override;

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
	std::int32_t filter_columns_ = 0; // of the metapage (0 in older indexes)
	std::uint32_t aux_start_ = 0, aux_pages_ = 0, dir_start_ = 0, dir_pages_ = 0, dir_per_page_ = 0,
	              dir_entry_size_ = 0;
	std::vector<std::uint32_t> starts_, inserts_;
	std::vector<ListPage> pages_;
	std::vector<PackedTid> page_tids_;
	std::vector<std::uint64_t> page_attrs_; // FilterAttrsHash per entry of page_tids_ (filter columns only)
};

} // namespace vector_core
