// Building an hnsw index.
//
// Phases (shown in pg_stat_progress_create_index):
//   1. loading tuples: the heap is scanned once; each vector (normalised for cosine) is appended
//      to the in-memory builder of src/core and its heap TID to a palloc'd array. A row whose
//      stored bytes equal those of a row loaded before joins that row's group instead (up to
//      kHnswBuildGroupTids rows, found through a hash table of the rows; with filter columns,
//      the values of those must be identical too, see pg/common/filter_columns.h): a group becomes one
//      element with all its heap TIDs (see core/hnsw/hnsw_page_format.h).
//   2. building graph: the core inserts the vectors with vector.build_threads threads, in chunks
//      of rows between which the backend checks for interrupts and reports progress; then it
//      repairs reachability (every element reachable from the entry point) and sorts the lists.
//   3. writing index pages: elements are laid out breadth-first from the entry point (so that
//      neighbors tend to share pages), their TIDs assigned by a dry run of the page filler, then
//      written through the buffer manager without WAL; at the end the whole relation is logged
//      with log_newpage_range.
// When the vectors and graph would outgrow maintenance_work_mem, the rows loaded so far are built
// and written as above, a NOTICE says so, and the rest of the heap is inserted one by one through
// the on-disk insert path (slower, WAL-logged, same result).
//
// The core builder is C++ and owns its memory; it is reached only through the no-throw functions
// of core/hnsw/hnsw_builder.h and is destroyed by a memory-context callback if an ERROR (or a
// cancel) unwinds the build.
#include "pg/common/pg_headers.h"

#include <cmath>
#include <cstring>

#include "core/distance/float_distance.h"
#include "core/distance/half.h"
#include "core/distance/sq8_rows.h"
#include "core/hnsw/hnsw_builder.h"
#include "pg/common/fork_extension.h"
#include "pg/hnsw/hnsw.h"
#include "pg/hnsw/hnsw_label_graph.h"
#include "pg/types/vector/vector.h"

using vector_core::HnswBuilder;

namespace
{

// State of one build.
struct BuildState {
	Relation heap;
	Relation index;
	HnswIndexInfo info;
	HnswBuilder *builder;      // null once written or destroyed
	ItemPointerData *heaptids; // the first heap TID of each row
	uint8 *group_sizes;        // heap TIDs of each row (1 + the identical rows that joined it)
	char *attrs;               // the attribute area of each row (info.attr_length bytes each)
	char *row_attrs;           // scratch: the attribute area of the row being loaded
	Size heaptid_capacity;
	// Identical rows: open addressing, entry = (hash << 32) | (row + 1), 0 for an empty slot; one
	// entry (the latest row) per distinct value.
	uint64 *groups;
	Size group_slots; // power of two
	Size group_used;
	// Rows that joined a group: their group's row and heap TID, in heap order.
	uint32 *extra_rows;
	ItemPointerData *extra_tids;
	Size extra_count;
	Size extra_capacity;
	Size rows;
	Size memory_limit;
	bool on_disk; // the graph was written; remaining rows go through HnswInsertVector
	double indexed;
	char *vector; // scratch for one row (info.max_bytes)
	// halfvec: the graph is built over float rows (normalised for cosine), which the float
	// kernels compare faster than binary16 ones at few dimensions (from 256, over checked binary16
	// copies of those floats, as for vector rows), and the pages get the rows kept here.
	bool float_graph;
	bool binary16_asked; // the graph may be built on binary16 copies of the rows
	float *floats;       // scratch: one float row
	char *search;        // sq8: the search form of floats for on-disk inserts (HnswPrepareInsert)
	char *page_rows;     // rows * info.fixed_bytes
	Size page_rows_capacity;
	MemoryContext tuple_context;
	MemoryContextCallback cleanup;
};

// Destroys the C++ builder when the build's memory context goes away (also after an ERROR).
void DestroyBuilder(void *arg)
{
	BuildState *state = static_cast<BuildState *>(arg);
	if (state->builder != nullptr) {
		vector_core::HnswBuilderDestroy(state->builder);
		state->builder = nullptr;
	}
}

// Whether a failed builder call should be repeated: it stopped for a pending interrupt, which
// is now processed (a cancel or shutdown errors out here; others, such as a barrier, do not).
bool RetryAfterInterrupt(const vector_core::Status &status)
{
	if (status.code() != vector_core::Status::Code::kCancelled)
		return false;
	CHECK_FOR_INTERRUPTS();
	return true;
}

// Errors with the builder's message.
void BuilderFailed(const vector_core::Status &status, const char *what)
{
	const bool out_of_memory = status.code() == vector_core::Status::Code::kOutOfMemory;
	ereport(ERROR, (errcode(out_of_memory ? ERRCODE_OUT_OF_MEMORY : ERRCODE_INTERNAL_ERROR),
	                errmsg("hnsw build failed while %s: %s", what, status.message())));
}

// Places items on consecutive pages starting at a block; in a dry run only assigns TIDs, else
// also writes each full page through the buffer manager (no WAL: the caller logs the relation),
// into the pages the dry run counted, added to the fork beforehand (ExtendForkBy).
struct PageFiller {
	Relation index;
	bool write;
	BlockNumber block; // page being filled
	BlockNumber end;   // (writing) the end of the pages added for it
	char *page;
	bool dirty;
};

void FillerInit(PageFiller *filler, Relation index, BlockNumber first, bool write)
{
	filler->index = index;
	filler->write = write;
	filler->block = first;
	filler->end = first;
	filler->page = static_cast<char *>(palloc(BLCKSZ));
	HnswInitPage(filler->page, kHnswPageElements);
	filler->dirty = false;
}

// Extends the fork by the pages a dry run filled, for the writing pass (which must start where the
// dry run did, at the fork's end).
void FillerReserve(PageFiller *filler, BlockNumber first, BlockNumber dry_run_end)
{
	if (ExtendForkBy(filler->index, MAIN_FORKNUM, dry_run_end - first) != first)
		elog(ERROR, "hnsw build: the pages do not start at block %u", first);
	filler->end = dry_run_end;
}

// Writes the current page at its block (one of those FillerReserve added).
void FillerFlush(PageFiller *filler)
{
	if (!filler->dirty)
		return;
	if (filler->write) {
		if (filler->block >= filler->end)
			elog(ERROR, "hnsw build: page layout differs between passes");
		Buffer buffer = NewPageBuffer(filler->index, MAIN_FORKNUM, filler->block);
		memcpy(BufferGetPage(buffer), filler->page, BLCKSZ);
		MarkBufferDirty(buffer);
		UnlockReleaseBuffer(buffer);
	}
	filler->block++;
	HnswInitPage(filler->page, kHnswPageElements);
	filler->dirty = false;
}

// Adds an item (bytes may be null in a dry run); returns its TID.
ItemPointerData FillerAdd(PageFiller *filler, const char *bytes, Size size, char *zeros)
{
	if (PageGetFreeSpace(filler->page) < MAXALIGN(size))
		FillerFlush(filler);
	OffsetNumber offset = PageAddItem(filler->page, const_cast<char *>(bytes != nullptr ? bytes : zeros), size,
	                                  InvalidOffsetNumber, false, false);
	if (offset == InvalidOffsetNumber)
		elog(ERROR, "hnsw build: item of %zu bytes does not fit an empty page", size);
	filler->dirty = true;
	ItemPointerData tid;
	ItemPointerSet(&tid, filler->block, offset);
	return tid;
}

// The capacity of the per-row arrays (heap TIDs, group sizes, attribute areas) once they hold
// rows, and the bytes of the page rows (halfvec) once they hold rows: each doubles when full.
Size RowSlotsFor(const BuildState *state, Size rows)
{
	return rows > state->heaptid_capacity ? state->heaptid_capacity * 2 : state->heaptid_capacity;
}
Size PageRowBytesFor(const BuildState *state, Size rows)
{
	const Size row_bytes = state->info.fixed_bytes;
	if (rows * row_bytes <= state->page_rows_capacity)
		return state->page_rows_capacity;
	return Max(state->page_rows_capacity * 2, static_cast<Size>(1024) * row_bytes);
}

// What the build holds for its rows besides the builder, once it holds rows of them (the arrays
// as they will have grown for that many): the page rows (halfvec), the group table, and per row
// its first heap TID, group size and attribute area, and the extra TIDs of groups.
Size OutsideBuilderBytes(const BuildState *state, Size rows)
{
	const Size page_rows = state->float_graph ? PageRowBytesFor(state, rows) : state->page_rows_capacity;
	const Size slots = RowSlotsFor(state, rows);
	return page_rows + sizeof(uint64) * state->group_slots +
	       (sizeof(ItemPointerData) + sizeof(uint8) + state->info.attr_length) * slots +
	       (sizeof(uint32) + sizeof(ItemPointerData)) * state->extra_capacity;
}

// Lays the graph out on pages 1.. and writes them; fills the metapage fields. labels: the label
// lists (when state->info.label_lists), whose seeds become element TIDs here.
void WriteGraph(BuildState *state, HnswMetaPageData *meta, HnswLabelBuild *labels)
{
	const vector_core::HnswGraph *graph = vector_core::HnswBuilderGraph(state->builder);
	const HnswIndexInfo *info = &state->info;
	const Size n = graph->size();
	uint32 *order = static_cast<uint32 *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(uint32) * Max(n, 1)));
	vector_core::Status status;
	while (!(status = vector_core::HnswBuilderLayoutOrder(state->builder, order)).ok()) {
		if (!RetryAfterInterrupt(status))
			BuilderFailed(status, "laying out pages");
	}

	ItemPointerData *element_tids = static_cast<ItemPointerData *>(
	    MemoryContextAllocHuge(CurrentMemoryContext, sizeof(ItemPointerData) * Max(n, 1)));
	ItemPointerData *apart_tids = static_cast<ItemPointerData *>(
	    MemoryContextAllocHuge(CurrentMemoryContext, sizeof(ItemPointerData) * Max(n, 1)));
	const int per_chunk = HnswWordsPerChunk();

	char *zeros = static_cast<char *>(palloc0(BLCKSZ));
	char *item = static_cast<char *>(palloc(BLCKSZ));
	// Every chunk's TID, from the dry run, for the elements whose rows are chunked (each chunk
	// points at the next): node's chunks start at chunk_tids[chunk_first[node]]. Allocated when
	// the first chunked element shows up.
	ItemPointerData *chunk_tids = nullptr;
	Size chunk_count = 0;
	Size chunk_capacity = 0;
	Size *chunk_first = nullptr;
	ItemPointerData *lists[vector_core::kHnswGraphMaxLevel + 1];
	int counts[vector_core::kHnswGraphMaxLevel + 1];
	for (int l = 0; l <= vector_core::kHnswGraphMaxLevel; l++)
		lists[l] = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * 2 * info->m));
	const int label_capacity = HnswLayerCapacity(info->m, kHnswLabelLayer);
	ItemPointerData *label_list = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * label_capacity));
	int label_count = 0;

	// Every row's heap TIDs: the first, then those of the rows that joined it (extra_start[node]
	// .. extra_start[node + 1] in extra_sorted).
	Size *extra_start = nullptr;
	ItemPointerData *extra_sorted = nullptr;
	if (state->extra_count > 0) {
		extra_start =
		    static_cast<Size *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(Size) * (state->rows + 1)));
		Size sum = 0;
		for (Size r = 0; r < state->rows; r++) {
			extra_start[r] = sum;
			sum += state->group_sizes[r] - 1;
		}
		extra_start[state->rows] = sum;
		extra_sorted = static_cast<ItemPointerData *>(
		    MemoryContextAllocHuge(CurrentMemoryContext, sizeof(ItemPointerData) * Max(sum, 1)));
		Size *fill =
		    static_cast<Size *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(Size) * state->rows));
		memcpy(fill, extra_start, sizeof(Size) * state->rows);
		for (Size e = 0; e < state->extra_count; e++)
			extra_sorted[fill[state->extra_rows[e]]++] = state->extra_tids[e];
		pfree(fill);
	}
	ItemPointerData group_tids[vector_core::kHnswBuildGroupTids];

	BlockNumber dry_run_end = 1;
	for (int pass = 0; pass < 2; pass++) {
		const bool write = pass == 1;
		PageFiller filler;
		FillerInit(&filler, state->index, 1, write);
		if (write)
			FillerReserve(&filler, 1, dry_run_end);
		for (Size i = 0; i < n; i++) {
			const uint32 node = order[i];
			if (node == vector_core::kHnswNoNode)
				break;
			const int level = graph->Level(node);
			// (the rows as appended: the graph's may be binary16 copies)
			size_t row_bytes = 0;
			const char *vector = state->float_graph
			                         ? state->page_rows + static_cast<Size>(node) * info->fixed_bytes
			                         : static_cast<const char *>(
			                               vector_core::HnswBuilderRow(state->builder, node, &row_bytes));
			const Size bytes =
			    info->fixed_bytes != 0 ? info->fixed_bytes : HnswRowBytes(info, vector, info->max_bytes);
			const int tid_count = state->group_sizes[node];
			const HnswLayout layout = HnswChooseLayout(info, level, bytes, tid_count);
			if (write) {
				group_tids[0] = state->heaptids[node];
				for (int t = 1; t < tid_count; t++)
					group_tids[t] = extra_sorted[extra_start[node] + t - 1];
				for (int l = 0; l <= level; l++) {
					auto neighbors = graph->Neighbors(node, l);
					counts[l] = static_cast<int>(neighbors.size());
					for (size_t j = 0; j < neighbors.size(); j++)
						lists[l][j] = element_tids[neighbors[j]];
				}
				label_count = 0;
				if (info->label_lists) {
					const uint32 *ids = labels->lists + static_cast<Size>(node) * labels->stride;
					label_count =
					    static_cast<int>(Min(ids[0], static_cast<uint32>(label_capacity)));
					for (int j = 0; j < label_count; j++)
						label_list[j] = element_tids[ids[1 + j]];
				}
			}
			// The element, then its neighbor tuple or its chunks.
			const Size element_size = HnswElementTupleSize(info, level, layout, bytes, tid_count);
			if (write) {
				HnswFormElementTuple(
				    item, info, level, layout, group_tids, tid_count, tid_count, vector, bytes,
				    state->attrs + static_cast<Size>(node) * info->attr_length, lists, counts,
				    &apart_tids[node], &apart_tids[node], label_list, label_count);
				ItemPointerData tid = FillerAdd(&filler, item, element_size, zeros);
				if (!ItemPointerEquals(&tid, &element_tids[node]))
					elog(ERROR, "hnsw build: page layout differs between passes");
			} else {
				element_tids[node] = FillerAdd(&filler, nullptr, element_size, zeros);
			}
			if (layout == HnswLayout::kListsApart) {
				const Size size = HnswNeighborTupleSize(info, level);
				if (write)
					HnswFormNeighborTuple(item, info, level, lists, counts, label_list,
					                      label_count);
				ItemPointerData tid = FillerAdd(&filler, write ? item : nullptr, size, zeros);
				if (!write)
					apart_tids[node] = tid;
			} else if (layout == HnswLayout::kVectorChunks) {
				// Chunks in order; each points at the next, so the dry run records where they land.
				const int chunks = HnswChunkCount(bytes);
				const int words = static_cast<int>(bytes / 4);
				if (!write) {
					if (chunk_first == nullptr)
						chunk_first = static_cast<Size *>(MemoryContextAllocHuge(
						    CurrentMemoryContext, sizeof(Size) * Max(n, 1)));
					if (chunk_count + chunks > chunk_capacity) {
						chunk_capacity = Max(chunk_capacity * 2, chunk_count + chunks + 1024);
						chunk_tids = static_cast<ItemPointerData *>(
						    chunk_tids == nullptr
						        ? MemoryContextAllocHuge(CurrentMemoryContext,
						                                 sizeof(ItemPointerData) *
						                                     chunk_capacity)
						        : repalloc_huge(chunk_tids,
						                        sizeof(ItemPointerData) * chunk_capacity));
					}
					chunk_first[node] = chunk_count;
					chunk_count += chunks;
				}
				ItemPointerData *tids = chunk_tids + chunk_first[node];
				for (int c = 0; c < chunks; c++) {
					const int count = Min(per_chunk, words - c * per_chunk);
					const Size size = HnswChunkTupleSize(count);
					if (write) {
						HnswFormChunkTuple(item, vector + 4 * static_cast<Size>(c) * per_chunk,
						                   count, c + 1 < chunks ? &tids[c + 1] : nullptr);
					}
					ItemPointerData tid = FillerAdd(&filler, write ? item : nullptr, size, zeros);
					if (!write) {
						tids[c] = tid;
						if (c == 0)
							apart_tids[node] = tid;
					}
				}
			}
			if (write && (i & 1023) == 0) {
				pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, static_cast<int64>(i));
				CHECK_FOR_INTERRUPTS();
			}
		}
		FillerFlush(&filler);
		if (!write)
			dry_run_end = filler.block;
		else if (filler.block != filler.end)
			elog(ERROR, "hnsw build: page layout differs between passes");
		if (write)
			meta->insert_page = filler.block - 1;
	}

	const uint32 entry = graph->EntryPoint();
	if (entry != vector_core::kHnswNoNode) {
		meta->entry = element_tids[entry];
		meta->entry_level = static_cast<int16>(graph->MaxLevel());
	}
	meta->element_count = n;
	if (info->label_lists) {
		meta->version = kHnswVersionLabelLists;
		meta->label_lists = 1;
		for (int l = 0; l < labels->count; l++) {
			HnswLabelEntry &entry = labels->entries[l];
			for (int s = 0; s < entry.seed_count; s++)
				entry.seeds[s] = element_tids[labels->seeds[l * vector_core::kHnswLabelSeeds + s]];
		}
	}
}

// Builds the graph of the loaded rows in memory and writes it; frees the builder. last: every row
// of the table was loaded (label graphs are made only then: the on-disk inserts that follow a
// build that outgrew memory do not link them).
void BuildAndWrite(BuildState *state, bool last)
{
	const Size rows = state->rows;
	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, kHnswPhaseGraph);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL, static_cast<int64>(rows));
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, 0);
	// halfvec: the pages get the page rows, so the widened floats go once the graph has copies.
	vector_core::Status status = vector_core::HnswBuilderStartGraph(
	    state->builder, OutsideBuilderBytes(state, state->rows), state->float_graph);
	if (!status.ok())
		BuilderFailed(status, "allocating the graph");
	if (state->binary16_asked) {
		const vector_core::HnswBinary16Report *copies = vector_core::HnswBuilderBinary16(state->builder);
		elog(DEBUG1,
		     "hnsw build: graph over %s (scale %g, %s, largest copy error %g, near-neighbor distance %g)",
		     copies->made      ? "binary16 copies of the rows"
		     : copies->no_room ? "the float rows (no room for binary16 copies in maintenance_work_mem)"
		                       : "the float rows",
		     copies->scale, copies->centered ? "centered" : "not centered", copies->max_error,
		     copies->near_distance);
	}
	// Chunks of about a second or less of work between interrupt checks.
	const Size chunk = Max(static_cast<Size>(256), static_cast<Size>(2000 * state->info.m / 16));
	for (Size begin = 0; begin < rows; begin += chunk) {
		Size end = Min(rows, begin + chunk);
		while (!(status = vector_core::HnswBuilderInsert(state->builder, begin, end)).ok()) {
			if (!RetryAfterInterrupt(status))
				BuilderFailed(status, "inserting into the graph");
		}
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, static_cast<int64>(end));
		CHECK_FOR_INTERRUPTS();
	}
	size_t links_added = 0;
	while (!(status = vector_core::HnswBuilderFinish(state->builder, &links_added)).ok()) {
		if (!RetryAfterInterrupt(status))
			BuilderFailed(status, "repairing the graph");
	}
	if (links_added > 0)
		elog(DEBUG1, "hnsw build: %zu links added to make every element reachable", links_added);
	CHECK_FOR_INTERRUPTS();
	HnswLabelBuild labels;
	memset(&labels, 0, sizeof(labels));
	const Size held =
	    vector_core::HnswBuilderMemoryFor(state->builder, state->rows) + OutsideBuilderBytes(state, state->rows);
	state->info.label_lists =
	    last && HnswLabelGraphsPossible(state->index, &state->info) &&
	    HnswBuildLabelGraphs(state->builder, &state->info, state->attrs, state->rows,
	                         state->memory_limit > held ? state->memory_limit - held : 0, &labels);
	if (state->info.label_lists)
		elog(DEBUG1, "hnsw build: %d label graphs", labels.count);

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, kHnswPhaseWrite);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, 0);
	Buffer meta_buffer = ReadBuffer(state->index, kHnswMetaBlock);
	HnswMetaPageData meta;
	LockBuffer(meta_buffer, BUFFER_LOCK_SHARE);
	meta = *HnswPageGetMeta(BufferGetPage(meta_buffer));
	LockBuffer(meta_buffer, BUFFER_LOCK_UNLOCK);
	WriteGraph(state, &meta, &labels);
	LockBuffer(meta_buffer, BUFFER_LOCK_EXCLUSIVE);
	*HnswPageGetMeta(BufferGetPage(meta_buffer)) = meta;
	if (state->info.label_lists)
		HnswWriteLabelDirectory(BufferGetPage(meta_buffer), labels.entries, labels.count);
	MarkBufferDirty(meta_buffer);
	UnlockReleaseBuffer(meta_buffer);

	DestroyBuilder(state);
	pfree(state->heaptids);
	state->heaptids = nullptr;
	pfree(state->group_sizes);
	state->group_sizes = nullptr;
	if (state->attrs != nullptr) {
		pfree(state->attrs);
		state->attrs = nullptr;
	}
	if (state->groups != nullptr) {
		pfree(state->groups);
		state->groups = nullptr;
		state->group_slots = 0;
		state->group_used = 0;
	}
	if (state->extra_rows != nullptr) {
		pfree(state->extra_rows);
		pfree(state->extra_tids);
		state->extra_rows = nullptr;
		state->extra_tids = nullptr;
		state->extra_count = 0;
		state->extra_capacity = 0;
	}
	if (state->page_rows != nullptr) {
		pfree(state->page_rows);
		state->page_rows = nullptr;
		state->page_rows_capacity = 0;
	}
}

// The stored bytes of loaded row (the page row).
const char *LoadedRow(BuildState *state, Size row, Size *bytes)
{
	if (state->float_graph) {
		*bytes = state->info.fixed_bytes;
		return state->page_rows + row * state->info.fixed_bytes;
	}
	size_t size = 0;
	const void *data = vector_core::HnswBuilderRow(state->builder, row, &size);
	*bytes = size;
	return static_cast<const char *>(data);
}

// Looks for a loaded row with the bytes of vector and the attribute area attrs; returns its slot
// in the table (an empty slot or the slot of a full group, either of which the caller may fill
// with a new row) and sets *row to a row with room for another TID, or to -1.
Size FindGroup(BuildState *state, const char *vector, Size bytes, const char *attrs, uint32 hash, int64 *row)
{
	*row = -1;
	const Size mask = state->group_slots - 1;
	for (Size slot = hash & mask;; slot = (slot + 1) & mask) {
		const uint64 entry = state->groups[slot];
		if (entry == 0)
			return slot;
		if (static_cast<uint32>(entry >> 32) != hash)
			continue;
		const Size candidate = static_cast<Size>(entry & 0xFFFFFFFF) - 1;
		Size candidate_bytes = 0;
		const char *data = LoadedRow(state, candidate, &candidate_bytes);
		if (data == nullptr || candidate_bytes != bytes || memcmp(data, vector, bytes) != 0)
			continue;
		const Size attr_length = state->info.attr_length;
		if (attr_length > 0 && memcmp(state->attrs + candidate * attr_length, attrs, attr_length) != 0)
			continue;
		if (state->group_sizes[candidate] < vector_core::kHnswBuildGroupTids)
			*row = static_cast<int64>(candidate);
		return slot;
	}
}

// Doubles the table when it is half full.
void GrowGroups(BuildState *state)
{
	if (state->groups != nullptr && (state->group_used + 1) * 2 <= state->group_slots)
		return;
	const Size slots = state->groups == nullptr ? 1024 : state->group_slots * 2;
	uint64 *grown = static_cast<uint64 *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(uint64) * slots));
	memset(grown, 0, sizeof(uint64) * slots);
	for (Size i = 0; i < state->group_slots; i++) {
		const uint64 entry = state->groups[i];
		if (entry == 0)
			continue;
		Size slot = static_cast<uint32>(entry >> 32) & (slots - 1);
		while (grown[slot] != 0)
			slot = (slot + 1) & (slots - 1);
		grown[slot] = entry;
	}
	if (state->groups != nullptr)
		pfree(state->groups);
	state->groups = grown;
	state->group_slots = slots;
}

// What an on-disk insert of the current row searches with: for sq8 rows, its floats (null: the row).
const char *BuildSearch(BuildState *state)
{
	if (state->info.kind != vector_core::ElementKind::kSq8)
		return nullptr;
	if (state->search == nullptr)
		state->search = static_cast<char *>(palloc(state->info.query_bytes));
	vector_core::Sq8PrepareQuery(state->floats, static_cast<size_t>(state->info.dims), state->search, true);
	return state->search;
}

// Heap scan callback: loads one row (or inserts it on disk after the switch).
void BuildCallback(Relation index, ItemPointer tid, Datum *values, bool *isnull, [[maybe_unused]] bool alive, void *arg)
{
	BuildState *state = static_cast<BuildState *>(arg);
	if (isnull[0])
		return;
	MemoryContext old = MemoryContextSwitchTo(state->tuple_context);
	Size bytes = 0;
	bool usable;
	if (state->info.kind == vector_core::ElementKind::kSq8) {
		// The graph's floats and the page row they encode to (as HnswPrepareVector would).
		usable = HnswPrepareSq8Row(&state->info, values[0], state->floats, state->vector);
		bytes = state->info.fixed_bytes;
	} else {
		usable = HnswPrepareVector(&state->info, values[0], state->vector, &bytes);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(state->tuple_context);
	if (!usable)
		return;
	const Size attr_length = state->info.attr_length;
	if (attr_length > 0)
		FilterFormAttrs(index, values, isnull, state->row_attrs);

	uint32 hash = 0;
	Size group_slot = 0;
	int64 group_row = -1;
	if (!state->on_disk) {
		GrowGroups(state);
		hash = static_cast<uint32>(hash_bytes_extended(reinterpret_cast<const unsigned char *>(state->vector),
		                                               static_cast<int>(bytes), 0) >>
		                           32);
		if (attr_length > 0)
			hash = hash_combine(hash, hash_bytes(reinterpret_cast<const unsigned char *>(state->row_attrs),
			                                     static_cast<int>(attr_length)));
		group_slot = FindGroup(state, state->vector, bytes, state->row_attrs, hash, &group_row);
	}
	if (state->on_disk) {
		HnswInsertVector(index, &state->info, state->vector, bytes, state->row_attrs, tid, BuildSearch(state));
	} else if (group_row >= 0) {
		// An identical row with room: this one joins its element.
		if (state->extra_count >= state->extra_capacity) {
			state->extra_capacity = Max(static_cast<Size>(1024), state->extra_capacity * 2);
			state->extra_rows = static_cast<uint32 *>(
			    state->extra_rows == nullptr
			        ? MemoryContextAllocHuge(CurrentMemoryContext, sizeof(uint32) * state->extra_capacity)
			        : repalloc_huge(state->extra_rows, sizeof(uint32) * state->extra_capacity));
			state->extra_tids = static_cast<ItemPointerData *>(
			    state->extra_tids == nullptr
			        ? MemoryContextAllocHuge(CurrentMemoryContext,
			                                 sizeof(ItemPointerData) * state->extra_capacity)
			        : repalloc_huge(state->extra_tids, sizeof(ItemPointerData) * state->extra_capacity));
		}
		state->extra_rows[state->extra_count] = static_cast<uint32>(group_row);
		state->extra_tids[state->extra_count++] = *tid;
		state->group_sizes[group_row]++;
	} else {
		if (vector_core::HnswBuilderMemoryFor(state->builder, state->rows + 1) +
		            OutsideBuilderBytes(state, state->rows + 1) >
		        state->memory_limit &&
		    state->rows > 0) {
			ereport(
			    NOTICE,
			    (errmsg("hnsw graph no longer fits into maintenance_work_mem after %zu tuples",
			            state->rows),
			     errdetail(
			         "The remaining tuples are inserted one by one, which takes significantly more time."),
			     errhint("Increase maintenance_work_mem to speed up builds.")));
			BuildAndWrite(state, false);
			// Log what was written so far before WAL-logged inserts modify it.
			if (RelationNeedsWAL(index))
				log_newpage_range(index, MAIN_FORKNUM, 0, RelationGetNumberOfBlocks(index), true);
			state->on_disk = true;
			pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, kHnswPhaseLoad);
			HnswInsertVector(index, &state->info, state->vector, bytes, state->row_attrs, tid,
			                 BuildSearch(state));
		} else {
			if (RowSlotsFor(state, state->rows + 1) != state->heaptid_capacity) {
				state->heaptid_capacity = RowSlotsFor(state, state->rows + 1);
				state->heaptids = static_cast<ItemPointerData *>(
				    repalloc_huge(state->heaptids, sizeof(ItemPointerData) * state->heaptid_capacity));
				state->group_sizes = static_cast<uint8 *>(
				    repalloc_huge(state->group_sizes, sizeof(uint8) * state->heaptid_capacity));
				if (attr_length > 0)
					state->attrs = static_cast<char *>(
					    repalloc_huge(state->attrs, attr_length * state->heaptid_capacity));
			}
			if (attr_length > 0)
				memcpy(state->attrs + state->rows * attr_length, state->row_attrs, attr_length);
			if (state->float_graph) {
				// The page row, and the graph's float row (normalised for cosine).
				const Size row_bytes = state->info.fixed_bytes;
				const Size grown = PageRowBytesFor(state, state->rows + 1);
				if (grown != state->page_rows_capacity) {
					state->page_rows = static_cast<char *>(
					    state->page_rows == nullptr
					        ? MemoryContextAllocHuge(CurrentMemoryContext, grown)
					        : repalloc_huge(state->page_rows, grown));
					state->page_rows_capacity = grown;
				}
				memcpy(state->page_rows + state->rows * row_bytes, state->vector, row_bytes);
				if (state->info.kind == vector_core::ElementKind::kHalf) {
					const int dims = state->info.dims;
					vector_core::HalfToFloatArray(
					    reinterpret_cast<const vector_core::Half *>(state->vector), state->floats,
					    static_cast<size_t>(dims));
					if (state->info.metric == vector_core::Metric::kCosine) {
						const double norm = std::sqrt(vector_core::SquaredNormDouble(
						    state->floats, static_cast<size_t>(dims)));
						for (int i = 0; i < dims; i++)
							state->floats[i] = static_cast<float>(state->floats[i] / norm);
					}
				}
				// (sq8: state->floats holds the values the row encodes, from BuildCallback.)
				const vector_core::Status status =
				    vector_core::HnswBuilderAppend(state->builder, state->floats);
				if (!status.ok())
					BuilderFailed(status, "loading vectors");
			} else {
				const vector_core::Status status =
				    vector_core::HnswBuilderAppendRow(state->builder, state->vector, bytes);
				if (!status.ok())
					BuilderFailed(status, "loading vectors");
			}
			// The table points at the newest row of a value (a full group gives way to it).
			if (state->groups[group_slot] == 0)
				state->group_used++;
			state->groups[group_slot] = (static_cast<uint64>(hash) << 32) | (state->rows + 1);
			state->group_sizes[state->rows] = 1;
			state->heaptids[state->rows++] = *tid;
		}
	}
	state->indexed += 1;
	if ((static_cast<int64>(state->indexed) & 1023) == 0)
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, static_cast<int64>(state->indexed));
}

} // namespace

// Index info of a new index from its column and options; errors for what hnsw cannot index.
static void InfoForNewIndex(Relation index, HnswIndexInfo *info)
{
	int32 typmod = TupleDescAttr(index->rd_att, 0)->atttypmod;
	FilterCheckIndexColumns(index, "hnsw");
	info->filter_columns = FilterColumnCount(index);
	info->label_lists = false; // (decided once the rows are loaded: HnswBuildLabelGraphs)
	info->metric = HnswMetricFromOpclass(index, &info->kind);
	if (typmod < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("column does not have dimensions")));
	// Dimensions a row may have: bit strings are 8 times denser than floats; a sparse vector
	// stores its non-zero elements only, so its dimension is not limited by pages.
	int max_dims = kHnswMaxDim;
	if (info->kind == vector_core::ElementKind::kBit)
		max_dims = kHnswMaxBitDim;
	else if (info->kind == vector_core::ElementKind::kSparse)
		max_dims = PG_INT32_MAX;
	if (typmod > max_dims)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("column cannot have more than %d dimensions for hnsw index", max_dims)));
	info->dims = typmod;
	info->m = HnswGetM(index);
	info->ef_construction = HnswGetEfConstruction(index);
	if (info->ef_construction < 2 * info->m)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("ef_construction must be greater than or equal to 2 * m")));
	// (An index with filter columns may get label lists: room for them.)
	info->max_level = HnswMaxLevelForM(info->m, info->filter_columns > 0);
	info->value_kind = info->kind;
	if (HnswGetQuantizerSq8(index)) {
		if (info->kind != vector_core::ElementKind::kFloat && info->kind != vector_core::ElementKind::kHalf)
			ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			                errmsg("quantizer \"sq8\" supports vector and halfvec columns only")));
		info->kind = vector_core::ElementKind::kSq8;
	}
	HnswFinishIndexInfo(info);
}

// Writes an empty metapage at block 0 of fork (WAL-logged when log).
static void WriteEmptyMeta(Relation index, ForkNumber fork, const HnswIndexInfo *info, bool log)
{
	Buffer buffer = ReadBufferExtended(index, fork, P_NEW, RBM_NORMAL, nullptr);
	if (BufferGetBlockNumber(buffer) != kHnswMetaBlock)
		elog(ERROR, "hnsw: metapage is not the first block of \"%s\"", RelationGetRelationName(index));
	LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
	if (log) {
		// A full-page record: its redo also writes init forks out (generic WAL redo does not).
		START_CRIT_SECTION();
		HnswInitMetaPage(BufferGetPage(buffer), info);
		MarkBufferDirty(buffer);
		log_newpage_buffer(buffer, true);
		END_CRIT_SECTION();
	} else {
		HnswInitMetaPage(BufferGetPage(buffer), info);
		MarkBufferDirty(buffer);
	}
	UnlockReleaseBuffer(buffer);
}

// ambuild.
IndexBuildResult *hnswbuild(Relation heap, Relation index, IndexInfo *index_info)
{
	if (RelationGetNumberOfBlocks(index) != 0)
		elog(ERROR, "index \"%s\" already contains data", RelationGetRelationName(index));

	BuildState *state = static_cast<BuildState *>(palloc0(sizeof(BuildState)));
	state->heap = heap;
	state->index = index;
	InfoForNewIndex(index, &state->info);
	state->memory_limit = static_cast<Size>(maintenance_work_mem) * 1024;
	state->vector = static_cast<char *>(palloc(state->info.max_bytes));
	state->tuple_context = AllocSetContextCreate(CurrentMemoryContext, "hnsw build tuple", ALLOCSET_DEFAULT_SIZES);

	WriteEmptyMeta(index, MAIN_FORKNUM, &state->info, false);

	vector_core::HnswBuildParams params;
	params.dims = state->info.dims;
	// halfvec rows, and sq8 codes of vector or halfvec values: the graph is built on floats.
	state->float_graph =
	    state->info.kind == vector_core::ElementKind::kHalf || state->info.kind == vector_core::ElementKind::kSq8;
	if (state->float_graph) {
		// Float kernels over the widened rows: the same neighbours, found faster.
		state->floats = static_cast<float *>(palloc(sizeof(float) * state->info.dims));
		// Cosine over normalised float rows is their inner product.
		params.metric = vector_core::StoredRowMetric(vector_core::ElementKind::kFloat, state->info.metric);
	} else {
		params.distance = state->info.distance;
		params.row_bytes = state->info.fixed_bytes; // 0: rows of varying size
	}
	// At many dimensions the graph is built on binary16 copies of the rows when they rank neighbors
	// as the floats do (core/hnsw/hnsw_binary16_rows.h): the build reads half the bytes per
	// distance. (At 100 dimensions it gained 13%, at 768 it took 9.3 s instead of 16.4 s.)
	// halfvec rows take the same way from their widened floats (normalised for cosine, where the
	// copies are the rows rounded again), under the same check.
	state->binary16_asked = (state->float_graph || state->info.kind == vector_core::ElementKind::kFloat) &&
	                        state->info.dims >= kHnswBinary16GraphMinDims;
	if (state->binary16_asked) {
		// Float rows by the graph's own float kernels (the same distances as the index's), so
		// that the builder may swap them for binary16 ones.
		params.distance = nullptr;
		params.row_bytes = 0;
		params.metric = vector_core::StoredRowMetric(vector_core::ElementKind::kFloat, state->info.metric);
		params.binary16_graph = true;
	}
	params.m = state->info.m;
	params.ef_construction = state->info.ef_construction;
	params.threads = VectorBuildThreads();
	params.max_level = state->info.max_level;
	params.keep_pruned = true; // full lists, as on disk (see HnswSelectNeighborsOnDisk)
	params.spare_near = vector_core::HnswSpareNearFor(state->info.metric);
	// The rule inserts use too (HnswSelectNeighborsOnDisk), for the distances this graph computes.
	params.prune = vector_core::HnswPruneRuleFor(
	    state->float_graph ? vector_core::ElementKind::kFloat : state->info.kind, state->info.metric);
	// Workers stop at the next batch when an interrupt (cancel, timeout, shutdown) is pending.
	params.cancel = reinterpret_cast<const volatile int *>(&InterruptPending);
	static_assert(sizeof(InterruptPending) == sizeof(int), "InterruptPending is an int");

	double estimate = Max(heap->rd_rel->reltuples, 0.0);
	const Size typical_row = state->info.fixed_bytes != 0 ? state->info.fixed_bytes : 64 * 8;
	Size expected = static_cast<Size>(Min(estimate, static_cast<double>(state->memory_limit / (typical_row + 1))));
	state->builder = vector_core::HnswBuilderCreate(params, expected, state->memory_limit);
	if (state->builder == nullptr)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	state->cleanup.func = DestroyBuilder;
	state->cleanup.arg = state;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &state->cleanup);
	state->heaptid_capacity = Max(static_cast<Size>(1024), expected);
	state->heaptids = static_cast<ItemPointerData *>(
	    MemoryContextAllocHuge(CurrentMemoryContext, sizeof(ItemPointerData) * state->heaptid_capacity));
	state->group_sizes =
	    static_cast<uint8 *>(MemoryContextAllocHuge(CurrentMemoryContext, state->heaptid_capacity));
	if (state->info.attr_length > 0) {
		state->attrs = static_cast<char *>(
		    MemoryContextAllocHuge(CurrentMemoryContext, state->info.attr_length * state->heaptid_capacity));
		state->row_attrs = static_cast<char *>(palloc(state->info.attr_length));
	}

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, kHnswPhaseLoad);
	double reltuples = table_index_build_scan(heap, index, index_info, true, true, BuildCallback, state, nullptr);

	if (!state->on_disk && state->rows > 0)
		BuildAndWrite(state, true);
	DestroyBuilder(state);

	// (After a switch to on-disk inserts the pages are logged again: simple, and rare.)
	if (RelationNeedsWAL(index))
		log_newpage_range(index, MAIN_FORKNUM, 0, RelationGetNumberOfBlocks(index), true);

	IndexBuildResult *result = static_cast<IndexBuildResult *>(palloc(sizeof(IndexBuildResult)));
	result->heap_tuples = reltuples;
	result->index_tuples = state->indexed;
	return result;
}

// ambuildempty: the init fork of an unlogged index.
void hnswbuildempty(Relation index)
{
	HnswIndexInfo info;
	InfoForNewIndex(index, &info);
	WriteEmptyMeta(index, INIT_FORKNUM, &info, true);
}
