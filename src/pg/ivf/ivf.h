// The IVF family of index access methods (ivfflat, and ivf with quantizer flat | sq8 | pq):
// page layout, options, GUCs and the helpers shared by the per-phase files
// (ivf_handler, ivf_build, ivf_insert, ivf_scan, ivf_vacuum, ivf_page, ivf_stored_form).
//
// Page layout (every page has the standard header, an IvfPageOpaqueData special space, and
// pd_lower set just past its content, so that full-page images and generic WAL records that
// skip the pd_lower..pd_upper hole keep all of it):
//   block 0                 metapage (IvfMetaPageData)
//   aux_start ..            quantizer parameters as one byte stream over consecutive pages:
//                           sq8: vmin[dim], vdiff[dim]; pq: codebook[256 * dim]
//   dir_start ..            list directory: fixed-size entries {start, insert, centroid[dim]}
//                           packed from the start of each page, dir_per_page per page
//   then                    list pages, one chain per list linked through opaque.next:
//                           fixed-size entries {heap tid (6 bytes), pad to entry_head, payload}
//                           packed from the start of the page; count = content size / entry_size
// The payload is the vector (flat; unit-normalized for cosine), its SQ8 code (dim bytes) or
// its PQ code (pq_m bytes). Quantized indexes keep only codes and re-rank candidates with the
// exact vectors fetched from the table.
//
// Vectors and centroids are stored as rows of the indexed type (core/distance/element_distance.h, padded
// to 4 bytes): floats for vector, binary16 for halfvec, bits for bit (Hamming distance), so a
// halfvec index is half the size of a vector one. Training, list assignment and the quantizers
// compute on the "stored form": the row as floats (0/1 per bit), normalised for cosine;
// centroids are rounded to what a row can hold (binary16; bits by majority) before rows are
// assigned to them, so that build, insert and scan agree on the nearest list. Cosine rows of
// halfvec keep the value's own halves and are compared by cosine distance (a normalised row
// rounded to binary16 would order rows slightly differently from <=>); assignment by inner
// product with the normalised centroids picks the same list for any positive scale of a row.
// Metapages without element_kind (0) hold floats.
//
// Locking: the build writes without WAL and logs the whole fork at the end. Inserts and
// VACUUM change pages under exclusive buffer locks through GenericXLog, at most three pages
// per record (a list's last page, its new next page and the directory page). Lock order:
// list page before directory page; nobody waits for a list page while holding the directory.
#pragma once

#include "pg/common/pg_headers.h"

#include "core/distance/element_distance.h"
#include "core/ivf/ivf_quant.h"

constexpr uint32 kIvfMagic = 0x49564631;  // "IVF1"
constexpr uint32 kIvfVersion = 1;
constexpr int kIvfMaxDim = 2000;      // vector
constexpr int kIvfMaxHalfDim = 4000;  // halfvec
constexpr int kIvfMaxBitDim = 64000;  // bit
constexpr int kIvfMaxLists = 32768;
constexpr int kIvfDefaultLists = 100;
constexpr BlockNumber kIvfMetaBlock = 0;
constexpr uint16 kIvfPageId = 0xFF91;

// Page kinds, in IvfPageOpaqueData.flags.
constexpr uint16 kIvfPageMeta = 1;
constexpr uint16 kIvfPageAux = 2;
constexpr uint16 kIvfPageDirectory = 4;
constexpr uint16 kIvfPageList = 8;

// Quantizers (IvfMetaPageData.quantizer).
enum IvfQuantizer : int32 { kIvfQuantFlat = 0, kIvfQuantSq8 = 1, kIvfQuantPq = 2 };

// Build progress sub-phases shown in pg_stat_progress_create_index.
constexpr int kIvfPhaseSample = 5;  // after pgvector's 2..4, 1 is core's "initializing"
constexpr int kIvfPhaseKmeans = 2;
constexpr int kIvfPhaseAssign = 3;
constexpr int kIvfPhaseLoad = 4;

// Special space of every IVF page.
struct IvfPageOpaqueData {
	BlockNumber next;  // next page of the same list (list pages), else InvalidBlockNumber
	uint16 flags;      // kIvfPage*
	uint16 page_id;    // kIvfPageId, for tools that identify the AM of a page
};

// Content of the metapage.
struct IvfMetaPageData {
	uint32 magic;
	uint32 version;
	int32 dim;
	int32 lists;
	int32 quantizer;     // IvfQuantizer
	int32 metric;        // vector_core::IvfMetric
	int32 pq_m;          // PQ sub-quantizers (pq only)
	uint32 entry_head;   // bytes before the payload in a list entry (heap tid + padding)
	uint32 code_size;    // payload bytes
	uint32 entry_size;   // entry_head + code_size
	BlockNumber aux_start;
	uint32 aux_pages;
	uint32 aux_bytes;
	BlockNumber dir_start;
	uint32 dir_pages;
	uint32 dir_per_page;
	uint32 dir_entry_size;
	uint32 element_kind; // vector_core::ElementKind of rows and centroids
	uint32 row_bytes;    // bytes of a row (padded), 0 in older float indexes: 4 * dim
};

// Head of a directory entry; the centroid's row follows.
struct IvfDirEntryHead {
	BlockNumber start;   // first page of the list, InvalidBlockNumber while empty
	BlockNumber insert;  // a page of the list from which inserts look for room
};

// Reloptions of both access methods (ivfflat has only lists).
struct IvfOptions {
	int32 vl_len_;
	int lists;
	int quantizer_offset;  // string option; 0 when absent (ivfflat)
	int pq_m;              // 0 = default
};

// GUCs (ivf_handler.cpp).
extern int ivfflat_probes;
extern int ivfflat_iterative_scan;  // 0 off, 1 relaxed_order
extern int ivfflat_max_probes;
extern int vector_ivf_rerank;

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

// Whether one more entry fits on the page.
inline bool IvfPageHasRoom(Page page, Size entry_size)
{
	PageHeader ph = reinterpret_cast<PageHeader>(page);
	return ph->pd_upper >= ph->pd_lower && static_cast<Size>(ph->pd_upper - ph->pd_lower) >= entry_size;
}

// ivf_page.cpp
void IvfInitPage(Page page, uint16 flags);
void IvfReadMeta(Relation index, IvfMetaPageData *meta);
float *IvfReadAux(Relation index, const IvfMetaPageData *meta);
void IvfAppendEntry(Page page, const IvfMetaPageData *meta, ItemPointer tid, const char *payload);

// ivf_handler.cpp
int IvfQuantizerFromOptions(Relation index);
int IvfListsFromOptions(Relation index);
int IvfPqMFromOptions(Relation index);

// ivf_stored_form.cpp
vector_core::IvfMetric IvfMetricOf(Relation index, vector_core::ElementKind *kind);
bool IvfPrepareVector(Datum value, const IvfMetaPageData *meta, float *out, char *row);
vector_core::ElementKind IvfKind(const IvfMetaPageData *meta);
Size IvfRowBytes(const IvfMetaPageData *meta);
vector_core::ElementDistanceFn IvfRowDistance(const IvfMetaPageData *meta);
void IvfFloatsToRow(const IvfMetaPageData *meta, const float *x, char *row);
void IvfRoundToRow(const IvfMetaPageData *meta, float *x);
void IvfEncodePayload(const IvfMetaPageData *meta, const float *aux, const float *pq_book_t, const float *pq_norms,
		      const float *x, char *payload);

// AM callbacks.
extern "C" {
IndexBuildResult *ivfbuild(Relation heap, Relation index, IndexInfo *indexInfo);
void ivfbuildempty(Relation index);
bool ivfinsert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid, Relation heap,
	       IndexUniqueCheck checkUnique,
#if PG_VERSION_NUM >= 140000
	       bool indexUnchanged,
#endif
	       IndexInfo *indexInfo);
IndexBulkDeleteResult *ivfbulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
				     IndexBulkDeleteCallback callback, void *callback_state);
IndexBulkDeleteResult *ivfvacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats);
IndexScanDesc ivfbeginscan(Relation index, int nkeys, int norderbys);
void ivfrescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys);
bool ivfgettuple(IndexScanDesc scan, ScanDirection dir);
void ivfendscan(IndexScanDesc scan);
}
