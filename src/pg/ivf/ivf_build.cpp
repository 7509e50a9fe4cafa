// Building an IVF index.
//
// Phases (each shown in pg_stat_progress_create_index):
//   1. sampling rows: one scan of the table keeps a reservoir sample of stored-form vectors
//      (50 per list and at least 10,000, as pgvector's ivfflat takes, bounded by
//      maintenance_work_mem);
//   2. performing k-means: FAISS k-means (k-means++ seeds) trains the list centroids on the
//      sample, spherical for cosine and inner product (ListsByDirection); sq8 / pq train their
//      quantizer on the same sample;
//      FAISS, BLAS and OpenMP live in vector_build.so, loaded here on the backend's first build
//      (pg/common/build_module.h);
//   refit (shown as assigning): Lloyd iterations over every row, so that each centroid is the
//      mean of the rows its list receives, not of the sample's (core/ivf/ivf_refit.h; rows
//      kept by the sampling scan, or one more scan per iteration);
//   3./4. assigning and loading tuples: chunks of vectors are assigned to lists (and
//      PQ-encoded) by build threads on plain arrays, then the main thread appends each list's
//      entries to that list's page chain. Interrupts are checked between chunks. The chunks are
//      the rows the sampling scan kept when they all fit in maintenance_work_mem (what the
//      sample and the chunk arrays leave of it), else a second scan fills them; either way the
//      lists get the same entries in the same order.
// Pages are written through the buffer manager without WAL; when the relation needs WAL the
// whole fork is logged at the end with log_newpage_range (always for the init fork).
#include "pg/common/pg_headers.h"

extern "C" {
#include "commands/defrem.h"
#include "portability/instr_time.h"
}

#include <pthread.h>
#include <sys/mman.h>

#include <algorithm>
#include <cmath>

#include "core/common/background_prefault.h"
#include "core/common/signal_mask.h"
#include "core/distance/float_distance.h"
#include "core/ivf/ivf_rabitq.h"
#include "core/ivf/ivf_refit.h"
#include "pg/common/build_module.h"
#include "pg/common/fork_extension.h"
#include "pg/common/module.h"
#include "pg/ivf/ivf.h"
#include "pg/types/vector/vector.h"

using vector_core::Metric;

namespace
{

// The sample k-means trains on: kSamplePerList rows per list, at least kSampleMin. These are the
// sizes pgvector's ivfflat samples, and its recall at a given probes depends on them: lists
// trained on more rows per list come out more even (64 per list on lifted GloVe 768-d, lists 250:
// about 8% fewer rows read per probe, recall 0.802 / 0.898 at probes 5 / 10 over 4 seeds against
// 0.808 / 0.900 with 50, which is where pgvector's builds lie), so an index that promises its
// answers at pgvector's settings samples as much as it does, and no more (k-means time grows with
// the sample).
constexpr int kSamplePerList = 50;
constexpr int64 kSampleMin = 10000;
constexpr int kKmeansIterations = 10;
// Rows of fewer dimensions are refitted and loaded by full matrix products (AllocBounds).
constexpr int kBoundsMinDims = 256;
// Lloyd iterations over every row after k-means on the sample (RefitCentroids). GloVe-100 cosine,
// 331,479 rows, lists 100 (sample 10,000), recall@10 at probes 5 over 1,000 queries, numpy,
// three seeds: +0.012 to +0.016 after one, +0.004 to +0.005 more after a second, +0.003 to +0.005
// after a third, with the same rows read per probe (docs/benchmarks.md).
constexpr int kRefitPasses = 2;
constexpr int64 kPqTrainRows = 256 * 40;

// Up to chunk_cap table rows as the loading phase takes them (the chunk a second scan fills, or a
// block of the rows the sampling scan kept): stored-form vectors, rows (flat lists only; for
// vector columns the vectors themselves, same bytes), attribute areas (attr_bytes each), heap TIDs.
struct RowBlock {
	float *vectors;
	char *rows;
	char *attrs;
	ItemPointerData *tids;
	int64 n;
	// Kept blocks under bounded reassignment (AllocBounds): each row's list and lower bounds of
	// its distance to every centroid (n x lists); null otherwise.
	int32 *lists;
	float *bounds;
};

// Everything the build phases share; plain arrays in the build's memory context.
struct IvfBuildState {
	Relation heap;
	Relation index;
	IndexInfo *indexInfo;
	ForkNumber fork;
	IvfMetaPageData meta;
	Metric metric;  // of the stored form (bit: kL2, see ivf.h)
	float *scratch; // one stored-form vector

	// Sampling.
	float *sample;
	int64 sample_cap;
	int64 sample_n;
	double rows_seen;
	uint64 rng;

	// The sampling scan's copy of every row, while it fits in keep_limit bytes (keep).
	bool keep;
	Size keep_limit;
	Size kept_bytes;
	RowBlock *kept;
	int kept_count;
	int kept_capacity;
	vector_core::BackgroundPrefault *prefault; // faults kept blocks in during the scan (null: none)
	bool prefault_failed;

	// Trained parameters.
	float *centroids; // lists x dim
	float *aux;       // quantizer parameters, null for flat
	float *pq_book_t; // PQ encoder tables
	float *pq_norms;
	float *rabitq_signs; // the RaBitQ rotation (3 x padded dims)

	// Refit: per-list sums and counts of every row under the trained centroids (RefitCentroids).
	double *refit_sums; // lists x dim
	int64 *refit_counts;

	// Bounded reassignment of the kept rows (AllocBounds): whether the kept blocks' bounds hold
	// for centroids_before, and how far each centroid has moved since (lists floats each).
	bool bounds_ready;
	float *centroids_before;
	float *shifts;
	int64 distances; // computed by reassignments, for the DEBUG2 summary

	// Loading.
	int64 chunk_cap;
	RowBlock chunk;  // filled by a second scan (when the rows were not kept)
	Size attr_bytes; // FilterAttrAreaLength(meta.filter_columns)
	int32 *chunk_lists;
	uint8 *chunk_codes;
	int32 *order;
	int64 *bucket; // lists + 1
	BlockNumber *list_start;
	BlockNumber *list_last;
	int64 *list_room;          // entries that still fit on each list's last page
	int64 page_entries;        // entries on an empty list page
	BlockNumber reserved_next; // the next of the pages ExtendForkBy added for a chunk
	BlockNumber reserved_end;  // (NewBuildBuffer takes them in order)
	double indtuples;
	double reltuples;
};

// xorshift64*: a small deterministic generator for reservoir sampling.
uint64 NextRandom(IvfBuildState *bs)
{
	bs->rng ^= bs->rng >> 12;
	bs->rng ^= bs->rng << 25;
	bs->rng ^= bs->rng >> 27;
	return bs->rng * 2685821657736338717ULL;
}

// The number of threads a build computes with: vector.build_threads, at most 8 (list assignment
// is memory-bound beyond that).
int IvfBuildThreads(void)
{
	return std::clamp(VectorBuildThreads(), 1, 8);
}

// maintenance_work_mem in bytes: what the sample, the kept rows and the bounds share.
Size MaintenanceBytes(void)
{
	return static_cast<Size>(maintenance_work_mem) * 1024;
}

// While k-means runs with every signal blocked (the OpenMP threads it starts must not take
// PostgreSQL's signals): the mask that lets them in, and the backend's own thread.
struct KmeansSignals {
	bool blocked;
	sigset_t open;
	pthread_t backend;
};
KmeansSignals kmeans_signals;

// Whether a cancel or termination is pending; polled by k-means between its steps. On the
// backend's thread while k-means has the signals blocked, it first lets the pending ones in (their
// handlers only set flags, such as InterruptPending) and blocks them again; on another thread it
// only reads the flag.
bool InterruptRequested()
{
	if (kmeans_signals.blocked && pthread_equal(pthread_self(), kmeans_signals.backend)) {
		vector_core::RestoreSignalMask(kmeans_signals.open);
		(void)vector_core::BlockAllSignals();
	}
	return InterruptPending;
}

// The build module's name for how list assignment compares stored-form vectors.
int32 BuildModuleMetric(Metric metric)
{
	return metric == Metric::kL2 ? VECTOR_BUILD_METRIC_L2 : VECTOR_BUILD_METRIC_INNER_PRODUCT;
}

// Allocates a new block and returns its buffer, locked exclusively and initialized as an IVF page
// of the given kind: the next of the pages reserved for a chunk (ReserveListPages), else a block
// added at the end of the fork.
Buffer NewBuildBuffer(IvfBuildState *bs, uint16 flags)
{
	Buffer buf;
	if (bs->reserved_next < bs->reserved_end) {
		buf = NewPageBuffer(bs->index, bs->fork, bs->reserved_next++);
	} else {
		buf = ReadBufferExtended(bs->index, bs->fork, P_NEW, RBM_NORMAL, nullptr);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	}
	IvfInitPage(BufferGetPage(buf), flags);
	return buf;
}

// Extends the fork at once by the pages a chunk's lists will add (FlushChunk): for each list, the
// pages its count entries need beyond the room left on its last page (bs->list_room, IvfPageRoom).
// counts[l] is list l's entries in the chunk.
void ReserveListPages(IvfBuildState *bs, const int64 *counts)
{
	const IvfMetaPageData *meta = &bs->meta;
	BlockNumber pages = 0;
	for (int l = 0; l < meta->lists; l++) {
		const int64 beyond = counts[l] - bs->list_room[l];
		if (beyond > 0)
			pages += static_cast<BlockNumber>((beyond + bs->page_entries - 1) / bs->page_entries);
	}
	bs->reserved_next = ExtendForkBy(bs->index, bs->fork, pages);
	bs->reserved_end = bs->reserved_next + pages;
}

// Whether the rows of a RowBlock are its vectors (flat lists of vector columns: the stored row is
// the floats).
bool RowsAreVectors(const IvfMetaPageData *meta)
{
	return meta->quantizer == kIvfQuantFlat && IvfKind(meta) == vector_core::ElementKind::kFloat;
}

// Bytes of a RowBlock of chunk_cap rows.
Size RowBlockBytes(const IvfBuildState *bs)
{
	const IvfMetaPageData *meta = &bs->meta;
	const bool own_rows = meta->quantizer == kIvfQuantFlat && !RowsAreVectors(meta);
	return static_cast<Size>(bs->chunk_cap) * (sizeof(float) * meta->dim + (own_rows ? meta->row_bytes : 0) +
	                                           bs->attr_bytes + sizeof(ItemPointerData));
}

// Asks the kernel to back bytes at p with huge pages where it can (transparent huge pages in
// "madvise" mode): a block of rows is written once, all of it, and 4 kB pages cost it one fault
// (and one zeroed page) each. Only advice: nothing changes where it is not supported. Before the
// memory is freed, huge = false takes the advice back: malloc may keep the range for later
// allocations, which should not get huge pages they did not ask for.
void AdviseHugePages([[maybe_unused]] void *p, [[maybe_unused]] Size bytes, [[maybe_unused]] bool huge = true)
{
#if defined(MADV_HUGEPAGE) && defined(MADV_NOHUGEPAGE)
	constexpr uintptr_t kHuge = 2 * 1024 * 1024;
	const uintptr_t start = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
	const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
	if (end > start)
		(void)madvise(reinterpret_cast<void *>(start), end - start, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
#endif
}

// Bytes of a RowBlock's vectors (chunk_cap stored-form vectors).
Size BlockVectorBytes(const IvfBuildState *bs)
{
	return sizeof(float) * static_cast<Size>(bs->chunk_cap) * bs->meta.dim;
}

// Allocates an empty RowBlock of chunk_cap rows.
void AllocRowBlock(const IvfBuildState *bs, RowBlock *block)
{
	const IvfMetaPageData *meta = &bs->meta;
	const Size rows = static_cast<Size>(bs->chunk_cap);
	block->vectors = static_cast<float *>(MemoryContextAllocHuge(CurrentMemoryContext, BlockVectorBytes(bs)));
	if (meta->quantizer != kIvfQuantFlat)
		block->rows = nullptr;
	else if (RowsAreVectors(meta))
		block->rows = reinterpret_cast<char *>(block->vectors);
	else
		block->rows = static_cast<char *>(MemoryContextAllocHuge(CurrentMemoryContext, rows * meta->row_bytes));
	block->attrs = bs->attr_bytes > 0
	                   ? static_cast<char *>(MemoryContextAllocHuge(CurrentMemoryContext, rows * bs->attr_bytes))
	                   : nullptr;
	block->tids = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * rows));
	block->n = 0;
	block->lists = nullptr;
	block->bounds = nullptr;
}

// Frees a kept block.
void FreeRowBlock(const IvfBuildState *bs, RowBlock *block)
{
	AdviseHugePages(block->vectors, BlockVectorBytes(bs), false);
	if (block->rows != nullptr && block->rows != reinterpret_cast<char *>(block->vectors))
		pfree(block->rows);
	pfree(block->vectors);
	if (block->attrs != nullptr)
		pfree(block->attrs);
	pfree(block->tids);
	if (block->bounds != nullptr) {
		pfree(block->lists);
		pfree(block->bounds);
	}
}

// Appends a table row to block; returns its stored-form vector, or null when the row cannot be
// indexed (a zero vector under cosine).
const float *StoreRow(const IvfBuildState *bs, Datum *values, bool *isnull, ItemPointer tid, RowBlock *block)
{
	const int64 n = block->n;
	float *vector = block->vectors + n * bs->meta.dim;
	char *row = block->rows != nullptr && block->rows != reinterpret_cast<char *>(block->vectors)
	                ? block->rows + n * bs->meta.row_bytes
	                : nullptr;
	if (!IvfPrepareVector(values[0], &bs->meta, vector, row))
		return nullptr;
	block->tids[n] = *tid;
	if (bs->attr_bytes > 0)
		FilterFormAttrs(bs->index, values, isnull, block->attrs + n * bs->attr_bytes);
	block->n++;
	return vector;
}

// Stops and frees bs->prefault, on the way out of the sampling scan or of an aborted build (a
// reset callback of the build's memory context, which runs before the kept blocks are freed).
void StopPrefault(void *arg)
{
	IvfBuildState *bs = static_cast<IvfBuildState *>(arg);
	if (bs->prefault == nullptr)
		return;
	bs->prefault->Stop();
	delete bs->prefault;
	bs->prefault = nullptr;
}

// Hands a fresh kept block to bs->prefault (created on the first), so that the kernel maps its
// pages while the scan fills the blocks before it.
void PrefaultBlock(IvfBuildState *bs, const RowBlock *block)
{
	if (bs->prefault == nullptr) {
		if (bs->prefault_failed)
			return;
		// In the context that holds bs and the kept blocks: an error's cleanup stops the thread
		// before it frees them. Registered first: an error here leaves nothing behind.
		MemoryContext context = GetMemoryChunkContext(bs);
		MemoryContextCallback *cb =
		    static_cast<MemoryContextCallback *>(MemoryContextAlloc(context, sizeof(MemoryContextCallback)));
		cb->func = StopPrefault;
		cb->arg = bs;
		MemoryContextRegisterResetCallback(context, cb);
		try {
			bs->prefault = new vector_core::BackgroundPrefault();
		} catch (...) {
			bs->prefault_failed = true; // (out of memory: the pages fault in where they are written)
			return;
		}
	}
	bs->prefault->Add(block->vectors, BlockVectorBytes(bs));
	if (block->rows != reinterpret_cast<char *>(block->vectors) && block->rows != nullptr)
		bs->prefault->Add(block->rows, static_cast<Size>(bs->chunk_cap) * bs->meta.row_bytes);
}

// Frees the kept rows: the loading phase will scan the table again.
void DropKept(IvfBuildState *bs)
{
	StopPrefault(bs);
	for (int b = 0; b < bs->kept_count; b++)
		FreeRowBlock(bs, &bs->kept[b]);
	bs->kept_count = 0;
	bs->kept_bytes = 0;
	bs->keep = false;
}

// The block the next kept row goes to; null (and the kept rows dropped) when it would not fit.
RowBlock *KeepSlot(IvfBuildState *bs)
{
	if (bs->kept_count > 0 && bs->kept[bs->kept_count - 1].n < bs->chunk_cap)
		return &bs->kept[bs->kept_count - 1];
	const Size block_bytes = RowBlockBytes(bs);
	if (bs->kept_bytes + block_bytes > bs->keep_limit) {
		DropKept(bs);
		return nullptr;
	}
	if (bs->kept_count == bs->kept_capacity) {
		bs->kept_capacity = Max(8, bs->kept_capacity * 2);
		bs->kept = static_cast<RowBlock *>(bs->kept == nullptr
		                                       ? palloc(sizeof(RowBlock) * bs->kept_capacity)
		                                       : repalloc(bs->kept, sizeof(RowBlock) * bs->kept_capacity));
	}
	RowBlock *block = &bs->kept[bs->kept_count++];
	AllocRowBlock(bs, block);
	// (kept blocks only: they are written once; the loading chunk is reused)
	AdviseHugePages(block->vectors, BlockVectorBytes(bs));
	PrefaultBlock(bs, block);
	bs->kept_bytes += block_bytes;
	return block;
}

// Table scan callback of the sampling phase: reservoir sampling of stored-form vectors, and a
// copy of every row while they fit (see RowBlock).
void SampleCallback([[maybe_unused]] Relation index, ItemPointer tid, Datum *values, bool *isnull,
                    [[maybe_unused]] bool tupleIsAlive, void *state)
{
	IvfBuildState *bs = static_cast<IvfBuildState *>(state);
	if (isnull[0])
		return;
	const float *vector;
	RowBlock *block = bs->keep ? KeepSlot(bs) : nullptr;
	if (block != nullptr)
		vector = StoreRow(bs, values, isnull, tid, block);
	else
		vector = IvfPrepareVector(values[0], &bs->meta, bs->scratch, nullptr) ? bs->scratch : nullptr;
	if (vector == nullptr)
		return;
	bs->rows_seen += 1;
	int64 slot;
	if (bs->sample_n < bs->sample_cap)
		slot = bs->sample_n++;
	else {
		slot = static_cast<int64>(NextRandom(bs) % static_cast<uint64>(bs->rows_seen));
		if (slot >= bs->sample_cap)
			return;
	}
	memcpy(bs->sample + slot * bs->meta.dim, vector, sizeof(float) * bs->meta.dim);
}

// Assigns the rows of block to their nearest centroid, on build threads, and returns their lists
// (the block's own under bounded reassignment, else chunk_lists); with encode, encodes them too
// (chunk_codes).
const int32 *AssignChunk(IvfBuildState *bs, const RowBlock *block, bool encode)
{
	const IvfMetaPageData *meta = &bs->meta;
	const int64 n = block->n;
	CHECK_FOR_INTERRUPTS();
	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, kIvfPhaseAssign);

	// OpenMP threads started by these calls inherit the full mask: signals stay on this thread.
	const VectorBuildApi *api = VectorBuildModule();
	VectorBuildResult result;
	int32 *lists = block->lists != nullptr ? block->lists : bs->chunk_lists;
	const sigset_t old = vector_core::BlockAllSignals();
	if (block->bounds == nullptr)
		api->ivf_assign(block->vectors, n, meta->dim, bs->centroids, meta->lists, BuildModuleMetric(bs->metric),
		                IvfBuildThreads(), lists, &result);
	else if (!bs->bounds_ready)
		api->ivf_assign_bounded(block->vectors, n, meta->dim, bs->centroids, meta->lists,
		                        BuildModuleMetric(bs->metric), IvfBuildThreads(), lists, block->bounds,
		                        &result);
	else
		api->ivf_reassign(block->vectors, n, meta->dim, bs->centroids, meta->lists,
		                  BuildModuleMetric(bs->metric), bs->shifts, IvfBuildThreads(), lists, block->bounds,
		                  &bs->distances, &result);
	if (encode && result.code == VECTOR_BUILD_OK && meta->quantizer == kIvfQuantPq)
		api->pq_encode(block->vectors, n, meta->dim, meta->pq_m, bs->pq_book_t, bs->pq_norms, IvfBuildThreads(),
		               bs->chunk_codes, &result);
	vector_core::RestoreSignalMask(old);
	VectorBuildCheck(&result, "ivf build");
	if (encode && meta->quantizer == kIvfQuantSq8)
		for (int64 i = 0; i < n; i++)
			vector_core::Sq8Encode(block->vectors + i * meta->dim, meta->dim, bs->aux, bs->aux + meta->dim,
			                       bs->chunk_codes + i * meta->code_size);
	// RaBitQ codes hold the residual from the row's list's centroid (on build threads).
	if (encode && meta->quantizer == kIvfQuantRabitq) {
		const vector_core::Status status =
		    vector_core::RabitqEncodeRows(block->vectors, static_cast<size_t>(n), meta->dim, bs->centroids,
		                                  lists, bs->rabitq_signs, IvfBuildThreads(), bs->chunk_codes);
		if (!status.ok())
			ereport(ERROR, (errcode(status.code() == vector_core::Status::Code::kOutOfMemory
			                            ? ERRCODE_OUT_OF_MEMORY
			                            : ERRCODE_INTERNAL_ERROR),
			                errmsg("ivf build failed: %s", status.message())));
	}
	CHECK_FOR_INTERRUPTS();
	return lists;
}

// Adds the rows of block to the sums and counts of their nearest centroid's list (the refit pass;
// the rows stay in block). Rows are added in table order whatever the blocks, so that the kept
// rows and a second scan give the same sums.
void AccumulateChunk(IvfBuildState *bs, const RowBlock *block)
{
	if (block->n == 0)
		return;
	const int32 *lists = AssignChunk(bs, block, false);
	vector_core::IvfAccumulateRows(block->vectors, block->n, bs->meta.dim, lists, bs->refit_sums, bs->refit_counts);
}

// Appends the rows of block to the lists and empties it: assignment (and PQ encoding) on build
// threads, then a counting sort by list and page writes on the main thread.
void FlushChunk(IvfBuildState *bs, RowBlock *block)
{
	const IvfMetaPageData *meta = &bs->meta;
	const int64 n = block->n;
	if (n == 0)
		return;
	const int32 *lists = AssignChunk(bs, block, true);

	// Counting sort of the chunk's rows by list.
	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, kIvfPhaseLoad);
	memset(bs->bucket, 0, sizeof(int64) * (meta->lists + 1));
	for (int64 i = 0; i < n; i++)
		bs->bucket[lists[i] + 1]++;
	ReserveListPages(bs, bs->bucket + 1);
	for (int l = 0; l < meta->lists; l++)
		bs->bucket[l + 1] += bs->bucket[l];
	for (int64 i = 0; i < n; i++)
		bs->order[bs->bucket[lists[i]]++] = static_cast<int32>(i);
	// bucket[l] is now the end of list l's run (and the start of list l + 1's).

	int64 pos = 0;
	for (int l = 0; l < meta->lists; l++) {
		int64 end = bs->bucket[l];
		if (pos == end)
			continue;
		Buffer buf;
		if (bs->list_last[l] == InvalidBlockNumber) {
			buf = NewBuildBuffer(bs, kIvfPageList);
			bs->list_start[l] = bs->list_last[l] = BufferGetBlockNumber(buf);
		} else {
			buf = ReadBufferExtended(bs->index, bs->fork, bs->list_last[l], RBM_NORMAL, nullptr);
			LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		}
		for (; pos < end; pos++) {
			int32 row = bs->order[pos];
			Page page = BufferGetPage(buf);
			if (!IvfPageHasRoom(page, meta->entry_size)) {
				Buffer next = NewBuildBuffer(bs, kIvfPageList);
				IvfPageGetOpaque(page)->next = BufferGetBlockNumber(next);
				MarkBufferDirty(buf);
				UnlockReleaseBuffer(buf);
				buf = next;
				page = BufferGetPage(buf);
				bs->list_last[l] = BufferGetBlockNumber(buf);
			}
			const char *payload;
			if (meta->quantizer == kIvfQuantFlat) {
				payload = block->rows + static_cast<Size>(row) * meta->row_bytes;
			} else {
				payload = reinterpret_cast<const char *>(bs->chunk_codes +
				                                         static_cast<int64>(row) * meta->code_size);
			}
			IvfAppendEntry(page, meta, &block->tids[row],
			               block->attrs + static_cast<Size>(row) * bs->attr_bytes, payload);
		}
		bs->list_room[l] = IvfPageRoom(BufferGetPage(buf), meta->entry_size);
		MarkBufferDirty(buf);
		UnlockReleaseBuffer(buf);
	}
	if (bs->reserved_next != bs->reserved_end)
		elog(ERROR, "ivf build: %u of the pages reserved for a chunk were not used",
		     bs->reserved_end - bs->reserved_next);
	bs->indtuples += n;
	block->n = 0;
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, static_cast<int64>(bs->indtuples));
}

// Table scan callback of the loading phase: collects stored-form vectors into the chunk.
void LoadCallback([[maybe_unused]] Relation index, ItemPointer tid, Datum *values, bool *isnull,
                  [[maybe_unused]] bool tupleIsAlive, void *state)
{
	IvfBuildState *bs = static_cast<IvfBuildState *>(state);
	if (isnull[0])
		return;
	if (StoreRow(bs, values, isnull, tid, &bs->chunk) != nullptr && bs->chunk.n == bs->chunk_cap)
		FlushChunk(bs, &bs->chunk);
}

// Table scan callback of the refit pass when the rows were not kept: collects stored-form vectors
// into the chunk and adds each full chunk to the sums.
void RefitCallback([[maybe_unused]] Relation index, ItemPointer tid, Datum *values, bool *isnull,
                   [[maybe_unused]] bool tupleIsAlive, void *state)
{
	IvfBuildState *bs = static_cast<IvfBuildState *>(state);
	if (isnull[0])
		return;
	if (StoreRow(bs, values, isnull, tid, &bs->chunk) != nullptr && bs->chunk.n == bs->chunk_cap) {
		AccumulateChunk(bs, &bs->chunk);
		bs->chunk.n = 0;
	}
}

// Checks the indexed column and the options, and fills the metapage fields.
void InitBuildState(IvfBuildState *bs, Relation heap, Relation index, IndexInfo *indexInfo, ForkNumber fork)
{
	memset(bs, 0, sizeof(*bs));
	bs->heap = heap;
	bs->index = index;
	bs->indexInfo = indexInfo;
	bs->fork = fork;
	FilterCheckIndexColumns(index, get_am_name(index->rd_rel->relam));
	vector_core::ElementKind kind;
	bs->metric = IvfMetricFromOpclass(index, &kind);
	bs->rng = 0x9E3779B97F4A7C15ULL;

	int dim = TupleDescAttr(index->rd_att, 0)->atttypmod;
	if (dim < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("column does not have dimensions")));
	// A centroid must fit a directory page: 2000 floats, 4000 halves, 64000 bits.
	const int max_dim = kind == vector_core::ElementKind::kHalf  ? kIvfMaxHalfDim
	                    : kind == vector_core::ElementKind::kBit ? kIvfMaxBitDim
	                                                             : kIvfMaxDim;
	if (dim > max_dim)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("column cannot have more than %d dimensions for ivf indexes", max_dim)));

	IvfMetaPageData *meta = &bs->meta;
	meta->magic = kIvfMagic;
	meta->version = kIvfVersion;
	meta->dim = dim;
	meta->lists = IvfListsFromOptions(index);
	meta->quantizer = IvfQuantizerFromOptions(index);
	meta->metric = vector_core::IvfMetricToDisk(bs->metric);
	meta->element_kind = static_cast<uint32>(kind);
	meta->filter_columns = static_cast<uint32>(FilterColumnCount(index));
	bs->attr_bytes = vector_core::FilterAttrAreaLength(FilterColumnCount(index));
	meta->row_bytes = static_cast<uint32>(
	    vector_core::ElementStoredBytes(vector_core::ElementFixedBytes(kind, static_cast<size_t>(dim))));
	if (meta->quantizer != kIvfQuantFlat && kind == vector_core::ElementKind::kBit)
		ereport(ERROR,
		        (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		         errmsg("quantizer '%s' does not support bit vectors", IvfQuantizerName(meta->quantizer)),
		         errhint("Use quantizer = 'flat': a bit is its own one-bit code.")));
	if (meta->quantizer != kIvfQuantFlat && indexInfo->ii_IndexAttrNumbers[0] == 0)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("quantized ivf indexes do not support expressions"),
		                errhint("Index a column, or use quantizer = 'flat'.")));
	switch (meta->quantizer) {
	case kIvfQuantSq8:
		meta->code_size = dim;
		break;
	case kIvfQuantPq: {
		int m = IvfPqMFromOptions(index);
		if (m == 0)
			m = vector_core::PqDefaultM(dim);
		if (m > dim || dim % m != 0)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("pq_m must divide the number of dimensions (%d), got %d", dim, m)));
		meta->pq_m = m;
		meta->code_size = m;
		break;
	}
	case kIvfQuantRabitq: {
		meta->code_size = static_cast<uint32>(vector_core::RabitqCodeBytes(dim));
		const Size padded = vector_core::RabitqPaddedDim(dim);
		bs->rabitq_signs = static_cast<float *>(palloc(sizeof(float) * 3 * padded));
		vector_core::RabitqInitSigns(padded, bs->rabitq_signs);
		break;
	}
	default:
		meta->code_size = meta->row_bytes;
		break;
	}
	meta->entry_head = vector_core::IvfEntryHead(meta->quantizer == kIvfQuantFlat, FilterColumnCount(index));
	meta->entry_size = meta->entry_head + meta->code_size;
	meta->dir_entry_size = sizeof(IvfDirEntryHead) + meta->row_bytes;
	meta->dir_per_page = IvfPageCapacity() / meta->dir_entry_size;
	meta->dir_pages = (meta->lists + meta->dir_per_page - 1) / meta->dir_per_page;
	if (meta->quantizer == kIvfQuantSq8)
		meta->aux_bytes = 2 * sizeof(float) * dim;
	else if (meta->quantizer == kIvfQuantPq)
		meta->aux_bytes = 256 * sizeof(float) * dim;
	meta->aux_pages = (meta->aux_bytes + IvfPageCapacity() - 1) / IvfPageCapacity();
	meta->aux_start = kIvfMetaBlock + 1;
	meta->dir_start = meta->aux_start + meta->aux_pages;

	// Memory: the sample gets at most half of maintenance_work_mem, a chunk a quarter.
	const Size budget = MaintenanceBytes();
	Size row_bytes = sizeof(float) * dim;
	bs->sample_cap = std::max<int64>(
	    1, std::min<int64>(std::max<int64>(static_cast<int64>(meta->lists) * kSamplePerList, kSampleMin),
	                       static_cast<int64>(budget / 2 / row_bytes)));
	bs->chunk_cap = std::max<int64>(
	    64, std::min<int64>(16384, budget / 4 / (row_bytes + meta->code_size + bs->attr_bytes + 16)));
	// The kept rows get what the sample and the loading phase's own arrays leave.
	const Size used = static_cast<Size>(bs->sample_cap) * row_bytes +
	                  static_cast<Size>(bs->chunk_cap) * (2 * sizeof(int32) + meta->code_size);
	bs->keep_limit = budget > used ? budget - used : 0;
	bs->keep = heap != nullptr;
	bs->scratch = static_cast<float *>(palloc(row_bytes));
}

// Whether the lists partition the rows by direction (unit centroids, spherical k-means on the
// sample's unit vectors): cosine, and inner product. A row goes to the list whose centroid has
// the largest inner product with it, which for unit centroids is the one closest in direction;
// a query probes lists the same way. Centroids of any length instead (k-means on the rows as they
// are) let long centroids draw both rows and probes, whatever the direction: recall at a given
// probes fell far below pgvector's, whose lists are by direction too (GloVe-100, 331,479 rows,
// lists 100, probes 5 / 10 / 20: 0.735 / 0.849 / 0.928 against 0.835 / 0.919 / 0.970).
bool ListsByDirection(Metric metric)
{
	return metric == Metric::kCosine || metric == Metric::kInnerProduct;
}

// Trains the centroids and the quantizer on the sample.
void Train(IvfBuildState *bs, bool announce)
{
	const IvfMetaPageData *meta = &bs->meta;
	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, kIvfPhaseKmeans);
	bs->centroids =
	    static_cast<float *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(float) * meta->lists * meta->dim));
	if (meta->aux_bytes > 0)
		bs->aux = static_cast<float *>(MemoryContextAllocHuge(CurrentMemoryContext, meta->aux_bytes));

	// Quantizer training runs FAISS's OpenMP loops on one thread (no thread is created, signals
	// stay deliverable); its BLAS products own the cores. K-means below starts threads of ours.
	const VectorBuildApi *api = VectorBuildModule();
	VectorBuildResult result;
	result.code = VECTOR_BUILD_OK;
	// The quantizer learns the rows as they are stored.
	if (meta->quantizer == kIvfQuantSq8)
		api->sq8_train(bs->sample, bs->sample_n, meta->dim, bs->aux, bs->aux + meta->dim, &result);
	else if (meta->quantizer == kIvfQuantPq)
		// 40 points per sub-centroid are plenty for 256 centroids of a few dimensions.
		api->pq_train(bs->sample, std::min<int64>(bs->sample_n, kPqTrainRows), meta->dim, meta->pq_m, bs->aux,
		              &result);
	VectorBuildCheck(&result, "ivf build");
	// Lists by direction for inner product as for cosine (ListsByDirection).
	if (ListsByDirection(bs->metric))
		for (int64 i = 0; i < bs->sample_n; i++)
			IvfNormalizeInPlace(bs->sample + i * meta->dim, meta->dim);
	// The iterations' bounds get what the sample and the kept rows leave of maintenance_work_mem.
	const Size budget = MaintenanceBytes();
	const Size used = sizeof(float) * static_cast<Size>(bs->sample_n) * meta->dim + bs->kept_bytes;
	// Threads k-means starts inherit the full mask; InterruptRequested lets signals in between
	// its steps, so that a cancel still stops it.
	kmeans_signals.open = vector_core::BlockAllSignals();
	kmeans_signals.backend = pthread_self();
	kmeans_signals.blocked = true;
	api->kmeans_train(bs->sample, bs->sample_n, meta->dim, meta->lists, ListsByDirection(bs->metric),
	                  kKmeansIterations, IvfBuildThreads(), 1234, InterruptRequested,
	                  budget > used ? budget - used : 0, bs->centroids, &result);
	kmeans_signals.blocked = false;
	vector_core::RestoreSignalMask(kmeans_signals.open);
	VectorBuildCheck(&result, "ivf build");
	CHECK_FOR_INTERRUPTS();
	// Centroids as the directory will hold them, so that rows go to the list a scan finds.
	for (int l = 0; l < meta->lists; l++)
		IvfRoundToRow(meta, bs->centroids + static_cast<Size>(l) * meta->dim);
	if (meta->quantizer == kIvfQuantPq) {
		bs->pq_book_t = static_cast<float *>(palloc(sizeof(float) * 256 * meta->dim));
		bs->pq_norms = static_cast<float *>(palloc(sizeof(float) * 256 * meta->pq_m));
		vector_core::PqPrepareEncoder(bs->aux, meta->dim, meta->pq_m, bs->pq_book_t, bs->pq_norms);
	}

	// Fewer rows than lists: the centroids are (mostly) random, so rows inserted later would
	// crowd into a few lists that a probe may miss. Scans read every list until a rebuild.
	if (bs->sample_n < meta->lists)
		bs->meta.flags |= kIvfMetaUntrained;
	if (announce && bs->sample_n < meta->lists)
		ereport(NOTICE, (errmsg("ivf index created with little data"),
		                 errdetail("%lld rows were available to train %d lists: those rows are centroids, the "
		                           "other lists have random centroids; until the index is rebuilt, scans "
		                           "read every list.",
		                           static_cast<long long>(bs->sample_n), meta->lists),
		                 errhint("REINDEX the index (or create it) once the table has more data.")));
}

// Gives the kept blocks bounded reassignment (build/ivf_bounded_assign.h) when their bounds, a
// float per row and list, fit in what maintenance_work_mem has left after the kept rows: the
// refit passes after the first, and the loading phase, then compute a few distances per row
// instead of a matrix product each.
//
// Only for rows of kBoundsMinDims dimensions or more. A pass reads and writes every bound, a float
// per list, while a matrix product costs dim multiply-adds per list: with fewer dimensions, the
// bounds' memory traffic costs more than the products they save. GloVe-100, 331,479 rows: lists
// 500, the refit passes took 0.64-1.09 s bounded against 0.46 s full, and the load 0.44-0.51 s
// against 0.31 s; lists 100, 0.15 against 0.12 s. At 256 dimensions the two were even. At 768 the
// bounds win: lifted GloVe 768-d, 60,000 rows, lists 1000, 0.57 s against 0.91 s.
void AllocBounds(IvfBuildState *bs)
{
	const IvfMetaPageData *meta = &bs->meta;
	if (meta->dim < kBoundsMinDims)
		return;
	const Size budget = MaintenanceBytes();
	const Size per_row = sizeof(float) * meta->lists + sizeof(int32);
	Size rows = 0;
	for (int b = 0; b < bs->kept_count; b++)
		rows += bs->kept[b].n;
	if (bs->kept_bytes > budget || rows > (budget - bs->kept_bytes) / per_row)
		return;
	for (int b = 0; b < bs->kept_count; b++) {
		RowBlock *block = &bs->kept[b];
		const Size n = Max(block->n, 1);
		block->lists = static_cast<int32 *>(palloc(sizeof(int32) * n));
		block->bounds =
		    static_cast<float *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(float) * meta->lists * n));
	}
	bs->centroids_before = static_cast<float *>(palloc(sizeof(float) * meta->lists * meta->dim));
	bs->shifts = static_cast<float *>(palloc(sizeof(float) * meta->lists));
}

// One Lloyd iteration over every row (core/ivf/ivf_refit.h): each row goes to its nearest
// centroid, and each centroid becomes the mean of its rows. The rows are the kept ones, or those of
// one more table scan. The loading phase then assigns the rows to the refitted centroids.
void RefitCentroids(IvfBuildState *bs)
{
	const IvfMetaPageData *meta = &bs->meta;
	bs->refit_sums = static_cast<double *>(MemoryContextAllocExtended(
	    CurrentMemoryContext, sizeof(double) * meta->lists * meta->dim, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO));
	bs->refit_counts = static_cast<int64 *>(palloc0(sizeof(int64) * meta->lists));
	if (bs->keep) {
		for (int b = 0; b < bs->kept_count; b++)
			AccumulateChunk(bs, &bs->kept[b]);
	} else {
		table_index_build_scan(bs->heap, bs->index, bs->indexInfo, true, true, RefitCallback, bs, nullptr);
		AccumulateChunk(bs, &bs->chunk);
		bs->chunk.n = 0;
	}
	// Every kept block's bounds now hold for the centroids this pass assigned to.
	const Size centroid_bytes = sizeof(float) * meta->lists * meta->dim;
	if (bs->shifts != nullptr) {
		bs->bounds_ready = true;
		memcpy(bs->centroids_before, bs->centroids, centroid_bytes);
	}
	vector_core::IvfRefitCentroids(bs->refit_sums, bs->refit_counts, meta->lists, meta->dim,
	                               ListsByDirection(bs->metric), bs->centroids);
	for (int l = 0; l < meta->lists; l++)
		IvfRoundToRow(meta, bs->centroids + static_cast<Size>(l) * meta->dim);
	if (bs->shifts != nullptr)
		vector_core::IvfCentroidShifts(bs->centroids_before, bs->centroids, meta->lists, meta->dim, bs->shifts);
	pfree(bs->refit_sums);
	pfree(bs->refit_counts);
	bs->refit_sums = nullptr;
	bs->refit_counts = nullptr;
}

// Writes the metapage placeholder, the quantizer pages and the directory (lists still empty).
void WriteHeadPages(IvfBuildState *bs)
{
	const IvfMetaPageData *meta = &bs->meta;
	Buffer buf = NewBuildBuffer(bs, kIvfPageMeta);
	Assert(BufferGetBlockNumber(buf) == kIvfMetaBlock);
	MarkBufferDirty(buf);
	UnlockReleaseBuffer(buf);

	const char *aux = reinterpret_cast<const char *>(bs->aux);
	Size done = 0;
	for (uint32 p = 0; p < meta->aux_pages; p++) {
		buf = NewBuildBuffer(bs, kIvfPageAux);
		Page page = BufferGetPage(buf);
		Size chunk = std::min<Size>(IvfPageCapacity(), meta->aux_bytes - done);
		memcpy(IvfPageContent(page), aux + done, chunk);
		reinterpret_cast<PageHeader>(page)->pd_lower += chunk;
		done += chunk;
		MarkBufferDirty(buf);
		UnlockReleaseBuffer(buf);
	}

	for (uint32 p = 0; p < meta->dir_pages; p++) {
		buf = NewBuildBuffer(bs, kIvfPageDirectory);
		Page page = BufferGetPage(buf);
		for (uint32 i = 0; i < meta->dir_per_page; i++) {
			int64 list = static_cast<int64>(p) * meta->dir_per_page + i;
			if (list >= meta->lists)
				break;
			char *dst = reinterpret_cast<char *>(page) + reinterpret_cast<PageHeader>(page)->pd_lower;
			IvfDirEntryHead head = {InvalidBlockNumber, InvalidBlockNumber};
			memcpy(dst, &head, sizeof(head));
			IvfFloatsToRow(meta, bs->centroids + list * meta->dim, dst + sizeof(head));
			reinterpret_cast<PageHeader>(page)->pd_lower += meta->dir_entry_size;
		}
		MarkBufferDirty(buf);
		UnlockReleaseBuffer(buf);
	}
}

// Stores each list's first and last page in the directory, and the metapage content.
void WriteTailPages(IvfBuildState *bs)
{
	const IvfMetaPageData *meta = &bs->meta;
	for (uint32 p = 0; p < meta->dir_pages; p++) {
		Buffer buf = ReadBufferExtended(bs->index, bs->fork, meta->dir_start + p, RBM_NORMAL, nullptr);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		Page page = BufferGetPage(buf);
		for (uint32 i = 0; i < meta->dir_per_page; i++) {
			int64 list = static_cast<int64>(p) * meta->dir_per_page + i;
			if (list >= meta->lists)
				break;
			IvfDirEntryHead head = {bs->list_start[list], bs->list_last[list]};
			memcpy(IvfPageContent(page) + i * meta->dir_entry_size, &head, sizeof(head));
		}
		MarkBufferDirty(buf);
		UnlockReleaseBuffer(buf);
	}
	Buffer buf = ReadBufferExtended(bs->index, bs->fork, kIvfMetaBlock, RBM_NORMAL, nullptr);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	Page page = BufferGetPage(buf);
	memcpy(IvfPageContent(page), meta, sizeof(IvfMetaPageData));
	reinterpret_cast<PageHeader>(page)->pd_lower = MAXALIGN(SizeOfPageHeaderData) + sizeof(IvfMetaPageData);
	MarkBufferDirty(buf);
	UnlockReleaseBuffer(buf);
}

// Builds the index into the given fork; heap is null for an empty (init fork) build.
void BuildIndex(IvfBuildState *bs, Relation heap, Relation index, IndexInfo *indexInfo, ForkNumber fork)
{
	if (RelationGetNumberOfBlocksInFork(index, fork) != 0)
		elog(ERROR, "index \"%s\" already contains data", RelationGetRelationName(index));
	InitBuildState(bs, heap, index, indexInfo, fork);
	const IvfMetaPageData *meta = &bs->meta;

	const Size sample_bytes = sizeof(float) * static_cast<Size>(bs->sample_cap) * meta->dim;
	bs->sample = static_cast<float *>(MemoryContextAllocHuge(CurrentMemoryContext, sample_bytes));
	AdviseHugePages(bs->sample, sample_bytes);
	instr_time start, now;
	INSTR_TIME_SET_CURRENT(start);
	if (heap != nullptr) {
		pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, kIvfPhaseSample);
		bs->reltuples = table_index_build_scan(heap, index, indexInfo, true, true, SampleCallback, bs, nullptr);
		if (bs->prefault != nullptr)
			elog(DEBUG2, "ivf build: %zu MB of kept rows faulted in beside the scan",
			     bs->prefault->done() >> 20);
		StopPrefault(bs);
	}
	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	elog(DEBUG2, "ivf build: sampled %lld of %.0f rows in %.3f s", static_cast<long long>(bs->sample_n),
	     bs->rows_seen, INSTR_TIME_GET_DOUBLE(now));
	if (heap != nullptr)
		elog(DEBUG1, "ivf build: %s",
		     bs->keep ? "every row kept by the sampling scan" : "a second scan loads the rows");
	INSTR_TIME_SET_CURRENT(start);
	Train(bs, heap != nullptr);
	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	elog(DEBUG2, "ivf build: trained %d lists in %.3f s", meta->lists, INSTR_TIME_GET_DOUBLE(now));
	INSTR_TIME_SET_CURRENT(start);
	AdviseHugePages(bs->sample, sample_bytes, false);
	pfree(bs->sample);
	bs->sample = nullptr;

	if (heap != nullptr) {
		bs->chunk_lists = static_cast<int32 *>(palloc(sizeof(int32) * bs->chunk_cap));
		bs->order = static_cast<int32 *>(palloc(sizeof(int32) * bs->chunk_cap));
		bs->bucket = static_cast<int64 *>(palloc(sizeof(int64) * (meta->lists + 1)));
		if (meta->code_size > 0 && meta->quantizer != kIvfQuantFlat)
			bs->chunk_codes = static_cast<uint8 *>(MemoryContextAllocHuge(
			    CurrentMemoryContext, static_cast<Size>(bs->chunk_cap) * meta->code_size));
		if (!bs->keep)
			AllocRowBlock(bs, &bs->chunk);
		if ((meta->flags & kIvfMetaUntrained) == 0) {
			if (bs->keep)
				AllocBounds(bs);
			for (int pass = 0; pass < kRefitPasses; pass++)
				RefitCentroids(bs);
			INSTR_TIME_SET_CURRENT(now);
			INSTR_TIME_SUBTRACT(now, start);
			elog(DEBUG2, "ivf build: refitted %d lists on every row (%d passes, %s) in %.3f s", meta->lists,
			     kRefitPasses, bs->shifts != nullptr ? "bounded" : "full", INSTR_TIME_GET_DOUBLE(now));
			INSTR_TIME_SET_CURRENT(start);
		}
	}
	WriteHeadPages(bs);

	bs->list_start = static_cast<BlockNumber *>(palloc(sizeof(BlockNumber) * meta->lists));
	bs->list_last = static_cast<BlockNumber *>(palloc(sizeof(BlockNumber) * meta->lists));
	bs->list_room = static_cast<int64 *>(palloc0(sizeof(int64) * meta->lists));
	for (int l = 0; l < meta->lists; l++)
		bs->list_start[l] = bs->list_last[l] = InvalidBlockNumber;
	{
		PGAlignedBlock empty;
		IvfInitPage(empty.data, kIvfPageList);
		bs->page_entries = IvfPageRoom(empty.data, meta->entry_size);
		if (bs->page_entries < 1)
			elog(ERROR, "ivf build: an entry of %u bytes does not fit on a page", meta->entry_size);
	}
	if (heap != nullptr) {
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL, static_cast<int64>(bs->rows_seen));
		if (bs->keep) {
			// Every row was kept by the sampling scan: load the blocks, freeing each after.
			for (int b = 0; b < bs->kept_count; b++) {
				FlushChunk(bs, &bs->kept[b]);
				FreeRowBlock(bs, &bs->kept[b]);
			}
			bs->kept_count = 0;
		} else {
			table_index_build_scan(heap, index, indexInfo, true, true, LoadCallback, bs, nullptr);
			FlushChunk(bs, &bs->chunk);
		}
	}
	WriteTailPages(bs);
	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	elog(DEBUG2, "ivf build: assigned and loaded %.0f rows in %.3f s (%lld distances by bounds)", bs->indtuples,
	     INSTR_TIME_GET_DOUBLE(now), static_cast<long long>(bs->distances));

	if (RelationNeedsWAL(index) || fork == INIT_FORKNUM)
		log_newpage_range(index, fork, 0, RelationGetNumberOfBlocksInFork(index, fork), true);
}

} // namespace

// ambuild: builds the index from the table's rows.
IndexBuildResult *ivfbuild(Relation heap, Relation index, IndexInfo *indexInfo)
{
	MemoryContext buildCtx = AllocSetContextCreate(CurrentMemoryContext, "ivf build", ALLOCSET_DEFAULT_SIZES);
	MemoryContext oldCtx = MemoryContextSwitchTo(buildCtx);
	IvfBuildState *bs = static_cast<IvfBuildState *>(palloc(sizeof(IvfBuildState)));
	BuildIndex(bs, heap, index, indexInfo, MAIN_FORKNUM);
	double reltuples = bs->reltuples, indtuples = bs->indtuples;
	MemoryContextSwitchTo(oldCtx);
	MemoryContextDelete(buildCtx);

	IndexBuildResult *result = static_cast<IndexBuildResult *>(palloc(sizeof(IndexBuildResult)));
	result->heap_tuples = reltuples;
	result->index_tuples = indtuples;
	return result;
}

// ambuildempty: writes an index with untrained (random) centroids into the init fork.
void ivfbuildempty(Relation index)
{
	IndexInfo *indexInfo = BuildIndexInfo(index);
	MemoryContext buildCtx = AllocSetContextCreate(CurrentMemoryContext, "ivf build", ALLOCSET_DEFAULT_SIZES);
	MemoryContext oldCtx = MemoryContextSwitchTo(buildCtx);
	IvfBuildState *bs = static_cast<IvfBuildState *>(palloc(sizeof(IvfBuildState)));
	BuildIndex(bs, nullptr, index, indexInfo, INIT_FORKNUM);
	MemoryContextSwitchTo(oldCtx);
	MemoryContextDelete(buildCtx);
}
