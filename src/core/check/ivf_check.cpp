// Structural checks of ivfflat and ivf index pages (see ivf_check.h).
#include "core/check/ivf_check.h"

#include <cstring>
#include <new>

#include "core/check/page_decoding.h"
#include "core/distance/element_distance.h"
#include "core/ivf/ivf_page_format.h"
#include "core/ivf/ivf_rabitq.h"

namespace vector_core
{

using namespace page_decoding;

namespace
{

// Element kinds as the metapage stores them.
constexpr std::uint32_t kFloatRows = static_cast<std::uint32_t>(ElementKind::kFloat);
constexpr std::uint32_t kHalfRows = static_cast<std::uint32_t>(ElementKind::kHalf);
constexpr std::uint32_t kBitRows = static_cast<std::uint32_t>(ElementKind::kBit);

} // namespace

bool IvfChecker::ExpectedSizes(std::int32_t quantizer, std::int32_t dim, std::int32_t pq_m, std::uint32_t *code_size,
                               std::uint32_t *dir_entry_size, std::uint32_t row_bytes)
{
	// Rows (flat lists, centroids) of the index's type; older indexes hold floats (0).
	const std::uint32_t row = row_bytes != 0 ? row_bytes : 4 * static_cast<std::uint32_t>(dim);
	switch (quantizer) {
	case kIvfQuantFlat:
		*code_size = row;
		break;
	case kIvfQuantSq8:
		*code_size = static_cast<std::uint32_t>(dim);
		break;
	case kIvfQuantPq:
		if (pq_m < 1 || pq_m > dim)
			return false;
		*code_size = static_cast<std::uint32_t>(pq_m);
		break;
	case kIvfQuantRabitq:
		*code_size = static_cast<std::uint32_t>(RabitqCodeBytes(static_cast<std::size_t>(dim)));
		break;
	default:
		return false;
	}
	*dir_entry_size = static_cast<std::uint32_t>(kIvfDirEntryHeadSize) + row;
	return true;
}

bool IvfChecker::AddPage(std::uint32_t block, const unsigned char *page) noexcept
{
	summary_.pages++;
	if (block == 0) {
		if (U16(page, kOffUpper) == 0 || !CheckPageHeader(0, page, kIvfSpecialSize)) {
			Report(true, "bad metapage", 0, -1, "the metapage is not initialized");
			return false;
		}
		const unsigned char *special = page + kCheckPageSize - kIvfSpecialSize;
		const unsigned char *meta = page + kPageHeaderSize;
		if (!IvfPageIdValid(U16(special, kIvfSpecialPageIdOffset)) ||
		    U16(special, kIvfSpecialFlagsOffset) != kIvfPageMeta ||
		    U32(meta, kIvfMetaMagicOffset) != kIvfMagic) {
			Report(true, "bad metapage", 0, -1,
			       Format("page id %04x, page kind %u, magic %08x: not an IVF metapage",
			              U16(special, kIvfSpecialPageIdOffset), U16(special, kIvfSpecialFlagsOffset),
			              U32(meta, kIvfMetaMagicOffset)));
			return false;
		}
		if (U32(meta, kIvfMetaVersionOffset) != kIvfVersion) {
			Report(true, "bad metapage", 0, -1,
			       Format("format version %u, expected %u", U32(meta, kIvfMetaVersionOffset), kIvfVersion));
			return false;
		}
		dim_ = Load<std::int32_t>(meta + kIvfMetaDimOffset);
		lists_ = Load<std::int32_t>(meta + kIvfMetaListsOffset);
		quantizer_ = Load<std::int32_t>(meta + kIvfMetaQuantizerOffset);
		const std::int32_t metric = Load<std::int32_t>(meta + kIvfMetaMetricOffset);
		const std::int32_t pq_m = Load<std::int32_t>(meta + kIvfMetaPqMOffset);
		entry_head_ = U32(meta, kIvfMetaEntryHeadOffset);
		const std::uint32_t code_size = U32(meta, kIvfMetaCodeSizeOffset);
		entry_size_ = U32(meta, kIvfMetaEntrySizeOffset);
		aux_start_ = U32(meta, kIvfMetaAuxStartOffset);
		aux_pages_ = U32(meta, kIvfMetaAuxPagesOffset);
		dir_start_ = U32(meta, kIvfMetaDirStartOffset);
		dir_pages_ = U32(meta, kIvfMetaDirPagesOffset);
		dir_per_page_ = U32(meta, kIvfMetaDirPerPageOffset);
		dir_entry_size_ = U32(meta, kIvfMetaDirEntrySizeOffset);
		const std::uint32_t kind = U32(meta, kIvfMetaElementKindOffset);
		const std::uint32_t row_bytes = U32(meta, kIvfMetaRowBytesOffset);
		kind_ = static_cast<std::uint8_t>(kind);
		value_kind_ = kind_;
		Metric known_metric = Metric::kL2;
		const bool metric_known = IvfMetricFromDisk(metric, &known_metric);
		cosine_ = metric_known && known_metric == Metric::kCosine;
		const int max_dim =
		    kind == kHalfRows ? kIvfMaxHalfDim : (kind == kBitRows ? kIvfMaxBitDim : kIvfMaxDim);
		const std::uint32_t want_row =
		    kind <= kBitRows
		        ? static_cast<std::uint32_t>(ElementStoredBytes(ElementFixedBytes(
		              static_cast<ElementKind>(kind), static_cast<std::size_t>(dim_ > 0 ? dim_ : 0))))
		        : 0;
		const std::size_t capacity = kCheckPageSize - kPageHeaderSize - kIvfSpecialSize;
		std::uint32_t want_code = 0, want_dir = 0;
		if (dim_ < 1 || dim_ > max_dim || lists_ < 1 || lists_ > kIvfMaxLists || !metric_known ||
		    kind > kBitRows || (row_bytes != 0 && row_bytes != want_row) ||
		    (kind != kFloatRows && row_bytes == 0) ||
		    !ExpectedSizes(quantizer_, dim_, pq_m, &want_code, &want_dir, row_bytes)) {
			Report(true, "bad metapage", 0, -1,
			       Format("dim %d, lists %d, quantizer %d, metric %d, pq_m %d, element kind %u, row bytes "
			              "%u out of "
			              "range",
			              dim_, lists_, quantizer_, metric, pq_m, kind, row_bytes));
			return false;
		}
		filter_columns_ = Load<std::int32_t>(meta + kIvfMetaFilterColumnsOffset);
		if (filter_columns_ < 0 || filter_columns_ > kMaxFilterColumns ||
		    (filter_columns_ > 0 &&
		     entry_head_ != IvfEntryHead(quantizer_ == kIvfQuantFlat, filter_columns_))) {
			Report(true, "bad metapage", 0, -1,
			       Format("%d filter columns with an entry head of %u", filter_columns_, entry_head_));
			return false;
		}
		if (entry_head_ < kTidSize || (filter_columns_ == 0 && entry_head_ > 64) || code_size != want_code ||
		    entry_size_ != entry_head_ + code_size || entry_size_ > capacity) {
			Report(true, "bad metapage", 0, -1,
			       Format("entry head %u, code size %u (expected %u), entry size %u", entry_head_,
			              code_size, want_code, entry_size_));
			return false;
		}
		const std::uint32_t flags = U32(meta, kIvfMetaFlagsOffset);
		if ((flags & ~kIvfMetaKnownFlags) != 0) {
			Report(true, "bad metapage", 0, -1, Format("unknown flags %08x", flags));
			return false;
		}
		const std::uint64_t dir_capacity = static_cast<std::uint64_t>(dir_pages_) * dir_per_page_;
		if (dir_entry_size_ != want_dir || dir_per_page_ < 1 ||
		    static_cast<std::uint64_t>(dir_per_page_) * dir_entry_size_ > capacity ||
		    dir_capacity < static_cast<std::uint64_t>(lists_) || aux_start_ < 1 ||
		    static_cast<std::uint64_t>(aux_start_) + aux_pages_ > dir_start_ ||
		    static_cast<std::uint64_t>(dir_start_) + dir_pages_ > nblocks_) {
			Report(true, "bad metapage", 0, -1,
			       Format("directory at %u, %u pages of %u entries of %u bytes for %d lists, aux at %u (%u "
			              "pages), %u blocks",
			              dir_start_, dir_pages_, dir_per_page_, dir_entry_size_, lists_, aux_start_,
			              aux_pages_, nblocks_));
			return false;
		}
		try {
			starts_.assign(static_cast<std::size_t>(lists_), kInvalidBlock);
			inserts_.assign(static_cast<std::size_t>(lists_), kInvalidBlock);
			pages_.assign(nblocks_, ListPage{});
		} catch (...) {
			failed_alloc_ = true;
			return false;
		}
		meta_ok_ = true;
		return true;
	}
	if (!meta_ok_ || block >= nblocks_)
		return false;
	try {
		AddPageImpl(block, page);
	} catch (...) {
		failed_alloc_ = true;
		return false;
	}
	return true;
}

void IvfChecker::AddPageImpl(std::uint32_t block, const unsigned char *page)
{
	const bool in_aux = block >= aux_start_ && block < aux_start_ + aux_pages_;
	const bool in_dir = block >= dir_start_ && block < dir_start_ + dir_pages_;
	if (AllZero(page)) {
		if (in_aux || in_dir)
			Report(true, "bad page kind", block, -1, "a page of the quantizer or directory is empty");
		return;
	}
	if (U16(page, kOffUpper) == 0 || !CheckPageHeader(block, page, kIvfSpecialSize))
		return;
	const unsigned char *special = page + kCheckPageSize - kIvfSpecialSize;
	const std::uint16_t flags = U16(special, kIvfSpecialFlagsOffset);
	const std::uint32_t next = U32(special, kIvfSpecialNextOffset);
	const std::uint16_t lower = U16(page, kOffLower);
	const std::size_t used = lower - kPageHeaderSize;
	const std::uint16_t want = in_aux ? kIvfPageAux : in_dir ? kIvfPageDirectory : kIvfPageList;
	if (!IvfPageIdValid(U16(special, kIvfSpecialPageIdOffset)) || flags != want) {
		Report(true, "bad page kind", block, -1,
		       Format("page id %04x, kind %u, expected kind %u", U16(special, kIvfSpecialPageIdOffset), flags,
		              want));
		return;
	}
	if (in_dir) {
		const std::uint32_t first = (block - dir_start_) * dir_per_page_;
		for (std::uint32_t i = 0; i < dir_per_page_ && first + i < static_cast<std::uint32_t>(lists_); i++) {
			const std::size_t at = kPageHeaderSize + static_cast<std::size_t>(i) * dir_entry_size_;
			starts_[first + i] = U32(page, at + kIvfDirEntryStartOffset);
			inserts_[first + i] = U32(page, at + kIvfDirEntryInsertOffset);
		}
		return;
	}
	if (in_aux)
		return;
	ListPage &lp = pages_[block];
	lp.is_new = false;
	lp.flags = flags;
	lp.next = next;
	if (used % entry_size_ != 0)
		Report(true, "bad list page", block, -1,
		       Format("%zu bytes of entries is not a multiple of the entry size %u", used, entry_size_));
	const std::uint32_t count = static_cast<std::uint32_t>(used / entry_size_);
	lp.first_tid = static_cast<std::uint32_t>(page_tids_.size());
	for (std::uint32_t i = 0; i < count; i++) {
		std::uint32_t hb;
		std::uint16_t ho;
		LoadTid(page + kPageHeaderSize + static_cast<std::size_t>(i) * entry_size_, &hb, &ho);
		if (hb == kInvalidBlock || ho == 0 || ho > kMaxHeapOffset) {
			Report(true, "bad heap tid", block, static_cast<std::int32_t>(i),
			       Format("list entry with heap tid %s", TidText(PackTid(hb, ho)).c_str()));
			continue;
		}
		// The filter columns' attribute area (core/common/filter_attrs.h).
		if (!FilterAttrsValid(page + kPageHeaderSize + static_cast<std::size_t>(i) * entry_size_ +
		                          kIvfEntryAttrOffset,
		                      filter_columns_))
			Report(true, "bad attribute area", block, static_cast<std::int32_t>(i),
			       "null bitmap with a bit past the last filter column, or a NULL column with a value");
		page_tids_.push_back(PackTid(hb, ho));
		if (filter_columns_ > 0)
			page_attrs_.push_back(FilterAttrsHash(
			    page + kPageHeaderSize + static_cast<std::size_t>(i) * entry_size_ + kIvfEntryAttrOffset,
			    FilterAttrAreaLength(filter_columns_)));
		lp.tid_count++;
	}
}

Status IvfChecker::Finish() noexcept
{
	if (!meta_ok_)
		return failed_alloc_ ? Status::OutOfMemory() : Status::Ok();
	try {
		return FinishImpl() && !failed_alloc_ ? Status::Ok() : Status::OutOfMemory();
	} catch (...) {
		return Status::OutOfMemory();
	}
}

bool IvfChecker::FinishImpl()
{
	const std::uint32_t first_list_block = dir_start_ + dir_pages_;
	for (std::int32_t list = 0; list < lists_; list++) {
		const std::uint32_t start = starts_[static_cast<std::size_t>(list)];
		const std::uint32_t insert = inserts_[static_cast<std::size_t>(list)];
		bool insert_seen = insert == kInvalidBlock;
		std::uint32_t at = start;
		std::uint32_t prev = kInvalidBlock;
		while (at != kInvalidBlock) {
			if (at < first_list_block || at >= nblocks_) {
				Report(true, "dangling list link", prev == kInvalidBlock ? -1 : prev, list,
				       Format("list %d links to block %u, not a list page (list pages: %u..%u)", list,
				              at, first_list_block, nblocks_ - 1));
				break;
			}
			ListPage &lp = pages_[at];
			if (lp.is_new) {
				Report(true, "dangling list link", at, list,
				       Format("list %d links to an empty page", list));
				break;
			}
			if (lp.owner != -1) {
				Report(true, "list chain cycle", at, list,
				       Format("list %d reaches a page already reached by list %d", list, lp.owner));
				break;
			}
			lp.owner = list;
			summary_.elements += lp.tid_count;
			heap_tids_.insert(heap_tids_.end(), page_tids_.begin() + lp.first_tid,
			                  page_tids_.begin() + lp.first_tid + lp.tid_count);
			if (filter_columns_ > 0)
				heap_attrs_.insert(heap_attrs_.end(), page_attrs_.begin() + lp.first_tid,
				                   page_attrs_.begin() + lp.first_tid + lp.tid_count);
			if (at == insert)
				insert_seen = true;
			prev = at;
			at = lp.next;
		}
		if (!insert_seen)
			Report(true, "bad insert page", -1, list,
			       Format("list %d's insert page %u is not in its chain (first page %u)", list, insert,
			              start));
	}
	for (std::uint32_t b = first_list_block; b < nblocks_; b++) {
		const ListPage &lp = pages_[b];
		if (!lp.is_new && lp.owner == -1 && lp.tid_count > 0)
			Report(false, "orphan list page", b, -1,
			       Format("a list page with %u entries that no list reaches", lp.tid_count));
	}
	SortHeapTids();
	return true;
}

} // namespace vector_core
