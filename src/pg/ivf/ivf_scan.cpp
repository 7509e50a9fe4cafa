// Scanning an IVF index for ORDER BY <distance> LIMIT k.
//
// The first gettuple computes the query's distance to every centroid, orders the lists, and
// scans the nearest ivfflat.probes lists: each entry's distance (exact for flat; SQ8 / PQ
// approximate for quantized lists) goes into a candidate array that is then heapified, so
// rows come back by popping the minimum (no full sort, no per-entry allocation).
// SQ8 and PQ scans pop candidates in batches of vector.ivf_rerank, fetch each one's vector
// from the table, compute the exact distance and return the batch in exact order; rows
// invisible to the scan's snapshot are dropped there (the executor would drop them too).
// RaBitQ candidates carry a lower bound of their distance (core/ivf/ivf_rabitq.h) instead of an
// estimate: they are re-ranked one at a time, nearest bound first, and a re-ranked row is
// returned once its exact distance is no larger than every remaining bound, so rows come in
// exact order and only as many are fetched as the executor's rows need (NextRabitqRow).
// When the candidates run out and the executor still asks for rows (a WHERE clause rejected
// some), more lists are scanned, up to ivfflat.max_probes lists in all. With
// ivfflat.iterative_scan = relaxed_order the next ivfflat.probes lists, whose rows come back in
// their own order; with off (the default) as many lists as were read so far (doubling), and a row
// of them closer than one already returned is skipped, so rows always come in distance order.
// Reading more lists per round skips fewer: rows of lists read together come out merged.
// (pgvector's off mode stops after the first ivfflat.probes lists, so a selective filter can
// leave a query with fewer rows than its LIMIT; here it goes on.)
//
// An index whose centroids are untrained (built on fewer rows than lists, such as on an empty
// table; the metapage says so) is scanned whole: every list is read in the first round and
// quantized candidates are all re-ranked, so such a scan returns exact answers until REINDEX.
// (pgvector probes such an index like a trained one and misses most rows.)
//
// A probe is a list that has entries: lists that never received a row (more lists than
// distinct vectors, an index built on an empty table) are left out of the probe order, and a
// list found empty when read (emptied by VACUUM) does not count as one of the probes, so the
// scan reads the nearest lists that hold rows. A scan never ends empty while rows remain in
// unread lists: when its probes are used up and none of the rows it returned is visible to
// its snapshot (their lists hold only dead or not yet visible rows), it reads on, a probe's
// worth of lists at a time, until it has returned a visible row or read every list.
// Every scan (and rescan) counts in pg_stat_*_indexes.idx_scan.
//
// Quals on filter columns (multicolumn indexes, pg/common/filter_columns.h) are evaluated on
// every entry of the lists read, from its attribute area and before its distance: an entry that
// fails them is skipped (no distance, no candidate, no table row read). So the candidates are the
// matching rows only, and when they run out the rounds above read more lists, exactly as when
// the executor's filter rejected rows: with relaxed_order until LIMIT rows matched or
// ivfflat.max_probes lists were read. The quals are exact (no recheck).
#include "pg/common/pg_headers.h"

#include <algorithm>
#include <cmath>

#include "core/ivf/ivf_rabitq.h"
#include "pg/admin/scan_stats.h"
#include "pg/common/query_dimensions.h"
#include "pg/ivf/ivf.h"
#include "pg/types/vector/vector.h"

using vector_core::Metric;

namespace
{

// A candidate row: its distance (smaller is closer) and heap tid.
struct IvfCandidate {
	float distance;
	ItemPointerData tid;
};

// A list in probe order.
struct IvfProbe {
	float distance;
	int32 list;
	BlockNumber start;
};

// Orders candidates so that std heap functions keep the smallest distance on top.
struct CandidateGreater {
	bool operator()(const IvfCandidate &a, const IvfCandidate &b) const
	{
		return a.distance > b.distance;
	}
};

struct IvfScanOpaqueData {
	VectorScanCounts counts; // of every search of the scan, for EXPLAIN (ANALYZE, VERBOSE)
	IvfMetaPageData meta;
	Metric metric;
	MemoryContext ctx; // lives as long as the scan; reset by rescan
	bool first;
	bool have_query;
	float *query;    // stored form (dim)
	char *query_row; // the query as a row
	vector_core::ElementDistanceFn row_distance;
	float *aux;        // quantizer parameters (read once per scan)
	float *sq8_qprime; // SQ8 prepared query
	float *sq8_weight;
	vector_core::Sq8Query sq8;
	float *pq_table;        // PQ distance table (m x 256)
	float *rabitq_signs;    // the RaBitQ rotation
	float *rabitq_rotated;  // the query's rotation for the list being read (padded dims)
	float *rabitq_centroid; // that list's centroid (dim)
	bool rabitq_rotated_q;  // inner product: rabitq_rotated holds the query's rotation already
	vector_core::RabitqQuery rabitq;
	IvfCandidate *exact; // re-ranked RaBitQ candidates (min-heap on the exact distance)
	int64 nexact;
	int64 exact_cap;
	float rabitq_floor; // the last RaBitQ row returned since lists were last added
	IvfProbe *probes;   // lists that have pages, by distance
	int nprobes;        // entries of probes
	int next_probe;     // position in probes of the next list to read
	int probed;         // lists read that had entries (the probes spent)
	int64 filled;       // candidates added by the last ScanNextLists (flat: rows returned since)
	bool returned_live; // a row this scan returned is known to be visible to its snapshot
	IvfCandidate *cand; // min-heap
	int64 ncand;
	int64 cand_cap;
	IvfCandidate *batch; // re-ranked batch (quantized), ascending exact distance
	int64 batch_n;
	int64 batch_pos;
	int64 batch_cap;
	float *heapvec;   // scratch for a fetched vector
	float *page_dist; // distances of one page's entries
	IndexFetchTableData *fetch;
	TupleTableSlot *slot;
	AttrNumber attno;
	const IndexFilter *filter; // quals on the filter columns (null: none)

	int probes_first;    // lists of the first round (ivfflat.probes)
	float last_distance; // distance of the last row returned
};
typedef IvfScanOpaqueData *IvfScanOpaque;

// Orders candidates by distance.
int CompareCandidates(const void *a, const void *b)
{
	float da = static_cast<const IvfCandidate *>(a)->distance, db = static_cast<const IvfCandidate *>(b)->distance;
	return da < db ? -1 : (da > db ? 1 : 0);
}

// Reads the directory and orders the lists that have pages by distance to the query (lists
// that never received a row have none and are left out).
void OrderLists(IndexScanDesc scan, IvfScanOpaque so)
{
	const IvfMetaPageData *meta = &so->meta;
	int n = 0;
	for (uint32 p = 0; p < meta->dir_pages; p++) {
		Buffer buf = ReadBuffer(scan->indexRelation, meta->dir_start + p);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		const char *content = IvfPageContent(BufferGetPage(buf));
		for (uint32 i = 0; i < meta->dir_per_page; i++) {
			int list = static_cast<int>(p * meta->dir_per_page + i);
			if (list >= meta->lists)
				break;
			const char *entry = content + i * meta->dir_entry_size;
			IvfDirEntryHead head;
			memcpy(&head, entry, sizeof(head));
			if (head.start == InvalidBlockNumber)
				continue;
			so->probes[n].list = list;
			so->probes[n].start = head.start;
			so->probes[n].distance =
			    so->row_distance(so->query_row, entry + sizeof(IvfDirEntryHead), meta->dim);
			n++;
		}
		UnlockReleaseBuffer(buf);
	}
	// Ties (duplicate centroids) in list order, so that every scan reads the same lists.
	std::sort(so->probes, so->probes + n, [](const IvfProbe &a, const IvfProbe &b) {
		return a.distance < b.distance || (a.distance == b.distance && a.list < b.list);
	});
	so->nprobes = n;
}

// Makes room for n more candidates.
void ReserveCandidates(IvfScanOpaque so, int64 n)
{
	if (so->ncand + n <= so->cand_cap)
		return;
	int64 cap = std::max<int64>(so->cand_cap * 2, so->ncand + n);
	cap = std::max<int64>(cap, 1024);
	Size bytes = sizeof(IvfCandidate) * cap;
	if (so->cand == nullptr)
		so->cand = static_cast<IvfCandidate *>(MemoryContextAllocHuge(so->ctx, bytes));
	else
		so->cand = static_cast<IvfCandidate *>(repalloc_huge(so->cand, bytes));
	so->cand_cap = cap;
}

// Whether a qual on a filter column compares with NULL, so that no row can match.
bool MatchesNothing(IvfScanOpaque so)
{
	return so->filter != nullptr && so->filter->never;
}

// The distance from the query to one entry's code (flat row, sq8 or pq code).
float EntryDistance(IvfScanOpaque so, const char *code)
{
	switch (so->meta.quantizer) {
	case kIvfQuantSq8:
		return vector_core::Sq8Distance(&so->sq8, reinterpret_cast<const uint8 *>(code), so->meta.dim);
	case kIvfQuantPq:
		return vector_core::PqDistance(so->pq_table, reinterpret_cast<const uint8 *>(code), so->meta.pq_m);
	case kIvfQuantRabitq:
		// A lower bound: candidates come out by it, and NextRabitqRow re-ranks.
		return vector_core::RabitqBound(&so->rabitq, reinterpret_cast<const uint8 *>(code));
	default:
		return so->row_distance(so->query_row, code, so->meta.dim);
	}
}

// Prepares the RaBitQ query for list (whose codes hold residuals from its centroid).
void PrepareRabitqList(IndexScanDesc scan, IvfScanOpaque so, int list)
{
	const IvfMetaPageData *meta = &so->meta;
	IvfReadCentroid(scan->indexRelation, meta, list, so->rabitq_centroid);
	if (so->rabitq_rotated_q) {
		vector_core::RabitqMoveToList(so->query, so->rabitq_centroid, meta->dim, &so->rabitq);
		return;
	}
	vector_core::RabitqPrepareQuery(so->query, so->rabitq_centroid, meta->dim, so->metric, so->rabitq_signs,
	                                so->rabitq_rotated, &so->rabitq);
	so->rabitq_rotated_q = so->rabitq.ip;
}

// Scans one list's pages, adding every entry (that passes the quals on filter columns) to the
// candidates (heap order restored later).
void ScanList(IndexScanDesc scan, IvfScanOpaque so, BlockNumber blkno)
{
	const IvfMetaPageData *meta = &so->meta;
	const Size entry_size = meta->entry_size, head = meta->entry_head;
	const int dim = meta->dim;
	while (blkno != InvalidBlockNumber) {
		Buffer buf = ReadBuffer(scan->indexRelation, blkno);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		int count = IvfPageEntryCount(page, entry_size);
		ReserveCandidates(so, count);
		so->counts.visited += static_cast<uint64>(count);
		const char *entry = IvfPageContent(page);
		IvfCandidate *out = so->cand + so->ncand;
		int kept = 0;
		if (so->filter == nullptr && meta->quantizer == kIvfQuantSq8) {
			// Every entry, codes at a fixed stride: the batch kernel.
			vector_core::Sq8DistanceBatch(&so->sq8, reinterpret_cast<const uint8 *>(entry + head), count,
			                              entry_size, dim, so->page_dist);
			for (; kept < count; kept++, entry += entry_size) {
				out[kept].distance = so->page_dist[kept];
				memcpy(&out[kept].tid, entry, sizeof(ItemPointerData));
			}
		} else {
			// Entry by entry; with quals on filter columns only the entries that pass them get a
			// distance and become candidates.
			for (int i = 0; i < count; i++, entry += entry_size) {
				if (so->filter != nullptr && !IndexFilterMatch(so->filter, IvfEntryAttrs(entry))) {
					so->counts.rejected++;
					continue;
				}
				out[kept].distance = EntryDistance(so, entry + head);
				memcpy(&out[kept].tid, entry, sizeof(ItemPointerData));
				kept++;
			}
		}
		so->ncand += kept;
		blkno = IvfPageGetOpaque(page)->next;
		UnlockReleaseBuffer(buf);
	}
}

// Scans the next `n` lists that have entries, in probe order, and re-heapifies; lists found
// empty are read but not counted. Fewer when the lists run out.
void ScanNextLists(IndexScanDesc scan, IvfScanOpaque so, int n)
{
	const int64 before = so->ncand;
	for (int done = 0; done < n && so->next_probe < so->nprobes; so->next_probe++) {
		const int64 had = so->ncand;
		if (so->meta.quantizer == kIvfQuantRabitq)
			PrepareRabitqList(scan, so, so->probes[so->next_probe].list);
		ScanList(scan, so, so->probes[so->next_probe].start);
		so->counts.rounds++;
		if (so->ncand > had) {
			done++;
			so->probed++;
		}
		CHECK_FOR_INTERRUPTS();
	}
	so->filled = so->ncand - before;
	std::make_heap(so->cand, so->cand + so->ncand, CandidateGreater());
}

// Pops the candidate with the smallest distance.
IvfCandidate PopCandidate(IvfScanOpaque so)
{
	std::pop_heap(so->cand, so->cand + so->ncand, CandidateGreater());
	return so->cand[--so->ncand];
}

// Exact distance of the table row's vector to the query; false when the row is not visible
// to the scan's snapshot (or its vector is NULL / a zero vector for cosine).
bool ExactDistance(IndexScanDesc scan, IvfScanOpaque so, ItemPointer tid, float *distance)
{
	bool call_again = false, all_dead = false;
	ItemPointerData t = *tid;
	so->counts.reranked++;
	if (!table_index_fetch_tuple(so->fetch, &t, scan->xs_snapshot, so->slot, &call_again, &all_dead))
		return false;
	bool isnull;
	Datum value = slot_getattr(so->slot, so->attno, &isnull);
	bool ok = !isnull && IvfPrepareVector(value, &so->meta, so->heapvec, nullptr);
	ExecClearTuple(so->slot);
	if (ok)
		*distance = vector_core::IvfDistance(so->metric, so->query, so->heapvec, so->meta.dim);
	return ok;
}

// Whether one of the rows a flat scan returned since the last ScanNextLists is visible to the
// scan's snapshot. Called when the candidates have run out (ncand == 0): pop_heap left the
// popped candidates, the rows returned, in cand[0 .. filled).
bool ReturnedRowVisible(IndexScanDesc scan, IvfScanOpaque so)
{
	if (so->fetch == nullptr) {
		MemoryContext old = MemoryContextSwitchTo(so->ctx);
		so->fetch = table_index_fetch_begin(scan->heapRelation);
		so->slot = table_slot_create(scan->heapRelation, nullptr);
		MemoryContextSwitchTo(old);
	}
	for (int64 i = 0; i < so->filled; i++) {
		bool call_again = false, all_dead = false;
		ItemPointerData t = so->cand[i].tid;
		bool found =
		    table_index_fetch_tuple(so->fetch, &t, scan->xs_snapshot, so->slot, &call_again, &all_dead);
		ExecClearTuple(so->slot);
		if (found)
			return true;
		CHECK_FOR_INTERRUPTS();
	}
	return false;
}

// Re-ranks the next batch of candidates with exact distances (quantized indexes).
void RerankBatch(IndexScanDesc scan, IvfScanOpaque so)
{
	// SQ8 distances are close to exact: a few times LIMIT suffices; PQ ones are coarser.
	int64 want = vector_ivf_rerank > 0 ? vector_ivf_rerank : (so->meta.quantizer == kIvfQuantSq8 ? 40 : 100);
	// An untrained quantizer's distances do not order the rows: re-rank them all.
	if (so->meta.flags & kIvfMetaUntrained)
		want = std::max<int64>(want, so->ncand);
	if (so->batch == nullptr || so->batch_cap < want) {
		if (so->batch != nullptr)
			pfree(so->batch);
		so->batch = static_cast<IvfCandidate *>(MemoryContextAllocHuge(so->ctx, sizeof(IvfCandidate) * want));
		so->batch_cap = want;
	}
	so->batch_n = 0;
	so->batch_pos = 0;
	while (so->batch_n < want && so->ncand > 0) {
		IvfCandidate c = PopCandidate(so);
		float d;
		if (ExactDistance(scan, so, &c.tid, &d)) {
			c.distance = d;
			so->batch[so->batch_n++] = c;
		}
	}
	qsort(so->batch, so->batch_n, sizeof(IvfCandidate), CompareCandidates);
}

// The nearest re-ranked row once no remaining candidate's bound is below it (NextRabitqRow).
bool PopRabitqExact(IndexScanDesc scan, IvfScanOpaque so, IvfCandidate *out)
{
	while (so->ncand > 0 && (so->nexact == 0 || so->exact[0].distance > so->cand[0].distance)) {
		IvfCandidate c = PopCandidate(so);
		float d;
		if (!ExactDistance(scan, so, &c.tid, &d))
			continue;
		// NaN last, as ORDER BY sorts it (and so that it cannot break the heap's order).
		c.distance = std::isnan(d) ? get_float4_infinity() : d;
		if (so->nexact == so->exact_cap) {
			const int64 cap = std::max<int64>(64, 2 * so->exact_cap);
			const Size bytes = sizeof(IvfCandidate) * static_cast<Size>(cap);
			so->exact =
			    static_cast<IvfCandidate *>(so->exact == nullptr ? MemoryContextAllocHuge(so->ctx, bytes)
			                                                     : repalloc_huge(so->exact, bytes));
			so->exact_cap = cap;
		}
		so->exact[so->nexact++] = c;
		std::push_heap(so->exact, so->exact + so->nexact, CandidateGreater());
	}
	if (so->nexact == 0)
		return false;
	std::pop_heap(so->exact, so->exact + so->nexact, CandidateGreater());
	*out = so->exact[--so->nexact];
	return true;
}

// The next row of a RaBitQ scan, in exact order: candidates (keyed by their lower bound) are
// re-ranked one by one into the exact heap until its nearest row is no farther than every
// remaining candidate's lower bound; false when both are empty. The bounds hold with high
// probability, not always (core/ivf/ivf_rabitq.h): a row whose bound failed by more than the gap
// to the rows after it is re-ranked after they were returned. Such a row is treated as a row of a
// later round (ivfflat.iterative_scan): off mode leaves it out, so that rows always come in
// distance order; relaxed_order returns it.
bool NextRabitqRow(IndexScanDesc scan, IvfScanOpaque so, IvfCandidate *out)
{
	for (;;) {
		if (!PopRabitqExact(scan, so, out))
			return false;
		if (out->distance >= so->rabitq_floor || ivfflat_iterative_scan != 0) {
			so->rabitq_floor = std::max(so->rabitq_floor, out->distance);
			return true;
		}
	}
}

// Prepares the first scan of a query: query vector, quantizer tables, list order.
void StartScan(IndexScanDesc scan, IvfScanOpaque so)
{
	if (scan->orderByData == nullptr)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("cannot scan ivf index without order")));
	if (!IsMVCCSnapshot(scan->xs_snapshot))
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("non-MVCC snapshots are not supported with ivf")));
	const IvfMetaPageData *meta = &so->meta;
	MemoryContext old = MemoryContextSwitchTo(so->ctx);
	if (so->query == nullptr) {
		so->query = static_cast<float *>(palloc(sizeof(float) * meta->dim));
		so->query_row = static_cast<char *>(palloc(IvfRowBytes(meta)));
		so->row_distance = IvfRowDistance(meta);
		so->heapvec = static_cast<float *>(palloc(sizeof(float) * meta->dim));
		so->page_dist =
		    static_cast<float *>(palloc(sizeof(float) * (IvfPageCapacity() / meta->entry_size + 1)));
		so->probes = static_cast<IvfProbe *>(palloc(sizeof(IvfProbe) * meta->lists));
		so->aux = IvfReadAux(scan->indexRelation, meta);
		if (meta->quantizer == kIvfQuantSq8) {
			so->sq8_qprime = static_cast<float *>(palloc(sizeof(float) * meta->dim));
			so->sq8_weight = static_cast<float *>(palloc(sizeof(float) * meta->dim));
		} else if (meta->quantizer == kIvfQuantPq) {
			so->pq_table = static_cast<float *>(palloc(sizeof(float) * 256 * meta->pq_m));
		} else if (meta->quantizer == kIvfQuantRabitq) {
			const Size padded = vector_core::RabitqPaddedDim(meta->dim);
			so->rabitq_signs = static_cast<float *>(palloc(sizeof(float) * 3 * padded));
			so->rabitq_rotated = static_cast<float *>(palloc(sizeof(float) * padded));
			so->rabitq_centroid = static_cast<float *>(palloc(sizeof(float) * meta->dim));
			vector_core::RabitqInitSigns(padded, so->rabitq_signs);
		}
		if (meta->quantizer != kIvfQuantFlat) {
			so->fetch = table_index_fetch_begin(scan->heapRelation);
			so->slot = table_slot_create(scan->heapRelation, nullptr);
			so->attno = scan->indexRelation->rd_index->indkey.values[0];
		}
	}
	// A NULL query orders nothing: scan with a zero vector, so rows still come back.
	bool usable = false;
	if (!(scan->orderByData->sk_flags & SK_ISNULL)) {
		CheckQueryDimensions(IvfKind(meta), meta->dim, scan->orderByData->sk_argument);
		usable = IvfPrepareVector(scan->orderByData->sk_argument, meta, so->query, so->query_row);
	}
	if (!usable) {
		// NULL, or a cosine zero query (every distance is NaN): rank by nothing.
		memset(so->query, 0, sizeof(float) * meta->dim);
		memset(so->query_row, 0, IvfRowBytes(meta));
	}
	if (meta->quantizer == kIvfQuantSq8) {
		so->sq8.qprime = so->sq8_qprime;
		so->sq8.weight = so->sq8_weight;
		vector_core::Sq8PrepareQuery(so->query, meta->dim, so->aux, so->aux + meta->dim, so->metric, &so->sq8);
	} else if (meta->quantizer == kIvfQuantPq)
		vector_core::PqDistanceTable(so->query, meta->dim, meta->pq_m, so->aux, so->metric, so->pq_table);
	so->rabitq_rotated_q = false; // (a new query: PrepareRabitqList rotates it)
	MemoryContextSwitchTo(old);

	pgstat_count_index_scan(scan->indexRelation);
	MemoryContextSwitchTo(so->ctx);
	if (so->filter != nullptr)
		pfree(const_cast<IndexFilter *>(so->filter));
	so->filter = IndexFilterFromScanKeys(scan->indexRelation, static_cast<int>(meta->filter_columns), scan->keyData,
	                                     scan->numberOfKeys);
	MemoryContextSwitchTo(old);
	so->counts.searches++;
	so->counts.filtered += so->filter != nullptr;
	if (MatchesNothing(so))
		return;
	OrderLists(scan, so);
	so->ncand = 0;
	so->nexact = 0;
	so->next_probe = so->probed = 0;
	so->returned_live = false;
	so->batch_n = so->batch_pos = 0;
	so->last_distance = -get_float4_infinity();
	so->rabitq_floor = -get_float4_infinity();
	// Untrained centroids (an index built on fewer rows than lists) say little about where the
	// rows went: read every list, so that the answers are exact.
	ScanNextLists(scan, so, (so->meta.flags & kIvfMetaUntrained) ? so->nprobes : std::max(1, ivfflat_probes));
	so->probes_first = so->probed;
}

} // namespace

// ambeginscan: allocates the scan state; the metapage is read once here.
IndexScanDesc ivfbeginscan(Relation index, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
	IvfScanOpaque so = static_cast<IvfScanOpaque>(palloc0(sizeof(IvfScanOpaqueData)));
	IvfReadMeta(index, &so->meta);
	so->metric = IvfStoredFormMetric(&so->meta);
	so->ctx = AllocSetContextCreate(CurrentMemoryContext, "ivf scan", ALLOCSET_DEFAULT_SIZES);
	so->first = true;
	scan->opaque = so;
	return scan;
}

// amrescan: takes the new order-by argument; the work happens at the first gettuple.
void ivfrescan(IndexScanDesc scan, ScanKey keys, [[maybe_unused]] int nkeys, ScanKey orderbys,
               [[maybe_unused]] int norderbys)
{
	IvfScanOpaque so = static_cast<IvfScanOpaque>(scan->opaque);
	so->first = true;
	so->ncand = 0;
	so->nexact = 0;
	so->batch_n = so->batch_pos = 0;
	if (keys && scan->numberOfKeys > 0)
		memmove(scan->keyData, keys, scan->numberOfKeys * sizeof(ScanKeyData));
	if (orderbys && scan->numberOfOrderBys > 0)
		memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));
}

// amgettuple: returns the next row in distance order.
bool ivfgettuple(IndexScanDesc scan, [[maybe_unused]] ScanDirection dir)
{
	IvfScanOpaque so = static_cast<IvfScanOpaque>(scan->opaque);
	if (so->first) {
		StartScan(scan, so);
		so->first = false;
	}
	if (MatchesNothing(so))
		return false;
	for (;;) {
		IvfCandidate c;
		bool have = false;
		if (so->meta.quantizer == kIvfQuantFlat) {
			if (so->ncand > 0) {
				c = PopCandidate(so);
				have = true;
			}
		} else if (so->meta.quantizer == kIvfQuantRabitq) {
			have = NextRabitqRow(scan, so, &c);
		} else if (so->batch_pos < so->batch_n) {
			c = so->batch[so->batch_pos++];
			have = true;
		} else if (so->ncand > 0) {
			RerankBatch(scan, so);
			continue;
		}
		if (have) {
			// Off mode never returns rows out of order: past the first lists, a row closer than
			// the last one returned is left out (the first lists come back as they always did).
			if (ivfflat_iterative_scan == 0 && so->probed > so->probes_first &&
			    c.distance < so->last_distance)
				continue;
			so->last_distance = c.distance;
			// Re-ranked rows were fetched with the scan's snapshot: this one is visible.
			if (so->meta.quantizer != kIvfQuantFlat)
				so->returned_live = true;
			scan->xs_heaptid = c.tid;
			so->counts.returned++;
			// A lossy qual (a hashed text or array signature) passed: the executor checks the row.
			scan->xs_recheck = so->filter != nullptr && so->filter->lossy;
			scan->xs_recheckorderby = false;
			return true;
		}
		// Out of candidates. A flat scan learns here whether a row it returned was visible.
		if (so->meta.quantizer == kIvfQuantFlat && !so->returned_live && so->filled > 0)
			so->returned_live = ReturnedRowVisible(scan, so);
		if (so->next_probe >= so->nprobes)
			return false;
		const int probes = std::max(1, ivfflat_probes);
		int n;
		if (!so->returned_live)
			n = probes; // nothing visible yet: read on, whatever the settings
		else {
			// The executor wants more rows (a filter rejected some): probe more lists, up to
			// ivfflat.max_probes in all, in either iterative mode.
			int max_probes = std::max(ivfflat_max_probes, ivfflat_probes);
			if (so->probed >= max_probes)
				return false;
			// Off mode leaves out the rows of a new round that are closer than the last row
			// returned, so each round boundary loses rows: a round reads as many lists as all
			// rounds before it (doubling), which keeps the boundaries few (and the lists read at
			// most twice those needed). relaxed_order loses nothing: a probe's worth per round.
			n = ivfflat_iterative_scan == 0 ? std::max(probes, so->probed) : probes;
			n = std::min(n, max_probes - so->probed);
		}
		ScanNextLists(scan, so, n);
		so->rabitq_floor = -get_float4_infinity(); // (a new round: see ivfflat.iterative_scan)
	}
}

// amendscan: releases the scan's memory and table fetch state.
void ivfendscan(IndexScanDesc scan)
{
	IvfScanOpaque so = static_cast<IvfScanOpaque>(scan->opaque);
	if (VectorScanStatsCollecting())
		VectorScanStatsAdd(RelationGetRelid(scan->indexRelation), so->counts);
	if (so->slot != nullptr)
		ExecDropSingleTupleTableSlot(so->slot);
	if (so->fetch != nullptr)
		table_index_fetch_end(so->fetch);
	MemoryContextDelete(so->ctx);
	pfree(so);
	scan->opaque = nullptr;
}
