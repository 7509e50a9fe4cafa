// Page-header checks and the bookkeeping every index checker shares (findings, summary, heap
// TIDs); see index_check.h. The access methods' own checks are in hnsw_check.cpp and
// ivf_check.cpp.
#include "core/check/index_check.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include "core/check/page_decoding.h"

namespace vector_core
{

namespace page_decoding
{

std::string Format(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	std::vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

std::string TidText(PackedTid tid)
{
	return Format("(%u,%u)", static_cast<unsigned>(tid >> 16), static_cast<unsigned>(tid & 0xFFFF));
}

bool AllZero(const unsigned char *page)
{
	for (std::size_t i = 0; i < kCheckPageSize; i++)
		if (page[i] != 0)
			return false;
	return true;
}

} // namespace page_decoding

using namespace page_decoding;

namespace
{

constexpr int kMaxFindingsPerProblem = 50;

} // namespace

void IndexCheckerBase::Report(bool error, const char *problem, std::int64_t block, std::int32_t offset,
                              std::string detail) noexcept
{
	if (error)
		summary_.errors++;
	else
		summary_.warnings++;
	try {
		for (auto &p : per_problem_) {
			if (p.first == problem) {
				if (++p.second > kMaxFindingsPerProblem)
					return;
				findings_.push_back({error, problem, block, offset, std::move(detail)});
				return;
			}
		}
		per_problem_.emplace_back(problem, 1);
		findings_.push_back({error, problem, block, offset, std::move(detail)});
	} catch (...) {
		failed_alloc_ = true;
	}
}

bool IndexCheckerBase::HasHeapTid(std::uint32_t block, std::uint16_t offset) const noexcept
{
	return std::binary_search(heap_tids_.begin(), heap_tids_.end(), PackTid(block, offset));
}

bool IndexCheckerBase::HeapTidAttrsHash(std::uint32_t block, std::uint16_t offset, std::uint64_t *hash) const noexcept
{
	if (heap_attrs_.size() != heap_tids_.size() || heap_attrs_.empty())
		return false;
	const auto at = std::lower_bound(heap_tids_.begin(), heap_tids_.end(), PackTid(block, offset));
	if (at == heap_tids_.end() || *at != PackTid(block, offset))
		return false;
	*hash = heap_attrs_[static_cast<std::size_t>(at - heap_tids_.begin())];
	return true;
}

void IndexCheckerBase::SortHeapTids()
{
	if (heap_attrs_.size() != heap_tids_.size() || heap_attrs_.empty()) {
		heap_attrs_.clear();
		std::sort(heap_tids_.begin(), heap_tids_.end());
		return;
	}
	std::vector<std::pair<PackedTid, std::uint64_t>> pairs(heap_tids_.size());
	for (std::size_t i = 0; i < pairs.size(); i++)
		pairs[i] = {heap_tids_[i], heap_attrs_[i]};
	std::sort(pairs.begin(), pairs.end());
	for (std::size_t i = 0; i < pairs.size(); i++) {
		heap_tids_[i] = pairs[i].first;
		heap_attrs_[i] = pairs[i].second;
	}
}

bool IndexCheckerBase::CheckPageHeader(std::uint32_t block, const unsigned char *page,
                                       std::size_t special_size) noexcept
{
	const std::uint16_t lower = U16(page, kOffLower), upper = U16(page, kOffUpper),
	                    special = U16(page, kOffSpecial);
	const std::uint16_t size_version = U16(page, kOffPageSizeVersion);
	if (size_version != (kCheckPageSize | kPageLayoutVersion)) {
		Report(true, "bad page header", block, -1, Format("page size and layout version %u", size_version));
		return false;
	}
	if (lower < kPageHeaderSize || lower > upper || upper > special || special != kCheckPageSize - special_size) {
		Report(true, "bad page header", block, -1,
		       Format("pd_lower %u, pd_upper %u, pd_special %u", lower, upper, special));
		return false;
	}
	return true;
}

void CheckIndexImage(IndexCheckerBase *checker, const unsigned char *pages, std::uint32_t nblocks) noexcept
{
	for (std::uint32_t b = 0; b < nblocks; b++)
		if (!checker->AddPage(b, pages + static_cast<std::size_t>(b) * kCheckPageSize))
			return;
	checker->Finish();
}

} // namespace vector_core
