// The hnsw page format, defined once for everything that writes or reads it: the access method
// (src/pg/hnsw, whose PostgreSQL structs in src/pg/hnsw/hnsw_page.h assert at compile time that
// their layout is the one given here) and the page checker (src/core/check/hnsw_check.cpp), which
// decodes raw page images without PostgreSQL's headers. Pure C++: numbers and byte offsets only.
//
// Page format
// -----------
// Block 0 is the metapage (HnswMetaPageData after the page header). Every other block is an
// element page: a standard slotted page whose items are of three kinds (first byte):
//   element  (kHnswElementTuple)   one indexed vector: header, then its neighbor lists and its
//                                  vector when they fit ("inline"), else references to
//   neighbor (kHnswNeighborTuple)  the element's neighbor lists, on another page, and
//   chunk    (kHnswChunkTuple)     a piece of the vector, chained, for vectors larger than a page.
// Small vectors (up to about 1,500 dimensions at m = 16) keep everything in one tuple, so a
// scan reads one buffer per distance and per expansion. Vectors up to about 2,000 dimensions
// keep the vector inline and the lists apart (pgvector's layout). Larger vectors, up to 16,000
// dimensions, are split into chunks.
//
// "Vector" means the element's row in the representation of the index's type (see
// core/distance/element_distance.h): floats for vector, binary16 for halfvec, bytes of bits for
// bit, and (nnz, indices, values) for sparsevec, padded to a multiple of 4 bytes. The metapage
// records the representation; indexes of version 1 without it hold floats. The size of a sparse
// row varies, so each element of a sparsevec index picks its own layout.
//
// A neighbor list of layer l is a uint16 count followed by capacity(l) item pointers
// (capacity 2m on layer 0, m above); layers 0..level follow each other. VACUUM marks dead
// elements (kHnswElementDeleted) and frees one only when no live element links it any more
// (src/pg/hnsw/hnsw_vacuum.cpp), so a live element's links lead to the elements they were made
// for; readers still check what they find at a TID (a search in flight, or a marked element's
// list, may hold the TID of a slot freed or reused since). Elements never move: their TID is
// their identity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "core/common/filter_attrs.h"
#include "core/distance/metric.h"

namespace vector_core
{

constexpr std::uint32_t kHnswMagic = 0x484E5357; // "HNSW"
// Version 2: elements hold several heap TIDs and an attribute area (see the element header).
constexpr std::uint32_t kHnswVersion = 2;
// Version 3: version 2 with label lists (see below), written only by builds that make them, so
// that a build of the extension from before them refuses such an index instead of reading a label
// list as the vector. Both are read.
constexpr std::uint32_t kHnswVersionLabelLists = 3;
constexpr bool HnswVersionKnown(std::uint32_t version)
{
	return version == kHnswVersion || version == kHnswVersionLabelLists;
}
// In the special space of every page, for tools that identify the access method of a page.
constexpr std::uint16_t kHnswPageId = 0xFF91;

// Page kinds (the special space's flags).
constexpr std::uint16_t kHnswPageMeta = 1;
constexpr std::uint16_t kHnswPageElements = 2;

// Item kinds (first byte of every item on an element page).
constexpr std::uint8_t kHnswElementTuple = 1;
constexpr std::uint8_t kHnswNeighborTuple = 2;
constexpr std::uint8_t kHnswChunkTuple = 3;

// Element flags.
// kHnswElementDeleted: heap row dead, marked by VACUUM before it repairs the lists that link the
// element; scans never return it and inserts never link it. Freed by that VACUUM, or left marked
// for the next one when a list still links it.
constexpr std::uint8_t kHnswElementDeleted = 0x01;
constexpr std::uint8_t kHnswElementListsInline = 0x02;  // neighbor lists follow the header
constexpr std::uint8_t kHnswElementVectorInline = 0x04; // vector follows the lists (or the header)

// What an index may hold: m (pgvector's reloption bounds), dimensions by representation (float
// and half rows 16,000, bits 64,000, sparse rows any, with at most 16,000 non-zero elements).
constexpr int kHnswMinM = 2;
constexpr int kHnswMaxM = 100;
constexpr int kHnswMaxDim = 16000;
constexpr int kHnswMaxBitDim = 64000;
constexpr int kHnswMaxSparseNnz = 16000;

// Bytes of an item pointer (a link, a heap TID): block number as two uint16, then the offset.
constexpr std::size_t kHnswTidBytes = 6;

// Special space of every page (HnswPageOpaqueData): uint16 flags (the page kind), uint16 page
// id, 4 unused bytes.
constexpr std::size_t kHnswSpecialSize = 8;
constexpr std::size_t kHnswSpecialFlagsOffset = 0;
constexpr std::size_t kHnswSpecialPageIdOffset = 2;

// The metapage's content (HnswMetaPageData), right after the page header.
constexpr std::size_t kHnswMetaMagicOffset = 0;          // uint32
constexpr std::size_t kHnswMetaVersionOffset = 4;        // uint32
constexpr std::size_t kHnswMetaDimsOffset = 8;           // uint32
constexpr std::size_t kHnswMetaMOffset = 12;             // uint16
constexpr std::size_t kHnswMetaMetricOffset = 16;        // uint8, HnswMetricToDisk
constexpr std::size_t kHnswMetaMaxLevelOffset = 17;      // uint8
constexpr std::size_t kHnswMetaEntryLevelOffset = 18;    // int16, -1 when empty
constexpr std::size_t kHnswMetaEntryOffset = 20;         // item pointer
constexpr std::size_t kHnswMetaElementKindOffset = 26;   // uint8, ElementKind (0, floats, in older indexes)
constexpr std::size_t kHnswMetaFilterColumnsOffset = 27; // uint8, filter columns (0 in older indexes)
constexpr std::size_t kHnswMetaInsertPageOffset = 28;    // uint32
constexpr std::size_t kHnswMetaElementCountOffset = 32;  // uint64
// uint8, ElementKind of the indexed values (the column's type) when the rows are kSq8 codes of
// them; 0 and unused otherwise (the rows are the values).
constexpr std::size_t kHnswMetaValueKindOffset = 40;
// uint8: 1 when every element holds a label list after its layer lists (see below), 0 otherwise
// (and in indexes written before label lists); read only in version 3.
constexpr std::size_t kHnswMetaLabelListsOffset = 41;
// The label directory, from this offset of the metapage's content on (when label lists are on):
// uint16 count, 6 unused bytes, then count entries of kHnswLabelEntrySize bytes:
//   0  int64  the first filter column's value (core/common/filter_attrs.h) the entry stands for
//   8  uint32 elements written with that value by the build
//  12  uint16 seeds in use
//  14  kHnswLabelSeeds item pointers: elements of that value to start a label walk from
constexpr std::size_t kHnswMetaLabelDirectoryOffset = 64;
constexpr int kHnswLabelSeeds = 8;
constexpr std::size_t kHnswLabelEntrySize = 64;
constexpr int kHnswMaxLabels = 100;

// Element tuple header (HnswElementHeader), format version 2:
//   0  uint8  kind (kHnswElementTuple)
//   1  uint8  level
//   2  uint8  flags
//   3  uint8  heap TID count: the live heap rows of the element, 1..capacity (0 only when marked
//             deleted: VACUUM removed the last ones)
//   4  uint8  heap TID capacity, 1..kHnswMaxHeapTids, fixed when the element is written
//   5  uint8  unused (0)
//   6  uint16 attribute area offset, from the start of the tuple (>= the end of the heap TIDs)
//   8  uint16 attribute area length: FilterAttrAreaLength(filter columns of the index), the same
//             in every element of an index (0 for an index of one column)
//  10  item pointer: the neighbor tuple (when the lists are apart)
//  16  item pointer: the first chunk (when the vector is apart)
//  22  capacity heap TIDs (6 bytes each); the first count are the element's rows, the rest
//      zero. Rows with byte-identical stored vectors share one element (as pgvector does): a
//      build puts up to kHnswBuildGroupTids of them into one element of that capacity, an
//      insert adds its TID to an identical live element with a free slot, and VACUUM removes
//      dead TIDs one by one, compacting the array in place; an element is marked deleted only
//      when all its TIDs are dead. Elements never move, so the capacity cannot grow.
//  then the attribute area (offset, length), then, from the next multiple of 4 (the body
//  offset), the neighbor lists (inline) and the vector (inline).
// Capacity chosen: a build gives an element as many slots as it has identical rows (capped at
// kHnswBuildGroupTids), so unique rows cost 4 bytes more than in version 1 (28 bytes instead of
// 24, padding included); an insert writes a 1-slot element unless its search met an identical
// element it could not join (full, or marked deleted), then kHnswInsertGroupTids slots, so that
// the duplicates that follow join it. (pgvector reserves 10 slots in every element: 60 bytes.)
// Version 1 (one heap TID at offset 4, header of 24 bytes) is not read: every entry point
// errors with a hint to REINDEX.
constexpr std::size_t kHnswElementHeaderSize = 22; // the fixed part, before the heap TIDs
constexpr std::size_t kHnswElementLevelOffset = 1;
constexpr std::size_t kHnswElementFlagsOffset = 2;
constexpr std::size_t kHnswElementTidCountOffset = 3;
constexpr std::size_t kHnswElementTidCapacityOffset = 4;
constexpr std::size_t kHnswElementAttrOffsetOffset = 6;
constexpr std::size_t kHnswElementAttrLengthOffset = 8;
constexpr std::size_t kHnswElementListsOffset = 10;
constexpr std::size_t kHnswElementVectorOffset = 16;
constexpr std::size_t kHnswElementHeapTidsOffset = 22;
constexpr int kHnswMaxHeapTids = 255;
constexpr int kHnswBuildGroupTids = 10;
constexpr int kHnswInsertGroupTids = 10;

// End of the heap TIDs of an element of capacity slots (where an empty attribute area starts).
constexpr std::size_t HnswElementTidsEnd(int capacity)
{
	return kHnswElementHeapTidsOffset + kHnswTidBytes * static_cast<std::size_t>(capacity);
}

// Where the lists (or the inline vector) of an element start: after its attribute area, at a
// multiple of 4.
constexpr std::size_t HnswElementBodyOffset(std::size_t attr_offset, std::size_t attr_length)
{
	return (attr_offset + attr_length + 3) & ~static_cast<std::size_t>(3);
}

// The attribute area of an index with filter columns: core/common/filter_attrs.h.

// Neighbor tuple header (HnswNeighborHeader): kind, level, 2 unused bytes; the lists follow.
constexpr std::size_t kHnswNeighborHeaderSize = 4;
constexpr std::size_t kHnswNeighborLevelOffset = 1;

// Chunk tuple header (HnswChunkHeader): kind, 3 unused bytes, the next chunk, 2 unused bytes,
// the uint32 count of 4-byte words that follow.
constexpr std::size_t kHnswChunkHeaderSize = 16;
constexpr std::size_t kHnswChunkNextOffset = 4;
constexpr std::size_t kHnswChunkCountOffset = 12;

// The metric as the metapage stores it: the numbers of every hnsw index written so far, 1-based
// (0 is never written). Kept apart from Metric so that neither can change the other.
constexpr std::uint8_t HnswMetricToDisk(Metric metric)
{
	switch (metric) {
	case Metric::kL2:
		return 1;
	case Metric::kInnerProduct:
		return 2;
	case Metric::kCosine:
		return 3;
	case Metric::kL1:
		return 4;
	case Metric::kHamming:
		return 5;
	case Metric::kJaccard:
		return 6;
	}
	return 0;
}

// The metric a metapage's number stands for; false for a number no index has.
constexpr bool HnswMetricFromDisk(std::uint8_t stored, Metric *metric)
{
	for (Metric m :
	     {Metric::kL2, Metric::kInnerProduct, Metric::kCosine, Metric::kL1, Metric::kHamming, Metric::kJaccard}) {
		if (HnswMetricToDisk(m) == stored) {
			*metric = m;
			return true;
		}
	}
	return false;
}

static_assert(HnswMetricToDisk(Metric::kL2) == 1 && HnswMetricToDisk(Metric::kInnerProduct) == 2 &&
                  HnswMetricToDisk(Metric::kCosine) == 3 && HnswMetricToDisk(Metric::kL1) == 4 &&
                  HnswMetricToDisk(Metric::kHamming) == 5 && HnswMetricToDisk(Metric::kJaccard) == 6,
              "hnsw metapages of existing indexes store these numbers");

// Capacity of the neighbor list of layer.
constexpr int HnswLayerCapacity(int m, int layer)
{
	return layer <= 0 ? 2 * m : m; // (layer -1: the label lists, as layer 0)
}

// Bytes of one layer's list: the uint16 count and capacity item pointers.
constexpr std::size_t HnswLayerListSize(int m, int layer)
{
	return sizeof(std::uint16_t) + kHnswTidBytes * static_cast<std::size_t>(HnswLayerCapacity(m, layer));
}

// Byte offset of layer's list within the lists.
constexpr std::size_t HnswLayerOffset(int m, int layer)
{
	std::size_t offset = 0;
	for (int l = 0; l < layer; l++)
		offset += HnswLayerListSize(m, l);
	return offset;
}

// Bytes of the lists of layers 0..level, padded to 4 bytes so that an inline vector after them is
// aligned.
constexpr std::size_t HnswListsSize(int m, int level)
{
	return (HnswLayerOffset(m, level + 1) + 3) & ~static_cast<std::size_t>(3);
}

// Label lists. In an index with filter columns whose first one has values that many rows share
// (a category, a tenant), every element holds one more list after those of its layers: its
// neighbors among the elements of the same first-column value, capacity 2 m (as layer 0), a graph per value
// that a scan with `column = value` walks instead of the whole graph (see
// src/pg/hnsw/hnsw_label_graph.cpp). The pseudo-layer number of that list:
constexpr int kHnswLabelLayer = -1;

// Bytes of a label list (the uint16 count and 2 m item pointers, as layer 0), padded to 4 bytes.
constexpr std::size_t HnswLabelListSize(int m)
{
	return (HnswLayerListSize(m, 0) + 3) & ~static_cast<std::size_t>(3);
}

// Bytes of all the lists of an element of level: its layers', then its label list when the index
// has label lists.
constexpr std::size_t HnswElementListsSize(int m, int level, bool label_lists)
{
	return HnswListsSize(m, level) + (label_lists ? HnswLabelListSize(m) : 0);
}

// Byte offset of layer's list (kHnswLabelLayer: the label list) within the lists of an element
// of level.
constexpr std::size_t HnswListOffset(int m, int level, int layer)
{
	return layer == kHnswLabelLayer ? HnswListsSize(m, level) : HnswLayerOffset(m, layer);
}

} // namespace vector_core
