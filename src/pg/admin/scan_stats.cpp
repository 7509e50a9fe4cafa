// Counts of the vector index scans of one EXPLAIN (ANALYZE, VERBOSE): see scan_stats.h.
#include "pg/common/pg_headers.h"

#include "pg/admin/scan_stats.h"

namespace
{

struct Entry {
	Oid index;
	VectorScanCounts counts;
};

bool collecting = false;
int used = 0;
Entry entries[kVectorScanStatsIndexes];

} // namespace

void VectorScanStatsBegin(void)
{
	collecting = true;
	used = 0;
}

void VectorScanStatsEnd(void)
{
	collecting = false;
}

bool VectorScanStatsCollecting(void)
{
	return collecting;
}

void VectorScanStatsAdd(Oid index, const VectorScanCounts &counts)
{
	if (!collecting)
		return;
	int i = 0;
	while (i < used && entries[i].index != index)
		i++;
	if (i == used) {
		if (used == kVectorScanStatsIndexes)
			return;
		entries[i].index = index;
		memset(&entries[i].counts, 0, sizeof(entries[i].counts));
		used++;
	}
	VectorScanCounts &total = entries[i].counts;
	total.searches += counts.searches;
	total.filtered += counts.filtered;
	total.visited += counts.visited;
	total.rejected += counts.rejected;
	total.rounds += counts.rounds;
	total.returned += counts.returned;
	total.reranked += counts.reranked;
	total.exact_scans += counts.exact_scans;
	total.exact_read += counts.exact_read;
	total.label_walks += counts.label_walks;
}

bool VectorScanStatsFind(Oid index, VectorScanCounts *out)
{
	for (int i = 0; i < used; i++) {
		if (entries[i].index == index) {
			*out = entries[i].counts;
			return true;
		}
	}
	return false;
}
