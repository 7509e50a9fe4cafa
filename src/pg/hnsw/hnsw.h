// The hnsw access method: page format, shared types and the functions its files share.
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
// core/distance/element_distance.h): floats for vector, binary16 for halfvec, bytes of bits for bit, and
// (nnz, indices, values) for sparsevec, padded to a multiple of 4 bytes. The metapage records
// the representation; indexes of version 1 without it hold floats. The size of a sparse row
// varies, so each element of a sparsevec index picks its own layout.
//
// A neighbor list of layer l is a uint16 count followed by capacity(l) item pointers
// (capacity 2m on layer 0, m above); layers 0..level follow each other. Links are hints: a
// link may point at a slot that has since been freed or reused, and readers check what they
// find. Elements never move: their TID is their identity.
//
// Every change after the build goes through GenericXLog; the build writes pages without WAL
// and logs them all at the end with log_newpage_range.
#pragma once

#include "pg/common/pg_headers.h"

#include "core/distance/element_distance.h"
#include "core/hnsw/hnsw_graph.h"
#include "pg/common/module.h"

constexpr uint32 kHnswMagic = 0x484E5357; // "HNSW"
constexpr uint32 kHnswVersion = 1;
constexpr BlockNumber kHnswMetaBlock = 0;
constexpr uint16 kHnswPageId = 0xFF91;

// reloption bounds (pgvector's).
constexpr int kHnswDefaultM = 16;
constexpr int kHnswMinM = 2;
constexpr int kHnswMaxM = 100;
constexpr int kHnswDefaultEfConstruction = 64;
constexpr int kHnswMinEfConstruction = 4;
constexpr int kHnswMaxEfConstruction = 1000;
constexpr int kHnswDefaultEfSearch = 40;
constexpr int kHnswMinEfSearch = 1;
constexpr int kHnswMaxEfSearch = 1000;
constexpr int kHnswMaxDim = 16000;
constexpr int kHnswMaxBitDim = 64000;

// Build phases shown in pg_stat_progress_create_index.
constexpr int64 kHnswPhaseLoad = 2;
constexpr int64 kHnswPhaseGraph = 3;
constexpr int64 kHnswPhaseWrite = 4;

// Item kinds (first byte of every item on an element page).
constexpr uint8 kHnswElementTuple = 1;
constexpr uint8 kHnswNeighborTuple = 2;
constexpr uint8 kHnswChunkTuple = 3;

// Element flags.
constexpr uint8 kHnswElementDeleted = 0x01;     // heap tuple dead; being removed by VACUUM
constexpr uint8 kHnswElementListsInline = 0x02; // neighbor lists follow the header
constexpr uint8 kHnswElementVectorInline = 0x04; // vector follows the lists (or the header)

// Special space of every page.
struct HnswPageOpaqueData {
	uint16 flags;
	uint16 page_id; // kHnswPageId
	uint32 unused;
};
using HnswPageOpaque = HnswPageOpaqueData *;

constexpr uint16 kHnswPageMeta = 1;
constexpr uint16 kHnswPageElements = 2;

#define HnswPageGetOpaque(page) (reinterpret_cast<HnswPageOpaque>(PageGetSpecialPointer(page)))

// Distance of the index (from its operator class).
enum class HnswMetric : uint8 {
	kL2 = 1,           // squared Euclidean
	kInnerProduct = 2, // negative dot product
	kCosine = 3,       // negative dot product of normalised vectors
	kL1 = 4,           // taxicab
	kHamming = 5,      // differing bits (bit)
	kJaccard = 6,      // Jaccard distance (bit)
};

// Most non-zero elements of a sparse vector (sparsevec's own limit).
constexpr int kHnswMaxSparseNnz = 16000;

// The metapage.
struct HnswMetaPageData {
	uint32 magic;
	uint32 version;
	uint32 dims;
	uint16 m;
	uint16 ef_construction;
	uint8 metric; // HnswMetric
	uint8 max_level; // highest level an element may get (fits its lists in a page)
	int16 entry_level; // -1 when the index is empty
	ItemPointerData entry; // entry point element (invalid when empty)
	uint8 element_kind;    // vector_core::ElementKind of the rows (0, float, in older indexes)
	uint8 unused;
	BlockNumber insert_page; // hint: a page with room for new elements
	uint64 element_count;    // elements written (approximate after VACUUM)
};
using HnswMetaPage = HnswMetaPageData *;

#define HnswPageGetMeta(page) (reinterpret_cast<HnswMetaPage>(PageGetContents(page)))

// Header of an element tuple.
struct HnswElementHeader {
	uint8 kind;  // kHnswElementTuple
	uint8 level;
	uint8 flags;
	uint8 unused;
	ItemPointerData heaptid;
	ItemPointerData lists;  // neighbor tuple, when the lists are not inline
	ItemPointerData vector; // first chunk, when the vector is not inline
	uint16 unused2;
};
static_assert(sizeof(HnswElementHeader) == 24, "element header is 24 bytes");

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
static_assert(sizeof(HnswChunkHeader) == 16, "chunk header is 16 bytes");

// Options of CREATE INDEX ... WITH (...).
struct HnswOptions {
	int32 vl_len_;
	int m;
	int ef_construction;
};

// GUCs.
extern int hnsw_ef_search;
extern int hnsw_iterative_scan;
extern int hnsw_max_scan_tuples;
extern double hnsw_scan_mem_multiplier;

enum HnswIterativeScanMode { kHnswIterativeOff = 0, kHnswIterativeRelaxed = 1, kHnswIterativeStrict = 2 };

// What every part of the AM needs to know about an open index.
struct HnswIndexInfo {
	int dims; // dimensions (bits for bit, the dimension of the space for sparsevec)
	int m;
	int ef_construction;
	int max_level;
	HnswMetric metric;
	vector_core::ElementKind kind;
	// Derived by HnswFinishIndexInfo:
	vector_core::ElementDistanceFn distance; // compares two rows
	Size fixed_bytes;                        // stored bytes of every row; 0 when they vary (sparse)
	Size max_bytes;                          // stored bytes of the largest row
};

// ------------------------------------------------------------------ layout and tuples (hnsw_page_layout.cpp)

// Capacity of the neighbor list of layer.
inline int HnswLayerCapacity(int m, int layer)
{
	return layer == 0 ? 2 * m : m;
}

// Bytes of the neighbor lists of an element of level.
Size HnswListsSize(int m, int level);
// Byte offset of layer's list within the lists.
Size HnswLayerOffset(int m, int layer);
// Largest item that fits an element page.
Size HnswMaxItemSize(void);
// Highest level whose lists fit a page for this m (at most kHnswGraphMaxLevel).
int HnswMaxLevelForM(int m);

// How an element of some level is stored (see the format above).
enum class HnswLayout : uint8 {
	kInline,       // one element tuple: header, lists, vector
	kListsApart,   // element tuple with the vector, neighbor tuple with the lists
	kVectorChunks, // element tuple with the lists, the vector in chunk tuples
};
// Layout of an element of level whose row takes bytes (stored, padded) bytes.
HnswLayout HnswChooseLayout(const HnswIndexInfo *info, int level, Size bytes);
// 4-byte words one chunk tuple holds at most.
int HnswWordsPerChunk(void);
// Chunks a row of bytes (padded) takes.
int HnswChunkCount(Size bytes);

// Tuple forming. lists[l] holds counts[l] refs of layer l (lists null: all empty).
Size HnswElementTupleSize(const HnswIndexInfo *info, int level, HnswLayout layout, Size bytes);
void HnswFormElementTuple(char *out, const HnswIndexInfo *info, int level, HnswLayout layout, ItemPointer heaptid,
                          const void *vector, Size bytes, ItemPointerData *const *lists, const int *counts,
                          ItemPointer lists_tid, ItemPointer vector_tid);
Size HnswNeighborTupleSize(const HnswIndexInfo *info, int level);
void HnswFormNeighborTuple(char *out, const HnswIndexInfo *info, int level, ItemPointerData *const *lists,
                           const int *counts);
Size HnswChunkTupleSize(int words);
void HnswFormChunkTuple(char *out, const void *words, int count, ItemPointer next);
// Layer's list (uint16 count, then capacity refs) inside an element tuple with inline lists or
// a neighbor tuple.
char *HnswListInItem(char *item, const HnswIndexInfo *info, int layer);

// ------------------------------------------------------------------ index options (hnsw_handler.cpp)

// m and ef_construction of an index (reloptions or defaults).
int HnswGetM(Relation index);
int HnswGetEfConstruction(Relation index);
// Metric of the index's operator class and the representation of its type (errors for a
// support function or type it does not know).
HnswMetric HnswMetricFromOpclass(Relation index, vector_core::ElementKind *kind);

// ------------------------------------------------------------------ metapage and index info (hnsw_metapage.cpp)

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
	ItemPointerData heaptid;
	float distance;    // to the query, when asked for
	Size vector_bytes; // stored bytes of the row, when it was copied
};

// A reader of elements that keeps the last buffer pinned and a scratch for chunked vectors.
struct HnswReader {
	Relation index;
	HnswIndexInfo info;
	Buffer buffer; // pinned, unlocked (InvalidBuffer when none)
	char *scratch; // info.max_bytes, for rows stored in chunks
};

// Pins a block of the index's main fork, skipping the shared buffer lookup when a backend-local
// hint of where the page was last seen is still right (ReadRecentBuffer checks it).
Buffer HnswReadBufferHinted(Relation index, BlockNumber block);

void HnswReaderInit(HnswReader *reader, Relation index, const HnswIndexInfo *info);
void HnswReaderRelease(HnswReader *reader);

// The item at tid on page if it is a normal item of kind and at least min_size bytes; else null.
// (Only element pages hold items: the metapage, block 0, is never read through a TID, so the
// special space, a cache miss of its own, is not checked on this hot path.)
inline char *HnswItemOfKind(Page page, OffsetNumber offset, uint8 kind, Size min_size, Size *size)
{
	if (PageIsNew(page))
		return nullptr;
	if (offset < FirstOffsetNumber || offset > PageGetMaxOffsetNumber(page))
		return nullptr;
	ItemId item_id = PageGetItemId(page, offset);
	if (!ItemIdIsNormal(item_id) || ItemIdGetLength(item_id) < min_size)
		return nullptr;
	char *item = static_cast<char *>(PageGetItem(page, item_id));
	if (static_cast<uint8>(item[0]) != kind)
		return nullptr;
	*size = ItemIdGetLength(item_id);
	return item;
}

// Reads element tid; computes its distance to query when query is not null, copies its row
// to vector_out (room for info.max_bytes) when not null, and copies its neighbor list of layer to links (room for the
// layer's capacity) when links is not null, setting *link_count. Returns false (and leaves the
// outputs alone) when tid is not a live element (freed, reused as another kind, out of range).
bool HnswReadElement(HnswReader *reader, ItemPointer tid, const void *query, int layer, HnswElementRead *out,
                     ItemPointerData *links, int *link_count, char *vector_out);

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
void HnswInsertVector(Relation index, const HnswIndexInfo *info, const char *vector, Size bytes, ItemPointer heaptid);

// Writes an element (and its neighbor tuple / chunks when needed) with the given lists (refs per
// layer, counts per layer) on a page with room, WAL-logged; returns its TID. When set_entry, the
// metapage's entry point becomes this element in the same WAL record (under the metapage lock
// the caller already holds: meta_buffer).
void HnswWriteNewElement(Relation index, const HnswIndexInfo *info, int level, ItemPointer heaptid,
                         const void *vector, Size bytes, ItemPointerData *const *lists, const int *counts,
                         ItemPointer result, Buffer meta_buffer);

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

// After element took target's place in a neighbor's list on layer, links element to target when
// element's list has room: the neighbor now reaches target through element, so target keeps a
// way in (WAL-logged; nothing when the list is full or already links it).
struct HnswReader;
void HnswLinkDisplaced(HnswReader *reader, ItemPointer element, int layer, ItemPointer target);

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
// The heuristic over input; writes the selected TIDs (closest first) to out; returns how many.
int HnswSelectNeighborsOnDisk(const HnswIndexInfo *info, const HnswSelectionInput *input, int max_selected,
                              ItemPointerData *out, bool keep_pruned);

// ------------------------------------------------------------------ search (hnsw_search.cpp)

// A search candidate: an element and its distance to the query.
struct HnswCandidateOnDisk {
	float distance;
	uint8 level;
	uint8 flags;
	ItemPointerData tid;
	ItemPointerData heaptid;
	int32 list = -1; // slot of its layer-0 list in the search's list arena, -1 if not copied
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
	int64 tuples; // elements visited
	ItemPointerData *links; // scratch: one neighbor list
	HnswCandidateOnDisk *batch; // scratch: the elements of one list
	// Copies of layer-0 lists made while visiting (see HnswVisitBatch): slot i holds
	// arena_counts[i] links at arena + i * arena_stride.
	ItemPointerData *arena;
	uint16 *arena_counts;
	int arena_count;
	int arena_capacity;
	int arena_stride;
};

void HnswSearchStateInit(HnswSearchState *state, const HnswIndexInfo *info, bool keep_discarded);

// Greedy descent from the entry point to layer target_layer + 1; returns the closest element found
// (false when the index is empty).
bool HnswGreedyDescend(HnswReader *reader, const void *query, const HnswMetaPageData *meta, int target_layer,
                       HnswCandidateOnDisk *closest);
// Beam search on layer from the entries (already visited-marked by the caller or not), with
// candidate list size ef; leaves the ef best in state->results. Entries are added to visited.
void HnswSearchLayer(HnswReader *reader, const void *query, HnswSearchState *state, int layer, int ef,
                     const HnswCandidateOnDisk *entries, int entry_count);
// Moves the results out, closest first, into out (room for state->result_count); returns count.
int HnswTakeResultsSorted(HnswSearchState *state, HnswCandidateOnDisk *out);
// Pops the nearest discarded element (the caller checks discarded_count > 0).
HnswCandidateOnDisk HnswPopDiscarded(HnswSearchState *state);

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
