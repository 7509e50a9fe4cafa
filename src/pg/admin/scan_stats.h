// What the vector index scans of one EXPLAIN (ANALYZE, VERBOSE) did, per index: the explain hook
// (explain.cpp) starts collecting before it runs the query and prints the counts after it; the
// scans add theirs when they end (hnswendscan, ivfendscan), and only while collecting, so other
// queries pay one branch per scan. Backend-local, at most kVectorScanStatsIndexes indexes per
// query (more are not counted).
#pragma once

#include "pg/common/pg_headers.h"

constexpr int kVectorScanStatsIndexes = 32;

// The counts of the scans of one index.
struct VectorScanCounts {
	uint64 searches;    // searches started (one per rescan)
	uint64 filtered;    // of which with quals on filter columns
	uint64 visited;     // hnsw: elements read; ivf: list entries read
	uint64 rejected;    // of those, failing the quals on the filter columns
	uint64 rounds;      // hnsw: batches searched (the first search and each iterative round); ivf: lists read
	uint64 returned;    // heap TIDs returned
	uint64 reranked;    // ivf with quantized lists: table rows read for an exact distance
	uint64 exact_scans; // hnsw: searches that ran the exact filtered scan (up front or to finish a walk)
	uint64 exact_read;  // hnsw: elements those read (their rejected ones are in rejected)
	uint64 label_walks; // hnsw: searches that walked the label lists of their value (hnsw_label_graph.cpp)
};

// Starts collecting (forgetting what an earlier query collected) / stops.
void VectorScanStatsBegin(void);
void VectorScanStatsEnd(void);
// Whether a scan should add its counts.
bool VectorScanStatsCollecting(void);
// Adds a scan's counts to its index's.
void VectorScanStatsAdd(Oid index, const VectorScanCounts &counts);
// The counts of an index in what was collected; false when none of its scans ended.
bool VectorScanStatsFind(Oid index, VectorScanCounts *out);
