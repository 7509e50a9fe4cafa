// The IVF family of index access methods (ivfflat, and ivf with quantizer flat | sq8 | pq):
// options, GUCs and the helpers shared by the per-phase files (ivf_handler, ivf_build,
// ivf_insert, ivf_scan, ivf_vacuum, ivf_page, ivf_stored_form). The page layout is
// core/ivf/ivf_page_format.h (numbers and byte layout) and ivf_page.h (its PostgreSQL structs).
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
#include "pg/common/filter_columns.h"
#include "pg/ivf/ivf_page.h"

constexpr int kIvfDefaultLists = 100;

// Build progress sub-phases shown in pg_stat_progress_create_index.
constexpr int kIvfPhaseSample = 5; // after pgvector's 2..4, 1 is core's "initializing"
constexpr int kIvfPhaseKmeans = 2;
constexpr int kIvfPhaseAssign = 3;
constexpr int kIvfPhaseLoad = 4;

// Reloptions of both access methods (ivfflat has only lists).
struct IvfOptions {
	int32 vl_len_;
	int lists;
	int quantizer_offset; // string option; 0 when absent (ivfflat)
	int pq_m;             // 0 = default
};

// GUCs (ivf_handler.cpp).
extern int ivfflat_probes;
extern int ivfflat_iterative_scan; // 0 off, 1 relaxed_order
extern int ivfflat_max_probes;
extern int vector_ivf_rerank;

// ivf_handler.cpp
int IvfQuantizerFromOptions(Relation index);
const char *IvfQuantizerName(int quantizer);
int IvfListsFromOptions(Relation index);
int IvfPqMFromOptions(Relation index);
// The stored form's metric and the row representation of the index's operator class (errors
// for a class IVF cannot serve).
vector_core::Metric IvfMetricFromOpclass(Relation index, vector_core::ElementKind *kind);

// ivf_stored_form.cpp
vector_core::Metric IvfStoredFormMetric(const IvfMetaPageData *meta);
bool IvfPrepareVector(Datum value, const IvfMetaPageData *meta, float *out, char *row);
// Scales x (dim floats) to unit length; returns false, leaving x as it is, for a zero vector.
bool IvfNormalizeInPlace(float *x, int dim);
vector_core::ElementKind IvfKind(const IvfMetaPageData *meta);
Size IvfRowBytes(const IvfMetaPageData *meta);
vector_core::ElementDistanceFn IvfRowDistance(const IvfMetaPageData *meta);
void IvfFloatsToRow(const IvfMetaPageData *meta, const float *x, char *row);
void IvfRoundToRow(const IvfMetaPageData *meta, float *x);
void IvfRowToFloats(const IvfMetaPageData *meta, const char *row, float *x);
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
