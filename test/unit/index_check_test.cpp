// Tests of the index checkers (src/core/check/index_check.h) on real index images (the fuzz seeds in
// test/fuzz/corpus, written by the extension) and on copies with one thing broken.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/check/hnsw_check.h"
#include "core/check/ivf_check.h"
#include "core/check/page_decoding.h"
#include "core/common/filter_attrs.h"
#include "core/hnsw/hnsw_page_format.h"
#include "core/ivf/ivf_page_format.h"

namespace
{

using vector_core::HnswChecker;
using vector_core::IndexCheckerBase;
using vector_core::IvfChecker;
using vector_core::kCheckPageSize;

std::vector<unsigned char> ReadImage(const std::string &name)
{
	std::ifstream in(std::string(VECTOR_SOURCE_DIR) + "/test/fuzz/corpus/" + name, std::ios::binary);
	std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	EXPECT_FALSE(bytes.empty()) << name;
	EXPECT_EQ(bytes.size() % kCheckPageSize, 0u) << name;
	return bytes;
}

template <typename Checker> Checker Check(const std::vector<unsigned char> &image)
{
	Checker checker(static_cast<std::uint32_t>(image.size() / kCheckPageSize));
	vector_core::CheckIndexImage(&checker, image.data(), static_cast<std::uint32_t>(image.size() / kCheckPageSize));
	return checker;
}

bool HasProblem(const IndexCheckerBase &checker, const std::string &problem)
{
	for (const auto &f : checker.findings())
		if (f.problem == problem && f.error)
			return true;
	return false;
}

// Offset of item `offset` (1-based) on the page at page.
std::size_t ItemOffset(const unsigned char *page, int offset)
{
	std::uint32_t lp;
	std::memcpy(&lp, page + 24 + 4 * (offset - 1), 4);
	return lp & 0x7FFF;
}

const char *kHnswImages[] = {"fuzz_hnsw_pages/small_l2_m4_after_vacuum", "fuzz_hnsw_pages/chunked_2100_dims",
                             "fuzz_hnsw_pages/lists_apart_1900_dims"};
const char *kIvfImages[] = {"fuzz_ivf_pages/ivfflat_2_lists", "fuzz_ivf_pages/ivf_sq8", "fuzz_ivf_pages/ivf_pq_cosine"};
// ivfflat (v vector_l2_ops, c int4, t timestamptz), 2 lists, 42 rows, NULLs in both columns (written
// with the IVF page id).
const char *kIvfFilterImage = "fuzz_ivf_pages/ivfflat_filter_columns";

TEST(IndexCheck, RealHnswIndexesAreClean)
{
	for (const char *name : kHnswImages) {
		HnswChecker c = Check<HnswChecker>(ReadImage(name));
		EXPECT_EQ(c.summary().errors, 0u)
		    << name << ": " << (c.findings().empty() ? "" : c.findings()[0].detail);
		EXPECT_GT(c.summary().elements, 0u) << name;
	}
}

TEST(IndexCheck, RealIvfIndexesAreClean)
{
	for (const char *name : kIvfImages) {
		IvfChecker c = Check<IvfChecker>(ReadImage(name));
		EXPECT_EQ(c.summary().errors, 0u)
		    << name << ": " << (c.findings().empty() ? "" : c.findings()[0].detail);
		EXPECT_GT(c.summary().elements, 0u) << name;
	}
}

// Where the lists of an element item start (format version 2: after its heap TIDs and its
// attribute area).
std::size_t ElementBody(const unsigned char *item)
{
	std::uint16_t attr_offset, attr_length;
	std::memcpy(&attr_offset, item + vector_core::kHnswElementAttrOffsetOffset, 2);
	std::memcpy(&attr_length, item + vector_core::kHnswElementAttrLengthOffset, 2);
	return vector_core::HnswElementBodyOffset(attr_offset, attr_length);
}

// The first element of the image with more than one heap TID (identical rows), or null.
unsigned char *GroupElement(std::vector<unsigned char> &image)
{
	for (std::size_t b = 1; b < image.size() / kCheckPageSize; b++) {
		unsigned char *page = image.data() + b * kCheckPageSize;
		std::uint16_t lower;
		std::memcpy(&lower, page + 12, 2);
		for (int i = 1; i <= (lower - 24) / 4; i++) {
			unsigned char *item = page + ItemOffset(page, i);
			if (item[0] == 1 && item[vector_core::kHnswElementTidCountOffset] > 1)
				return item;
		}
	}
	return nullptr;
}

TEST(IndexCheck, HeapTidsOfTheIndexAreKnown)
{
	auto image = ReadImage(kHnswImages[0]);
	HnswChecker c = Check<HnswChecker>(image);
	// The first element's heap TID, read from the page.
	const unsigned char *page = image.data() + kCheckPageSize;
	const unsigned char *item = page + ItemOffset(page, 1);
	ASSERT_EQ(item[0], 1); // an element
	std::uint16_t hi, lo, off;
	std::memcpy(&hi, item + vector_core::kHnswElementHeapTidsOffset, 2);
	std::memcpy(&lo, item + vector_core::kHnswElementHeapTidsOffset + 2, 2);
	std::memcpy(&off, item + vector_core::kHnswElementHeapTidsOffset + 4, 2);
	EXPECT_TRUE(c.HasHeapTid((static_cast<std::uint32_t>(hi) << 16) | lo, off));
	EXPECT_FALSE(c.HasHeapTid(4000000, 7));
	// Every TID of an element of identical rows is known too.
	unsigned char *group = GroupElement(image);
	ASSERT_NE(group, nullptr);
	const int count = group[vector_core::kHnswElementTidCountOffset];
	for (int t = 0; t < count; t++) {
		const unsigned char *tid = group + vector_core::kHnswElementHeapTidsOffset + 6 * t;
		std::memcpy(&hi, tid, 2);
		std::memcpy(&lo, tid + 2, 2);
		std::memcpy(&off, tid + 4, 2);
		EXPECT_TRUE(c.HasHeapTid((static_cast<std::uint32_t>(hi) << 16) | lo, off)) << t;
	}
	EXPECT_GT(c.summary().heap_tids, c.summary().elements - c.summary().marked);
}

TEST(IndexCheck, HnswHeapTidCountOverCapacity)
{
	auto image = ReadImage(kHnswImages[0]);
	unsigned char *group = GroupElement(image);
	ASSERT_NE(group, nullptr);
	group[vector_core::kHnswElementTidCountOffset] = group[vector_core::kHnswElementTidCapacityOffset] + 1;
	EXPECT_TRUE(HasProblem(Check<HnswChecker>(image), "bad heap tid count"));
}

TEST(IndexCheck, HnswLiveElementWithoutHeapTids)
{
	auto image = ReadImage(kHnswImages[0]);
	unsigned char *page = image.data() + kCheckPageSize;
	unsigned char *item = page + ItemOffset(page, 1);
	ASSERT_EQ(item[vector_core::kHnswElementFlagsOffset] & vector_core::kHnswElementDeleted, 0);
	item[vector_core::kHnswElementTidCountOffset] = 0;
	EXPECT_TRUE(HasProblem(Check<HnswChecker>(image), "bad heap tid count"));
}

TEST(IndexCheck, HnswInvalidSecondHeapTid)
{
	auto image = ReadImage(kHnswImages[0]);
	unsigned char *group = GroupElement(image);
	ASSERT_NE(group, nullptr);
	std::memset(group + vector_core::kHnswElementHeapTidsOffset + 6 + 4, 0, 2); // offset 0
	EXPECT_TRUE(HasProblem(Check<HnswChecker>(image), "bad heap tid"));
}

TEST(IndexCheck, HnswAttributeAreaOutsideTheTuple)
{
	for (int variant = 0; variant < 2; variant++) {
		auto image = ReadImage(kHnswImages[0]);
		unsigned char *page = image.data() + kCheckPageSize;
		unsigned char *item = page + ItemOffset(page, 1);
		if (variant == 0) {
			const std::uint16_t length = 8000; // past the end of the tuple
			std::memcpy(item + vector_core::kHnswElementAttrLengthOffset, &length, 2);
		} else {
			const std::uint16_t offset = vector_core::kHnswElementHeapTidsOffset; // over the heap TIDs
			std::memcpy(item + vector_core::kHnswElementAttrOffsetOffset, &offset, 2);
		}
		EXPECT_TRUE(HasProblem(Check<HnswChecker>(image), "bad attribute area")) << variant;
	}
}

// Every element's attribute area has the size of the metapage's filter columns.
TEST(IndexCheck, HnswAttributeAreaOfOtherSizeThanTheFilterColumns)
{
	auto image = ReadImage(kHnswImages[0]);
	ASSERT_EQ(image[24 + vector_core::kHnswMetaFilterColumnsOffset], 0);
	image[24 + vector_core::kHnswMetaFilterColumnsOffset] = 2; // the elements have none
	EXPECT_TRUE(HasProblem(Check<HnswChecker>(image), "bad attribute area"));
	image[24 + vector_core::kHnswMetaFilterColumnsOffset] = vector_core::kMaxFilterColumns + 1;
	EXPECT_TRUE(HasProblem(Check<HnswChecker>(image), "bad metapage"));
}

TEST(IndexCheck, OlderFormatVersionIsRefused)
{
	auto image = ReadImage(kHnswImages[0]);
	const std::uint32_t version = 1;
	std::memcpy(image.data() + 24 + vector_core::kHnswMetaVersionOffset, &version, 4);
	HnswChecker c(static_cast<std::uint32_t>(image.size() / kCheckPageSize));
	EXPECT_FALSE(c.AddPage(0, image.data()));
	EXPECT_TRUE(HasProblem(c, "bad metapage"));
}

TEST(IndexCheck, BadMagicStopsTheCheck)
{
	auto image = ReadImage(kHnswImages[0]);
	image[24] ^= 0xFF;
	HnswChecker c(static_cast<std::uint32_t>(image.size() / kCheckPageSize));
	EXPECT_FALSE(c.AddPage(0, image.data()));
	EXPECT_TRUE(HasProblem(c, "bad metapage"));
	// An hnsw index is not an IVF index either.
	IvfChecker other = Check<IvfChecker>(ReadImage(kHnswImages[0]));
	EXPECT_TRUE(HasProblem(other, "bad metapage"));
}

TEST(IndexCheck, HnswLinkOutsideTheIndex)
{
	auto image = ReadImage(kHnswImages[0]);
	unsigned char *page = image.data() + kCheckPageSize;
	unsigned char *item = page + ItemOffset(page, 1);
	ASSERT_EQ(item[0], 1);
	std::uint16_t count;
	const std::size_t body = ElementBody(item);
	std::memcpy(&count, item + body, 2); // layer 0 list (inline) after the header and heap TIDs
	ASSERT_GT(count, 0);
	const std::uint16_t far_block[2] = {0x00FF, 0x0000}; // block 0xFF0000
	std::memcpy(item + body + 2, far_block, 4);
	EXPECT_TRUE(HasProblem(Check<HnswChecker>(image), "dangling link"));
}

TEST(IndexCheck, HnswListCountOverCapacity)
{
	auto image = ReadImage(kHnswImages[0]);
	unsigned char *page = image.data() + kCheckPageSize;
	unsigned char *item = page + ItemOffset(page, 1);
	const std::uint16_t count = 9; // m = 4: capacity 8 on layer 0
	std::memcpy(item + ElementBody(item), &count, 2);
	EXPECT_TRUE(HasProblem(Check<HnswChecker>(image), "list count over capacity"));
}

TEST(IndexCheck, HnswEntryPointToNothing)
{
	auto image = ReadImage(kHnswImages[0]);
	const std::uint16_t offset = 200;                // past the last item of block 1
	std::memcpy(image.data() + 24 + 24, &offset, 2); // meta entry: bi_hi, bi_lo, posid at 20..26
	EXPECT_TRUE(HasProblem(Check<HnswChecker>(image), "dangling entry point"));
}

TEST(IndexCheck, HnswUnknownItemKind)
{
	auto image = ReadImage(kHnswImages[0]);
	unsigned char *page = image.data() + kCheckPageSize;
	page[ItemOffset(page, 1)] = 9; // (item 2 of this image is a slot VACUUM freed)
	EXPECT_TRUE(HasProblem(Check<HnswChecker>(image), "bad item kind"));
}

TEST(IndexCheck, HnswBrokenChunkChain)
{
	auto image = ReadImage(kHnswImages[1]);
	// Find a chunk item and shorten its count.
	bool changed = false;
	for (std::size_t b = 1; b < image.size() / kCheckPageSize && !changed; b++) {
		unsigned char *page = image.data() + b * kCheckPageSize;
		std::uint16_t lower;
		std::memcpy(&lower, page + 12, 2);
		for (int i = 1; i <= (lower - 24) / 4 && !changed; i++) {
			unsigned char *item = page + ItemOffset(page, i);
			if (item[0] == 3) {
				std::uint32_t count;
				std::memcpy(&count, item + 12, 4);
				count -= 1;
				std::memcpy(item + 12, &count, 4);
				changed = true;
			}
		}
	}
	ASSERT_TRUE(changed);
	EXPECT_TRUE(HasProblem(Check<HnswChecker>(image), "broken chunk chain"));
}

// The first list page's block (the first page after the directory) and the directory block.
void IvfLayout(const std::vector<unsigned char> &image, std::uint32_t *dir_start, std::uint32_t *first_list)
{
	std::uint32_t dir_pages;
	std::memcpy(dir_start, image.data() + 24 + 52, 4);
	std::memcpy(&dir_pages, image.data() + 24 + 56, 4);
	*first_list = *dir_start + dir_pages;
}

TEST(IndexCheck, IvfListChainCycle)
{
	auto image = ReadImage(kIvfImages[0]);
	std::uint32_t dir_start, first_list;
	IvfLayout(image, &dir_start, &first_list);
	// The list's first page links to itself.
	std::uint32_t start;
	std::memcpy(&start, image.data() + dir_start * kCheckPageSize + 24, 4);
	std::memcpy(image.data() + start * kCheckPageSize + kCheckPageSize - 8, &start, 4);
	EXPECT_TRUE(HasProblem(Check<IvfChecker>(image), "list chain cycle"));
}

// Indexes written before the metapage had flags have zeros there (the images above); the
// untrained flag is accepted, bits no version writes are not.
TEST(IndexCheck, IvfMetapageFlags)
{
	auto image = ReadImage(kIvfImages[0]);
	const std::uint32_t untrained = vector_core::kIvfMetaUntrained, unknown = 0x80;
	std::memcpy(image.data() + 24 + vector_core::kIvfMetaFlagsOffset, &untrained, 4);
	EXPECT_FALSE(HasProblem(Check<IvfChecker>(image), "bad metapage"));
	std::memcpy(image.data() + 24 + vector_core::kIvfMetaFlagsOffset, &unknown, 4);
	EXPECT_TRUE(HasProblem(Check<IvfChecker>(image), "bad metapage"));
}

// The metapage's filter columns: 0 in indexes of one column (and every index written before them);
// more than the limit, or an entry head that leaves no room for their attribute area, is corrupt.
TEST(IndexCheck, IvfMetapageFilterColumns)
{
	auto image = ReadImage(kIvfImages[0]);
	EXPECT_FALSE(HasProblem(Check<IvfChecker>(image), "bad metapage"));
	const std::int32_t too_many = vector_core::kMaxFilterColumns + 1, one = 1;
	std::memcpy(image.data() + 24 + vector_core::kIvfMetaFilterColumnsOffset, &too_many, 4);
	EXPECT_TRUE(HasProblem(Check<IvfChecker>(image), "bad metapage"));
	std::memcpy(image.data() + 24 + vector_core::kIvfMetaFilterColumnsOffset, &one, 4);
	EXPECT_TRUE(HasProblem(Check<IvfChecker>(image), "bad metapage")); // entry head 8, not 20
}

TEST(IndexCheck, IvfDirectoryPointsAtMetapage)
{
	auto image = ReadImage(kIvfImages[0]);
	std::uint32_t dir_start, first_list;
	IvfLayout(image, &dir_start, &first_list);
	const std::uint32_t zero = 0;
	std::memcpy(image.data() + dir_start * kCheckPageSize + 24, &zero, 4);
	IvfChecker c = Check<IvfChecker>(image);
	EXPECT_TRUE(HasProblem(c, "dangling list link"));
	// The list's pages are then reached by no list.
	bool orphan = false;
	for (const auto &f : c.findings())
		orphan = orphan || f.problem == "orphan list page";
	EXPECT_TRUE(orphan);
}

// A list entry's attribute area with a null bit past the index's two filter columns.
TEST(IndexCheck, IvfBadAttributeArea)
{
	auto image = ReadImage(kIvfFilterImage);
	std::uint32_t dir_start, first_list;
	IvfLayout(image, &dir_start, &first_list);
	IvfChecker clean = Check<IvfChecker>(image);
	EXPECT_EQ(clean.summary().errors, 0u);
	EXPECT_EQ(clean.summary().elements, 42u);
	image[first_list * kCheckPageSize + 24 + vector_core::kIvfEntryAttrOffset] |= 4;
	EXPECT_TRUE(HasProblem(Check<IvfChecker>(image), "bad attribute area"));
}

// Every heap TID of an index with filter columns comes with the hash of its entry's attribute
// area (what the table check compares with the row's); none without filter columns.
TEST(IndexCheck, IvfHeapTidAttributeHashes)
{
	auto image = ReadImage(kIvfFilterImage);
	std::uint32_t dir_start, first_list;
	IvfLayout(image, &dir_start, &first_list);
	IvfChecker c = Check<IvfChecker>(image);
	ASSERT_EQ(c.summary().errors, 0u);
	const unsigned char *entry = image.data() + first_list * kCheckPageSize + 24;
	std::uint32_t block;
	std::uint16_t offset;
	vector_core::page_decoding::LoadTid(entry, &block, &offset);
	ASSERT_TRUE(c.HasHeapTid(block, offset));
	std::uint64_t hash = 0;
	ASSERT_TRUE(c.HeapTidAttrsHash(block, offset, &hash));
	const std::size_t length = vector_core::FilterAttrAreaLength(2);
	EXPECT_EQ(hash, vector_core::FilterAttrsHash(entry + vector_core::kIvfEntryAttrOffset, length));
	std::vector<unsigned char> other(entry + vector_core::kIvfEntryAttrOffset,
	                                 entry + vector_core::kIvfEntryAttrOffset + length);
	other[length - 1] ^= 1;
	EXPECT_NE(hash, vector_core::FilterAttrsHash(other.data(), length));
	EXPECT_FALSE(c.HeapTidAttrsHash(block, static_cast<std::uint16_t>(offset + 1000), &hash));
	IvfChecker plain = Check<IvfChecker>(ReadImage(kIvfImages[0]));
	std::uint64_t none = 0;
	EXPECT_FALSE(plain.HeapTidAttrsHash(block, offset, &none));
}

TEST(IndexCheck, IvfBadHeapTid)
{
	auto image = ReadImage(kIvfImages[0]);
	std::uint32_t dir_start, first_list;
	IvfLayout(image, &dir_start, &first_list);
	std::uint32_t start;
	std::memcpy(&start, image.data() + dir_start * kCheckPageSize + 24, 4);
	const std::uint16_t zero = 0;
	std::memcpy(image.data() + start * kCheckPageSize + 24 + 4, &zero, 2); // offset 0 of the first entry
	EXPECT_TRUE(HasProblem(Check<IvfChecker>(image), "bad heap tid"));
}

} // namespace

namespace
{

// Writes id as the page id of every page of an IVF image.
void SetIvfPageIds(std::vector<unsigned char> *image, std::uint16_t id)
{
	for (std::size_t at = 0; at < image->size(); at += kCheckPageSize)
		std::memcpy(image->data() + at + kCheckPageSize - 2, &id, sizeof(id));
}

TEST(IndexCheck, IvfPagesOfEitherPageIdAreIvfPages)
{
	for (const char *name : kIvfImages) {
		auto image = ReadImage(name);
		// The seeds were written with the page id IVF pages had first, hnsw's.
		std::uint16_t id;
		std::memcpy(&id, image.data() + kCheckPageSize - 2, sizeof(id));
		EXPECT_EQ(id, vector_core::kIvfOldPageId) << name;
		SetIvfPageIds(&image, vector_core::kIvfPageId);
		IvfChecker c = Check<IvfChecker>(image);
		EXPECT_EQ(c.summary().errors, 0u) << name;
		EXPECT_GT(c.summary().elements, 0u) << name;
		// An index with pages of both (new pages added to an old index).
		std::memcpy(image.data() + kCheckPageSize - 2, &vector_core::kIvfOldPageId, sizeof(id));
		EXPECT_EQ(Check<IvfChecker>(image).summary().errors, 0u) << name;
		SetIvfPageIds(&image, 0x1234);
		EXPECT_TRUE(HasProblem(Check<IvfChecker>(image), "bad metapage")) << name;
	}
}

} // namespace
