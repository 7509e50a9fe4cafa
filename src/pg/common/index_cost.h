// The cost estimate of an ordered vector-index scan (ORDER BY column <op> query), shared by hnsw
// and the IVF family: each access method describes its scan as "visits" (entries it reads, each a
// distance) and rows (what it returns), and this turns that into startup and total costs that
// account for the other quals' selectivity, the LIMIT, the iterative-scan bounds and the size of
// the vectors.
#pragma once

#include "pg/common/pg_headers.h"

// An ordered scan as the access method sees it.
struct VectorScanModel {
	double first_rows;     // rows the first round returns (hnsw.ef_search; the probed lists' rows)
	double first_visits;   // entries the first round reads before the first row comes back
	double visits_per_row; // entries read per further row once the first round is used up
	double max_visits;     // entries read at most (hnsw.max_scan_tuples; the ivfflat.max_probes lists)
	double reach;          // rows the scan can return at most
	double visit_cpu;      // CPU cost of one visit besides its share of pages
	// Whether the visits after the first round land on scattered pages (an hnsw walk: priced by
	// the distinct pages they read, at the random page price) rather than on the pages of lists
	// read in order (IVF: the packed share of the first round).
	bool further_visits_scattered = false;
	// The share of the index's entries the scan walks among, all of which pass some of its index
	// clauses (an hnsw label walk: the elements of one value of the first filter column); 1 when
	// it walks among all of them.
	double walk_share = 1.0;
};

// Fills amcostestimate's outputs for an ordered scan described by model. The path's index
// clauses are quals on filter columns (pg/common/filter_columns.h), which the index checks
// itself: their selectivity is the share of the entries the index returns. (The caller handles a
// path without ORDER BY.)
void VectorIndexCost(PlannerInfo *root, IndexPath *path, double loop_count, const VectorScanModel &model,
                     Cost *startup_cost, Cost *total_cost, Selectivity *selectivity, double *correlation,
                     double *pages);
