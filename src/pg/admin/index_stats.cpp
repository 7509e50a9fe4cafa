// vector_index_stats(regclass): what an hnsw, ivfflat or ivf index holds, read from its pages,
// for monitoring and tuning (README "Tune"). One row:
//   access_method, dimensions, metric, bytes, pages,
//   elements      index entries (hnsw: elements; ivf: list entries),
//   dead_tuples   entries whose table row the statement's snapshot does not see (deleted or
//                 superseded rows that VACUUM will remove), plus hnsw elements already marked
//                 deleted by a running or interrupted VACUUM,
//   hnsw only:    m, ef_construction, levels (entry point level + 1), level_counts[i] = elements
//                 whose top layer is i,
//   both:         quantizer (hnsw: flat or sq8),
//   ivf only:     lists, empty_lists, min/max/avg list size and the coefficient of
//                 variation of list sizes (stddev / mean: 0 for perfectly balanced lists).
// The pages are read under share locks one at a time, like a scan, so the numbers are a
// consistent picture of each page, not of the whole index at one instant. Heap visibility is
// checked after the index page's lock is released (never an index lock while reading the heap).
// Plain C-style code: no C++ object owns resources here, because any call may ereport.
#include "pg/common/pg_headers.h"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "commands/defrem.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "utils/acl.h"
}

#include <cmath>
#include <cstring>

#include "pg/common/sql_function.h"
#include "pg/hnsw/hnsw.h"
#include "pg/ivf/ivf.h"

namespace
{

// Counts the heap tids of tids[0..n) whose row the active snapshot does not see.
int64 CountInvisible(Relation heap, const ItemPointerData *tids, int n)
{
	if (n == 0)
		return 0;
	int64 dead = 0;
	Snapshot snapshot = GetActiveSnapshot();
	IndexFetchTableData *fetch = table_index_fetch_begin(heap);
	TupleTableSlot *slot = table_slot_create(heap, nullptr);
	for (int i = 0; i < n; i++) {
		ItemPointerData tid = tids[i];
		bool call_again = false;
		bool all_dead = false;
		if (!ItemPointerIsValid(&tid) ||
		    !table_index_fetch_tuple(fetch, &tid, snapshot, slot, &call_again, &all_dead))
			dead++;
		ExecClearTuple(slot);
		CHECK_FOR_INTERRUPTS();
	}
	ExecDropSingleTupleTableSlot(slot);
	table_index_fetch_end(fetch);
	return dead;
}

struct StatsRow {
	const char *am;
	int dimensions;
	const char *metric;
	int64 bytes;
	int64 pages;
	int64 elements;
	int64 dead;
	// hnsw
	int m;
	int ef_construction;
	int levels;
	int64 level_counts[256];
	int max_level_seen;
	// ivf
	const char *quantizer;
	int lists;
	int empty_lists;
	int64 min_list;
	int64 max_list;
	double avg_list;
	double list_cv;
};

// The metric named by an hnsw metapage ("unknown" for a number no index stores).
const char *HnswMetricName(uint8 stored)
{
	vector_core::Metric metric;
	return vector_core::HnswMetricFromDisk(stored, &metric) ? vector_core::MetricName(metric) : "unknown";
}

// The metric named by an IVF metapage ("unknown" for a number no index stores).
const char *IvfMetricName(int32 stored)
{
	vector_core::Metric metric;
	return vector_core::IvfMetricFromDisk(stored, &metric) ? vector_core::MetricName(metric) : "unknown";
}

// Fills the hnsw part of row by reading every page of the index.
void HnswStats(Relation index, Relation heap, StatsRow *row, BlockNumber nblocks)
{
	HnswMetaPageData meta;
	HnswReadMeta(index, &meta); // refuses a foreign or older page format
	row->dimensions = static_cast<int>(meta.dims);
	row->metric = HnswMetricName(meta.metric);
	row->m = meta.m;
	row->ef_construction = meta.ef_construction;
	row->levels = meta.entry_level + 1;
	row->max_level_seen = -1;
	row->quantizer = meta.element_kind == static_cast<uint8>(vector_core::ElementKind::kSq8) ? "sq8" : "flat";

	BufferAccessStrategy strategy = GetAccessStrategy(BAS_BULKREAD);
	ItemPointerData *tids = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * MaxOffsetNumber));
	for (BlockNumber blkno = kHnswMetaBlock + 1; blkno < nblocks; blkno++) {
		CHECK_FOR_INTERRUPTS();
		Buffer buf = ReadBufferExtended(index, MAIN_FORKNUM, blkno, RBM_NORMAL, strategy);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		int n = 0;
		if (!PageIsNew(page)) {
			OffsetNumber maxoff = PageGetMaxOffsetNumber(page);
			for (OffsetNumber off = FirstOffsetNumber; off <= maxoff; off = OffsetNumberNext(off)) {
				ItemId iid = PageGetItemId(page, off);
				if (!ItemIdIsNormal(iid) || ItemIdGetLength(iid) < sizeof(HnswElementHeader))
					continue;
				const HnswElementHeader *e =
				    reinterpret_cast<const HnswElementHeader *>(PageGetItem(page, iid));
				if (e->kind != kHnswElementTuple || !HnswElementHeaderValid(e, ItemIdGetLength(iid)))
					continue;
				row->elements++;
				row->level_counts[e->level]++;
				if (e->level > row->max_level_seen)
					row->max_level_seen = e->level;
				if (e->flags & kHnswElementDeleted)
					row->dead++;
				else
					for (int t = 0; t < e->tid_count && n < MaxOffsetNumber; t++)
						tids[n++] =
						    HnswElementHeapTids(e)[t]; // (a page holds fewer TIDs than that)
			}
		}
		UnlockReleaseBuffer(buf);
		row->dead += CountInvisible(heap, tids, n);
	}
	pfree(tids);
	FreeAccessStrategy(strategy);
}

// Fills the ivf part of row by walking every list.
void IvfStats(Relation index, Relation heap, StatsRow *row)
{
	IvfMetaPageData meta;
	IvfReadMeta(index, &meta);
	row->dimensions = meta.dim;
	// Hamming distance of a bit index is stored as L2 over its 0/1 form.
	row->metric = meta.element_kind == static_cast<uint32>(vector_core::ElementKind::kBit)
	                  ? vector_core::MetricName(vector_core::Metric::kHamming)
	                  : IvfMetricName(meta.metric);
	row->quantizer = IvfQuantizerName(meta.quantizer);
	row->lists = meta.lists;
	if (meta.entry_size == 0 || meta.lists <= 0 || meta.dir_per_page == 0)
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("index \"%s\" is not a valid ivf index", RelationGetRelationName(index))));

	BlockNumber *starts = static_cast<BlockNumber *>(palloc(sizeof(BlockNumber) * meta.lists));
	for (uint32 p = 0; p < meta.dir_pages; p++) {
		Buffer buf = ReadBuffer(index, meta.dir_start + p);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		const char *content = IvfPageContent(BufferGetPage(buf));
		for (uint32 i = 0; i < meta.dir_per_page; i++) {
			int list = static_cast<int>(p * meta.dir_per_page + i);
			if (list >= meta.lists)
				break;
			IvfDirEntryHead head;
			memcpy(&head, content + i * meta.dir_entry_size, sizeof(head));
			starts[list] = head.start;
		}
		UnlockReleaseBuffer(buf);
	}

	BufferAccessStrategy strategy = GetAccessStrategy(BAS_BULKREAD);
	int per_page_max = static_cast<int>(IvfPageCapacity() / meta.entry_size) + 1;
	ItemPointerData *tids = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * per_page_max));
	double sum = 0, sumsq = 0;
	row->min_list = -1;
	for (int list = 0; list < meta.lists; list++) {
		int64 size = 0;
		BlockNumber blkno = starts[list];
		while (blkno != InvalidBlockNumber) {
			CHECK_FOR_INTERRUPTS();
			Buffer buf = ReadBufferExtended(index, MAIN_FORKNUM, blkno, RBM_NORMAL, strategy);
			LockBuffer(buf, BUFFER_LOCK_SHARE);
			Page page = BufferGetPage(buf);
			int n = Min(IvfPageEntryCount(page, meta.entry_size), per_page_max);
			const char *content = IvfPageContent(page);
			for (int i = 0; i < n; i++)
				memcpy(&tids[i], content + static_cast<Size>(i) * meta.entry_size,
				       sizeof(ItemPointerData));
			BlockNumber next = IvfPageGetOpaque(page)->next;
			UnlockReleaseBuffer(buf);
			size += n;
			row->dead += CountInvisible(heap, tids, n);
			blkno = next;
		}
		row->elements += size;
		if (size == 0)
			row->empty_lists++;
		if (row->min_list < 0 || size < row->min_list)
			row->min_list = size;
		if (size > row->max_list)
			row->max_list = size;
		sum += static_cast<double>(size);
		sumsq += static_cast<double>(size) * static_cast<double>(size);
	}
	pfree(tids);
	pfree(starts);
	FreeAccessStrategy(strategy);
	row->avg_list = sum / meta.lists;
	double var = sumsq / meta.lists - row->avg_list * row->avg_list;
	row->list_cv = row->avg_list > 0 ? std::sqrt(var > 0 ? var : 0) / row->avg_list : 0;
}

} // namespace

// vector_index_stats(index regclass): one row describing an hnsw, ivfflat or ivf index.
VECTOR_SQL_FUNCTION(vector_index_stats)
{
	Oid indexoid = PG_GETARG_OID(0);
	TupleDesc tupdesc;
	if (get_call_result_type(fcinfo, nullptr, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
		        (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("vector_index_stats must return a row")));

	if (get_rel_relkind(indexoid) != RELKIND_INDEX)
		ereport(ERROR,
		        (errcode(ERRCODE_WRONG_OBJECT_TYPE),
		         errmsg("\"%s\" is not an index", get_rel_name(indexoid) ? get_rel_name(indexoid) : "?")));
	Oid heapoid = IndexGetRelation(indexoid, false);
	// Reading the index tells what the table holds: require SELECT on the table.
	if (pg_class_aclcheck(heapoid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
		                errmsg("permission denied for table %s", get_rel_name(heapoid))));
	Relation heap = table_open(heapoid, AccessShareLock);
	Relation index = index_open(indexoid, AccessShareLock);
	char *amname = get_am_name(index->rd_rel->relam);
	bool is_hnsw = amname && strcmp(amname, "hnsw") == 0;
	bool is_ivf = amname && (strcmp(amname, "ivfflat") == 0 || strcmp(amname, "ivf") == 0);
	if (!is_hnsw && !is_ivf)
		ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
		                errmsg("\"%s\" is not an hnsw, ivfflat or ivf index", RelationGetRelationName(index)),
		                errdetail("Its access method is %s.", amname ? amname : "unknown")));

	StatsRow *row = static_cast<StatsRow *>(palloc0(sizeof(StatsRow)));
	row->am = amname;
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	row->pages = nblocks;
	row->bytes = static_cast<int64>(nblocks) * BLCKSZ;
	if (nblocks > 0) {
		if (is_hnsw)
			HnswStats(index, heap, row, nblocks);
		else
			IvfStats(index, heap, row);
	}
	index_close(index, AccessShareLock);
	table_close(heap, AccessShareLock);

	// access_method, dimensions, metric, elements, dead_tuples, bytes, pages,
	// m, ef_construction, levels, level_counts,
	// quantizer, lists, empty_lists, min_list_size, max_list_size, avg_list_size, list_size_cv
	constexpr int kNatts = 18;
	if (tupdesc->natts != kNatts)
		ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
		                errmsg("vector_index_stats: the SQL declaration has %d columns, expected %d",
		                       tupdesc->natts, kNatts)));
	Datum values[kNatts];
	bool nulls[kNatts];
	memset(nulls, 0, sizeof(nulls));
	values[0] = CStringGetTextDatum(row->am);
	values[1] = Int32GetDatum(row->dimensions);
	values[2] = CStringGetTextDatum(row->metric ? row->metric : "unknown");
	values[3] = Int64GetDatum(row->elements);
	values[4] = Int64GetDatum(row->dead);
	values[5] = Int64GetDatum(row->bytes);
	values[6] = Int64GetDatum(row->pages);
	for (int i = 7; i < kNatts; i++)
		nulls[i] = true;
	if (is_hnsw) {
		values[7] = Int32GetDatum(row->m);
		values[8] = Int32GetDatum(row->ef_construction);
		values[9] = Int32GetDatum(row->levels);
		int n = Max(row->max_level_seen + 1, row->levels);
		Datum *counts = static_cast<Datum *>(palloc(sizeof(Datum) * (n > 0 ? n : 1)));
		for (int i = 0; i < n; i++)
			counts[i] = Int64GetDatum(row->level_counts[i]);
		values[10] = PointerGetDatum(construct_array(counts, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		values[11] = CStringGetTextDatum(row->quantizer);
		for (int i = 7; i <= 11; i++)
			nulls[i] = false;
	} else if (row->lists > 0) {
		values[11] = CStringGetTextDatum(row->quantizer);
		values[12] = Int32GetDatum(row->lists);
		values[13] = Int32GetDatum(row->empty_lists);
		values[14] = Int64GetDatum(row->min_list);
		values[15] = Int64GetDatum(row->max_list);
		values[16] = Float8GetDatum(row->avg_list);
		values[17] = Float8GetDatum(row->list_cv);
		for (int i = 11; i < kNatts; i++)
			nulls[i] = false;
	}
	HeapTuple tuple = heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls);
	PG_RETURN_DATUM(HeapTupleGetDatum(tuple));
}
