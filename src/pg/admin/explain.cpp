// EXPLAIN (VERBOSE) of a query that scans an hnsw, ivfflat or ivf index ends with the search
// settings each such scan runs with, defaults included, and with ANALYZE what the scans did
// (counted by the scans themselves, scan_stats.h), for example
//   Vector Index Scans:
//     items_embedding_idx (hnsw): hnsw.ef_search=40, hnsw.iterative_scan=off, ...
//       filtered walk: 1 search, 3 rounds, 2349 elements visited, 2110 rejected by the filter columns, 10 rows returned
// or, for an hnsw search that scored the matching elements exactly (hnsw_exact_scan.cpp),
//       exact filtered scan: 1 search, 20000 elements read, 19980 rejected by the filter columns, 10 rows returned
// PostgreSQL 15 has no callback through which an index access method adds lines to its own plan
// node, so this uses ExplainOneQuery_hook: it plans and explains the query as PostgreSQL does
// (pg_plan_query, then ExplainOnePlan), then appends the lines. Text format and VERBOSE only,
// so that plain EXPLAIN and the machine-readable formats stay exactly PostgreSQL's. When another
// module installed the hook first, that module's hook runs and nothing is added. (Changed
// settings also appear in EXPLAIN (SETTINGS): the GUCs are marked GUC_EXPLAIN.)
// Plain C-style code: every call may ereport.
#include "pg/common/pg_headers.h"

extern "C" {
#include "catalog/pg_class.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#if PG_VERSION_NUM >= 180000
#include "commands/explain_state.h"
#endif
#include "executor/instrument.h"
#include "nodes/plannodes.h"
#include "portability/instr_time.h"
#include "tcop/tcopprot.h"
#include "utils/syscache.h"
}

#include "pg/admin/scan_stats.h"
#include "pg/common/module.h"

namespace
{

ExplainOneQuery_hook_type prev_explain_one_query = nullptr;

// Adds to *ids the indexes that plan and its children scan with an Index Scan node.
void CollectIndexScans(Plan *plan, List **ids)
{
	if (plan == nullptr)
		return;
	check_stack_depth();
	if (IsA(plan, IndexScan))
		*ids = list_append_unique_oid(*ids, reinterpret_cast<IndexScan *>(plan)->indexid);
	CollectIndexScans(plan->lefttree, ids);
	CollectIndexScans(plan->righttree, ids);
	ListCell *lc;
	switch (nodeTag(plan)) {
	case T_Append:
		foreach (lc, reinterpret_cast<Append *>(plan)->appendplans)
			CollectIndexScans(static_cast<Plan *>(lfirst(lc)), ids);
		break;
	case T_MergeAppend:
		foreach (lc, reinterpret_cast<MergeAppend *>(plan)->mergeplans)
			CollectIndexScans(static_cast<Plan *>(lfirst(lc)), ids);
		break;
	case T_SubqueryScan:
		CollectIndexScans(reinterpret_cast<SubqueryScan *>(plan)->subplan, ids);
		break;
	case T_CustomScan:
		foreach (lc, reinterpret_cast<CustomScan *>(plan)->custom_plans)
			CollectIndexScans(static_cast<Plan *>(lfirst(lc)), ids);
		break;
	default:
		break;
	}
}

// Appends "name=value" of each GUC in names to buf, comma-separated.
void AppendSettings(StringInfo buf, const char *const *names, int n)
{
	for (int i = 0; i < n; i++) {
		const char *value = GetConfigOption(names[i], true, false);
		appendStringInfo(buf, "%s%s=%s", i > 0 ? ", " : "", names[i], value != nullptr ? value : "?");
	}
}

// Appends the line of what an index's scans did (EXPLAIN ANALYZE): how the hnsw scans walked (a
// filtered walk when quals on filter columns were checked on every element), or how many lists
// the IVF scans read.
void AppendCounts(StringInfo buf, const VectorScanCounts &c, bool hnsw)
{
	const unsigned long long searches = c.searches, rounds = c.rounds, visited = c.visited, rejected = c.rejected,
	                         returned = c.returned;
	const char *kind = c.filtered == 0                                    ? ""
	                   : c.label_walks > 0 && c.label_walks == c.searches ? "label "
	                   : c.label_walks > 0                                ? "partly label "
	                   : c.filtered == c.searches                         ? "filtered "
	                                                                      : "partly filtered ";
	const unsigned long long exact_scans = c.exact_scans, exact_read = c.exact_read;
	if (hnsw && rounds == 0 && exact_scans > 0) {
		// Every search ran the exact filtered scan.
		appendStringInfo(buf, "    exact filtered scan: %llu search%s, %llu elements read", searches,
		                 searches == 1 ? "" : "es", exact_read);
	} else if (hnsw) {
		appendStringInfo(buf, "    %swalk: %llu search%s, %llu round%s, %llu elements visited", kind, searches,
		                 searches == 1 ? "" : "es", rounds, rounds == 1 ? "" : "s", visited);
		// Walks finished (or searches run) by the exact filtered scan.
		if (exact_scans > 0)
			appendStringInfo(buf, ", %llu exact scan%s of %llu elements", exact_scans,
			                 exact_scans == 1 ? "" : "s", exact_read);
	} else
		appendStringInfo(buf, "    %slist scan: %llu search%s, %llu list%s read, %llu entries read", kind,
		                 searches, searches == 1 ? "" : "es", rounds, rounds == 1 ? "" : "s", visited);
	if (c.filtered > 0)
		appendStringInfo(buf, ", %llu rejected by the filter columns", rejected);
	if (c.reranked > 0)
		appendStringInfo(buf, ", %llu re-ranked from the table", static_cast<unsigned long long>(c.reranked));
	appendStringInfo(buf, ", %llu rows returned\n", returned);
}

// Appends the "Vector Index Scans:" lines for the vector indexes stmt scans (text, VERBOSE).
void ExplainVectorScans(PlannedStmt *stmt, ExplainState *es)
{
	static const char *const hnsw_settings[] = {"hnsw.ef_search", "hnsw.iterative_scan", "hnsw.max_scan_tuples",
	                                            "hnsw.scan_mem_multiplier", "vector.hnsw_filter_strategy"};
	static const char *const ivfflat_settings[] = {"ivfflat.probes", "ivfflat.iterative_scan",
	                                               "ivfflat.max_probes"};
	static const char *const ivf_settings[] = {"ivfflat.probes", "ivfflat.iterative_scan", "ivfflat.max_probes",
	                                           "vector.ivf_rerank"};
	if (es->format != EXPLAIN_FORMAT_TEXT || !es->verbose)
		return;
	List *ids = NIL;
	CollectIndexScans(stmt->planTree, &ids);
	ListCell *lc;
	foreach (lc, stmt->subplans)
		CollectIndexScans(static_cast<Plan *>(lfirst(lc)), &ids);
	bool header = false;
	foreach (lc, ids) {
		Oid indexid = lfirst_oid(lc);
		HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(indexid));
		if (!HeapTupleIsValid(tuple))
			continue;
		Oid relam = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relam;
		char *relname = pstrdup(NameStr(reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relname));
		ReleaseSysCache(tuple);
		char *am = get_am_name(relam);
		if (am == nullptr)
			continue;
		const char *const *names = nullptr;
		int n = 0;
		if (strcmp(am, "hnsw") == 0) {
			names = hnsw_settings;
			n = lengthof(hnsw_settings);
		} else if (strcmp(am, "ivfflat") == 0) {
			names = ivfflat_settings;
			n = lengthof(ivfflat_settings);
		} else if (strcmp(am, "ivf") == 0) {
			names = ivf_settings;
			n = lengthof(ivf_settings);
		} else {
			continue;
		}
		if (!header) {
			appendStringInfoString(es->str, "Vector Index Scans:\n");
			header = true;
		}
		appendStringInfo(es->str, "  %s (%s): ", quote_identifier(relname), am);
		AppendSettings(es->str, names, n);
		appendStringInfoChar(es->str, '\n');
		VectorScanCounts counts;
		if (es->analyze && VectorScanStatsFind(indexid, &counts))
			AppendCounts(es->str, counts, strcmp(am, "hnsw") == 0);
	}
}

// ExplainOneQuery_hook: PostgreSQL's own planning and EXPLAIN of a query, then our lines.
void VectorExplainOneQuery(Query *query, int cursorOptions, IntoClause *into, ExplainState *es, const char *queryString,
                           ParamListInfo params, QueryEnvironment *queryEnv)
{
	if (prev_explain_one_query != nullptr) {
		prev_explain_one_query(query, cursorOptions, into, es, queryString, params, queryEnv);
		return;
	}
	instr_time start;
	instr_time duration;
	BufferUsage before;
	BufferUsage usage;
	if (es->buffers)
		before = pgBufferUsage;
#if PG_VERSION_NUM >= 170000
	// EXPLAIN (MEMORY): the planner runs in a context of its own, whose consumption is shown.
	MemoryContext planner_ctx = nullptr;
	MemoryContext caller_ctx = nullptr;
	MemoryContextCounters mem_counters;
	if (es->memory) {
		planner_ctx = AllocSetContextCreate(CurrentMemoryContext, "explain analyze planner context",
		                                    ALLOCSET_DEFAULT_SIZES);
		caller_ctx = MemoryContextSwitchTo(planner_ctx);
	}
#endif
	INSTR_TIME_SET_CURRENT(start);
	PlannedStmt *plan = pg_plan_query(query, queryString, cursorOptions, params);
	INSTR_TIME_SET_CURRENT(duration);
	INSTR_TIME_SUBTRACT(duration, start);
#if PG_VERSION_NUM >= 170000
	if (es->memory) {
		MemoryContextSwitchTo(caller_ctx);
		MemoryContextMemConsumed(planner_ctx, &mem_counters);
	}
#endif
	if (es->buffers) {
		memset(&usage, 0, sizeof(usage));
		BufferUsageAccumDiff(&usage, &pgBufferUsage, &before);
	}
	// The scans count what they do while the query runs (EXPLAIN ANALYZE VERBOSE in text only).
	const bool count = es->analyze && es->verbose && es->format == EXPLAIN_FORMAT_TEXT;
	if (count)
		VectorScanStatsBegin();
	PG_TRY();
	{
#if PG_VERSION_NUM >= 170000
		ExplainOnePlan(plan, into, es, queryString, params, queryEnv, &duration, es->buffers ? &usage : nullptr,
		               es->memory ? &mem_counters : nullptr);
#else
		ExplainOnePlan(plan, into, es, queryString, params, queryEnv, &duration,
		               es->buffers ? &usage : nullptr);
#endif
	}
	PG_FINALLY();
	{
		if (count)
			VectorScanStatsEnd();
	}
	PG_END_TRY();
	ExplainVectorScans(plan, es);
}

} // namespace

// Installs the EXPLAIN hook (from _PG_init).
void VectorExplainInit(void)
{
	prev_explain_one_query = ExplainOneQuery_hook;
	ExplainOneQuery_hook = VectorExplainOneQuery;
}
