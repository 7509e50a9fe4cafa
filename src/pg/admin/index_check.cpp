// vector_index_check(index regclass, heapallindexed boolean): walks an hnsw, ivfflat or ivf index
// and returns one row per structural problem found (src/core/check/index_check.h does the decoding and
// the cross-checks on page copies), then one 'info' row with what it counted.
//
// Locks: ShareLock on the table (no concurrent writes or VACUUM, so the pages form one
// consistent state) and AccessShareLock on the index; on a hot standby, where only
// AccessShareLock is allowed, the result is exact only while replay does not change the index.
// With heapallindexed, every row visible to the transaction's snapshot with an indexable value
// must have its heap TID in the index.
//
// Boundary: the checker is a heap-allocated C++ object called only through noexcept functions;
// PostgreSQL calls that can ERROR run inside PG_TRY, whose PG_CATCH deletes it.
#include "pg/common/pg_headers.h"

extern "C" {
#include "access/table.h"
#include "commands/defrem.h"
#include "funcapi.h"
#include "utils/regproc.h"
}

#include <cmath>
#include <cstddef>
#include <new>

#include "core/check/hnsw_check.h"
#include "core/check/ivf_check.h"
#include "core/check/page_decoding.h"
#include "core/distance/element_distance.h"
#include "core/distance/half.h"
#include "pg/common/sql_function.h"
#include "pg/hnsw/hnsw.h"
#include "pg/ivf/ivf.h"
#include "pg/types/halfvec/halfvec.h"
#include "pg/types/sparsevec/sparsevec.h"
#include "pg/types/vector/vector.h"

using vector_core::HnswChecker;
using vector_core::IndexCheckerBase;
using vector_core::IvfChecker;

// The decoder's view of PostgreSQL's page layout (core/check/page_decoding.h) must be this
// server's. The hnsw and IVF structs assert their layouts in hnsw_page.h and ivf_page.h.
static_assert(BLCKSZ == vector_core::kCheckPageSize, "index_check decodes 8 kB pages");
static_assert(SizeOfPageHeaderData == vector_core::page_decoding::kPageHeaderSize && sizeof(ItemIdData) == 4 &&
              sizeof(ItemPointerData) == vector_core::page_decoding::kTidSize);
static_assert(offsetof(PageHeaderData, pd_lower) == vector_core::page_decoding::kOffLower &&
              offsetof(PageHeaderData, pd_upper) == vector_core::page_decoding::kOffUpper &&
              offsetof(PageHeaderData, pd_special) == vector_core::page_decoding::kOffSpecial &&
              offsetof(PageHeaderData, pd_pagesize_version) == vector_core::page_decoding::kOffPageSizeVersion);
static_assert(PG_PAGE_LAYOUT_VERSION == vector_core::page_decoding::kPageLayoutVersion &&
              LP_UNUSED == vector_core::page_decoding::kLpUnused && LP_NORMAL == vector_core::page_decoding::kLpNormal);

namespace
{

enum class CheckKind { kHnsw, kIvf };

IndexCheckerBase *NewChecker(CheckKind kind, uint32 nblocks) noexcept
{
	if (kind == CheckKind::kHnsw)
		return new (std::nothrow) HnswChecker(nblocks);
	return new (std::nothrow) IvfChecker(nblocks);
}

void DeleteChecker(IndexCheckerBase *checker) noexcept
{
	delete checker;
}

// One finding as plain C data for the tuplestore.
struct FindingRow {
	bool error;
	char problem[64];
	int64 block;
	int32 offset;
	char detail[256];
};

// Copies the findings out (palloc'd by the caller: room for count rows).
void CopyFindings(const IndexCheckerBase *checker, FindingRow *rows, size_t count) noexcept
{
	const auto &findings = checker->findings();
	for (size_t i = 0; i < count && i < findings.size(); i++) {
		rows[i].error = findings[i].error;
		strlcpy(rows[i].problem, findings[i].problem.c_str(), sizeof(rows[i].problem));
		rows[i].block = findings[i].block;
		rows[i].offset = findings[i].offset;
		strlcpy(rows[i].detail, findings[i].detail.c_str(), sizeof(rows[i].detail));
	}
}

size_t FindingCount(const IndexCheckerBase *checker) noexcept
{
	return checker->findings().size();
}

// State of the heap pass.
struct HeapPassState {
	IndexCheckerBase *checker;
	uint8 kind; // vector_core::ElementKind of the index's rows
	uint64 checked;
	uint64 missing;
	uint64 not_indexable;
	uint64 filter_differs; // rows whose filter columns the index holds with other values
	int filter_columns;    // of the index's definition
	char *attrs;           // scratch: the attribute area of one row
};

// Whether the access methods index this value (the payload assumption of the heap pass): a
// vector, halfvec or sparsevec with norm 0 (or a non-finite norm) is skipped under cosine;
// bit strings are always indexed.
bool ValueIndexable(const HeapPassState *state, Datum value)
{
	if (!state->checker->cosine())
		return true;
	double norm = 0.0;
	Pointer raw;
	switch (static_cast<vector_core::ElementKind>(state->kind)) {
	case vector_core::ElementKind::kFloat: {
		Vector *v = DatumGetVector(value);
		raw = reinterpret_cast<Pointer>(v);
		for (int i = 0; i < v->dim; i++)
			norm += static_cast<double>(v->x[i]) * v->x[i];
		break;
	}
	case vector_core::ElementKind::kHalf: {
		HalfVector *v = DatumGetHalfVector(value);
		raw = reinterpret_cast<Pointer>(v);
		for (int i = 0; i < v->dim; i++) {
			const double x = vector_core::HalfToFloat(v->x[i]);
			norm += x * x;
		}
		break;
	}
	case vector_core::ElementKind::kSparse: {
		SparseVector *v = DatumGetSparseVector(value);
		raw = reinterpret_cast<Pointer>(v);
		const float *values = SparseVectorValues(v);
		for (int i = 0; i < v->nnz; i++)
			norm += static_cast<double>(values[i]) * values[i];
		break;
	}
	default:
		return true;
	}
	const bool ok = norm > 0.0 && std::isfinite(norm);
	if (raw != DatumGetPointer(value))
		pfree(raw);
	return ok;
}

void HeapPassCallback(Relation index, ItemPointer tid, Datum *values, bool *isnull, [[maybe_unused]] bool alive,
                      void *arg)
{
	HeapPassState *state = static_cast<HeapPassState *>(arg);
	if (isnull[0])
		return;
	if (!ValueIndexable(state, values[0])) {
		state->not_indexable++;
		return;
	}
	state->checked++;
	if (!state->checker->HasHeapTid(ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid))) {
		state->missing++;
		char detail[128];
		snprintf(detail, sizeof(detail), "table row (%u,%u) is not in the index",
		         ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid));
		state->checker->Report(true, "heap tuple missing from index", -1, -1, detail);
		return;
	}
	// The filter columns the index holds for the row are the row's (a text or array column is
	// held as a hash or signature, which a changed collation or a bug would make stale).
	uint64 held;
	if (state->filter_columns > 0 &&
	    state->checker->HeapTidAttrsHash(ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid), &held)) {
		const Size length = vector_core::FilterAttrAreaLength(state->filter_columns);
		FilterFormAttrs(index, values, isnull, state->attrs);
		if (vector_core::FilterAttrsHash(reinterpret_cast<const unsigned char *>(state->attrs), length) !=
		    held) {
			state->filter_differs++;
			char detail[128];
			snprintf(detail, sizeof(detail),
			         "the index holds other filter column values for table row (%u,%u)",
			         ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid));
			state->checker->Report(true, "filter values differ from the table", -1, -1, detail);
		}
	}
}

} // namespace

VECTOR_SQL_FUNCTION(vector_index_check)
{
	Oid index_oid = PG_GETARG_OID(0);
	bool heapallindexed = PG_GETARG_BOOL(1);

	// Lock the table first (as DDL does), then the index.
	Oid heap_oid = IndexGetRelation(index_oid, true);
	if (!OidIsValid(heap_oid))
		ereport(ERROR,
		        (errcode(ERRCODE_WRONG_OBJECT_TYPE),
		         errmsg("\"%s\" is not an index",
		                get_rel_name(index_oid) != nullptr ? get_rel_name(index_oid) : "?"),
		         errdetail("vector_index_check takes an index of the hnsw, ivfflat or ivf access method.")));
	const LOCKMODE heap_lock = RecoveryInProgress() ? AccessShareLock : ShareLock;
	Relation heap = table_open(heap_oid, heap_lock);
	Relation index = index_open(index_oid, AccessShareLock);
	if (IndexGetRelation(index_oid, false) != heap_oid)
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
		                errmsg("index \"%s\" changed while being opened", RelationGetRelationName(index))));

	char *am = get_am_name(index->rd_rel->relam);
	CheckKind kind;
	if (am != nullptr && strcmp(am, "hnsw") == 0)
		kind = CheckKind::kHnsw;
	else if (am != nullptr && (strcmp(am, "ivfflat") == 0 || strcmp(am, "ivf") == 0))
		kind = CheckKind::kIvf;
	else
		ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
		                errmsg("index \"%s\" uses access method \"%s\", not hnsw, ivfflat or ivf",
		                       RelationGetRelationName(index), am != nullptr ? am : "?")));
	if (index->rd_rel->relpersistence == RELPERSISTENCE_TEMP && RELATION_IS_OTHER_TEMP(index))
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("cannot check temporary indexes of other sessions")));

	ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
	InitMaterializedSRF(fcinfo, 0);

	const BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	if (kind == CheckKind::kHnsw && nblocks > 0) {
		// An hnsw index of another format version (a valid metapage otherwise) is refused the way
		// scans, inserts and VACUUM refuse it, with a hint to REINDEX; a corrupt metapage is a
		// finding of the walk below.
		Buffer buffer = ReadBuffer(index, kHnswMetaBlock);
		LockBuffer(buffer, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buffer);
		const HnswMetaPage meta = HnswPageGetMeta(page);
		const bool other_version = !PageIsNew(page) && PageGetSpecialSize(page) == sizeof(HnswPageOpaqueData) &&
		                           HnswPageGetOpaque(page)->page_id == kHnswPageId &&
		                           meta->magic == kHnswMagic && !HnswVersionKnown(meta->version);
		const uint32 version = meta->version;
		UnlockReleaseBuffer(buffer);
		if (other_version)
			HnswVersionError(index, version);
	}
	IndexCheckerBase *checker = NewChecker(kind, nblocks);
	if (checker == nullptr)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	HeapPassState state = {checker, false, 0, 0, 0, 0, 0, nullptr};
	bool ok = true;
	size_t count = 0;
	FindingRow *rows = nullptr;
	vector_core::CheckSummary summary;
	PG_TRY();
	{
		BufferAccessStrategy strategy = GetAccessStrategy(BAS_BULKREAD);
		char *copy = static_cast<char *>(palloc(BLCKSZ));
		bool go_on = nblocks > 0;
		if (nblocks == 0)
			checker->Report(true, "bad metapage", -1, -1, "the index has no blocks");
		for (BlockNumber block = 0; go_on && block < nblocks; block++) {
			CHECK_FOR_INTERRUPTS();
			Buffer buffer = ReadBufferExtended(index, MAIN_FORKNUM, block, RBM_NORMAL, strategy);
			LockBuffer(buffer, BUFFER_LOCK_SHARE);
			memcpy(copy, BufferGetPage(buffer), BLCKSZ);
			UnlockReleaseBuffer(buffer);
			go_on = checker->AddPage(block, reinterpret_cast<unsigned char *>(copy));
		}
		ok = checker->Finish().ok();
		if (ok && go_on && heapallindexed) {
			IndexInfo *info = BuildIndexInfo(index);
			info->ii_Concurrent = true; // an MVCC snapshot: the rows this transaction sees
			state.kind = checker->value_kind();
			state.filter_columns = FilterColumnCount(index);
			if (state.filter_columns > 0)
				state.attrs = static_cast<char *>(
				    palloc(vector_core::FilterAttrAreaLength(state.filter_columns)));
			table_index_build_scan(heap, index, info, true, false, HeapPassCallback, &state, nullptr);
		}
		count = FindingCount(checker);
		rows = static_cast<FindingRow *>(palloc0(sizeof(FindingRow) * (count + 1)));
		CopyFindings(checker, rows, count);
		summary = checker->summary();
	}
	PG_CATCH();
	{
		DeleteChecker(checker);
		PG_RE_THROW();
	}
	PG_END_TRY();
	DeleteChecker(checker);
	if (!ok)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
		                errmsg("out of memory while checking index \"%s\"", RelationGetRelationName(index))));

	for (size_t i = 0; i < count; i++) {
		Datum values[5];
		bool nulls[5] = {false, false, false, false, false};
		values[0] = CStringGetTextDatum(rows[i].error ? "error" : "warning");
		values[1] = CStringGetTextDatum(rows[i].problem);
		values[2] = Int64GetDatum(rows[i].block);
		nulls[2] = rows[i].block < 0;
		values[3] = Int32GetDatum(rows[i].offset);
		nulls[3] = rows[i].offset < 0;
		values[4] = CStringGetTextDatum(rows[i].detail);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	char detail[512];
	snprintf(
	    detail, sizeof(detail),
	    "%s index: %llu pages, %llu %s, %llu links (%llu stale), %llu unreachable, %llu errors, %llu warnings%s",
	    kind == CheckKind::kHnsw ? "hnsw" : "ivf", static_cast<unsigned long long>(summary.pages),
	    static_cast<unsigned long long>(summary.elements), kind == CheckKind::kHnsw ? "elements" : "entries",
	    static_cast<unsigned long long>(summary.links), static_cast<unsigned long long>(summary.stale_links),
	    static_cast<unsigned long long>(summary.unreachable), static_cast<unsigned long long>(summary.errors),
	    static_cast<unsigned long long>(summary.warnings), heapallindexed ? "" : ", table not checked");
	if (kind == CheckKind::kHnsw && summary.heap_tids != summary.elements - summary.marked) {
		// Elements that hold the heap TIDs of several identical rows.
		size_t len = strlen(detail);
		snprintf(detail + len, sizeof(detail) - len, ", %llu heap tids",
		         static_cast<unsigned long long>(summary.heap_tids));
	}
	if (summary.marked > 0) {
		size_t len = strlen(detail);
		snprintf(detail + len, sizeof(detail) - len, ", %llu marked deleted",
		         static_cast<unsigned long long>(summary.marked));
	}
	if (heapallindexed) {
		size_t len = strlen(detail);
		snprintf(detail + len, sizeof(detail) - len,
		         ", %llu table rows checked (%llu missing, %llu not indexable)",
		         static_cast<unsigned long long>(state.checked), static_cast<unsigned long long>(state.missing),
		         static_cast<unsigned long long>(state.not_indexable));
		if (state.filter_columns > 0) {
			len = strlen(detail);
			snprintf(detail + len, sizeof(detail) - len, ", %llu with other filter values",
			         static_cast<unsigned long long>(state.filter_differs));
		}
	}
	Datum values[5] = {CStringGetTextDatum("info"), CStringGetTextDatum("summary"), 0, 0,
	                   CStringGetTextDatum(detail)};
	bool nulls[5] = {false, false, true, true, false};
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);

	index_close(index, AccessShareLock);
	table_close(heap, heap_lock);
	PG_RETURN_VOID();
}
