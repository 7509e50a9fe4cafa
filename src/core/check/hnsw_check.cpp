// Structural checks of hnsw index pages (see hnsw_check.h).
#include "core/check/hnsw_check.h"

#include <cstring>
#include <new>
#include <unordered_map>

#include "core/check/page_decoding.h"
#include "core/common/filter_attrs.h"
#include "core/distance/element_distance.h"
#include "core/hnsw/hnsw_page_format.h"

namespace vector_core
{

using namespace page_decoding;

namespace
{

// Element kinds as the metapage stores them.
constexpr std::uint8_t kBitRows = static_cast<std::uint8_t>(ElementKind::kBit);
constexpr std::uint8_t kSparseRows = static_cast<std::uint8_t>(ElementKind::kSparse);
constexpr std::uint8_t kSq8Rows = static_cast<std::uint8_t>(ElementKind::kSq8);
constexpr std::uint8_t kFloatRows = static_cast<std::uint8_t>(ElementKind::kFloat);
constexpr std::uint8_t kHalfRows = static_cast<std::uint8_t>(ElementKind::kHalf);
// The layer code of label list links in links_ (layer codes of the layers are 0..15).
constexpr std::uint64_t kLabelLinkCode = 0xFE;

} // namespace

bool HnswChecker::AddPage(std::uint32_t block, const unsigned char *page) noexcept
{
	summary_.pages++;
	if (block == 0) {
		if (U16(page, kOffUpper) == 0 || !CheckPageHeader(0, page, kHnswSpecialSize)) {
			Report(true, "bad metapage", 0, -1, "the metapage is not initialized");
			return false;
		}
		const unsigned char *special = page + kCheckPageSize - kHnswSpecialSize;
		const unsigned char *meta = page + kPageHeaderSize;
		if (U16(special, kHnswSpecialPageIdOffset) != kHnswPageId ||
		    U16(special, kHnswSpecialFlagsOffset) != kHnswPageMeta ||
		    U32(meta, kHnswMetaMagicOffset) != kHnswMagic) {
			Report(true, "bad metapage", 0, -1,
			       Format("page id %04x, page kind %u, magic %08x: not an hnsw metapage",
			              U16(special, kHnswSpecialPageIdOffset), U16(special, kHnswSpecialFlagsOffset),
			              U32(meta, kHnswMetaMagicOffset)));
			return false;
		}
		if (!HnswVersionKnown(U32(meta, kHnswMetaVersionOffset))) {
			Report(true, "bad metapage", 0, -1,
			       Format("format version %u, expected %u or %u", U32(meta, kHnswMetaVersionOffset),
			              kHnswVersion, kHnswVersionLabelLists));
			return false;
		}
		dims_ = U32(meta, kHnswMetaDimsOffset);
		m_ = U16(meta, kHnswMetaMOffset);
		const std::uint8_t metric = meta[kHnswMetaMetricOffset];
		max_level_ = meta[kHnswMetaMaxLevelOffset];
		entry_level_ = Load<std::int16_t>(meta + kHnswMetaEntryLevelOffset);
		std::uint32_t eb;
		std::uint16_t eo;
		LoadTid(meta + kHnswMetaEntryOffset, &eb, &eo);
		entry_ = PackTid(eb, eo);
		kind_ = meta[kHnswMetaElementKindOffset];
		value_kind_ = kind_ == kSq8Rows ? meta[kHnswMetaValueKindOffset] : kind_;
		filter_columns_ = meta[kHnswMetaFilterColumnsOffset];
		label_lists_ =
		    U32(meta, kHnswMetaVersionOffset) == kHnswVersionLabelLists && meta[kHnswMetaLabelListsOffset] != 0;
		Metric known_metric = Metric::kL2;
		const bool metric_known = HnswMetricFromDisk(metric, &known_metric);
		cosine_ = metric_known && known_metric == Metric::kCosine;
		// Dimensions by representation: float and half 16,000, bits 64,000, sparse any.
		const std::uint32_t max_dims = kind_ == kBitRows      ? static_cast<std::uint32_t>(kHnswMaxBitDim)
		                               : kind_ == kSparseRows ? 0x7FFFFFFFu
		                                                      : static_cast<std::uint32_t>(kHnswMaxDim);
		const bool bit_metric =
		    metric_known && (known_metric == Metric::kHamming || known_metric == Metric::kJaccard);
		if (dims_ < 1 || dims_ > max_dims || m_ < kHnswMinM || m_ > kHnswMaxM || !metric_known ||
		    max_level_ > 32 || kind_ > kSq8Rows || (kind_ == kBitRows) != bit_metric ||
		    (kind_ == kSq8Rows && value_kind_ != kFloatRows && value_kind_ != kHalfRows) ||
		    filter_columns_ > kMaxFilterColumns) {
			Report(true, "bad metapage", 0, -1,
			       Format("dims %u, m %d, metric %u, element kind %u, max level %d, %d filter columns out "
			              "of range",
			              dims_, m_, metric, kind_, max_level_, filter_columns_));
			return false;
		}
		if (label_lists_) {
			// The label directory: within pd_lower, at most kHnswMaxLabels entries, seeds inside the
			// index; only with filter columns.
			const std::size_t start = kPageHeaderSize + kHnswMetaLabelDirectoryOffset + 8;
			const std::size_t lower = U16(page, kOffLower);
			const std::uint16_t count = U16(meta, kHnswMetaLabelDirectoryOffset);
			if (filter_columns_ == 0 || lower < start || count > kHnswMaxLabels ||
			    start + kHnswLabelEntrySize * count > lower) {
				// (The elements are still parsed with their label lists, as the index reads them.)
				Report(true, "bad label directory", 0, -1,
				       Format("%u entries, pd_lower %zu, %d filter columns", count, lower,
				              filter_columns_));
			} else {
				for (std::uint16_t e = 0; e < count; e++) {
					const unsigned char *entry = page + start + kHnswLabelEntrySize * e;
					const std::uint16_t seeds = U16(entry, 12);
					if (seeds > kHnswLabelSeeds)
						Report(true, "bad label directory", 0, -1,
						       Format("entry %u has %u seeds, at most %d", e, seeds,
						              kHnswLabelSeeds));
					for (std::uint16_t s = 0; s < seeds && s < kHnswLabelSeeds; s++) {
						std::uint32_t sb;
						std::uint16_t so;
						LoadTid(entry + 14 + kHnswTidBytes * s, &sb, &so);
						if (sb == 0 || sb >= nblocks_ || so == 0)
							Report(true, "bad label directory", 0, -1,
							       Format("entry %u: seed %u is %s, outside the index (%u "
							              "blocks)",
							              e, s, TidText(PackTid(sb, so)).c_str(),
							              nblocks_));
					}
				}
			}
		} else if (U32(meta, kHnswMetaVersionOffset) == kHnswVersionLabelLists) {
			Report(true, "bad metapage", 0, -1, "format version 3 (label lists) without label lists");
		}
		if (entry_level_ < -1 || entry_level_ > max_level_ || (entry_level_ == -1) != (eb == kInvalidBlock)) {
			Report(true, "bad metapage", 0, -1,
			       Format("entry level %d with entry point %s", entry_level_, TidText(entry_).c_str()));
			entry_level_ = -1;
		}
		if (entry_level_ >= 0 && (eb == 0 || eb >= nblocks_ || eo == 0)) {
			Report(
			    true, "dangling entry point", 0, -1,
			    Format("entry point %s outside the index (%u blocks)", TidText(entry_).c_str(), nblocks_));
			entry_level_ = -1;
		}
		meta_ok_ = true;
		return true;
	}
	if (!meta_ok_)
		return false;
	if (AllZero(page))
		return true; // extended but never written (a crash, or a concurrent extension)
	if (U16(page, kOffUpper) == 0 || !CheckPageHeader(block, page, kHnswSpecialSize))
		return true;
	const unsigned char *special = page + kCheckPageSize - kHnswSpecialSize;
	if (U16(special, kHnswSpecialPageIdOffset) != kHnswPageId ||
	    U16(special, kHnswSpecialFlagsOffset) != kHnswPageElements) {
		Report(true, "bad page kind", block, -1,
		       Format("page id %04x, kind %u: expected an element page", U16(special, kHnswSpecialPageIdOffset),
		              U16(special, kHnswSpecialFlagsOffset)));
		return true;
	}
	try {
		AddItems(block, page);
	} catch (...) {
		failed_alloc_ = true;
		return false;
	}
	return true;
}

bool HnswChecker::ParseLists(std::uint32_t block, std::uint16_t offset, const unsigned char *p, std::size_t room,
                             int level, std::uint32_t *first, std::uint32_t *count)
{
	*first = static_cast<std::uint32_t>(links_.size());
	*count = 0;
	// One list of layer at byte pos (the label list: layer kHnswLabelLayer, code kLabelLinkCode).
	auto parse = [&](std::size_t pos, int layer) {
		const std::size_t capacity = static_cast<std::size_t>(HnswLayerCapacity(m_, layer));
		if (pos + HnswLayerListSize(m_, layer) > room)
			return false; // sizes are checked by the caller
		const std::string name =
		    layer == kHnswLabelLayer ? std::string("the label list") : Format("layer %d", layer);
		const std::uint16_t n = Load<std::uint16_t>(p + pos);
		if (n > capacity) {
			Report(true, "list count over capacity", block, offset,
			       Format("%s holds %u links, capacity %zu", name.c_str(), n, capacity));
			return false;
		}
		const PackedTid code = layer == kHnswLabelLayer ? kLabelLinkCode : static_cast<PackedTid>(layer);
		for (std::uint16_t i = 0; i < n; i++) {
			std::uint32_t lb;
			std::uint16_t lo;
			LoadTid(p + pos + sizeof(std::uint16_t) + kHnswTidBytes * i, &lb, &lo);
			summary_.links++;
			if (lb == 0 || lb >= nblocks_ || lo == 0) {
				Report(true, "dangling link", block, offset,
				       Format("%s link %u points at %s, outside the index (%u blocks)", name.c_str(), i,
				              TidText(PackTid(lb, lo)).c_str(), nblocks_));
				continue;
			}
			links_.push_back((code << 56) | PackTid(lb, lo));
			(*count)++;
		}
		return true;
	};
	for (int layer = 0; layer <= level; layer++) {
		if (!parse(HnswLayerOffset(m_, layer), layer))
			return false;
	}
	// The label list (capacity 2 m), after the layers' lists (padded).
	return !label_lists_ || parse(HnswListOffset(m_, level, kHnswLabelLayer), kHnswLabelLayer);
}

void HnswChecker::AddItems(std::uint32_t block, const unsigned char *page)
{
	const std::uint16_t lower = U16(page, kOffLower), upper = U16(page, kOffUpper),
	                    special = U16(page, kOffSpecial);
	const int nitems = static_cast<int>((lower - kPageHeaderSize) / 4);
	const std::size_t payload = PayloadBytes(dims_, kind_);
	for (int i = 0; i < nitems; i++) {
		const std::uint16_t offset = static_cast<std::uint16_t>(i + 1);
		const std::uint32_t lp = U32(page, kPageHeaderSize + 4 * static_cast<std::size_t>(i));
		const unsigned lp_off = lp & 0x7FFF, lp_flags = (lp >> 15) & 3, lp_len = lp >> 17;
		if (lp_flags == kLpUnused)
			continue;
		if (lp_flags != kLpNormal) {
			Report(true, "bad line pointer", block, offset, Format("line pointer state %u", lp_flags));
			continue;
		}
		if (lp_len < 4 || lp_off < upper || lp_off + lp_len > special || lp_off % 8 != 0) {
			Report(true, "bad line pointer", block, offset,
			       Format("item at %u, %u bytes, outside the page's item space [%u, %u)", lp_off, lp_len,
			              upper, special));
			continue;
		}
		const unsigned char *item = page + lp_off;
		const PackedTid tid = PackTid(block, offset);
		switch (item[0]) {
		case kHnswElementTuple: {
			if (lp_len < kHnswElementHeaderSize) {
				Report(true, "bad element", block, offset, Format("element tuple of %u bytes", lp_len));
				break;
			}
			Element e{};
			e.tid = tid;
			e.level = item[kHnswElementLevelOffset];
			const std::uint8_t flags = item[kHnswElementFlagsOffset];
			std::uint32_t lb, vb;
			std::uint16_t lo, vo;
			LoadTid(item + kHnswElementListsOffset, &lb, &lo);
			LoadTid(item + kHnswElementVectorOffset, &vb, &vo);
			if (e.level > max_level_ || (flags & ~(kHnswElementDeleted | kHnswElementListsInline |
			                                       kHnswElementVectorInline)) != 0) {
				Report(true, "bad element", block, offset,
				       Format("level %u (max %d), flags %02x", e.level, max_level_, flags));
				break;
			}
			// The heap TIDs and the attribute area (version 2).
			const int tid_count = item[kHnswElementTidCountOffset];
			const int tid_capacity = item[kHnswElementTidCapacityOffset];
			const std::size_t attr_offset = U16(item, kHnswElementAttrOffsetOffset);
			const std::size_t attr_length = U16(item, kHnswElementAttrLengthOffset);
			const bool marked = (flags & kHnswElementDeleted) != 0;
			if (tid_capacity < 1 || tid_count > tid_capacity || (tid_count == 0 && !marked) ||
			    HnswElementTidsEnd(tid_capacity) > lp_len) {
				Report(true, "bad heap tid count", block, offset,
				       Format("%d heap tids of %d slots in an element tuple of %u bytes%s", tid_count,
				              tid_capacity, lp_len, marked ? " (marked deleted)" : ""));
				break;
			}
			if (attr_offset < HnswElementTidsEnd(tid_capacity) ||
			    HnswElementBodyOffset(attr_offset, attr_length) > lp_len) {
				Report(true, "bad attribute area", block, offset,
				       Format("attribute area at %zu, %zu bytes, in an element tuple of %u bytes with "
				              "%d heap "
				              "tid slots",
				              attr_offset, attr_length, lp_len, tid_capacity));
				break;
			}
			// Every element of an index holds its filter columns: a null bitmap with no bit past the
			// last column, and the value 0 for a NULL column (core/common/filter_attrs.h).
			if (attr_length != FilterAttrAreaLength(filter_columns_)) {
				Report(
				    true, "bad attribute area", block, offset,
				    Format("attribute area of %zu bytes in an index of %d filter columns (%zu bytes)",
				           attr_length, filter_columns_, FilterAttrAreaLength(filter_columns_)));
				break;
			}
			if (!FilterAttrsValid(item + attr_offset, filter_columns_)) {
				Report(true, "bad attribute area", block, offset,
				       "null bitmap with a bit past the last filter column, or a NULL column with a "
				       "value");
				break;
			}
			const std::size_t body = HnswElementBodyOffset(attr_offset, attr_length);
			std::size_t expected = body;
			if (flags & kHnswElementListsInline)
				expected += HnswElementListsSize(m_, e.level, label_lists_);
			if (flags & kHnswElementVectorInline) {
				std::size_t row = payload;
				if (kind_ == kSparseRows) {
					// A sparse row: its nnz (first word) tells its size.
					row = lp_len >= expected + 4
					          ? SparseRowBytes(Load<std::int32_t>(item + expected))
					          : 4;
					if (row == 0) {
						Report(true, "bad element", block, offset,
						       Format("sparse row with %d non-zero elements",
						              Load<std::int32_t>(item + expected)));
						break;
					}
				}
				expected += row;
			}
			if (lp_len < expected) {
				Report(true, "bad element", block, offset,
				       Format("element tuple of %u bytes, its layout needs %zu", lp_len, expected));
				break;
			}
			bool tids_ok = true;
			for (int t = 0; t < tid_count && tids_ok; t++) {
				std::uint32_t hb;
				std::uint16_t ho;
				LoadTid(item + kHnswElementHeapTidsOffset + kHnswTidBytes * static_cast<std::size_t>(t),
				        &hb, &ho);
				if (hb == kInvalidBlock || ho == 0 || ho > kMaxHeapOffset) {
					Report(true, "bad heap tid", block, offset,
					       Format("heap tid %d of %d: %s", t + 1, tid_count,
					              TidText(PackTid(hb, ho)).c_str()));
					tids_ok = false;
				}
			}
			if (!tids_ok)
				break;
			if (flags & kHnswElementListsInline) {
				if (!ParseLists(block, offset, item + body, lp_len - body, e.level, &e.first_link,
				                &e.link_count))
					break;
			} else {
				if (lb == 0 || lb >= nblocks_ || lo == 0) {
					Report(true, "dangling lists reference", block, offset,
					       Format("neighbor tuple %s outside the index",
					              TidText(PackTid(lb, lo)).c_str()));
					break;
				}
				e.lists = PackTid(lb, lo);
			}
			if (!(flags & kHnswElementVectorInline)) {
				if (vb == 0 || vb >= nblocks_ || vo == 0) {
					Report(true, "dangling chunk reference", block, offset,
					       Format("first chunk %s outside the index",
					              TidText(PackTid(vb, vo)).c_str()));
					break;
				}
				e.vector = PackTid(vb, vo);
			}
			e.marked = marked;
			if (e.marked) {
				summary_.marked++;
			} else {
				for (int t = 0; t < tid_count; t++) {
					std::uint32_t hb;
					std::uint16_t ho;
					LoadTid(item + kHnswElementHeapTidsOffset +
					            kHnswTidBytes * static_cast<std::size_t>(t),
					        &hb, &ho);
					heap_tids_.push_back(PackTid(hb, ho));
					if (filter_columns_ > 0)
						heap_attrs_.push_back(FilterAttrsHash(item + attr_offset, attr_length));
				}
				summary_.heap_tids += static_cast<std::uint64_t>(tid_count);
			}
			elements_.push_back(e);
			summary_.elements++;
			break;
		}
		case kHnswNeighborTuple: {
			const std::uint8_t level =
			    lp_len >= kHnswNeighborHeaderSize ? item[kHnswNeighborLevelOffset] : 0;
			if (lp_len < kHnswNeighborHeaderSize || level > max_level_ ||
			    lp_len < kHnswNeighborHeaderSize + HnswElementListsSize(m_, level, label_lists_)) {
				Report(true, "bad neighbor tuple", block, offset,
				       Format("%u bytes, level %u", lp_len, level));
				break;
			}
			ListTuple t{};
			t.tid = tid;
			t.level = level;
			if (ParseLists(block, offset, item + kHnswNeighborHeaderSize, lp_len - kHnswNeighborHeaderSize,
			               level, &t.first_link, &t.link_count))
				list_tuples_.push_back(t);
			break;
		}
		case kHnswChunkTuple: {
			if (lp_len < kHnswChunkHeaderSize) {
				Report(true, "bad chunk", block, offset, Format("chunk tuple of %u bytes", lp_len));
				break;
			}
			Chunk c{};
			c.tid = tid;
			std::uint32_t nb;
			std::uint16_t no;
			LoadTid(item + kHnswChunkNextOffset, &nb, &no);
			c.next = nb == kInvalidBlock ? 0 : PackTid(nb, no);
			c.count = U32(item, kHnswChunkCountOffset);
			c.first_word =
			    lp_len >= kHnswChunkHeaderSize + 4 ? Load<std::int32_t>(item + kHnswChunkHeaderSize) : 0;
			if (c.count == 0 || kHnswChunkHeaderSize + 4 * static_cast<std::size_t>(c.count) > lp_len) {
				Report(true, "bad chunk", block, offset,
				       Format("%u values in %u bytes", c.count, lp_len));
				break;
			}
			chunks_.push_back(c);
			break;
		}
		default:
			Report(true, "bad item kind", block, offset, Format("item kind %u", item[0]));
		}
	}
}

Status HnswChecker::Finish() noexcept
{
	if (!meta_ok_)
		return failed_alloc_ ? Status::OutOfMemory() : Status::Ok();
	try {
		return FinishImpl() && !failed_alloc_ ? Status::Ok() : Status::OutOfMemory();
	} catch (...) {
		return Status::OutOfMemory();
	}
}

bool HnswChecker::FinishImpl()
{
	std::unordered_map<PackedTid, std::uint32_t> element_at;
	element_at.reserve(elements_.size() * 2);
	for (std::uint32_t i = 0; i < elements_.size(); i++)
		element_at.emplace(elements_[i].tid, i);
	std::unordered_map<PackedTid, std::uint32_t> lists_at;
	for (std::uint32_t i = 0; i < list_tuples_.size(); i++)
		lists_at.emplace(list_tuples_[i].tid, i);
	std::unordered_map<PackedTid, std::uint32_t> chunk_at;
	for (std::uint32_t i = 0; i < chunks_.size(); i++)
		chunk_at.emplace(chunks_[i].tid, i);
	std::vector<bool> chunk_used(chunks_.size(), false);

	// Lists kept apart and chunked vectors.
	const std::size_t payload = PayloadBytes(dims_, kind_);
	for (Element &e : elements_) {
		const std::uint32_t block = static_cast<std::uint32_t>(e.tid >> 16);
		const std::int32_t offset = static_cast<std::int32_t>(e.tid & 0xFFFF);
		if (e.lists != 0) {
			auto it = lists_at.find(e.lists);
			if (it == lists_at.end()) {
				Report(true, "dangling lists reference", block, offset,
				       Format("neighbor tuple %s is not there", TidText(e.lists).c_str()));
			} else if (list_tuples_[it->second].level != e.level || list_tuples_[it->second].used) {
				Report(true, "bad neighbor tuple", block, offset,
				       Format("neighbor tuple %s has level %u (element level %u)%s",
				              TidText(e.lists).c_str(), list_tuples_[it->second].level, e.level,
				              list_tuples_[it->second].used ? ", shared with another element" : ""));
			} else {
				list_tuples_[it->second].used = true;
				e.first_link = list_tuples_[it->second].first_link;
				e.link_count = list_tuples_[it->second].link_count;
			}
		}
		if (e.vector != 0) {
			std::size_t bytes = 0;
			std::size_t want = payload;
			PackedTid at = e.vector;
			std::size_t steps = 0;
			while (at != 0) {
				auto it = chunk_at.find(at);
				if (it == chunk_at.end()) {
					Report(true, "broken chunk chain", block, offset,
					       Format("chunk %s is not there", TidText(at).c_str()));
					break;
				}
				if (chunk_used[it->second] || ++steps > chunks_.size()) {
					Report(true, "broken chunk chain", block, offset,
					       Format("chunk %s is reached twice", TidText(at).c_str()));
					break;
				}
				chunk_used[it->second] = true;
				if (bytes == 0 && kind_ == kSparseRows)
					want = SparseRowBytes(chunks_[it->second].first_word);
				bytes += 4 * static_cast<std::size_t>(chunks_[it->second].count);
				at = chunks_[it->second].next;
			}
			if (at == 0 && bytes != want)
				Report(true, "broken chunk chain", block, offset,
				       Format("chunks hold %zu bytes, the vector has %zu", bytes, want));
		}
	}
	for (const ListTuple &t : list_tuples_)
		if (!t.used)
			Report(false, "orphan neighbor tuple", static_cast<std::int64_t>(t.tid >> 16),
			       static_cast<std::int32_t>(t.tid & 0xFFFF), "no element refers to it");
	for (std::size_t i = 0; i < chunks_.size(); i++)
		if (!chunk_used[i])
			Report(false, "orphan chunk", static_cast<std::int64_t>(chunks_[i].tid >> 16),
			       static_cast<std::int32_t>(chunks_[i].tid & 0xFFFF), "no element's chain reaches it");

	// Links: stale ones (to a freed or reused slot, or to an element below the layer) are hints.
	// Only the links of live elements count: those of marked elements are going away with them.
	for (const Element &e : elements_) {
		if (e.marked)
			continue;
		for (std::uint32_t k = 0; k < e.link_count; k++) {
			const PackedTid link = links_[e.first_link + k];
			const int layer = static_cast<int>(link >> 56);
			auto it = element_at.find(link & 0xFFFFFFFFFFFFull);
			// (Label list links, kLabelLinkCode, may lead to an element of any level.)
			if (it == element_at.end() ||
			    (layer != static_cast<int>(kLabelLinkCode) && elements_[it->second].level < layer))
				summary_.stale_links++;
		}
	}

	// Entry point and reachability.
	if (entry_level_ >= 0) {
		auto it = element_at.find(entry_);
		if (it == element_at.end()) {
			Report(true, "dangling entry point", 0, -1,
			       Format("entry point %s is not an element", TidText(entry_).c_str()));
		} else {
			if (elements_[it->second].level != entry_level_)
				Report(true, "bad entry point", 0, -1,
				       Format("entry point %s has level %u, the metapage says %d",
				              TidText(entry_).c_str(), elements_[it->second].level, entry_level_));
			std::vector<bool> seen(elements_.size(), false);
			std::vector<std::uint32_t> stack{it->second};
			seen[it->second] = true;
			while (!stack.empty()) {
				const Element &e = elements_[stack.back()];
				stack.pop_back();
				for (std::uint32_t k = 0; k < e.link_count; k++) {
					// Layer 0 holds every element, and an exhaustive scan walks it: an element
					// only an upper layer links to is not found by it.
					if ((links_[e.first_link + k] >> 56) != 0)
						continue;
					auto t = element_at.find(links_[e.first_link + k] & 0xFFFFFFFFFFFFull);
					if (t != element_at.end() && !seen[t->second]) {
						seen[t->second] = true;
						stack.push_back(t->second);
					}
				}
			}
			for (std::size_t i = 0; i < elements_.size(); i++) {
				if (!seen[i] && !elements_[i].marked) {
					summary_.unreachable++;
					Report(false, "unreachable element",
					       static_cast<std::int64_t>(elements_[i].tid >> 16),
					       static_cast<std::int32_t>(elements_[i].tid & 0xFFFF),
					       "no chain of layer-0 links from the entry point reaches it");
				}
			}
		}
	} else if (!elements_.empty()) {
		Report(true, "dangling entry point", 0, -1,
		       Format("no entry point, but %zu elements", elements_.size()));
	}
	SortHeapTids();
	return true;
}

std::size_t HnswChecker::PayloadBytes(std::uint32_t dims, std::uint8_t kind)
{
	return vector_core::ElementStoredBytes(
	    vector_core::ElementFixedBytes(static_cast<vector_core::ElementKind>(kind), dims));
}

std::size_t HnswChecker::SparseRowBytes(std::int32_t nnz)
{
	if (nnz < 0 || nnz > kHnswMaxSparseNnz)
		return 0;
	return vector_core::ElementStoredBytes(vector_core::SparseElementBytes(static_cast<std::size_t>(nnz)));
}

} // namespace vector_core
