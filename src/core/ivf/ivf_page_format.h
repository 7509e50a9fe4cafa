// The page format of the IVF access methods (ivfflat, ivf), defined once for everything that
// writes or reads it: the access methods (src/pg/ivf, whose PostgreSQL structs in
// src/pg/ivf/ivf_page.h assert at compile time that their layout is the one given here) and the
// page checker (src/core/check/ivf_check.cpp), which decodes raw page images without
// PostgreSQL's headers. Pure C++: numbers and byte offsets only.
//
// Page layout (every page has the standard header, an IvfPageOpaqueData special space, and
// pd_lower set just past its content, so that full-page images and generic WAL records that
// skip the pd_lower..pd_upper hole keep all of it):
//   block 0                 metapage (IvfMetaPageData)
//   aux_start ..            quantizer parameters as one byte stream over consecutive pages:
//                           sq8: vmin[dim], vdiff[dim]; pq: codebook[256 * dim];
//                           rabitq: none (its rotation is fixed, core/ivf/ivf_rabitq.h)
//   dir_start ..            list directory: fixed-size entries {start, insert, centroid[dim]}
//                           packed from the start of each page, dir_per_page per page
//   then                    list pages, one chain per list linked through opaque.next:
//                           fixed-size entries {heap tid (6 bytes), pad to entry_head, payload}
//                           packed from the start of the page; count = content size / entry_size;
//                           an index with filter columns (the metapage's filter_columns, 0 in
//                           indexes of one column and in every index written before them) has
//                           their attribute area (core/common/filter_attrs.h) at offset
//                           kIvfEntryAttrOffset of every entry, before the payload (IvfEntryHead)
// The payload is the vector (flat; unit-normalized for cosine), its SQ8 code (dim bytes), its
// PQ code (pq_m bytes) or its RaBitQ code of the residual from its list's centroid
// (RabitqCodeBytes(dim) bytes). Quantized indexes keep only codes and re-rank candidates with the
// exact vectors fetched from the table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "core/common/filter_attrs.h"
#include "core/distance/metric.h"

namespace vector_core
{

constexpr std::uint32_t kIvfMagic = 0x49564631; // "IVF1"
constexpr std::uint32_t kIvfVersion = 1;
// In the special space of every page, for tools that identify the access method of a page.
constexpr std::uint16_t kIvfPageId = 0xFF92;
// The page id IVF pages were written with before they got one of their own: the same as hnsw's
// (kHnswPageId). Indexes written then keep such pages (until REINDEX; pages added later get
// kIvfPageId), so readers and the checker accept both on IVF pages.
constexpr std::uint16_t kIvfOldPageId = 0xFF91;

// Whether id is the page id of an IVF page, old or new.
constexpr bool IvfPageIdValid(std::uint16_t id)
{
	return id == kIvfPageId || id == kIvfOldPageId;
}

// Page kinds (the special space's flags).
constexpr std::uint16_t kIvfPageMeta = 1;
constexpr std::uint16_t kIvfPageAux = 2;
constexpr std::uint16_t kIvfPageDirectory = 4;
constexpr std::uint16_t kIvfPageList = 8;

// Quantizers (the metapage's quantizer).
enum IvfQuantizer : std::int32_t { kIvfQuantFlat = 0, kIvfQuantSq8 = 1, kIvfQuantPq = 2, kIvfQuantRabitq = 3 };

// What an index may hold: dimensions by representation (a centroid must fit a directory page:
// 2,000 floats, 4,000 halves, 64,000 bits) and lists.
constexpr int kIvfMaxDim = 2000;     // vector
constexpr int kIvfMaxHalfDim = 4000; // halfvec
constexpr int kIvfMaxBitDim = 64000; // bit
constexpr int kIvfMaxLists = 32768;

// Special space of every page (IvfPageOpaqueData): the next page of the same list (uint32, list
// pages only), uint16 flags (the page kind), uint16 page id.
constexpr std::size_t kIvfSpecialSize = 8;
constexpr std::size_t kIvfSpecialNextOffset = 0;
constexpr std::size_t kIvfSpecialFlagsOffset = 4;
constexpr std::size_t kIvfSpecialPageIdOffset = 6;

// The metapage's content (IvfMetaPageData), right after the page header: 4-byte fields.
constexpr std::size_t kIvfMetaMagicOffset = 0;
constexpr std::size_t kIvfMetaVersionOffset = 4;
constexpr std::size_t kIvfMetaDimOffset = 8;
constexpr std::size_t kIvfMetaListsOffset = 12;
constexpr std::size_t kIvfMetaQuantizerOffset = 16;
constexpr std::size_t kIvfMetaMetricOffset = 20; // IvfMetricToDisk
constexpr std::size_t kIvfMetaPqMOffset = 24;
constexpr std::size_t kIvfMetaEntryHeadOffset = 28;
constexpr std::size_t kIvfMetaCodeSizeOffset = 32;
constexpr std::size_t kIvfMetaEntrySizeOffset = 36;
constexpr std::size_t kIvfMetaAuxStartOffset = 40;
constexpr std::size_t kIvfMetaAuxPagesOffset = 44;
constexpr std::size_t kIvfMetaAuxBytesOffset = 48;
constexpr std::size_t kIvfMetaDirStartOffset = 52;
constexpr std::size_t kIvfMetaDirPagesOffset = 56;
constexpr std::size_t kIvfMetaDirPerPageOffset = 60;
constexpr std::size_t kIvfMetaDirEntrySizeOffset = 64;
constexpr std::size_t kIvfMetaElementKindOffset = 68;   // ElementKind (0, floats, in older indexes)
constexpr std::size_t kIvfMetaRowBytesOffset = 72;      // 0 in older float indexes: 4 * dim
constexpr std::size_t kIvfMetaFlagsOffset = 76;         // kIvfMeta* bits (0 in older indexes)
constexpr std::size_t kIvfMetaFilterColumnsOffset = 80; // uint32, filter columns (0 in older indexes)

// List entries: the heap tid, then (with filter columns) the attribute area at
// kIvfEntryAttrOffset, then the payload at entry_head, which is IvfEntryHead: 8 for flat rows
// (keeps them 4-byte aligned), 6 for codes; past the attribute area, at a multiple of 4, with
// filter columns. Entries of indexes of one column are as they always were.
constexpr std::size_t kIvfEntryAttrOffset = 8;
constexpr std::uint32_t IvfEntryHead(bool flat, int filter_columns)
{
	if (filter_columns <= 0)
		return flat ? 8 : 6;
	return static_cast<std::uint32_t>((kIvfEntryAttrOffset + FilterAttrAreaLength(filter_columns) + 3) &
	                                  ~std::size_t{3});
}

// Metapage flags. Older indexes have 0 there: their metapage ended at offset 76 and the rest of
// the page was zero, so 0 must keep meaning what those indexes are.
// The centroids were not trained on the table's rows (the build saw fewer rows than lists: an
// empty table, or an unlogged table's init fork): rows inserted later land in lists whose
// centroids say little about them, so scans read every list until the index is rebuilt.
constexpr std::uint32_t kIvfMetaUntrained = 1;
constexpr std::uint32_t kIvfMetaKnownFlags = kIvfMetaUntrained;

// The metric as the metapage stores it: the numbers of every IVF index written so far, 0-based.
// It is the metric of the stored form (see src/pg/ivf/ivf.h), so bit indexes, whose Hamming
// distance is the squared L2 distance of their 0/1 floats, store kL2. Kept apart from Metric so
// that neither can change the other; -1 for a metric IVF indexes do not store.
constexpr std::int32_t IvfMetricToDisk(Metric metric)
{
	switch (metric) {
	case Metric::kL2:
		return 0;
	case Metric::kInnerProduct:
		return 1;
	case Metric::kCosine:
		return 2;
	default:
		return -1;
	}
}

// The metric a metapage's number stands for; false for a number no index has.
constexpr bool IvfMetricFromDisk(std::int32_t stored, Metric *metric)
{
	for (Metric m : {Metric::kL2, Metric::kInnerProduct, Metric::kCosine}) {
		if (IvfMetricToDisk(m) == stored) {
			*metric = m;
			return true;
		}
	}
	return false;
}

static_assert(IvfMetricToDisk(Metric::kL2) == 0 && IvfMetricToDisk(Metric::kInnerProduct) == 1 &&
                  IvfMetricToDisk(Metric::kCosine) == 2,
              "IVF metapages of existing indexes store these numbers");

// Head of a directory entry (IvfDirEntryHead): the list's first page and the page inserts start
// from (uint32 each); the centroid's row follows.
constexpr std::size_t kIvfDirEntryHeadSize = 8;
constexpr std::size_t kIvfDirEntryStartOffset = 0;
constexpr std::size_t kIvfDirEntryInsertOffset = 4;

} // namespace vector_core
