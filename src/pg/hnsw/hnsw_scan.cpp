// Scanning an hnsw index: ORDER BY column <op> query LIMIT k.
//
// The first amgettuple call runs the search: a descent to layer 1 with a beam of a few elements
// (HnswDescend), then a beam search with hnsw.ef_search on layer 0; the results are returned
// closest first. Elements the search visited but did not keep are remembered ("discarded"); when
// the results run out and the executor still asks for rows (a WHERE clause rejected some), the
// search resumes from the ef_search closest of them (with the visited set kept), and so on until
// hnsw.max_scan_tuples elements were visited or the scan's memory passes work_mem *
// hnsw.scan_mem_multiplier; then the remaining discarded elements are returned in order. With
// hnsw.iterative_scan = off (the default) and strict_order a row that would come back closer than
// one already returned is skipped, so rows always come in distance order and the first ef_search
// rows are exactly those of the first search; relaxed_order returns each batch in order.
// (pgvector's off mode stops after the first search, so a selective filter can leave a query with
// fewer rows than its LIMIT; here it goes on.)
//
// With quals on filter columns (multicolumn indexes, pg/common/filter_columns.h), every element visited is
// checked against them from its attribute area; one that fails is walked through like any other
// but never returned, so the rounds go on until the executor has its rows, and no table row is
// read for it. The quals are exact, except those on text and array columns (hashed values): for
// them the executor rechecks the rows returned. When few elements pass the quals, the search
// runs the exact filtered scan instead (hnsw_exact_scan.cpp, vector.hnsw_filter_strategy): every
// matching element, scored, closest first, in passes of as many rows as the scan's memory holds
// (each pass reads the index again); and a filtered walk stopped by its bounds is finished by
// one, over the elements it did not visit. When the quals include first filter column = value
// and the value has a graph of its own (hnsw_label_graph.cpp), the search walks that graph's label
// lists from the value's seeds instead, every element it visits a match (unless
// vector.hnsw_filter_strategy = exact); a label walk that runs out (its rounds visited the
// value's graph) or reaches its bounds is finished by the exact filtered scan, also with
// vector.hnsw_filter_strategy = walk, since rows of the value outside that graph (inserted while
// it had no seeds, or cut off by VACUUM) are not in it.
//
// Distances are exact when the index stores full vectors, and the heap TIDs come with the distance
// computed from the same read of the element, so no recheck is needed. With quantizer = 'sq8' the
// elements hold one-byte codes (core/distance/sq8_rows.h) and the scan's distances are lower
// bounds of the exact ones: each row is returned with its bound (xs_orderbyvals, in the operator's
// units) and xs_recheckorderby, and PostgreSQL's index scan computes the exact distance from the
// table row and holds rows back in its reorder queue until no row still to come can be closer. So
// rows come in exact order, and the walk reads a quarter of the bytes per distance. An element of several
// heap TIDs (identical rows) is read again when it is returned, for all its TIDs; that read
// computes the distance again and the TIDs are taken only if it is the same (else the slot was
// freed and reused meanwhile, and only the first TID, read with the distance, is returned). The scan holds no buffer
// pin between calls; like pgvector it needs an MVCC snapshot, so that a heap TID freed and
// reused by VACUUM meanwhile is never visible.
#include "pg/common/pg_headers.h"

#include <cmath>

#include "core/distance/sq8_rows.h"
#include "pg/admin/scan_stats.h"
#include "pg/common/query_dimensions.h"
#include "pg/hnsw/hnsw.h"
#include "pg/hnsw/hnsw_label_graph.h"
#include "pg/types/vector/vector.h"

namespace
{

struct ScanOpaque {
	MemoryContext context; // everything of one search; reset by rescan
	HnswIndexInfo info;
	bool first;
	bool exhausted;
	char *query; // the query's form (HnswPrepareQuery); null for a NULL query value (every distance 0)
	// The distances are lower bounds (sq8 rows): rows are returned with them and PostgreSQL
	// re-ranks them from the table (xs_recheckorderby).
	bool bounds;
	float pending_distance; // the distance of the element whose other heap TIDs are pending
	HnswReader reader;
	HnswSearchState state;
	HnswCandidateOnDisk *batch; // current batch, closest first
	int batch_count;
	int batch_next;
	double previous_distance;
	Size max_memory;
	int ef_search;         // hnsw.ef_search when the search started (the batch buffer is sized for it)
	ItemPointerData entry; // the entry point, a last place to continue an iterative scan from
	// The other heap TIDs of the element returned last (same distance), returned next.
	ItemPointerData pending[vector_core::kHnswMaxHeapTids];
	int pending_count;
	int pending_next;
	VectorScanCounts counts; // of every search of the scan, for EXPLAIN (ANALYZE, VERBOSE)
	bool searching;          // a search ran since the last CountSearch
	// The exact filtered scan (hnsw_exact_scan.cpp), when the search runs it: each pass fills the
	// batch with up to exact_limit rows; a full one may have left more, after its last row.
	bool exact;
	bool exact_full;
	int exact_limit;
	const HnswVisitedSet *exact_skip; // the elements a walk before it visited (null: none)
	HnswCandidateOnDisk exact_last;
	// The search walks the label lists of the value its quals ask for (hnsw_label_graph.cpp).
	bool label_walk;
};

// Adds the finished search's elements to so->counts (before its state is reset or freed).
void CountSearch(ScanOpaque *so)
{
	if (!so->searching)
		return;
	so->searching = false;
	so->counts.searches++;
	so->counts.filtered += so->reader.filter != nullptr;
	so->counts.visited += static_cast<uint64>(so->state.tuples);
	so->counts.rejected += so->reader.rejected;
}

// Reads the heap TIDs of c (an element of several) into so->pending, the first one to *first.
void ReadAllHeapTids(ScanOpaque *so, const HnswCandidateOnDisk &c, ItemPointer first)
{
	*first = c.heaptid;
	so->pending_count = 0;
	so->pending_next = 0;
	HnswElementRead read;
	ItemPointerData tid = c.tid;
	const bool ok = HnswReadElement(&so->reader, &tid, so->query, 0, &read, nullptr, nullptr, nullptr, so->pending);
	HnswReaderRelease(&so->reader);
	// (Both NaN: a zero query under a metric that divides by its norm.)
	const bool same_distance = read.distance == c.distance || (std::isnan(read.distance) && std::isnan(c.distance));
	if (!ok || (read.flags & kHnswElementDeleted) || read.heaptid_count == 0 || !same_distance || !read.match)
		return;
	*first = so->pending[0];
	so->pending_count = read.heaptid_count;
	so->pending_next = 1;
}

// Sets what the executor needs of the row returned: whether to recheck the filter, and with lower
// bounds (sq8 rows), the bound in the operator's units, for it to re-rank from the table.
void SetReturned(IndexScanDesc scan, const ScanOpaque *so, float distance)
{
	scan->xs_recheck = so->reader.filter != nullptr && so->reader.filter->lossy;
	scan->xs_recheckorderby = so->bounds;
	if (so->bounds) {
		scan->xs_orderbyvals[0] = Float8GetDatum(vector_core::Sq8OperatorBound(so->info.metric, distance));
		scan->xs_orderbynulls[0] = false;
	}
}

// Rough bytes held by the search state.
Size StateMemory(const HnswSearchState *state)
{
	return sizeof(uint64) * state->visited.capacity +
	       (sizeof(ItemPointerData) * state->arena_stride + sizeof(uint16)) *
	           static_cast<Size>(state->arena_capacity) +
	       sizeof(HnswCandidateOnDisk) *
	           static_cast<Size>(state->result_capacity + state->candidate_capacity + state->discarded_capacity);
}

// One pass of the exact filtered scan (hnsw_exact_scan.cpp) into the batch: up to exact_limit
// rows, closest first, after *after (null: from the closest).
void ExactPass(ScanOpaque *so, const HnswCandidateOnDisk *after)
{
	uint64 read = 0, rejected = 0;
	so->batch_count =
	    HnswExactScan(&so->reader, so->query, so->exact_skip, after, so->exact_limit, &so->batch, &read, &rejected);
	so->batch_next = 0;
	so->exact_full = so->batch_count == so->exact_limit;
	if (so->batch_count > 0)
		so->exact_last = so->batch[so->batch_count - 1];
	so->counts.exact_read += read;
	so->reader.rejected += rejected;
}

// Runs the exact filtered scan over the matching elements but those skip holds (a walk before it
// visited them): its first pass fills the batch with as many rows as the scan's memory
// (work_mem * hnsw.scan_mem_multiplier, less what skip holds) has room for, at least 1,000,
// NextExactPass the next ones.
void RunExactScan(ScanOpaque *so, const HnswVisitedSet *skip)
{
	so->exact = true;
	so->exact_skip = skip;
	const Size skip_bytes = skip != nullptr ? sizeof(uint64) * skip->capacity : 0;
	const Size room = so->max_memory > skip_bytes ? so->max_memory - skip_bytes : 0;
	so->exact_limit = static_cast<int>(Min(MaxAllocSize / sizeof(HnswCandidateOnDisk) / 2,
	                                       Max(room / sizeof(HnswCandidateOnDisk), static_cast<Size>(1000))));
	so->counts.exact_scans++;
	ExactPass(so, nullptr);
}

// Frees what a walk holds but its visited set (the exact filtered scan that finishes it needs
// that one only), and the walk's batch buffer.
void FreeWalk(ScanOpaque *so)
{
	HnswSearchState *state = &so->state;
	for (void *p : {static_cast<void *>(state->results), static_cast<void *>(state->candidates),
	                static_cast<void *>(state->discarded), static_cast<void *>(state->arena),
	                static_cast<void *>(state->arena_counts), static_cast<void *>(so->batch)}) {
		if (p != nullptr)
			pfree(p);
	}
	state->results = state->candidates = state->discarded = nullptr;
	state->result_count = state->candidate_count = state->discarded_count = 0;
	state->result_capacity = state->candidate_capacity = state->discarded_capacity = 0;
	state->arena = nullptr;
	state->arena_counts = nullptr;
	state->arena_count = state->arena_capacity = 0;
	so->batch = nullptr;
}

// The next pass of the exact filtered scan, after the last row of the one before; false when that
// one had every row left.
bool NextExactPass(ScanOpaque *so)
{
	if (!so->exact_full)
		return false;
	pfree(so->batch);
	const HnswCandidateOnDisk after = so->exact_last;
	ExactPass(so, &after);
	return so->batch_count > 0;
}

// Starts the search on the label lists of label's value from its seeds; fills the first batch.
void StartLabelWalk(ScanOpaque *so, const HnswLabelEntry &label)
{
	HnswSearchStateInit(&so->state, &so->info, true);
	so->state.walk_layer = kHnswLabelLayer;
	so->label_walk = true;
	so->searching = true;
	so->counts.rounds++;
	so->counts.label_walks++;
	so->batch = static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * (so->ef_search + 1)));
	so->batch_count = 0;
	so->batch_next = 0;
	ItemPointerSetInvalid(&so->entry); // (an exhausted walk ends with the exact filtered scan)
	HnswCandidateOnDisk seeds[vector_core::kHnswLabelSeeds];
	const int found = HnswVisitBatch(&so->reader, so->query, label.seeds, label.seed_count, seeds,
	                                 get_float4_infinity(), &so->state);
	so->state.tuples = found;
	HnswSearchLayer(&so->reader, so->query, &so->state, kHnswLabelLayer, so->ef_search, seeds, found);
	so->batch_count = HnswTakeResultsSorted(&so->state, so->batch);
	HnswReaderRelease(&so->reader);
}

// Runs the first search; fills the first batch.
void StartSearch(IndexScanDesc scan, ScanOpaque *so)
{
	HnswMetaPageData meta;
	HnswGetIndexInfo(scan->indexRelation, &so->info, &meta);
	so->query = nullptr;
	so->bounds = false;
	if (!(scan->orderByData->sk_flags & SK_ISNULL)) {
		so->query = static_cast<char *>(palloc(so->info.query_bytes));
		CheckQueryDimensions(so->info.value_kind, so->info.dims, scan->orderByData->sk_argument);
		if (!HnswPrepareQuery(&so->info, scan->orderByData->sk_argument, so->query)) {
			// A zero query under cosine: every distance is NaN for the operator; rank by nothing
			// (an all-zero row: no non-zero elements for a sparse one; sq8 rows of zeros).
			memset(so->query, 0, so->info.query_bytes);
		} else {
			so->bounds = HnswDistancesAreBounds(&so->info);
		}
	}
	HnswReaderInit(&so->reader, scan->indexRelation, &so->info);
	// Quals on the filter columns (see pg/common/filter_columns.h): evaluated on every element visited.
	const IndexFilter *filter =
	    IndexFilterFromScanKeys(scan->indexRelation, so->info.filter_columns, scan->keyData, scan->numberOfKeys);
	if (filter != nullptr && filter->never) {
		so->exhausted = true;
		return;
	}
	so->reader.filter = filter;
	so->ef_search = hnsw_ef_search;
	// A value with a graph of its own: walk it, from its seeds.
	int64 label_key;
	HnswLabelEntry label;
	if (so->info.label_lists && hnsw_filter_strategy != kHnswFilterExact &&
	    HnswFilterLabelKey(filter, so->info.filter_columns, &label_key) &&
	    HnswFindLabel(scan->indexRelation, label_key, &label) && label.seed_count > 0) {
		StartLabelWalk(so, label);
		return;
	}
	if (filter != nullptr && hnsw_filter_strategy != kHnswFilterWalk) {
		HnswExactScanEstimate estimate;
		if (hnsw_filter_strategy == kHnswFilterExact ||
		    HnswChooseExactScan(&so->reader, so->ef_search, &estimate)) {
			so->state.tuples = 0;
			so->searching = true;
			RunExactScan(so, nullptr);
			return;
		}
	}
	// Every mode keeps the discarded elements: off mode too goes on when a filter rejected rows.
	// (Keeping them does not change the first search: it only remembers what it drops.)
	HnswSearchStateInit(&so->state, &so->info, true);
	so->searching = true; // (the state counts its tuples from here)
	so->counts.rounds++;
	so->batch = static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * (so->ef_search + 1)));
	so->batch_count = 0;
	so->batch_next = 0;

	so->entry = meta.entry;
	HnswCandidateOnDisk start;
	if (!HnswDescend(&so->reader, so->query, &meta, 0, vector_core::HnswSearchBeamsFor(so->info.metric), &start)) {
		so->exhausted = true;
		return;
	}
	so->state.tuples = 1;
	HnswSearchLayer(&so->reader, so->query, &so->state, 0, so->ef_search, &start, 1);
	// Fewer than ef_search found: the descent may have landed in a corner with no way out (an
	// element whose links all died, a cluster of equal vectors linking only among themselves).
	// Search on from the entry point too, from which VACUUM keeps every element reachable.
	if (so->state.result_count < so->ef_search && ItemPointerIsValid(&so->entry) &&
	    !HnswVisitedContains(&so->state.visited, &so->entry)) {
		// The second search starts from the first one's results as well as from the entry point:
		// it begins with an empty result set, and the elements found so far are marked visited,
		// so they would never be found again.
		const int kept = so->state.result_count;
		HnswCandidateOnDisk *entries =
		    static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * (kept + 1)));
		memcpy(entries, so->state.results, sizeof(HnswCandidateOnDisk) * kept);
		if (HnswVisitBatch(&so->reader, so->query, &so->entry, 1, &entries[kept], get_float4_infinity(),
		                   &so->state) == 1) {
			so->state.tuples++;
			HnswSearchLayer(&so->reader, so->query, &so->state, 0, so->ef_search, entries, kept + 1);
		}
		pfree(entries);
	}
	so->batch_count = HnswTakeResultsSorted(&so->state, so->batch);
	HnswReaderRelease(&so->reader);
}

// Fills the next batch for an iterative scan; false when nothing is left.
bool NextBatch(ScanOpaque *so)
{
	if (so->exact)
		return NextExactPass(so);
	HnswSearchState *state = &so->state;
	so->batch_count = 0;
	so->batch_next = 0;
	const bool over_tuples = state->tuples >= hnsw_max_scan_tuples;
	const bool over_memory = StateMemory(state) >= so->max_memory;
	if (state->discarded_count == 0 && (state->candidate_count == 0 || over_tuples || over_memory)) {
		// Nothing left around where the search landed: go on from the entry point, from which
		// every element is reachable (VACUUM keeps it so), unless it was visited already.
		if (over_tuples || over_memory || !ItemPointerIsValid(&so->entry) ||
		    HnswVisitedContains(&state->visited, &so->entry)) {
			// A filtered walk stopped by its bounds (hnsw.max_scan_tuples, memory) may have
			// passed by matching elements it never visited (a rare value, rows away from the
			// query): the exact filtered scan returns them, so that a query gets its LIMIT rows
			// when that many match. (off and strict_order skip those closer than a row already
			// returned, as for any late row.) A walk that ran out of elements visited every
			// element reachable, which is every element: nothing is left.
			// A label walk that ran out visited its value's graph: rows of that value outside
			// it (inserted since the build, or cut off by VACUUM) are found the same way.
			if (so->reader.filter == nullptr ||
			    (hnsw_filter_strategy == kHnswFilterWalk && !so->label_walk) ||
			    !(over_tuples || over_memory || so->label_walk))
				return false;
			FreeWalk(so);
			RunExactScan(so, &state->visited);
			return true;
		}
		HnswCandidateOnDisk entry;
		if (HnswVisitBatch(&so->reader, so->query, &so->entry, 1, &entry, get_float4_infinity(), state) != 1)
			return false;
		state->tuples++;
		so->counts.rounds++;
		HnswSearchLayer(&so->reader, so->query, state, state->walk_layer, so->ef_search, &entry, 1);
		HnswReaderRelease(&so->reader);
		so->batch_count = HnswTakeResultsSorted(state, so->batch);
		return true; // (an empty batch too: the caller asks again)
	}
	if (over_tuples || over_memory) {
		if (over_memory && !over_tuples)
			ereport(DEBUG1, (errmsg("hnsw index scan reached memory limit after " INT64_FORMAT " tuples",
			                        state->tuples),
			                 errhint("Increase hnsw.scan_mem_multiplier to scan more tuples.")));
		// Return what was seen, in order, without searching further.
		so->batch[0] = HnswPopDiscarded(state);
		so->batch_count = 1;
		return true;
	}
	const int batch = so->ef_search;
	so->counts.rounds++;
	HnswCandidateOnDisk *entries = static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * batch));
	int entry_count = 0;
	while (entry_count < batch && state->discarded_count > 0)
		entries[entry_count++] = HnswPopDiscarded(state);
	const bool had_work = entry_count > 0 || state->candidate_count > 0;
	HnswSearchLayer(&so->reader, so->query, state, state->walk_layer, batch, entries, entry_count);
	HnswReaderRelease(&so->reader);
	pfree(entries);
	if (state->result_count > so->ef_search + 1) {
		// Cannot happen (ef bounds the results), but keep the batch buffer safe.
		elog(ERROR, "hnsw: iterative scan batch overflow");
	}
	so->batch_count = HnswTakeResultsSorted(state, so->batch);
	// An empty batch that expanded left-over candidates still made progress: ask again.
	return so->batch_count > 0 || had_work;
}

} // namespace

// ambeginscan.
IndexScanDesc hnswbeginscan(Relation index, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
	ScanOpaque *so = static_cast<ScanOpaque *>(palloc0(sizeof(ScanOpaque)));
	so->context = AllocSetContextCreate(CurrentMemoryContext, "hnsw scan", ALLOCSET_DEFAULT_SIZES);
	double max_memory = static_cast<double>(work_mem) * hnsw_scan_mem_multiplier * 1024.0;
	so->max_memory = static_cast<Size>(Min(max_memory, static_cast<double>(MaxAllocHugeSize)));
	so->first = true;
	scan->opaque = so;
	if (norderbys > 0) {
		// For the lower bounds of sq8 rows (SetReturned).
		scan->xs_orderbyvals = static_cast<Datum *>(palloc0(sizeof(Datum) * norderbys));
		scan->xs_orderbynulls = static_cast<bool *>(palloc(sizeof(bool) * norderbys));
		memset(scan->xs_orderbynulls, true, sizeof(bool) * norderbys);
	}
	return scan;
}

// amrescan.
void hnswrescan(IndexScanDesc scan, ScanKey keys, [[maybe_unused]] int nkeys, ScanKey orderbys,
                [[maybe_unused]] int norderbys)
{
	ScanOpaque *so = static_cast<ScanOpaque *>(scan->opaque);
	if (!so->first)
		HnswReaderRelease(&so->reader);
	CountSearch(so);
	MemoryContextReset(so->context);
	so->first = true;
	so->exhausted = false;
	so->exact = false;
	so->label_walk = false;
	so->pending_count = 0;
	so->pending_next = 0;
	so->previous_distance = -get_float8_infinity();
	if (keys && scan->numberOfKeys > 0)
		memmove(scan->keyData, keys, scan->numberOfKeys * sizeof(ScanKeyData));
	if (orderbys && scan->numberOfOrderBys > 0)
		memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));
}

// amgettuple: the next heap TID, closest first.
bool hnswgettuple(IndexScanDesc scan, [[maybe_unused]] ScanDirection dir)
{
	ScanOpaque *so = static_cast<ScanOpaque *>(scan->opaque);
	MemoryContext old = MemoryContextSwitchTo(so->context);

	if (so->first) {
		pgstat_count_index_scan(scan->indexRelation);
		if (scan->orderByData == nullptr)
			elog(ERROR, "cannot scan hnsw index without order");
		if (!IsMVCCSnapshot(scan->xs_snapshot))
			elog(ERROR, "non-MVCC snapshots are not supported with hnsw");
		so->exhausted = false;
		StartSearch(scan, so);
		so->first = false;
	}

	while (!so->exhausted) {
		if (so->pending_next < so->pending_count) {
			scan->xs_heaptid = so->pending[so->pending_next++];
			so->counts.returned++;
			SetReturned(scan, so, so->pending_distance);
			MemoryContextSwitchTo(old);
			return true;
		}
		if (so->batch_next >= so->batch_count) {
			if (!NextBatch(so)) {
				so->exhausted = true;
				break;
			}
			continue;
		}
		const HnswCandidateOnDisk &c = so->batch[so->batch_next++];
		if ((c.flags & kHnswElementDeleted) || !ItemPointerIsValid(&c.heaptid) || !c.match)
			continue;
		if (hnsw_iterative_scan != kHnswIterativeRelaxed) {
			// off and strict_order: never out of order.
			if (c.distance < so->previous_distance)
				continue;
			so->previous_distance = c.distance;
		}
		if (c.heaptid_count > 1) {
			ReadAllHeapTids(so, c, &scan->xs_heaptid);
			so->pending_distance = c.distance;
		} else {
			scan->xs_heaptid = c.heaptid;
		}
		so->counts.returned++;
		SetReturned(scan, so, c.distance);
		MemoryContextSwitchTo(old);
		return true;
	}
	MemoryContextSwitchTo(old);
	return false;
}

// amendscan.
void hnswendscan(IndexScanDesc scan)
{
	ScanOpaque *so = static_cast<ScanOpaque *>(scan->opaque);
	if (!so->first)
		HnswReaderRelease(&so->reader);
	CountSearch(so);
	if (VectorScanStatsCollecting())
		VectorScanStatsAdd(RelationGetRelid(scan->indexRelation), so->counts);
	MemoryContextDelete(so->context);
	pfree(so);
	scan->opaque = nullptr;
}
