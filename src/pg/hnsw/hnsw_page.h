// The hnsw page format as PostgreSQL structs and the functions that lay out and form tuples.
// The format itself (numbers, byte offsets, the sizes of neighbor lists) is defined once in
// core/hnsw/hnsw_page_format.h, which the page checker also decodes; the structs below assert
// at compile time that they lay their fields out at those offsets.
#pragma once

#include "pg/common/pg_headers.h"

#include "core/hnsw/hnsw_page_format.h"

using vector_core::HnswElementListsSize;
using vector_core::HnswLayerCapacity;
using vector_core::HnswLayerOffset;
using vector_core::HnswListOffset;
using vector_core::HnswListsSize;
using vector_core::HnswVersionKnown;
using vector_core::kHnswChunkTuple;
using vector_core::kHnswElementDeleted;
using vector_core::kHnswElementListsInline;
using vector_core::kHnswElementTuple;
using vector_core::kHnswElementVectorInline;
using vector_core::kHnswLabelLayer;
using vector_core::kHnswMagic;
using vector_core::kHnswMaxBitDim;
using vector_core::kHnswMaxDim;
using vector_core::kHnswMaxM;
using vector_core::kHnswMaxSparseNnz;
using vector_core::kHnswMinM;
using vector_core::kHnswNeighborTuple;
using vector_core::kHnswPageElements;
using vector_core::kHnswPageId;
using vector_core::kHnswPageMeta;
using vector_core::kHnswVersion;
using vector_core::kHnswVersionLabelLists;

constexpr BlockNumber kHnswMetaBlock = 0;
// The block number whose heavyweight page lock (LockPage, a lock tag only: no buffer is involved)
// every insert holds in share mode for its whole protocol and VACUUM takes exclusively once after
// marking the dead elements, to wait out the inserts that may not have seen the marks (see
// hnsw_vacuum.cpp).
constexpr BlockNumber kHnswInsertLockBlock = kHnswMetaBlock;

// Special space of every page.
struct HnswPageOpaqueData {
	uint16 flags;
	uint16 page_id; // kHnswPageId
	uint32 unused;
};
using HnswPageOpaque = HnswPageOpaqueData *;

#define HnswPageGetOpaque(page) (reinterpret_cast<HnswPageOpaque>(PageGetSpecialPointer(page)))

// The metapage.
struct HnswMetaPageData {
	uint32 magic;
	uint32 version;
	uint32 dims;
	uint16 m;
	uint16 ef_construction;
	uint8 metric;            // vector_core::HnswMetricToDisk
	uint8 max_level;         // highest level an element may get (fits its lists in a page)
	int16 entry_level;       // -1 when the index is empty
	ItemPointerData entry;   // entry point element (invalid when empty)
	uint8 element_kind;      // vector_core::ElementKind of the rows (0, float, in older indexes)
	uint8 filter_columns;    // key columns after the vector (0 in older indexes)
	BlockNumber insert_page; // hint: a page with room for new elements
	uint64 element_count;    // elements written (approximate after VACUUM)
	uint8 value_kind;        // ElementKind of the values when element_kind is kSq8 (else 0)
	uint8 label_lists;       // 1: every element has a label list, the directory is in use
};

// One entry of the label directory (see core/hnsw/hnsw_page_format.h).
struct HnswLabelEntry {
	int64 key;
	uint32 count;
	uint16 seed_count;
	ItemPointerData seeds[vector_core::kHnswLabelSeeds];
	uint16 unused;
};
static_assert(sizeof(HnswLabelEntry) == vector_core::kHnswLabelEntrySize);
// Whether a metapage says its elements hold label lists.
inline bool HnswMetaHasLabelLists(const HnswMetaPageData *meta)
{
	return meta->version == kHnswVersionLabelLists && meta->label_lists != 0;
}
using HnswMetaPage = HnswMetaPageData *;

#define HnswPageGetMeta(page) (reinterpret_cast<HnswMetaPage>(PageGetContents(page)))

// Fixed part of the header of an element tuple; tid_capacity heap TIDs follow it, then the
// attribute area, then (from HnswElementBody) the inline lists and vector.
struct HnswElementHeader {
	uint8 kind; // kHnswElementTuple
	uint8 level;
	uint8 flags;
	uint8 tid_count;    // heap TIDs in use (the first ones)
	uint8 tid_capacity; // heap TID slots
	uint8 unused;
	uint16 attr_offset; // attribute area (the filter columns' values), from the tuple's start
	uint16 attr_length;
	ItemPointerData lists;  // neighbor tuple, when the lists are not inline
	ItemPointerData vector; // first chunk, when the vector is not inline
};

// The heap TID slots of an element.
inline ItemPointerData *HnswElementHeapTids(HnswElementHeader *header)
{
	return reinterpret_cast<ItemPointerData *>(reinterpret_cast<char *>(header) + sizeof(HnswElementHeader));
}
inline const ItemPointerData *HnswElementHeapTids(const HnswElementHeader *header)
{
	return reinterpret_cast<const ItemPointerData *>(reinterpret_cast<const char *>(header) +
	                                                 sizeof(HnswElementHeader));
}
// Offset of an element's lists (or inline vector when the lists are apart).
inline Size HnswElementBody(const HnswElementHeader *header)
{
	return vector_core::HnswElementBodyOffset(header->attr_offset, header->attr_length);
}
// Whether an element tuple of size bytes has a consistent heap TID array and attribute area.
inline bool HnswElementHeaderValid(const HnswElementHeader *header, Size size)
{
	return size >= sizeof(HnswElementHeader) && header->tid_capacity >= 1 &&
	       header->tid_count <= header->tid_capacity &&
	       header->attr_offset >= vector_core::HnswElementTidsEnd(header->tid_capacity) &&
	       HnswElementBody(header) <= size;
}

// Header of a neighbor tuple (the lists follow).
struct HnswNeighborHeader {
	uint8 kind; // kHnswNeighborTuple
	uint8 level;
	uint16 unused;
};

// Header of a vector chunk (count 4-byte words of the row follow).
struct HnswChunkHeader {
	uint8 kind; // kHnswChunkTuple
	uint8 unused;
	uint16 unused2;
	ItemPointerData next; // next chunk, invalid for the last
	uint16 unused3;
	uint32 count;
};

// The structs are the format of core/hnsw/hnsw_page_format.h.
static_assert(sizeof(ItemPointerData) == vector_core::kHnswTidBytes);
static_assert(sizeof(HnswPageOpaqueData) == vector_core::kHnswSpecialSize &&
              offsetof(HnswPageOpaqueData, flags) == vector_core::kHnswSpecialFlagsOffset &&
              offsetof(HnswPageOpaqueData, page_id) == vector_core::kHnswSpecialPageIdOffset);
static_assert(offsetof(HnswMetaPageData, magic) == vector_core::kHnswMetaMagicOffset &&
              offsetof(HnswMetaPageData, version) == vector_core::kHnswMetaVersionOffset &&
              offsetof(HnswMetaPageData, dims) == vector_core::kHnswMetaDimsOffset &&
              offsetof(HnswMetaPageData, m) == vector_core::kHnswMetaMOffset &&
              offsetof(HnswMetaPageData, metric) == vector_core::kHnswMetaMetricOffset &&
              offsetof(HnswMetaPageData, max_level) == vector_core::kHnswMetaMaxLevelOffset &&
              offsetof(HnswMetaPageData, entry_level) == vector_core::kHnswMetaEntryLevelOffset &&
              offsetof(HnswMetaPageData, entry) == vector_core::kHnswMetaEntryOffset &&
              offsetof(HnswMetaPageData, element_kind) == vector_core::kHnswMetaElementKindOffset &&
              offsetof(HnswMetaPageData, filter_columns) == vector_core::kHnswMetaFilterColumnsOffset &&
              offsetof(HnswMetaPageData, insert_page) == vector_core::kHnswMetaInsertPageOffset &&
              offsetof(HnswMetaPageData, element_count) == vector_core::kHnswMetaElementCountOffset &&
              offsetof(HnswMetaPageData, value_kind) == vector_core::kHnswMetaValueKindOffset &&
              offsetof(HnswMetaPageData, label_lists) == vector_core::kHnswMetaLabelListsOffset);
static_assert(sizeof(HnswMetaPageData) <= vector_core::kHnswMetaLabelDirectoryOffset,
              "the label directory follows the metapage's fields");
static_assert(sizeof(HnswElementHeader) == vector_core::kHnswElementHeaderSize &&
              offsetof(HnswElementHeader, level) == vector_core::kHnswElementLevelOffset &&
              offsetof(HnswElementHeader, flags) == vector_core::kHnswElementFlagsOffset &&
              offsetof(HnswElementHeader, tid_count) == vector_core::kHnswElementTidCountOffset &&
              offsetof(HnswElementHeader, tid_capacity) == vector_core::kHnswElementTidCapacityOffset &&
              offsetof(HnswElementHeader, attr_offset) == vector_core::kHnswElementAttrOffsetOffset &&
              offsetof(HnswElementHeader, attr_length) == vector_core::kHnswElementAttrLengthOffset &&
              offsetof(HnswElementHeader, lists) == vector_core::kHnswElementListsOffset &&
              offsetof(HnswElementHeader, vector) == vector_core::kHnswElementVectorOffset);
static_assert(sizeof(HnswNeighborHeader) == vector_core::kHnswNeighborHeaderSize &&
              offsetof(HnswNeighborHeader, level) == vector_core::kHnswNeighborLevelOffset);
static_assert(sizeof(HnswChunkHeader) == vector_core::kHnswChunkHeaderSize &&
              offsetof(HnswChunkHeader, next) == vector_core::kHnswChunkNextOffset &&
              offsetof(HnswChunkHeader, count) == vector_core::kHnswChunkCountOffset);

struct HnswIndexInfo;

// ------------------------------------------------------------------ layout and tuples (hnsw_page_layout.cpp)

// HnswLayerCapacity, HnswLayerOffset and HnswListsSize are those of core/hnsw/hnsw_page_format.h.

// Largest item that fits an element page.
Size HnswMaxItemSize(void);
// Highest level whose lists fit a page for this m (at most kHnswGraphMaxLevel), with room for a
// label list when the index may have them.
int HnswMaxLevelForM(int m, bool label_lists);

// How an element of some level is stored (see core/hnsw/hnsw_page_format.h).
enum class HnswLayout : uint8 {
	kInline,       // one element tuple: header, lists, vector
	kListsApart,   // element tuple with the vector, neighbor tuple with the lists
	kVectorChunks, // element tuple with the lists, the vector in chunk tuples
};
// Layout of an element of level whose row takes bytes (stored, padded) bytes.
// tid_capacity: the element's heap TID slots.
HnswLayout HnswChooseLayout(const HnswIndexInfo *info, int level, Size bytes, int tid_capacity);
// 4-byte words one chunk tuple holds at most.
int HnswWordsPerChunk(void);
// Chunks a row of bytes (padded) takes.
int HnswChunkCount(Size bytes);

// Tuple forming. lists[l] holds counts[l] refs of layer l (lists null: all empty); label holds
// label_count refs of the label list (when the index has label lists; null: empty). An element
// has tid_capacity heap TID slots, the first tid_count of them heaptids[], and the attribute area
// attrs (info->attr_length bytes).
Size HnswElementTupleSize(const HnswIndexInfo *info, int level, HnswLayout layout, Size bytes, int tid_capacity);
void HnswFormElementTuple(char *out, const HnswIndexInfo *info, int level, HnswLayout layout,
                          const ItemPointerData *heaptids, int tid_count, int tid_capacity, const void *vector,
                          Size bytes, const char *attrs, ItemPointerData *const *lists, const int *counts,
                          ItemPointer lists_tid, ItemPointer vector_tid, const ItemPointerData *label = nullptr,
                          int label_count = 0);
Size HnswNeighborTupleSize(const HnswIndexInfo *info, int level);
void HnswFormNeighborTuple(char *out, const HnswIndexInfo *info, int level, ItemPointerData *const *lists,
                           const int *counts, const ItemPointerData *label = nullptr, int label_count = 0);
Size HnswChunkTupleSize(int words);
void HnswFormChunkTuple(char *out, const void *words, int count, ItemPointer next);
// Layer's list (uint16 count, then capacity refs; kHnswLabelLayer: the label list) inside an element tuple with inline
// lists or a neighbor tuple (the item must have been checked: HnswElementHeaderValid).
char *HnswListInItem(char *item, const HnswIndexInfo *info, int layer);
