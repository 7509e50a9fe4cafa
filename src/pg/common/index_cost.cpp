// The cost estimate of an ordered vector-index scan; see index_cost.h.
//
// The planner prices an index path by two numbers, the cost before the first row (startup) and
// the cost of all its rows (total), and for LIMIT k it interpolates: startup + (total - startup) *
// k / rows, where rows is the table's rows times the share that passes the other quals. A vector
// index does not work that way: its first round (an hnsw search with ef_search, the probed IVF
// lists) is paid before the first row, and when a filter rejects rows the scan goes on in rounds
// (iterative scans, and off mode here too) whose cost per row differs from the first one. So the
// estimate works out the rows the index must produce for the query, needed = k / share, prices
// reading them, and chooses the total so that the planner's interpolation at k lands on that
// price. A scan that cannot produce needed rows (hnsw.max_scan_tuples, ivfflat.max_probes) would
// return fewer rows than the LIMIT: it is priced as if it had to be repeated until it had them, so
// an exact plan wins.
//
// Each visit (an entry read and its distance) costs the access method's CPU figure plus its share
// of pages: the index's pages per entry, but never more than the table's pages per row, at the
// random page price (elements are read in graph or list order, not the table's). The cap is what
// makes dimensions count the same way on both sides: the exact plan (a scan and a sort) is priced
// by the table's main pages only, and past about 2 kB a row's vector is TOASTed out of them, so
// PostgreSQL does not count reading it; an estimate that charged the index for its full-size
// vectors would compare the index's vectors against the table's pointers and pick the sort at
// 1,536 dimensions even where the index reads a quarter of the data.
#include "pg/common/pg_headers.h"

extern "C" {
#include "optimizer/cost.h"
#include "utils/spccache.h"
}

#include "pg/common/index_cost.h"

namespace
{

// The share of the rows that pass the quals the index checks itself (its index clauses, on filter
// columns); 1 without such quals.
double IndexQualsShare(PlannerInfo *root, const IndexPath *path)
{
	if (path->indexclauses == NIL)
		return 1.0;
	List *quals = NIL;
	ListCell *cell;
	foreach (cell, path->indexclauses) {
		IndexClause *clause = static_cast<IndexClause *>(lfirst(cell));
		quals = lappend(quals, clause->rinfo);
	}
	const double share = clauselist_selectivity(root, quals, path->indexinfo->rel->relid, JOIN_INNER, nullptr);
	list_free(quals);
	return share;
}

// The share of the table's rows that pass all the quals of the scan.
double QualsShare(const RelOptInfo *rel)
{
	if (rel->tuples <= 0)
		return 1.0;
	double share = rel->rows / rel->tuples;
	return Min(1.0, Max(share, 1.0 / rel->tuples));
}

// The LIMIT's row count when it applies to this scan's rows (one table in the query), else -1.
double ScanLimit(const PlannerInfo *root)
{
	if (root->limit_tuples <= 0 || bms_membership(root->all_baserels) != BMS_SINGLETON)
		return -1;
	return root->limit_tuples;
}

} // namespace

void VectorIndexCost(PlannerInfo *root, IndexPath *path, [[maybe_unused]] double loop_count,
                     const VectorScanModel &model, Cost *startup_cost, Cost *total_cost, Selectivity *selectivity,
                     double *correlation, double *pages)
{
	const IndexOptInfo *index = path->indexinfo;
	const RelOptInfo *rel = index->rel;
	const double n = Max(index->tuples, 1.0);
	// Quals the index checks (its index clauses): the scan walks as it would without them but
	// returns only the entries that pass, so, in rows the index returns, there are n * index_share
	// of them, its first round returns first_rows * index_share, and each further row costs
	// 1 / index_share times the visits. Without such quals (index_share 1) this is the estimate of
	// a scan whose rows the executor filters; with them the executor also reads fewer table rows
	// (the selectivity below), which is what makes the planner prefer the index whose columns
	// the quals match.
	const double index_share = Min(1.0, Max(IndexQualsShare(root, path), 1.0 / n));
	const double index_rows = Max(1.0, n * index_share);
	const double share = QualsShare(rel);
	const double other_share = Min(1.0, share / index_share);
	// Among the entries the scan walks (model.walk_share of them), the share that passes.
	const double walk_share = Min(1.0, Max(model.walk_share, index_share));
	const double visited_share = Min(1.0, index_share / walk_share);
	const double first_rows = Max(1.0, Min(model.first_rows * visited_share, index_rows));
	const double first_visits = model.first_visits;
	const double visits_per_row = model.visits_per_row / visited_share;
	const double reach = Max(first_rows, Min(model.reach * visited_share, index_rows));
	const double max_visits = Max(first_visits, model.max_visits);

	// Rows the index must produce: the LIMIT's rows divided by the share that passes the other
	// quals (without a known LIMIT, the first round's rows).
	const double limit = ScanLimit(root);
	const double needed = Min(index_rows, limit > 0 ? limit / other_share : first_rows);

	double spc_random = 0, spc_seq = 0;
	get_tablespace_page_costs(index->reltablespace, &spc_random, &spc_seq);
	const double index_pages_per_entry = static_cast<double>(index->pages) / n;
	const double heap_pages_per_row =
	    rel->tuples > 0 ? static_cast<double>(rel->pages) / rel->tuples : index_pages_per_entry;
	const double pages_per_visit = Min(index_pages_per_entry, heap_pages_per_row);
	const double per_visit = model.visit_cpu + pages_per_visit * spc_random;

	auto visits = [&](double rows) {
		double v = first_visits;
		if (rows > first_rows)
			v += (rows - first_rows) * visits_per_row;
		return Min(v, max_visits);
	};

	// Visits after the first round (a filter rejected rows, so the scan goes on) land on pages
	// the first round did not read: they are priced by the distinct pages they touch
	// (index_pages_fetched, which knows effective_cache_size) over as many pages as the smaller of
	// the index and the table's main fork (so that TOASTed vectors count on neither side, as
	// above), each at the sequential page price, plus their CPU. The exact plan they compete with
	// (a bitmap heap scan and a sort) pays up to the random page price for each table page it
	// reads, where our packed share priced a further visit as if its page were already read; that
	// put the crossover between the walk and the exact plan far too late. Measured, cached, one
	// query at a time (walk / exact plan): GloVe 200,000 rows, 1 row in 100 matching, 9-10 ms /
	// 2.9 ms, estimated 3,644 / 5,507 before, above 6,700 / 5,507 now; 1 in 10, 1.3 / 26 ms,
	// estimated 396 / 12,334 before, 990 now; 30,000 rows of 64 dimensions, 1 in 10, 1.35 /
	// 1.78 ms, still the walk. (The random page price here made that last one an exact plan, 1.3x
	// slower.)
	const double page_span = Max(1.0, Min(static_cast<double>(index->pages), static_cast<double>(rel->pages)));
	auto pages_read = [&](double visits_made) {
		return index_pages_fetched(visits_made, static_cast<BlockNumber>(page_span), page_span, root);
	};
	auto visits_cost = [&](double all_visits) {
		if (!model.further_visits_scattered || all_visits <= first_visits)
			return all_visits * per_visit;
		const double further_pages = Max(0.0, pages_read(all_visits) - pages_read(first_visits));
		return first_visits * per_visit + (all_visits - first_visits) * model.visit_cpu +
		       further_pages * spc_seq;
	};
	const Cost startup = first_visits * per_visit;
	Cost at_needed = visits_cost(visits(needed));
	if (needed > reach)
		at_needed *= needed / reach;
	// The planner charges (total - startup) * needed / index_rows for the rows up to the LIMIT; a
	// scan of every row reads at most max_visits entries.
	Cost run = visits_cost(max_visits) - startup;
	if (needed > first_rows)
		run = Max(run, (at_needed - startup) * index_rows / needed);

	*startup_cost = startup;
	*total_cost = startup + Max(run, 0.0);
	*selectivity = index_share;
	*correlation = 0;
	*pages = Min(static_cast<double>(index->pages), visits(needed) * index_pages_per_entry);
}
