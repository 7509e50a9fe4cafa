// The ivfflat / ivf access methods: handler, reloptions, GUCs and cost estimate.
#include "pg/common/pg_headers.h"

extern "C" {
#include "utils/spccache.h"
}

#include <algorithm>
#include <cmath>

#include "pg/common/index_cost.h"
#include "pg/common/module.h"
#include "pg/common/opclass.h"
#include "pg/common/sql_function.h"
#include "pg/ivf/ivf.h"

int ivfflat_probes = 1;
int ivfflat_iterative_scan = 0;
int ivfflat_max_probes = kIvfMaxLists;
int vector_ivf_rerank = 0;

static relopt_kind ivfflat_relopt_kind;
static relopt_kind ivf_relopt_kind;

static const struct config_enum_entry ivf_iterative_scan_options[] = {
    {"off", 0, false},
    {"relaxed_order", 1, false},
    {nullptr, 0, false},
};

// Rejects quantizer names other than flat, sq8, pq and rabitq.
static void IvfValidateQuantizer(const char *value)
{
	if (value == nullptr)
		return;
	if (strcmp(value, "flat") != 0 && strcmp(value, "sq8") != 0 && strcmp(value, "pq") != 0 &&
	    strcmp(value, "rabitq") != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("invalid value for parameter \"quantizer\": \"%s\"", value),
		                errdetail("Valid values are \"flat\", \"sq8\", \"pq\" and \"rabitq\".")));
}

// Registers the ivfflat GUCs and the ivf reloptions.
void IvfInitModule(void)
{
	ivfflat_relopt_kind = add_reloption_kind();
	add_int_reloption(ivfflat_relopt_kind, "lists", "Number of inverted lists", kIvfDefaultLists, 1, kIvfMaxLists,
	                  AccessExclusiveLock);

	ivf_relopt_kind = add_reloption_kind();
	add_int_reloption(ivf_relopt_kind, "lists", "Number of inverted lists", kIvfDefaultLists, 1, kIvfMaxLists,
	                  AccessExclusiveLock);
	add_string_reloption(ivf_relopt_kind, "quantizer", "How list entries store vectors: flat, sq8, pq or rabitq",
	                     "flat", IvfValidateQuantizer, AccessExclusiveLock);
	add_int_reloption(ivf_relopt_kind, "pq_m",
	                  "Number of PQ sub-quantizers (0: the largest divisor of dim <= dim/4)", 0, 0, kIvfMaxDim,
	                  AccessExclusiveLock);

	DefineCustomIntVariable("ivfflat.probes", "Sets the number of probes", "Valid range is 1..lists.",
	                        &ivfflat_probes, 1, 1, kIvfMaxLists, PGC_USERSET, GUC_EXPLAIN, nullptr, nullptr,
	                        nullptr);
	DefineCustomEnumVariable("ivfflat.iterative_scan", "Sets the mode for iterative scans", nullptr,
	                         &ivfflat_iterative_scan, 0, ivf_iterative_scan_options, PGC_USERSET, GUC_EXPLAIN,
	                         nullptr, nullptr, nullptr);
	DefineCustomIntVariable("ivfflat.max_probes", "Sets the max number of probes for iterative scans", nullptr,
	                        &ivfflat_max_probes, kIvfMaxLists, 1, kIvfMaxLists, PGC_USERSET, GUC_EXPLAIN, nullptr,
	                        nullptr, nullptr);
	DefineCustomIntVariable("vector.ivf_rerank",
	                        "Sets how many candidates a quantized ivf scan re-ranks with exact distances at a time",
	                        "0 picks by quantizer: 40 for sq8, 100 for pq. (rabitq re-ranks by its error bound.)",
	                        &vector_ivf_rerank, 0, 0, 100000, PGC_USERSET, GUC_EXPLAIN, nullptr, nullptr, nullptr);
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("ivfflat");
#endif
}

static const relopt_parse_elt ivf_relopt_table[] = {
    VECTOR_RELOPT_PARSE_ELT("lists", RELOPT_TYPE_INT, offsetof(IvfOptions, lists)),
    VECTOR_RELOPT_PARSE_ELT("quantizer", RELOPT_TYPE_STRING, offsetof(IvfOptions, quantizer_offset)),
    VECTOR_RELOPT_PARSE_ELT("pq_m", RELOPT_TYPE_INT, offsetof(IvfOptions, pq_m)),
};

// Parses the reloptions of an ivfflat index (lists only).
static bytea *ivfflatoptions(Datum reloptions, bool validate)
{
	return static_cast<bytea *>(
	    build_reloptions(reloptions, validate, ivfflat_relopt_kind, sizeof(IvfOptions), ivf_relopt_table, 1));
}

// Parses the reloptions of an ivf index (lists, quantizer, pq_m).
static bytea *ivfoptions(Datum reloptions, bool validate)
{
	return static_cast<bytea *>(build_reloptions(reloptions, validate, ivf_relopt_kind, sizeof(IvfOptions),
	                                             ivf_relopt_table, lengthof(ivf_relopt_table)));
}

// Names the build sub-phases for pg_stat_progress_create_index.
static char *ivfbuildphasename(int64 phase)
{
	switch (phase) {
	case PROGRESS_CREATEIDX_SUBPHASE_INITIALIZE:
		return const_cast<char *>("initializing");
	case kIvfPhaseSample:
		return const_cast<char *>("sampling rows");
	case kIvfPhaseKmeans:
		return const_cast<char *>("performing k-means");
	case kIvfPhaseAssign:
		return const_cast<char *>("assigning tuples");
	case kIvfPhaseLoad:
		return const_cast<char *>("loading tuples");
	default:
		return nullptr;
	}
}

// Cost of an ordered scan (see pg/common/index_cost.h): the first round computes the distance
// to every centroid and reads the ivfflat.probes nearest lists (each entry a distance, the lists'
// pages read in chain order); when the executor wants more rows the next lists are read, up to
// ivfflat.max_probes lists in all, one entry read per row. With iterative scans off the rows of
// later lists come back only when farther than every row already returned, and the first lists'
// rows span most distances, so only the first lists count as rows the scan can return: a filter
// that leaves fewer than the LIMIT's rows in them makes the index the expensive plan. Without
// ORDER BY the index is useless (infinite cost). Quals on filter columns, which the scan checks
// on every entry it reads, are priced by VectorIndexCost (the share of entries that pass).
static void ivfcostestimate(PlannerInfo *root, IndexPath *path, double loop_count, Cost *indexStartupCost,
                            Cost *indexTotalCost, Selectivity *indexSelectivity, double *indexCorrelation,
                            double *indexPages)
{
	if (path->indexorderbys == NIL) {
		*indexStartupCost = get_float8_infinity();
		*indexTotalCost = get_float8_infinity();
		*indexSelectivity = 0;
		*indexCorrelation = 0;
		*indexPages = 0;
#if PG_VERSION_NUM >= 180000
		// PostgreSQL 18 turns enable_* = off into a count of disabled plan nodes, compared before
		// any cost: an infinite cost alone would beat a sequential scan disabled by
		// enable_seqscan = off. Two more disabled nodes than any other scan of the table has.
		path->path.disabled_nodes += 2;
#endif
		return;
	}
	Relation index = index_open(path->indexinfo->indexoid, NoLock);
	IvfMetaPageData meta;
	IvfReadMeta(index, &meta);
	index_close(index, NoLock);

	const double tuples = Max(path->indexinfo->tuples, 1.0);
	const double lists = Max(meta.lists, 1);
	// An untrained index is read whole (ivf_scan.cpp).
	const double probes =
	    (meta.flags & kIvfMetaUntrained) ? lists : Min(static_cast<double>(Max(ivfflat_probes, 1)), lists);
	const double max_probes = Min(lists, Max(static_cast<double>(ivfflat_max_probes), probes));
	VectorScanModel model;
	model.first_rows = tuples * probes / lists;
	model.first_visits = lists + model.first_rows;
	model.visits_per_row = 1;
	model.max_visits = lists + tuples * max_probes / lists;
	model.reach = ivfflat_iterative_scan == 0 ? model.first_rows : tuples * max_probes / lists;
	model.visit_cpu = cpu_index_tuple_cost + cpu_operator_cost;
	VectorIndexCost(root, path, loop_count, model, indexStartupCost, indexTotalCost, indexSelectivity,
	                indexCorrelation, indexPages);
}

// Accepts any operator class: the support function is checked when the index is used.
static bool ivfvalidate([[maybe_unused]] Oid opclassoid)
{
	return true;
}

// Fills the routine shared by both access methods; amoptions differs.
static IndexAmRoutine *IvfMakeRoutine(amoptions_function options)
{
	IndexAmRoutine *amroutine = makeNode(IndexAmRoutine);
	amroutine->amstrategies = 0;
	// Our operator classes use FUNCTION 1 only; pgvector's ivfflat classes have up to FUNCTION 5
	// (norm, k-means distance and norm, type info). Accepting that many lets a database migrated
	// from pgvector open (and REINDEX) its ivfflat indexes with the classes it already has.
	amroutine->amsupport = 5;
	amroutine->amoptsprocnum = 0;
	amroutine->amcanorder = false;
	amroutine->amcanorderbyop = true;
	amroutine->amcanbackward = false;
	amroutine->amcanunique = false;
	amroutine->amcanmulticol = true; // the vector column, then filter columns (pg/common/filter_columns.h)
	amroutine->amoptionalkey = true;
	amroutine->amsearcharray = false;
	amroutine->amsearchnulls = false;
	amroutine->amstorage = false;
	amroutine->amclusterable = false;
	amroutine->ampredlocks = false;
	amroutine->amcanparallel = false;
	amroutine->amcaninclude = false;
	amroutine->amusemaintenanceworkmem = false;
#if PG_VERSION_NUM >= 160000
	amroutine->amsummarizing = false;
#endif
#if PG_VERSION_NUM >= 170000
	amroutine->amcanbuildparallel = false;
#endif
	amroutine->amparallelvacuumoptions = VACUUM_OPTION_PARALLEL_BULKDEL;
	amroutine->amkeytype = InvalidOid;

	amroutine->ambuild = ivfbuild;
	amroutine->ambuildempty = ivfbuildempty;
	amroutine->aminsert = ivfinsert;
#if PG_VERSION_NUM >= 170000
	amroutine->aminsertcleanup = nullptr;
#endif
	amroutine->ambulkdelete = ivfbulkdelete;
	amroutine->amvacuumcleanup = ivfvacuumcleanup;
	amroutine->amcanreturn = nullptr;
	amroutine->amcostestimate = ivfcostestimate;
	amroutine->amoptions = options;
	amroutine->amproperty = nullptr;
	amroutine->ambuildphasename = ivfbuildphasename;
	amroutine->amvalidate = ivfvalidate;
	amroutine->amadjustmembers = nullptr;
	amroutine->ambeginscan = ivfbeginscan;
	amroutine->amrescan = ivfrescan;
	amroutine->amgettuple = ivfgettuple;
	amroutine->amgetbitmap = nullptr;
	amroutine->amendscan = ivfendscan;
	amroutine->ammarkpos = nullptr;
	amroutine->amrestrpos = nullptr;
	amroutine->amestimateparallelscan = nullptr;
	amroutine->aminitparallelscan = nullptr;
	amroutine->amparallelrescan = nullptr;
	return amroutine;
}

VECTOR_SQL_FUNCTION(ivfflathandler)
{
	PG_RETURN_POINTER(IvfMakeRoutine(ivfflatoptions));
}

VECTOR_SQL_FUNCTION(ivfhandler)
{
	PG_RETURN_POINTER(IvfMakeRoutine(ivfoptions));
}

// The quantizer named in the index's options (ivfflat: always flat).
int IvfQuantizerFromOptions(Relation index)
{
	IvfOptions *opts = reinterpret_cast<IvfOptions *>(index->rd_options);
	if (opts == nullptr || opts->quantizer_offset == 0)
		return kIvfQuantFlat;
	const char *name = reinterpret_cast<const char *>(opts) + opts->quantizer_offset;
	if (strcmp(name, "sq8") == 0)
		return kIvfQuantSq8;
	if (strcmp(name, "pq") == 0)
		return kIvfQuantPq;
	if (strcmp(name, "rabitq") == 0)
		return kIvfQuantRabitq;
	return kIvfQuantFlat;
}

// The option value that names quantizer.
const char *IvfQuantizerName(int quantizer)
{
	switch (quantizer) {
	case kIvfQuantSq8:
		return "sq8";
	case kIvfQuantPq:
		return "pq";
	case kIvfQuantRabitq:
		return "rabitq";
	default:
		return "flat";
	}
}

// The lists option (default 100).
int IvfListsFromOptions(Relation index)
{
	IvfOptions *opts = reinterpret_cast<IvfOptions *>(index->rd_options);
	return opts != nullptr ? opts->lists : kIvfDefaultLists;
}

// The pq_m option (0 = default).
int IvfPqMFromOptions(Relation index)
{
	IvfOptions *opts = reinterpret_cast<IvfOptions *>(index->rd_options);
	return opts != nullptr ? opts->pq_m : 0;
}

// The metric of the stored form and the row representation of the index's operator class (see
// pg/common/opclass.h), or an error for a class IVF cannot serve. Hamming distance (bit) is L2
// of the 0/1 stored form.
vector_core::Metric IvfMetricFromOpclass(Relation index, vector_core::ElementKind *kind)
{
	OpclassMetric opclass;
	LookupOpclassMetric(index, &opclass);
	if (!opclass.kind_known || opclass.kind == vector_core::ElementKind::kSparse)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("ivf does not support type %s", format_type_be(opclass.type))));
	*kind = opclass.kind;
	if (opclass.metric_known) {
		switch (opclass.metric) {
		case vector_core::Metric::kL2:
		case vector_core::Metric::kInnerProduct:
		case vector_core::Metric::kCosine:
			return opclass.metric;
		case vector_core::Metric::kHamming:
			return vector_core::Metric::kL2;
		default:
			break;
		}
	}
	ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
	                errmsg("operator class of index \"%s\" has an unsupported distance function",
	                       RelationGetRelationName(index))));
	return vector_core::Metric::kL2;
}
