// The hnsw access method: shared types and the functions its files share. The page format is
// core/hnsw/hnsw_page_format.h (numbers and byte layout) and hnsw_page.h (its PostgreSQL structs).
//
// Every change after the build goes through GenericXLog; the build writes pages without WAL
// and logs them all at the end with log_newpage_range.
#pragma once

#include "pg/common/pg_headers.h"

#include <cstring>

#include "core/distance/element_distance.h"
#include "core/hnsw/hnsw_graph.h"
#include "pg/common/filter_columns.h"
#include "pg/common/module.h"
#include "pg/hnsw/hnsw_page.h"

// reloption bounds (pgvector's; m's range is kHnswMinM..kHnswMaxM).
constexpr int kHnswDefaultM = 16;
constexpr int kHnswDefaultEfConstruction = 64;
constexpr int kHnswMinEfConstruction = 4;
constexpr int kHnswMaxEfConstruction = 1000;
constexpr int kHnswDefaultEfSearch = 40;
constexpr int kHnswMinEfSearch = 1;
constexpr int kHnswMaxEfSearch = 1000;

// Build phases shown in pg_stat_progress_create_index.
constexpr int64 kHnswPhaseLoad = 2;
constexpr int64 kHnswPhaseGraph = 3;
constexpr int64 kHnswPhaseWrite = 4;

// Dimensions from which a build of vector rows may build its graph on binary16 copies
// (HnswBuildParams::binary16_graph).
constexpr int kHnswBinary16GraphMinDims = 256;

// Options of CREATE INDEX ... WITH (...).
struct HnswOptions {
	int32 vl_len_;
	int m;
	int ef_construction;
	int quantizer_offset; // string: "flat" or "sq8" (0: not given, flat)
};

// GUCs.
extern int hnsw_ef_search;
extern int hnsw_iterative_scan;
extern int hnsw_max_scan_tuples;
extern double hnsw_scan_mem_multiplier;
extern int hnsw_filter_strategy; // vector.hnsw_filter_strategy (HnswFilterStrategy)

enum HnswIterativeScanMode { kHnswIterativeOff = 0, kHnswIterativeRelaxed = 1, kHnswIterativeStrict = 2 };
// How a search with quals on filter columns runs (hnsw_exact_scan.cpp): chosen per search from
// the share of matching elements, a walk of the graph, or the exact filtered scan.
enum HnswFilterStrategy { kHnswFilterAuto = 0, kHnswFilterWalk = 1, kHnswFilterExact = 2 };

// What every part of the AM needs to know about an open index.
struct HnswIndexInfo {
	int dims; // dimensions (bits for bit, the dimension of the space for sparsevec)
	int m;
	int ef_construction;
	int max_level;
	vector_core::Metric metric;
	vector_core::ElementKind kind;       // of the stored rows
	vector_core::ElementKind value_kind; // of the column's values: kind, or what kSq8 rows encode
	int filter_columns;                  // key columns after the vector (pg/common/filter_columns.h)
	bool label_lists;                    // every element holds a label list (hnsw_label_graph.cpp)
	// Derived by HnswFinishIndexInfo:
	vector_core::ElementDistanceFn distance; // compares two rows
	Size fixed_bytes;                        // stored bytes of every row; 0 when they vary (sparse)
	Size max_bytes;                          // stored bytes of the largest row
	Size query_bytes;                        // bytes of a prepared query (HnswPrepareQuery)
	Size attr_length;                        // bytes of every element's attribute area
};

// ------------------------------------------------------------------ filter columns

// Filter columns (pg/common/filter_columns.h): every element stores its row's values in its
// attribute area. A scan evaluates its quals on every element it visits: an element that does
// not match is walked through as any other (its neighbors are expanded, it holds its place in
// the ef_search window) but never returned, and the rounds go on until the executor has its
// rows. So the walk is that of a one-column index whose rows the executor filters, minus a table
// row read and a qual per rejected element. (A walk that keeps ef_search *matching* elements in
// its window, non-matching ones as stepping stones only, finds more of the true neighbors per
// round but visits 1 / selectivity times more elements before its first row: measured on 20,000
// 3-d rows, LIMIT 10, it took twice the time of the executor-filtered one-column scan at
// selectivities 1/2 to 1/1000, so it is not what hnsw does.) Rows with identical vectors share
// an element only when their filter values are identical too.

// Whether an element (checked by HnswElementHeaderValid) of an index described by info passes the
// filter; an attribute area of another size than the index's never does.
inline bool HnswElementMatches(const IndexFilter *filter, const HnswIndexInfo &info, const HnswElementHeader *header)
{
	return header->attr_length == info.attr_length &&
	       IndexFilterMatch(filter, reinterpret_cast<const char *>(header) + header->attr_offset);
}

// ------------------------------------------------------------------ index options (hnsw_handler.cpp)

// m and ef_construction of an index (reloptions or defaults).
int HnswGetM(Relation index);
int HnswGetEfConstruction(Relation index);
// Whether the index was created WITH (quantizer = 'sq8').
bool HnswGetQuantizerSq8(Relation index);
// Metric of the index's operator class and the representation of its type (errors for a
// support function or type it does not know).
vector_core::Metric HnswMetricFromOpclass(Relation index, vector_core::ElementKind *kind);

// ------------------------------------------------------------------ metapage and index info (hnsw_metapage.cpp)

// Errors (feature not supported, with a hint to REINDEX) for an index of another format version.
[[noreturn]] void HnswVersionError(Relation index, uint32 version);
// Reads the metapage (checks magic and version).
void HnswReadMeta(Relation index, HnswMetaPageData *meta);
// Index info from the metapage.
void HnswGetIndexInfo(Relation index, HnswIndexInfo *info, HnswMetaPageData *meta);
// Initialises an element page.
void HnswInitPage(Page page, uint16 kind);
// Fills a metapage.
void HnswInitMetaPage(Page page, const HnswIndexInfo *info);
// Fills the derived fields of info from dims, metric and kind (errors on a pair it cannot
// compare, which only a corrupt metapage can produce).
void HnswFinishIndexInfo(HnswIndexInfo *info);

// ------------------------------------------------------------------ rows (hnsw_rows.cpp)

// Distance between a query and a stored row in the index's metric (smaller is closer).
inline float HnswDistance(const HnswIndexInfo *info, const void *a, const void *b)
{
	return info->distance(a, b, static_cast<size_t>(info->dims));
}
// Writes the datum's row into out (room for info->max_bytes), normalised for cosine, padded, and
// its stored size to *bytes. Returns false for a value that cannot be indexed (zero vector under
// cosine). Errors on a dimension mismatch or a value the index cannot hold.
bool HnswPrepareVector(const HnswIndexInfo *info, Datum value, char *out, Size *bytes);
// The values of a vector or halfvec datum as floats into out (dims of them), normalised for
// cosine; false for a zero vector under cosine. Errors on a dimension mismatch.
// *bounded (when given) is false when the operator cannot compute the value's cosine accurately
// (vector_core::Sq8CosineNormBounded).
bool HnswPrepareFloats(const HnswIndexInfo *info, Datum value, float *out, bool *bounded = nullptr);
// For sq8 rows: the value's floats (HnswPrepareFloats) into floats (dims of them) and the row
// they encode to into out, padded to info->fixed_bytes. Returns false as HnswPrepareFloats does.
bool HnswPrepareSq8Row(const HnswIndexInfo *info, Datum value, float *floats, char *out);
// Writes the form a scan compares rows with into out (room for info->query_bytes): the row
// itself, or for kSq8 rows the query's floats (sq8_rows.h: distances are then lower bounds).
// Returns false as HnswPrepareVector does.
bool HnswPrepareQuery(const HnswIndexInfo *info, Datum value, char *out);
// The row an insert stores (as HnswPrepareVector) and, for sq8 rows, the form it searches the
// graph with into search (room for info->query_bytes; unused, and may be null, for other rows):
// the row's floats, compared with the codes by estimate, more exact than its own codes.
bool HnswPrepareInsert(const HnswIndexInfo *info, Datum value, char *out, Size *bytes, char *search);
// Whether the distances a scan computes from a prepared query are lower bounds, to be re-ranked
// exactly from the table.
inline bool HnswDistancesAreBounds(const HnswIndexInfo *info)
{
	return info->kind == vector_core::ElementKind::kSq8;
}
// Stored bytes of the row at payload (an inline vector or the first chunk's words), given that
// available bytes are there; 0 when it cannot be a row of this index.
Size HnswRowBytes(const HnswIndexInfo *info, const char *payload, Size available);

// ------------------------------------------------------------------ element access (hnsw_reader.cpp,
// hnsw_buffer_hints.cpp, hnsw_visit_batch.cpp)

// One element read from a page: what scans, inserts and VACUUM need of it.
struct HnswElementRead {
	bool valid; // the item is a live element tuple
	uint8 level;
	uint8 flags;
	uint8 heaptid_count;     // heap TIDs of the element (0 only when marked deleted)
	ItemPointerData heaptid; // the first one (invalid when none)
	float distance;          // to the query, when asked for
	Size vector_bytes;       // stored bytes of the row, when it was copied
	bool match;              // passes the reader's filter (true without one)
};

// A reader of elements that keeps the last buffer pinned and a scratch for chunked vectors.
struct HnswReader {
	Relation index;
	HnswIndexInfo info;
	Buffer buffer; // pinned, unlocked (InvalidBuffer when none)
	char *scratch; // info.max_bytes, for rows stored in chunks
	// The scan's quals on the filter columns, evaluated on every element read (null: none; then
	// every element matches and nothing is evaluated).
	const IndexFilter *filter;
	uint64 rejected; // elements read that failed the filter (EXPLAIN ANALYZE VERBOSE's counts)
};

// Pins a block of the index's main fork, skipping the shared buffer lookup when a backend-local
// hint of where the page was last seen is still right (ReadRecentBuffer checks it).
Buffer HnswReadBufferHinted(Relation index, BlockNumber block);
// Starts loading, into the CPU cache, the buffer header and the line pointers of the buffer that
// last held block of index, if a hint names one (HnswVisitBatch does this for a whole batch before
// pinning any page, so that those cache misses overlap). Only a prefetch: nothing is read.
void HnswPrefetchBufferHint(Relation index, BlockNumber block, OffsetNumber offset);

void HnswReaderInit(HnswReader *reader, Relation index, const HnswIndexInfo *info);
void HnswReaderRelease(HnswReader *reader);

// The item at offset on page if it is a normal item of at least min_size bytes (setting *size);
// else null. Reads the page header and the line pointer, not the item: HnswVisitBatch finds the
// items of a batch this way and prefetches them before it reads any.
inline char *HnswNormalItem(Page page, OffsetNumber offset, Size min_size, Size *size)
{
	if (PageIsNew(page))
		return nullptr;
	if (offset < FirstOffsetNumber || offset > PageGetMaxOffsetNumber(page))
		return nullptr;
	ItemId item_id = PageGetItemId(page, offset);
	if (!ItemIdIsNormal(item_id) || ItemIdGetLength(item_id) < min_size)
		return nullptr;
	*size = ItemIdGetLength(item_id);
	return static_cast<char *>(PageGetItem(page, item_id));
}

// The item at offset on page if it is a normal item of kind and at least min_size bytes (setting
// *size); else null.
// (Only element pages hold items: the metapage, block 0, is never read through a TID, so the
// special space, a cache miss of its own, is not checked on this hot path.)
inline char *HnswItemOfKind(Page page, OffsetNumber offset, uint8 kind, Size min_size, Size *size)
{
	char *item = HnswNormalItem(page, offset, min_size, size);
	if (item == nullptr || static_cast<uint8>(item[0]) != kind)
		return nullptr;
	return item;
}

// Reads element tid; computes its distance to query when query is not null, copies its row
// to vector_out (room for info.max_bytes) when not null, and copies its neighbor list of layer to links (room for the
// layer's capacity) when links is not null, setting *link_count, and its heap TIDs to heaptids
// (room for kHnswMaxHeapTids) when not null (out->heaptid_count of them), all from one read.
// Returns false (and leaves the outputs alone) when tid is not a live element (freed, reused
// as another kind, out of range).
bool HnswReadElement(HnswReader *reader, ItemPointer tid, const void *query, int layer, HnswElementRead *out,
                     ItemPointerData *links, int *link_count, char *vector_out, ItemPointerData *heaptids = nullptr);

// Elements visited together by HnswVisitBatch.
constexpr int kHnswMaxBatch = 32;
struct HnswCandidateOnDisk;
// Reads elements tids[0..count) and their distances to query (0 when query is null) into out,
// dropping those that are not live elements; returns how many were written. Faster than
// HnswReadElement one by one: the memory accesses of the batch overlap.
// When lists is not null, the layer-0 list of every element closer than threshold (one that may
// be expanded later) is copied into lists' arena, so that expanding it reads no page again.
struct HnswSearchState;
int HnswVisitBatch(HnswReader *reader, const void *query, const ItemPointerData *tids, int count,
                   HnswCandidateOnDisk *out, float threshold, HnswSearchState *lists);

// ------------------------------------------------------------------ insertion (hnsw_insert.cpp)

// Inserts one prepared row (normalised for cosine) of bytes stored bytes with its heap TID into the
// on-disk graph, WAL-logged. Used by aminsert and by a build that outgrew maintenance_work_mem.
// attrs: the row's attribute area (info->attr_length bytes; null when 0). search: what the graph
// is searched with for the row's neighbors (HnswPrepareInsert; null: the row itself).
void HnswInsertVector(Relation index, const HnswIndexInfo *info, const char *vector, Size bytes, const char *attrs,
                      ItemPointer heaptid, const char *search = nullptr);

// Writes an element (and its neighbor tuple / chunks when needed) with the given lists (refs per
// layer, counts per layer) on a page with room, WAL-logged; returns its TID. When set_entry, the
// metapage's entry point becomes this element in the same WAL record (under the metapage lock
// the caller already holds: meta_buffer). The element gets tid_capacity heap TID slots.
void HnswWriteNewElement(Relation index, const HnswIndexInfo *info, int level, ItemPointer heaptid, const void *vector,
                         Size bytes, const char *attrs, ItemPointerData *const *lists, const int *counts,
                         ItemPointer result, Buffer meta_buffer, int tid_capacity = 1,
                         const ItemPointerData *label = nullptr, int label_count = 0);

// ------------------------------------------------------------------ neighbor lists, shared by
// insertion and VACUUM (hnsw_neighbor_lists.cpp)

// Outcome of HnswReplaceList.
enum class HnswListUpdate { kWritten, kChanged, kGone };
// Replaces element's list of layer by new_links (WAL-logged) if it still holds exactly old_links:
// kWritten; kChanged when someone changed it meanwhile (re-read and retry); kGone when the
// element is no longer there.
HnswListUpdate HnswReplaceList(Relation index, const HnswIndexInfo *info, ItemPointer element, int layer,
                               const ItemPointerData *old_links, int old_count, const ItemPointerData *new_links,
                               int new_count);

// The links of one layer of an element being inserted or repaired that its writer may give up
// to take over other targets (HnswLinkDisplaced), and those it took over.
// own[0..own_count): the links the writer chose itself, each to an element its search reached, so
// through links of others. Any other link in the element's list may have been added by a
// concurrent insert linking its own new element back (step 3 of hnsw_insert.cpp), and may be
// that element's only way in: it never gives way. given[0..given_count) (room for given_room):
// targets taken over this way, and whatever the caller put there first; they stay too.
struct HnswOwnLinks {
	const ItemPointerData *own = nullptr;
	int own_count = 0;
	ItemPointerData *given = nullptr;
	int given_count = 0;
	int given_room = 0;
};

// Before element takes target's place in a neighbor's list on layer, links element to target: the
// neighbor will reach target through element, so target keeps a way in, also if the server stops
// between the two writes (WAL-logged). When element's list is full, its last link in own and not
// in given gives way (see HnswOwnLinks); without links, or with no such link, nothing is written.
// Returns whether element links target afterwards.
struct HnswReader;
bool HnswLinkDisplaced(HnswReader *reader, ItemPointer element, int layer, ItemPointer target,
                       const HnswOwnLinks *links = nullptr);

// Adds a link from neighbor to element on layer, as an insert does for its new element (step 3 of
// hnsw_insert.cpp) and VACUUM for a repaired one. Returns whether the neighbor links element
// afterwards. A full list takes element only in place of a freed or marked link, or of the
// farthest link its heuristic drops, and only after element links that link's target
// (HnswLinkDisplaced with links, which records the target in links->given); with force, if the
// heuristic drops nothing, the farthest link gives way.
bool HnswAddBackLink(HnswReader *reader, ItemPointer neighbor, int layer, ItemPointer element,
                     const char *element_vector, bool force, HnswOwnLinks *links);

struct HnswCandidateOnDisk;
// Neighbor candidates of one layer with their rows, for the selection heuristic.
struct HnswSelectionInput {
	HnswCandidateOnDisk *candidates; // closest first
	char *vectors;                   // the rows, one after the other
	Size *offsets;                   // row i starts at vectors + offsets[i]
	int count;
};
// Reads the vectors of sorted candidates (closest first), dropping those that vanished.
void HnswLoadCandidateVectors(HnswReader *reader, HnswCandidateOnDisk *sorted, int count, HnswSelectionInput *input);
// Neighbor lists are kept full, for every metric: the heuristic's choice first, then the closest
// candidates it pruned (in the build, in a new element's own lists, and when a back-link rewrites
// a full list, where exactly one link, the farthest pruned one, gives way). The heuristic alone
// leaves short lists that keep a few long links: under inner product nothing but large-norm hubs
// (recall at ef_search 40 on non-normalised 3-d data 0.68, full lists 0.99); under L2 on GloVe
// rows that others reach through the short lists only were not found by their own vector at
// ef_search 40 (9 of 10,000 after a build, pgvector 1; full lists 2). The build's in-memory
// graph does the same (HnswBuildParams::keep_pruned).
// The heuristic over input with the index's rule (HnswPruneRuleFor: a little slack, which keeps
// dense regions joined to the rest), free places filled with the closest candidates it pruned;
// writes the selected TIDs (closest first) to out; returns how many.
int HnswSelectNeighborsOnDisk(const HnswIndexInfo *info, const HnswSelectionInput *input, int max_selected,
                              ItemPointerData *out);

// ------------------------------------------------------------------ search (hnsw_search.cpp)

// A search candidate: an element and its distance to the query.
struct HnswCandidateOnDisk {
	float distance;
	uint8 level;
	uint8 flags;
	uint8 heaptid_count; // heap TIDs of the element: more than one, and a scan reads them all
	bool match = true;   // passes the scan's filter (never returned, when not)
	ItemPointerData tid;
	ItemPointerData heaptid; // the first heap TID
	int32 list = -1;         // slot of its layer-0 list in the search's list arena, -1 if not copied
};

// A set of element TIDs (open addressing), palloc'd.
struct HnswVisitedSet {
	uint64 *keys;
	uint32 capacity; // power of two
	uint32 count;
};

void HnswVisitedInit(HnswVisitedSet *set, uint32 expected);
// Adds tid; returns false when it was already there.
bool HnswVisitedAdd(HnswVisitedSet *set, ItemPointer tid);
// Whether tid is there.
bool HnswVisitedContains(const HnswVisitedSet *set, ItemPointer tid);

// State of a search on layer 0 that can continue (iterative scans).
struct HnswSearchState {
	HnswVisitedSet visited;
	HnswCandidateOnDisk *results; // max-heap by distance, size <= ef
	int result_count;
	int result_capacity;
	HnswCandidateOnDisk *candidates; // min-heap of elements to expand
	int candidate_count;
	int candidate_capacity;
	HnswCandidateOnDisk *discarded; // min-heap of visited elements pushed out of results
	int discarded_count;
	int discarded_capacity;
	bool keep_discarded;
	int64 tuples;               // elements visited
	ItemPointerData *links;     // scratch: one neighbor list
	HnswCandidateOnDisk *batch; // scratch: the elements of one list
	// Copies of layer-0 lists made while visiting (see HnswVisitBatch): slot i holds
	// arena_counts[i] links at arena + i * arena_stride.
	ItemPointerData *arena;
	uint16 *arena_counts;
	int arena_count;
	int arena_capacity;
	int arena_stride;
	// The layer a scan walks (whose lists go to the arena): 0, or kHnswLabelLayer for a walk of
	// the label lists (hnsw_label_graph.cpp).
	int walk_layer;
};

void HnswSearchStateInit(HnswSearchState *state, const HnswIndexInfo *info, bool keep_discarded);

// Descent from the entry point to layer target_layer + 1, a beam search of beams.upper elements
// on each layer and of beams.last on the last (searches pass HnswSearchBeamsFor their metric,
// inserts and VACUUM kHnswDescentBeam on every layer; see there why not one), going down from the
// closest it found; returns the closest element of the last layer searched (the entry point when
// there is none above target_layer; false when the index is empty). As HnswGraph::Descend in
// memory.
bool HnswDescend(HnswReader *reader, const void *query, const HnswMetaPageData *meta, int target_layer,
                 vector_core::HnswSearchBeams beams, HnswCandidateOnDisk *closest);
// Beam search on layer from the entries (already visited-marked by the caller or not), with
// candidate list size ef; leaves the ef best in state->results. Entries are added to visited.
void HnswSearchLayer(HnswReader *reader, const void *query, HnswSearchState *state, int layer, int ef,
                     const HnswCandidateOnDisk *entries, int entry_count);
// Moves the results out, closest first, into out (room for state->result_count); returns count.
int HnswTakeResultsSorted(HnswSearchState *state, HnswCandidateOnDisk *out);
// Pops the nearest discarded element (the caller checks discarded_count > 0).
HnswCandidateOnDisk HnswPopDiscarded(HnswSearchState *state);

// ------------------------------------------------------------------ exact filtered scan (hnsw_exact_scan.cpp)

// The choice between a filtered walk and the exact filtered scan (HnswChooseExactScan), in units
// of one element page read in block order by the exact scan. Measured on GloVe (200,000 rows of
// 100 dimensions, 30,000 pages) and its 768-dimension lift (60,000 rows, 30,000 pages), cached,
// filters unrelated to the vectors at shares 1/10 to 1/5,000, ef_search 40: a walk visits about
// 2 ef_search / share elements (1,825 and 8,292 at 1/10 and 1/100 at 100 dimensions, 2,099 and
// 11,722 at 768), each taking 0.37 us (100 dimensions) to 0.85 us (768), where the exact scan
// takes 0.25 us per page plus 0.4-0.6 us per matching element it scores.
constexpr int kHnswExactScanSamplePages = 32;   // pages sampled for the share, 64 when they hold few elements
constexpr double kHnswWalkVisitsPerRow = 2.0;   // elements a walk visits per ef_search row, times 1 / share
constexpr double kHnswWalkVisitCost = 1.5;      // one element a walk visits
constexpr double kHnswExactScanMatchCost = 2.0; // one matching element the exact scan scores

// What HnswChooseExactScan estimated (for EXPLAIN and the tests' reasoning).
struct HnswExactScanEstimate {
	double share;       // of live elements passing the filter
	double elements;    // live elements in the index
	double walk_visits; // elements a walk would visit for ef_search matching ones
};
// Whether a search with reader->filter should run the exact filtered scan rather than walk,
// from a sample of element pages; false without a filter.
bool HnswChooseExactScan(HnswReader *reader, int ef_search, HnswExactScanEstimate *estimate);
// Reads every element page and scores each live element that passes reader->filter, that skip
// (when not null) does not hold, and that comes after *after (when not null) in the scan's order:
// closest first, equal distances by element TID, NaN distances last. Keeps the limit first of
// them (at least one), palloc'd into *out in that order, and returns how many: a pass that
// returns limit may have left more, which the next pass, after the last one returned, finds.
// Adds the elements read and those the filter rejected to *read and *rejected.
int HnswExactScan(HnswReader *reader, const void *query, const HnswVisitedSet *skip, const HnswCandidateOnDisk *after,
                  int limit, HnswCandidateOnDisk **out, uint64 *read, uint64 *rejected);

// ------------------------------------------------------------------ AM callbacks

extern "C" {
IndexBuildResult *hnswbuild(Relation heap, Relation index, IndexInfo *index_info);
void hnswbuildempty(Relation index);
bool hnswinsert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid, Relation heap,
                IndexUniqueCheck check_unique,
#if PG_VERSION_NUM >= 140000
                bool index_unchanged,
#endif
                IndexInfo *index_info);
IndexBulkDeleteResult *hnswbulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
                                      IndexBulkDeleteCallback callback, void *callback_state);
IndexBulkDeleteResult *hnswvacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats);
IndexScanDesc hnswbeginscan(Relation index, int nkeys, int norderbys);
void hnswrescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys);
bool hnswgettuple(IndexScanDesc scan, ScanDirection dir);
void hnswendscan(IndexScanDesc scan);
}
