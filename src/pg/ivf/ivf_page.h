// The IVF page format as PostgreSQL structs, the inline helpers of page contents, and the page
// functions of ivf_page.cpp. The format itself (numbers, byte offsets) is defined once in
// core/ivf/ivf_page_format.h, which the page checker also decodes; the structs below assert at
// compile time that they lay their fields out at those offsets.
#pragma once

#include "pg/common/pg_headers.h"

#include "core/ivf/ivf_page_format.h"

using vector_core::IvfQuantizer;
using vector_core::kIvfMagic;
using vector_core::kIvfMaxBitDim;
using vector_core::kIvfMaxDim;
using vector_core::kIvfMaxHalfDim;
using vector_core::kIvfMaxLists;
using vector_core::kIvfMetaUntrained;
using vector_core::kIvfPageAux;
using vector_core::kIvfPageDirectory;
using vector_core::kIvfPageId;
using vector_core::kIvfPageList;
using vector_core::kIvfPageMeta;
using vector_core::kIvfQuantFlat;
using vector_core::kIvfQuantPq;
using vector_core::kIvfQuantRabitq;
using vector_core::kIvfQuantSq8;
using vector_core::kIvfVersion;

constexpr BlockNumber kIvfMetaBlock = 0;

// Special space of every IVF page.
struct IvfPageOpaqueData {
	BlockNumber next; // next page of the same list (list pages), else InvalidBlockNumber
	uint16 flags;     // kIvfPage*
	uint16 page_id;   // kIvfPageId (kIvfOldPageId on pages of older indexes)
};

// Content of the metapage.
struct IvfMetaPageData {
	uint32 magic;
	uint32 version;
	int32 dim;
	int32 lists;
	int32 quantizer;   // IvfQuantizer
	int32 metric;      // vector_core::IvfMetricToDisk of the stored form's metric
	int32 pq_m;        // PQ sub-quantizers (pq only)
	uint32 entry_head; // bytes before the payload in a list entry (heap tid + padding)
	uint32 code_size;  // payload bytes
	uint32 entry_size; // entry_head + code_size
	BlockNumber aux_start;
	uint32 aux_pages;
	uint32 aux_bytes;
	BlockNumber dir_start;
	uint32 dir_pages;
	uint32 dir_per_page;
	uint32 dir_entry_size;
	uint32 element_kind;   // vector_core::ElementKind of rows and centroids
	uint32 row_bytes;      // bytes of a row (padded), 0 in older float indexes: 4 * dim
	uint32 flags;          // vector_core::kIvfMeta* (0 in older indexes)
	uint32 filter_columns; // key columns after the vector (pg/common/filter_columns.h), 0 in older indexes
};

// Head of a directory entry; the centroid's row follows.
struct IvfDirEntryHead {
	BlockNumber start;  // first page of the list, InvalidBlockNumber while empty
	BlockNumber insert; // a page of the list from which inserts look for room
};

// The structs are the format of core/ivf/ivf_page_format.h.
static_assert(sizeof(IvfPageOpaqueData) == vector_core::kIvfSpecialSize &&
              offsetof(IvfPageOpaqueData, next) == vector_core::kIvfSpecialNextOffset &&
              offsetof(IvfPageOpaqueData, flags) == vector_core::kIvfSpecialFlagsOffset &&
              offsetof(IvfPageOpaqueData, page_id) == vector_core::kIvfSpecialPageIdOffset);
static_assert(offsetof(IvfMetaPageData, magic) == vector_core::kIvfMetaMagicOffset &&
              offsetof(IvfMetaPageData, version) == vector_core::kIvfMetaVersionOffset &&
              offsetof(IvfMetaPageData, dim) == vector_core::kIvfMetaDimOffset &&
              offsetof(IvfMetaPageData, lists) == vector_core::kIvfMetaListsOffset &&
              offsetof(IvfMetaPageData, quantizer) == vector_core::kIvfMetaQuantizerOffset &&
              offsetof(IvfMetaPageData, metric) == vector_core::kIvfMetaMetricOffset &&
              offsetof(IvfMetaPageData, pq_m) == vector_core::kIvfMetaPqMOffset &&
              offsetof(IvfMetaPageData, entry_head) == vector_core::kIvfMetaEntryHeadOffset &&
              offsetof(IvfMetaPageData, code_size) == vector_core::kIvfMetaCodeSizeOffset &&
              offsetof(IvfMetaPageData, entry_size) == vector_core::kIvfMetaEntrySizeOffset &&
              offsetof(IvfMetaPageData, aux_start) == vector_core::kIvfMetaAuxStartOffset &&
              offsetof(IvfMetaPageData, aux_pages) == vector_core::kIvfMetaAuxPagesOffset &&
              offsetof(IvfMetaPageData, aux_bytes) == vector_core::kIvfMetaAuxBytesOffset &&
              offsetof(IvfMetaPageData, dir_start) == vector_core::kIvfMetaDirStartOffset &&
              offsetof(IvfMetaPageData, dir_pages) == vector_core::kIvfMetaDirPagesOffset &&
              offsetof(IvfMetaPageData, dir_per_page) == vector_core::kIvfMetaDirPerPageOffset &&
              offsetof(IvfMetaPageData, dir_entry_size) == vector_core::kIvfMetaDirEntrySizeOffset &&
              offsetof(IvfMetaPageData, element_kind) == vector_core::kIvfMetaElementKindOffset &&
              offsetof(IvfMetaPageData, row_bytes) == vector_core::kIvfMetaRowBytesOffset &&
              offsetof(IvfMetaPageData, flags) == vector_core::kIvfMetaFlagsOffset &&
              offsetof(IvfMetaPageData, filter_columns) == vector_core::kIvfMetaFilterColumnsOffset);
static_assert(sizeof(IvfDirEntryHead) == vector_core::kIvfDirEntryHeadSize &&
              offsetof(IvfDirEntryHead, start) == vector_core::kIvfDirEntryStartOffset &&
              offsetof(IvfDirEntryHead, insert) == vector_core::kIvfDirEntryInsertOffset);

// Usable bytes of a page's content area.
inline Size IvfPageCapacity()
{
	return BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(IvfPageOpaqueData));
}

inline IvfPageOpaqueData *IvfPageGetOpaque(Page page)
{
	return reinterpret_cast<IvfPageOpaqueData *>(PageGetSpecialPointer(page));
}

// Start of a page's content area (entries are packed from here).
inline char *IvfPageContent(Page page)
{
	return reinterpret_cast<char *>(page) + MAXALIGN(SizeOfPageHeaderData);
}

// Number of fixed-size entries stored on a page.
inline int IvfPageEntryCount(Page page, Size entry_size)
{
	Size used = reinterpret_cast<PageHeader>(page)->pd_lower - MAXALIGN(SizeOfPageHeaderData);
	return static_cast<int>(used / entry_size);
}

// How many more fixed-size entries fit on the page.
inline int64 IvfPageRoom(Page page, Size entry_size)
{
	PageHeader ph = reinterpret_cast<PageHeader>(page);
	return ph->pd_upper >= ph->pd_lower ? static_cast<int64>((ph->pd_upper - ph->pd_lower) / entry_size) : 0;
}

// Whether one more entry fits on the page.
inline bool IvfPageHasRoom(Page page, Size entry_size)
{
	return IvfPageRoom(page, entry_size) > 0;
}

// ivf_page.cpp
void IvfInitPage(Page page, uint16 flags);
void IvfReadMeta(Relation index, IvfMetaPageData *meta);
float *IvfReadAux(Relation index, const IvfMetaPageData *meta);
// Reads the centroid of list into x (dim stored-form floats).
void IvfReadCentroid(Relation index, const IvfMetaPageData *meta, int list, float *x);
// Appends one entry: heap tid, attribute area (FilterAttrAreaLength(meta->filter_columns) bytes,
// null without filter columns), payload.
void IvfAppendEntry(Page page, const IvfMetaPageData *meta, ItemPointer tid, const char *attrs, const char *payload);
// The attribute area of an entry.
inline const char *IvfEntryAttrs(const char *entry)
{
	return entry + vector_core::kIvfEntryAttrOffset;
}
