// The hnsw access method: handler, reloptions, GUCs, cost estimate and the operator-class
// lookup that picks the distance kernel.
#include "pg/common/pg_headers.h"

#include <cfloat>
#include <cmath>

#include "pg/common/index_cost.h"
#include "pg/common/module.h"
#include "pg/common/opclass.h"
#include "pg/common/sql_function.h"
#include "pg/hnsw/hnsw.h"
#include "pg/hnsw/hnsw_label_graph.h"

int hnsw_ef_search = kHnswDefaultEfSearch;
int hnsw_iterative_scan = kHnswIterativeOff;
int hnsw_max_scan_tuples = 20000;
int hnsw_filter_strategy = kHnswFilterAuto;
double hnsw_scan_mem_multiplier = 1.0;

static relopt_kind hnsw_relopt_kind;

static const struct config_enum_entry hnsw_iterative_scan_options[] = {
    {"off", kHnswIterativeOff, false},
    {"relaxed_order", kHnswIterativeRelaxed, false},
    {"strict_order", kHnswIterativeStrict, false},
    {nullptr, 0, false},
};

static const struct config_enum_entry hnsw_filter_strategy_options[] = {
    {"auto", kHnswFilterAuto, false},
    {"walk", kHnswFilterWalk, false},
    {"exact", kHnswFilterExact, false},
    {nullptr, 0, false},
};

// Rejects quantizer names other than flat and sq8.
static void HnswValidateQuantizer(const char *value)
{
	if (value == nullptr)
		return;
	if (strcmp(value, "flat") != 0 && strcmp(value, "sq8") != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("invalid value for parameter \"quantizer\": \"%s\"", value),
		                errdetail("Valid values are \"flat\" and \"sq8\".")));
}

// Registers the hnsw reloptions and GUCs (pgvector's names, ranges and defaults; quantizer is ours).
void HnswInitModule(void)
{
	hnsw_relopt_kind = add_reloption_kind();
	add_int_reloption(hnsw_relopt_kind, "m", "Max number of connections", kHnswDefaultM, kHnswMinM, kHnswMaxM,
	                  AccessExclusiveLock);
	add_int_reloption(hnsw_relopt_kind, "ef_construction", "Size of the dynamic candidate list for construction",
	                  kHnswDefaultEfConstruction, kHnswMinEfConstruction, kHnswMaxEfConstruction,
	                  AccessExclusiveLock);
	add_string_reloption(hnsw_relopt_kind, "quantizer",
	                     "How elements store vectors: flat (as they are) or sq8 (one byte per dimension, "
	                     "re-ranked from the table)",
	                     "flat", HnswValidateQuantizer, AccessExclusiveLock);

	DefineCustomIntVariable("hnsw.ef_search", "Sets the size of the dynamic candidate list for search",
	                        "Valid range is 1..1000.", &hnsw_ef_search, kHnswDefaultEfSearch, kHnswMinEfSearch,
	                        kHnswMaxEfSearch, PGC_USERSET, GUC_EXPLAIN, nullptr, nullptr, nullptr);
	DefineCustomEnumVariable("hnsw.iterative_scan", "Sets the mode for iterative scans", nullptr,
	                         &hnsw_iterative_scan, kHnswIterativeOff, hnsw_iterative_scan_options, PGC_USERSET,
	                         GUC_EXPLAIN, nullptr, nullptr, nullptr);
	DefineCustomIntVariable("hnsw.max_scan_tuples", "Sets the max number of tuples to visit for iterative scans",
	                        nullptr, &hnsw_max_scan_tuples, 20000, 1, INT_MAX, PGC_USERSET, GUC_EXPLAIN, nullptr,
	                        nullptr, nullptr);
	DefineCustomRealVariable("hnsw.scan_mem_multiplier", "Sets the multiple of work_mem to use for iterative scans",
	                         nullptr, &hnsw_scan_mem_multiplier, 1, 1, 1000, PGC_USERSET, GUC_EXPLAIN, nullptr,
	                         nullptr, nullptr);
	// Ours (pgvector has no filter columns): how a search with quals on filter columns runs.
	DefineCustomEnumVariable("vector.hnsw_filter_strategy",
	                         "Sets how hnsw searches with conditions on filter columns run",
	                         "auto chooses per search between a walk of the graph and an exact scan of the "
	                         "matching elements, from the share of elements the conditions pass.",
	                         &hnsw_filter_strategy, kHnswFilterAuto, hnsw_filter_strategy_options, PGC_USERSET,
	                         GUC_EXPLAIN, nullptr, nullptr, nullptr);
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("hnsw");
#else
	EmitWarningsOnPlaceholders("hnsw");
#endif
}

// Options of an index, or null for the defaults.
static HnswOptions *GetOptions(Relation index)
{
	return reinterpret_cast<HnswOptions *>(index->rd_options);
}

int HnswGetM(Relation index)
{
	HnswOptions *options = GetOptions(index);
	return options != nullptr ? options->m : kHnswDefaultM;
}

int HnswGetEfConstruction(Relation index)
{
	HnswOptions *options = GetOptions(index);
	return options != nullptr ? options->ef_construction : kHnswDefaultEfConstruction;
}

bool HnswGetQuantizerSq8(Relation index)
{
	HnswOptions *options = GetOptions(index);
	if (options == nullptr || options->quantizer_offset == 0)
		return false;
	return strcmp(reinterpret_cast<const char *>(options) + options->quantizer_offset, "sq8") == 0;
}

// The metric and the row representation of the index's operator class (see
// pg/common/opclass.h), or an error for a class hnsw cannot serve.
vector_core::Metric HnswMetricFromOpclass(Relation index, vector_core::ElementKind *kind)
{
	OpclassMetric opclass;
	LookupOpclassMetric(index, &opclass);
	if (!OidIsValid(opclass.distance_proc))
		ereport(ERROR, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
		                errmsg("operator class of hnsw index \"%s\" has no distance function",
		                       RelationGetRelationName(index))));
	if (!opclass.kind_known)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("hnsw does not support type %s", opclass.type_name)));
	if (!opclass.metric_known)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("hnsw does not support the distance function %s", opclass.distance_name)));
	*kind = opclass.kind;
	return opclass.metric;
}

// Phase names for pg_stat_progress_create_index.
static char *hnswbuildphasename(int64 phase)
{
	switch (phase) {
	case PROGRESS_CREATEIDX_SUBPHASE_INITIALIZE:
		return const_cast<char *>("initializing");
	case kHnswPhaseLoad:
		return const_cast<char *>("loading tuples");
	case kHnswPhaseGraph:
		return const_cast<char *>("building graph");
	case kHnswPhaseWrite:
		return const_cast<char *>("writing index pages");
	default:
		return nullptr;
	}
}

// The selectivity of the path's equality quals on the first filter column, 1 without one.
static double LabelQualShare(PlannerInfo *root, const IndexPath *path)
{
	const IndexOptInfo *info = path->indexinfo;
	if (info->ncolumns < 2)
		return 1.0;
	ListCell *cell;
	foreach (cell, path->indexclauses) {
		IndexClause *clause = static_cast<IndexClause *>(lfirst(cell));
		if (clause->indexcol != 1)
			continue;
		ListCell *qual;
		foreach (qual, clause->indexquals) {
			RestrictInfo *rinfo = static_cast<RestrictInfo *>(lfirst(qual));
			if (!IsA(rinfo->clause, OpExpr))
				continue;
			const Oid opno = reinterpret_cast<OpExpr *>(rinfo->clause)->opno;
			if (get_op_opfamily_strategy(opno, info->opfamily[1]) != BTEqualStrategyNumber)
				continue;
			List *one = list_make1(rinfo);
			const double share = clauselist_selectivity(root, one, info->rel->relid, JOIN_INNER, nullptr);
			list_free(one);
			return Min(1.0, Max(share, 0.0));
		}
	}
	return 1.0;
}

// Cost of an ordered scan (see pg/common/index_cost.h). The first search visits about the
// descent (m per layer) plus ef_search times three quarters of m on layer 0; each search round
// after it visits about as many elements per row again, up to hnsw.max_scan_tuples elements,
// and every element visited is eventually a row, so that is also how many rows the scan can
// return. A visit costs 16 cpu_operator_cost plus its share of pages at the random page price
// (index_cost.cpp): measured at 3 dimensions and 10,000 rows, a visit (hash probe, buffer lock,
// read, distance, heap push) takes about 0.2 us where a sequential scan row the planner prices at
// 0.0175 takes about 0.055 us, so about 0.07; at 100 dimensions (GloVe) a visit takes about
// 1 us, which the page share (a quarter of the random page price there) brings it to, and at 384
// dimensions an unfiltered LIMIT 10 on 2,000 rows through the index (0.4 to 0.9 ms) beats the
// sequential scan and sort (1.2 ms) by little, as the estimates do. Without ORDER BY the index is
// useless, so it costs "infinity".
static void hnswcostestimate(PlannerInfo *root, IndexPath *path, double loop_count, Cost *startup_cost,
                             Cost *total_cost, Selectivity *selectivity, double *correlation, double *pages)
{
	if (path->indexorderbys == NIL) {
		*startup_cost = DBL_MAX;
		*total_cost = DBL_MAX;
		*selectivity = 0;
		*correlation = 0;
		*pages = 0;
#if PG_VERSION_NUM >= 180000
		// PostgreSQL 18 turns enable_* = off into a count of disabled plan nodes, compared before
		// any cost: an infinite cost alone would beat a sequential scan disabled by
		// enable_seqscan = off. Two more disabled nodes than any other scan of the table has.
		path->path.disabled_nodes += 2;
#endif
		return;
	}
	Relation index = index_open(path->indexinfo->indexoid, NoLock);
	int m = HnswGetM(index);
	const double label_floor = hnsw_filter_strategy == kHnswFilterExact ? 0 : HnswLabelRowsFloor(index);
	index_close(index, NoLock);

	// A label walk (hnsw_label_graph.cpp) walks the graph of one value of the first filter column:
	// an equality qual on it, for a value that has a graph (the build gives one to the values of
	// kHnswLabelMinRows rows, the most frequent ones when there are more than the directory holds,
	// so a value estimated to have as many rows as the rarest of those is taken to have one).
	const double all_tuples = Max(path->indexinfo->tuples, 1.0);
	double walk_share = 1.0;
	if (label_floor > 0) {
		const double label_share = LabelQualShare(root, path);
		if (label_share < 1.0 && label_share * all_tuples >= label_floor)
			walk_share = label_share;
	}
	const double tuples = Max(all_tuples * walk_share, 1.0);
	const double levels = std::log(tuples) / std::log(static_cast<double>(m));
	const double ef = Min(static_cast<double>(hnsw_ef_search), tuples);
	VectorScanModel model;
	model.first_rows = ef;
	model.first_visits = Min((levels + 1) * m + ef * m * 0.75, tuples);
	model.visits_per_row = model.first_visits / ef;
	model.max_visits = Min(tuples, Max(static_cast<double>(hnsw_max_scan_tuples), model.first_visits));
	model.reach = model.max_visits;
	model.visit_cpu = 16 * cpu_operator_cost;
	model.further_visits_scattered = true;
	model.walk_share = walk_share;
	VectorIndexCost(root, path, loop_count, model, startup_cost, total_cost, selectivity, correlation, pages);
}

// Parses WITH (m = ..., ef_construction = ..., quantizer = ...).
static bytea *hnswoptions(Datum reloptions, bool validate)
{
	static const relopt_parse_elt table[] = {
	    VECTOR_RELOPT_PARSE_ELT("m", RELOPT_TYPE_INT, offsetof(HnswOptions, m)),
	    VECTOR_RELOPT_PARSE_ELT("ef_construction", RELOPT_TYPE_INT, offsetof(HnswOptions, ef_construction)),
	    VECTOR_RELOPT_PARSE_ELT("quantizer", RELOPT_TYPE_STRING, offsetof(HnswOptions, quantizer_offset)),
	};
	return static_cast<bytea *>(
	    build_reloptions(reloptions, validate, hnsw_relopt_kind, sizeof(HnswOptions), table, lengthof(table)));
}

// Operator classes are checked when the index is opened (HnswMetricFromOpclass).
static bool hnswvalidate([[maybe_unused]] Oid opclassoid)
{
	return true;
}

// The index access method handler.
VECTOR_SQL_FUNCTION(hnswhandler)
{
	IndexAmRoutine *am = makeNode(IndexAmRoutine);
	am->amstrategies = 0;
	am->amsupport = 3;
	am->amoptsprocnum = 0;
	am->amcanorder = false;
	am->amcanorderbyop = true;
	am->amcanbackward = false;
	am->amcanunique = false;
	am->amcanmulticol = true; // the vector column, then filter columns (pg/common/filter_columns.h)
	am->amoptionalkey = true;
	am->amsearcharray = false;
	am->amsearchnulls = false;
	am->amstorage = false;
	am->amclusterable = false;
	am->ampredlocks = false;
	am->amcanparallel = false;
	am->amcaninclude = false;
	am->amusemaintenanceworkmem = false;
#if PG_VERSION_NUM >= 160000
	am->amsummarizing = false;
#endif
	am->amparallelvacuumoptions = VACUUM_OPTION_PARALLEL_BULKDEL;
	am->amkeytype = InvalidOid;

	am->ambuild = hnswbuild;
	am->ambuildempty = hnswbuildempty;
	am->aminsert = hnswinsert;
	am->ambulkdelete = hnswbulkdelete;
	am->amvacuumcleanup = hnswvacuumcleanup;
	am->amcanreturn = nullptr;
	am->amcostestimate = hnswcostestimate;
	am->amoptions = hnswoptions;
	am->amproperty = nullptr;
	am->ambuildphasename = hnswbuildphasename;
	am->amvalidate = hnswvalidate;
#if PG_VERSION_NUM >= 140000
	am->amadjustmembers = nullptr;
#endif
	am->ambeginscan = hnswbeginscan;
	am->amrescan = hnswrescan;
	am->amgettuple = hnswgettuple;
	am->amgetbitmap = nullptr;
	am->amendscan = hnswendscan;
	am->ammarkpos = nullptr;
	am->amrestrpos = nullptr;
	am->amestimateparallelscan = nullptr;
	am->aminitparallelscan = nullptr;
	am->amparallelrescan = nullptr;
	PG_RETURN_POINTER(am);
}
