// Structural checks of hnsw and IVF index pages (see index_check.h).
#include "core/check/index_check.h"

#include "core/distance/element_distance.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <new>
#include <unordered_map>

namespace vector_core {

namespace {

// PostgreSQL's standard page layout (storage/bufpage.h, storage/itemid.h, storage/itemptr.h).
constexpr std::size_t kPageHeaderSize = 24; // SizeOfPageHeaderData, already MAXALIGNed
constexpr std::size_t kOffLower = 12, kOffUpper = 14, kOffSpecial = 16, kOffPageSizeVersion = 18;
constexpr std::uint16_t kPageLayoutVersion = 4;
constexpr unsigned kLpUnused = 0, kLpNormal = 1;
constexpr std::size_t kTidSize = 6;
constexpr std::uint32_t kInvalidBlock = 0xFFFFFFFFu;
constexpr std::uint16_t kMaxHeapOffset = 2048; // generous bound on heap line pointers (8 kB pages: 291)

// hnsw (src/pg/hnsw/hnsw.h).
constexpr std::uint32_t kHnswMagic = 0x484E5357, kHnswVersion = 1;
constexpr std::uint16_t kHnswPageId = 0xFF91, kHnswPageMeta = 1, kHnswPageElements = 2;
constexpr std::size_t kHnswSpecial = 8;
constexpr std::uint8_t kElement = 1, kNeighbor = 2, kChunk = 3;
constexpr std::uint8_t kFlagDeleted = 0x01, kFlagListsInline = 0x02, kFlagVectorInline = 0x04;
constexpr std::size_t kElementHeader = 24, kNeighborHeader = 4, kChunkHeader = 16;
constexpr int kHnswMaxDim = 16000;

// IVF (src/pg/ivf/ivf.h).
constexpr std::uint32_t kIvfMagic = 0x49564631, kIvfVersion = 1;
constexpr std::uint16_t kIvfPageId = 0xFF91;
constexpr std::uint16_t kIvfPageMeta = 1, kIvfPageAux = 2, kIvfPageDirectory = 4, kIvfPageList = 8;
constexpr std::size_t kIvfSpecial = 8;
constexpr int kIvfMaxDim = 2000, kIvfMaxLists = 32768;

template <typename T> T Load(const unsigned char *p)
{
	T v;
	std::memcpy(&v, p, sizeof(T));
	return v;
}

std::uint16_t U16(const unsigned char *page, std::size_t off) { return Load<std::uint16_t>(page + off); }
std::uint32_t U32(const unsigned char *page, std::size_t off) { return Load<std::uint32_t>(page + off); }

// An ItemPointerData at p: block (bi_hi, bi_lo) and offset.
void LoadTid(const unsigned char *p, std::uint32_t *block, std::uint16_t *offset)
{
	*block = (static_cast<std::uint32_t>(Load<std::uint16_t>(p)) << 16) | Load<std::uint16_t>(p + 2);
	*offset = Load<std::uint16_t>(p + 4);
}

std::string Format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
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

void IndexCheckerBase::SortHeapTids()
{
	std::sort(heap_tids_.begin(), heap_tids_.end());
}

bool IndexCheckerBase::CheckPageHeader(std::uint32_t block, const unsigned char *page, std::size_t special_size) noexcept
{
	const std::uint16_t lower = U16(page, kOffLower), upper = U16(page, kOffUpper), special = U16(page, kOffSpecial);
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

// ------------------------------------------------------------------ hnsw

bool HnswChecker::AddPage(std::uint32_t block, const unsigned char *page) noexcept
{
	summary_.pages++;
	if (block == 0) {
		if (U16(page, kOffUpper) == 0 || !CheckPageHeader(0, page, kHnswSpecial)) {
			Report(true, "bad metapage", 0, -1, "the metapage is not initialized");
			return false;
		}
		const unsigned char *special = page + kCheckPageSize - kHnswSpecial;
		const unsigned char *meta = page + kPageHeaderSize;
		if (U16(special, 2) != kHnswPageId || U16(special, 0) != kHnswPageMeta || U32(meta, 0) != kHnswMagic) {
			Report(true, "bad metapage", 0, -1,
			       Format("page id %04x, page kind %u, magic %08x: not an hnsw metapage", U16(special, 2),
			              U16(special, 0), U32(meta, 0)));
			return false;
		}
		if (U32(meta, 4) != kHnswVersion) {
			Report(true, "bad metapage", 0, -1, Format("format version %u, expected %u", U32(meta, 4), kHnswVersion));
			return false;
		}
		dims_ = U32(meta, 8);
		m_ = U16(meta, 12);
		const std::uint8_t metric = meta[16];
		max_level_ = meta[17];
		entry_level_ = Load<std::int16_t>(meta + 18);
		std::uint32_t eb;
		std::uint16_t eo;
		LoadTid(meta + 20, &eb, &eo);
		entry_ = PackTid(eb, eo);
		kind_ = meta[26];
		cosine_ = metric == 3;
		// Dimensions by representation: float and half 16,000, bits 64,000, sparse any.
		const std::uint32_t max_dims = kind_ == 2 ? 64000u : (kind_ == 3 ? 0x7FFFFFFFu : static_cast<std::uint32_t>(kHnswMaxDim));
		const bool bit_metric = metric == 5 || metric == 6;
		if (dims_ < 1 || dims_ > max_dims || m_ < 2 || m_ > 100 || metric < 1 || metric > 6 || max_level_ > 32 ||
		    kind_ > 3 || (kind_ == 2) != bit_metric) {
			Report(true, "bad metapage", 0, -1,
			       Format("dims %u, m %d, metric %u, element kind %u, max level %d out of range", dims_, m_, metric,
			              kind_, max_level_));
			return false;
		}
		if (entry_level_ < -1 || entry_level_ > max_level_ || (entry_level_ == -1) != (eb == kInvalidBlock)) {
			Report(true, "bad metapage", 0, -1,
			       Format("entry level %d with entry point %s", entry_level_, TidText(entry_).c_str()));
			entry_level_ = -1;
		}
		if (entry_level_ >= 0 && (eb == 0 || eb >= nblocks_ || eo == 0)) {
			Report(true, "dangling entry point", 0, -1,
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
	if (U16(page, kOffUpper) == 0 || !CheckPageHeader(block, page, kHnswSpecial))
		return true;
	const unsigned char *special = page + kCheckPageSize - kHnswSpecial;
	if (U16(special, 2) != kHnswPageId || U16(special, 0) != kHnswPageElements) {
		Report(true, "bad page kind", block, -1,
		       Format("page id %04x, kind %u: expected an element page", U16(special, 2), U16(special, 0)));
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
	std::size_t pos = 0;
	for (int layer = 0; layer <= level; layer++) {
		const std::size_t capacity = layer == 0 ? 2 * static_cast<std::size_t>(m_) : static_cast<std::size_t>(m_);
		const std::size_t bytes = 2 + kTidSize * capacity;
		if (pos + bytes > room)
			return false; // sizes are checked by the caller
		const std::uint16_t n = Load<std::uint16_t>(p + pos);
		if (n > capacity) {
			Report(true, "list count over capacity", block, offset,
			       Format("layer %d holds %u links, capacity %zu", layer, n, capacity));
			return false;
		}
		for (std::uint16_t i = 0; i < n; i++) {
			std::uint32_t lb;
			std::uint16_t lo;
			LoadTid(p + pos + 2 + kTidSize * i, &lb, &lo);
			summary_.links++;
			if (lb == 0 || lb >= nblocks_ || lo == 0) {
				Report(true, "dangling link", block, offset,
				       Format("layer %d link %u points at %s, outside the index (%u blocks)", layer, i,
				              TidText(PackTid(lb, lo)).c_str(), nblocks_));
				continue;
			}
			links_.push_back((static_cast<PackedTid>(layer) << 56) | PackTid(lb, lo));
			(*count)++;
		}
		pos += bytes;
	}
	return true;
}

// Bytes of the lists of layers 0..level (padded to 4), as src/pg/hnsw/hnsw_page_layout.cpp lays them out.
static std::size_t ListsSize(int m, int level)
{
	std::size_t size = 0;
	for (int layer = 0; layer <= level; layer++)
		size += 2 + kTidSize * (layer == 0 ? 2 * static_cast<std::size_t>(m) : static_cast<std::size_t>(m));
	return (size + 3) & ~static_cast<std::size_t>(3);
}

void HnswChecker::AddItems(std::uint32_t block, const unsigned char *page)
{
	const std::uint16_t lower = U16(page, kOffLower), upper = U16(page, kOffUpper), special = U16(page, kOffSpecial);
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
			       Format("item at %u, %u bytes, outside the page's item space [%u, %u)", lp_off, lp_len, upper,
			              special));
			continue;
		}
		const unsigned char *item = page + lp_off;
		const PackedTid tid = PackTid(block, offset);
		switch (item[0]) {
		case kElement: {
			if (lp_len < kElementHeader) {
				Report(true, "bad element", block, offset, Format("element tuple of %u bytes", lp_len));
				break;
			}
			Element e{};
			e.tid = tid;
			e.level = item[1];
			const std::uint8_t flags = item[2];
			std::uint32_t hb, lb, vb;
			std::uint16_t ho, lo, vo;
			LoadTid(item + 4, &hb, &ho);
			LoadTid(item + 10, &lb, &lo);
			LoadTid(item + 16, &vb, &vo);
			if (e.level > max_level_ || (flags & ~(kFlagDeleted | kFlagListsInline | kFlagVectorInline)) != 0) {
				Report(true, "bad element", block, offset,
				       Format("level %u (max %d), flags %02x", e.level, max_level_, flags));
				break;
			}
			std::size_t expected = kElementHeader;
			if (flags & kFlagListsInline)
				expected += ListsSize(m_, e.level);
			if (flags & kFlagVectorInline) {
				std::size_t row = payload;
				if (kind_ == 3) {
					// A sparse row: its nnz (first word) tells its size.
					row = lp_len >= expected + 4 ? SparseRowBytes(Load<std::int32_t>(item + expected)) : 4;
					if (row == 0) {
						Report(true, "bad element", block, offset,
						       Format("sparse row with %d non-zero elements", Load<std::int32_t>(item + expected)));
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
			if (hb == kInvalidBlock || ho == 0 || ho > kMaxHeapOffset) {
				Report(true, "bad heap tid", block, offset, Format("heap tid %s", TidText(PackTid(hb, ho)).c_str()));
				break;
			}
			if (flags & kFlagListsInline) {
				if (!ParseLists(block, offset, item + kElementHeader, lp_len - kElementHeader, e.level, &e.first_link,
				                &e.link_count))
					break;
			} else {
				if (lb == 0 || lb >= nblocks_ || lo == 0) {
					Report(true, "dangling lists reference", block, offset,
					       Format("neighbor tuple %s outside the index", TidText(PackTid(lb, lo)).c_str()));
					break;
				}
				e.lists = PackTid(lb, lo);
			}
			if (!(flags & kFlagVectorInline)) {
				if (vb == 0 || vb >= nblocks_ || vo == 0) {
					Report(true, "dangling chunk reference", block, offset,
					       Format("first chunk %s outside the index", TidText(PackTid(vb, vo)).c_str()));
					break;
				}
				e.vector = PackTid(vb, vo);
			}
			if (!(flags & kFlagDeleted))
				heap_tids_.push_back(PackTid(hb, ho));
			elements_.push_back(e);
			summary_.elements++;
			break;
		}
		case kNeighbor: {
			const std::uint8_t level = lp_len >= kNeighborHeader ? item[1] : 0;
			if (lp_len < kNeighborHeader || level > max_level_ || lp_len < kNeighborHeader + ListsSize(m_, level)) {
				Report(true, "bad neighbor tuple", block, offset, Format("%u bytes, level %u", lp_len, level));
				break;
			}
			ListTuple t{};
			t.tid = tid;
			t.level = level;
			if (ParseLists(block, offset, item + kNeighborHeader, lp_len - kNeighborHeader, level, &t.first_link,
			               &t.link_count))
				list_tuples_.push_back(t);
			break;
		}
		case kChunk: {
			if (lp_len < kChunkHeader) {
				Report(true, "bad chunk", block, offset, Format("chunk tuple of %u bytes", lp_len));
				break;
			}
			Chunk c{};
			c.tid = tid;
			std::uint32_t nb;
			std::uint16_t no;
			LoadTid(item + 4, &nb, &no);
			c.next = nb == kInvalidBlock ? 0 : PackTid(nb, no);
			c.count = U32(item, 12);
			c.first_word = lp_len >= kChunkHeader + 4 ? Load<std::int32_t>(item + kChunkHeader) : 0;
			if (c.count == 0 || kChunkHeader + 4 * static_cast<std::size_t>(c.count) > lp_len) {
				Report(true, "bad chunk", block, offset, Format("%u values in %u bytes", c.count, lp_len));
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

bool HnswChecker::Finish() noexcept
{
	if (!meta_ok_)
		return !failed_alloc_;
	try {
		return FinishImpl() && !failed_alloc_;
	} catch (...) {
		return false;
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
				       Format("neighbor tuple %s has level %u (element level %u)%s", TidText(e.lists).c_str(),
				              list_tuples_[it->second].level, e.level,
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
				if (bytes == 0 && kind_ == 3)
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
	for (const Element &e : elements_) {
		for (std::uint32_t k = 0; k < e.link_count; k++) {
			const PackedTid link = links_[e.first_link + k];
			const int layer = static_cast<int>(link >> 56);
			auto it = element_at.find(link & 0xFFFFFFFFFFFFull);
			if (it == element_at.end() || elements_[it->second].level < layer)
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
				       Format("entry point %s has level %u, the metapage says %d", TidText(entry_).c_str(),
				              elements_[it->second].level, entry_level_));
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
				if (!seen[i]) {
					summary_.unreachable++;
					Report(false, "unreachable element", static_cast<std::int64_t>(elements_[i].tid >> 16),
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
	if (nnz < 0 || nnz > 16000)
		return 0;
	return vector_core::ElementStoredBytes(vector_core::SparseElementBytes(static_cast<std::size_t>(nnz)));
}

// ------------------------------------------------------------------ IVF

bool IvfChecker::ExpectedSizes(std::int32_t quantizer, std::int32_t dim, std::int32_t pq_m, std::uint32_t *code_size,
                               std::uint32_t *dir_entry_size, std::uint32_t row_bytes)
{
	// Rows (flat lists, centroids) of the index's type; older indexes hold floats (0).
	const std::uint32_t row = row_bytes != 0 ? row_bytes : 4 * static_cast<std::uint32_t>(dim);
	switch (quantizer) {
	case 0:
		*code_size = row;
		break;
	case 1:
		*code_size = static_cast<std::uint32_t>(dim);
		break;
	case 2:
		if (pq_m < 1 || pq_m > dim)
			return false;
		*code_size = static_cast<std::uint32_t>(pq_m);
		break;
	default:
		return false;
	}
	*dir_entry_size = 8 + row;
	return true;
}

bool IvfChecker::AddPage(std::uint32_t block, const unsigned char *page) noexcept
{
	summary_.pages++;
	if (block == 0) {
		if (U16(page, kOffUpper) == 0 || !CheckPageHeader(0, page, kIvfSpecial)) {
			Report(true, "bad metapage", 0, -1, "the metapage is not initialized");
			return false;
		}
		const unsigned char *special = page + kCheckPageSize - kIvfSpecial;
		const unsigned char *meta = page + kPageHeaderSize;
		if (U16(special, 6) != kIvfPageId || U16(special, 4) != kIvfPageMeta || U32(meta, 0) != kIvfMagic) {
			Report(true, "bad metapage", 0, -1,
			       Format("page id %04x, page kind %u, magic %08x: not an IVF metapage", U16(special, 6),
			              U16(special, 4), U32(meta, 0)));
			return false;
		}
		if (U32(meta, 4) != kIvfVersion) {
			Report(true, "bad metapage", 0, -1, Format("format version %u, expected %u", U32(meta, 4), kIvfVersion));
			return false;
		}
		dim_ = Load<std::int32_t>(meta + 8);
		lists_ = Load<std::int32_t>(meta + 12);
		quantizer_ = Load<std::int32_t>(meta + 16);
		const std::int32_t metric = Load<std::int32_t>(meta + 20);
		const std::int32_t pq_m = Load<std::int32_t>(meta + 24);
		entry_head_ = U32(meta, 28);
		const std::uint32_t code_size = U32(meta, 32);
		entry_size_ = U32(meta, 36);
		aux_start_ = U32(meta, 40);
		aux_pages_ = U32(meta, 44);
		dir_start_ = U32(meta, 52);
		dir_pages_ = U32(meta, 56);
		dir_per_page_ = U32(meta, 60);
		dir_entry_size_ = U32(meta, 64);
		const std::uint32_t kind = U32(meta, 68);
		const std::uint32_t row_bytes = U32(meta, 72);
		kind_ = static_cast<std::uint8_t>(kind);
		cosine_ = metric == 2;
		const int max_dim = kind == 1 ? 4000 : (kind == 2 ? 64000 : kIvfMaxDim);
		const std::uint32_t want_row = kind <= 2 ? static_cast<std::uint32_t>(HnswChecker::PayloadBytes(
		                                               static_cast<std::uint32_t>(dim_ > 0 ? dim_ : 0), static_cast<std::uint8_t>(kind)))
		                                         : 0;
		const std::size_t capacity = kCheckPageSize - kPageHeaderSize - kIvfSpecial;
		std::uint32_t want_code = 0, want_dir = 0;
		if (dim_ < 1 || dim_ > max_dim || lists_ < 1 || lists_ > kIvfMaxLists || metric < 0 || metric > 2 ||
		    kind > 2 || (row_bytes != 0 && row_bytes != want_row) || (kind != 0 && row_bytes == 0) ||
		    !ExpectedSizes(quantizer_, dim_, pq_m, &want_code, &want_dir, row_bytes)) {
			Report(true, "bad metapage", 0, -1,
			       Format("dim %d, lists %d, quantizer %d, metric %d, pq_m %d, element kind %u, row bytes %u out of "
			              "range",
			              dim_, lists_, quantizer_, metric, pq_m, kind, row_bytes));
			return false;
		}
		if (entry_head_ < kTidSize || entry_head_ > 64 || code_size != want_code ||
		    entry_size_ != entry_head_ + code_size || entry_size_ > capacity) {
			Report(true, "bad metapage", 0, -1,
			       Format("entry head %u, code size %u (expected %u), entry size %u", entry_head_, code_size,
			              want_code, entry_size_));
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
			              dir_start_, dir_pages_, dir_per_page_, dir_entry_size_, lists_, aux_start_, aux_pages_,
			              nblocks_));
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
	if (U16(page, kOffUpper) == 0 || !CheckPageHeader(block, page, kIvfSpecial))
		return;
	const unsigned char *special = page + kCheckPageSize - kIvfSpecial;
	const std::uint16_t flags = U16(special, 4);
	const std::uint32_t next = U32(special, 0);
	const std::uint16_t lower = U16(page, kOffLower);
	const std::size_t used = lower - kPageHeaderSize;
	const std::uint16_t want = in_aux ? kIvfPageAux : in_dir ? kIvfPageDirectory : kIvfPageList;
	if (U16(special, 6) != kIvfPageId || flags != want) {
		Report(true, "bad page kind", block, -1,
		       Format("page id %04x, kind %u, expected kind %u", U16(special, 6), flags, want));
		return;
	}
	if (in_dir) {
		const std::uint32_t first = (block - dir_start_) * dir_per_page_;
		for (std::uint32_t i = 0; i < dir_per_page_ && first + i < static_cast<std::uint32_t>(lists_); i++) {
			const std::size_t at = kPageHeaderSize + static_cast<std::size_t>(i) * dir_entry_size_;
			starts_[first + i] = U32(page, at);
			inserts_[first + i] = U32(page, at + 4);
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
		page_tids_.push_back(PackTid(hb, ho));
		lp.tid_count++;
	}
}

bool IvfChecker::Finish() noexcept
{
	if (!meta_ok_)
		return !failed_alloc_;
	try {
		return FinishImpl() && !failed_alloc_;
	} catch (...) {
		return false;
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
				       Format("list %d links to block %u, not a list page (list pages: %u..%u)", list, at,
				              first_list_block, nblocks_ - 1));
				break;
			}
			ListPage &lp = pages_[at];
			if (lp.is_new) {
				Report(true, "dangling list link", at, list, Format("list %d links to an empty page", list));
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
			if (at == insert)
				insert_seen = true;
			prev = at;
			at = lp.next;
		}
		if (!insert_seen)
			Report(true, "bad insert page", -1, list,
			       Format("list %d's insert page %u is not in its chain (first page %u)", list, insert, start));
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

void CheckIndexImage(IndexCheckerBase *checker, const unsigned char *pages, std::uint32_t nblocks) noexcept
{
	for (std::uint32_t b = 0; b < nblocks; b++)
		if (!checker->AddPage(b, pages + static_cast<std::size_t>(b) * kCheckPageSize))
			return;
	checker->Finish();
}

} // namespace vector_core
