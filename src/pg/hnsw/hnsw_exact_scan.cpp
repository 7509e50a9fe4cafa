// The exact filtered scan of an hnsw index: with quals on filter columns that few elements pass,
// read every element page, test each element's attribute area against the quals, and compute
// the distance of the elements that pass only. A walk of the graph must visit elements that fail
// the quals to reach the ones that pass: at a share s of matching elements it visits on the order
// of ef_search / s of them, and at hnsw.max_scan_tuples it stops, so a rare value could leave a
// query with fewer rows than its LIMIT although more match. The exact scan reads the pages in
// block order (once per pass of as many rows as the scan's memory holds), its cost is that of
// the index's size, and its answer is exact and complete.
// hnsw_scan.cpp chooses it per search (HnswChooseExactScan): from the share of matching elements
// on a sample of pages, the elements the walk would visit against the elements the index holds;
// it also finishes a filtered walk that reached its limits with the elements the walk never saw.
#include "pg/common/pg_headers.h"

#include <algorithm>
#include <cmath>

#include "pg/hnsw/hnsw.h"

namespace
{

// The elements of one element page: calls fn(tid, header) for each live element (valid header,
// not marked deleted, with heap TIDs), with the page share-locked and the buffer pinned by reader.
template <typename Fn> void ForEachLiveElement(HnswReader *reader, BlockNumber block, Fn &&fn)
{
	if (BufferIsValid(reader->buffer) && BufferGetBlockNumber(reader->buffer) != block) {
		ReleaseBuffer(reader->buffer);
		reader->buffer = InvalidBuffer;
	}
	if (!BufferIsValid(reader->buffer))
		reader->buffer = HnswReadBufferHinted(reader->index, block);
	LockBuffer(reader->buffer, BUFFER_LOCK_SHARE);
	Page page = BufferGetPage(reader->buffer);
	const OffsetNumber max_offset = PageIsNew(page) ? InvalidOffsetNumber : PageGetMaxOffsetNumber(page);
	for (OffsetNumber offset = FirstOffsetNumber; offset <= max_offset; offset++) {
		Size size = 0;
		const char *item = HnswItemOfKind(page, offset, kHnswElementTuple, sizeof(HnswElementHeader), &size);
		if (item == nullptr)
			continue;
		const HnswElementHeader *header = reinterpret_cast<const HnswElementHeader *>(item);
		if (!HnswElementHeaderValid(header, size) || (header->flags & kHnswElementDeleted) ||
		    header->tid_count == 0)
			continue;
		ItemPointerData tid;
		ItemPointerSet(&tid, block, offset);
		fn(tid, header);
	}
	LockBuffer(reader->buffer, BUFFER_LOCK_UNLOCK);
}

// Closest first; equal distances by element TID, so that the order is the same in every pass.
// NaN distances (a zero query under cosine) come last, among themselves by TID.
bool CloserThan(const HnswCandidateOnDisk &x, const HnswCandidateOnDisk &y)
{
	const bool xnan = std::isnan(x.distance), ynan = std::isnan(y.distance);
	if (xnan != ynan)
		return ynan;
	if (!xnan && x.distance != y.distance)
		return x.distance < y.distance;
	return ItemPointerCompare(const_cast<ItemPointer>(&x.tid), const_cast<ItemPointer>(&y.tid)) < 0;
}

} // namespace

// Whether the search should score the matching elements exactly rather than walk; see hnsw.h.
bool HnswChooseExactScan(HnswReader *reader, int ef_search, HnswExactScanEstimate *estimate)
{
	*estimate = HnswExactScanEstimate{};
	const BlockNumber nblocks = RelationGetNumberOfBlocks(reader->index);
	if (reader->filter == nullptr || nblocks <= 1)
		return false;
	const BlockNumber pages = nblocks - 1; // element pages
	// Pages spread evenly over the index (a build writes the rows in table order, inserts
	// append), twice as many when they hold few elements (large vectors).
	double elements = 0, matching = 0;
	BlockNumber sampled = 0;
	for (BlockNumber sample : {kHnswExactScanSamplePages, 2 * kHnswExactScanSamplePages}) {
		if (elements >= 128 || sampled >= pages)
			break;
		sample = Min(pages, sample);
		elements = matching = 0;
		for (BlockNumber i = 0; i < sample; i++) {
			const BlockNumber block =
			    1 + static_cast<BlockNumber>((static_cast<uint64>(i) * pages) / sample);
			ForEachLiveElement(reader, block,
			                   [&](const ItemPointerData &, const HnswElementHeader *header) {
				                   elements++;
				                   matching += HnswElementMatches(reader->filter, reader->info, header);
			                   });
		}
		sampled = sample;
	}
	HnswReaderRelease(reader);
	if (elements == 0)
		return false;
	// (Pages of neighbor or chunk tuples hold no elements; they are sampled like the others, so
	// the estimate of the elements covers them.)
	estimate->share = (matching + 0.5) / (elements + 1.0);
	estimate->elements = elements * static_cast<double>(pages) / static_cast<double>(sampled);
	estimate->walk_visits = kHnswWalkVisitsPerRow * ef_search / estimate->share;
	// A walk that would reach hnsw.max_scan_tuples first stops with rows missing: the exact scan
	// returns them all.
	if (estimate->walk_visits >= static_cast<double>(hnsw_max_scan_tuples))
		return true;
	const double exact_cost =
	    static_cast<double>(pages) + kHnswExactScanMatchCost * estimate->share * estimate->elements;
	return exact_cost <= kHnswWalkVisitCost * estimate->walk_visits;
}

// Scores the live elements that pass reader->filter, that skip (when not null) does not hold and
// that come after *after (when not null); see hnsw.h.
int HnswExactScan(HnswReader *reader, const void *query, const HnswVisitedSet *skip, const HnswCandidateOnDisk *after,
                  int limit, HnswCandidateOnDisk **out, uint64 *read, uint64 *rejected)
{
	const BlockNumber nblocks = RelationGetNumberOfBlocks(reader->index);
	limit = Max(limit, 1);
	// The results: an array that grows up to limit entries, then a max-heap (farthest on top)
	// whose farthest entry gives way to a closer one.
	int capacity = Min(limit, 64), count = 0;
	HnswCandidateOnDisk *results =
	    static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * capacity));
	bool heap = false;
	ItemPointerData *page_matches =
	    static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * (MaxOffsetNumber + 1)));
	for (BlockNumber block = 1; block < nblocks; block++) {
		CHECK_FOR_INTERRUPTS();
		int matches = 0;
		ForEachLiveElement(reader, block, [&](const ItemPointerData &tid, const HnswElementHeader *header) {
			(*read)++;
			if (!HnswElementMatches(reader->filter, reader->info, header)) {
				(*rejected)++;
				return;
			}
			if (skip != nullptr && HnswVisitedContains(skip, const_cast<ItemPointer>(&tid)))
				return;
			page_matches[matches++] = tid;
		});
		// The distances, one read each (the page stays pinned; vectors in chunks are gathered).
		for (int i = 0; i < matches; i++) {
			HnswElementRead element;
			if (!HnswReadElement(reader, &page_matches[i], query, 0, &element, nullptr, nullptr, nullptr) ||
			    (element.flags & kHnswElementDeleted) || element.heaptid_count == 0 || !element.match)
				continue; // (changed since the pass above: VACUUM marked it meanwhile)
			HnswCandidateOnDisk c{};
			c.distance = element.distance;
			c.level = element.level;
			c.flags = element.flags;
			c.heaptid_count = element.heaptid_count;
			c.match = true;
			c.tid = page_matches[i];
			c.heaptid = element.heaptid;
			if (after != nullptr && !CloserThan(*after, c))
				continue; // returned by an earlier pass
			if (heap) {
				if (!CloserThan(c, results[0]))
					continue;
				std::pop_heap(results, results + count, CloserThan);
				results[count - 1] = c;
				std::push_heap(results, results + count, CloserThan);
				continue;
			}
			if (count == capacity) {
				capacity = Min(limit, 2 * capacity);
				results = static_cast<HnswCandidateOnDisk *>(
				    repalloc(results, sizeof(HnswCandidateOnDisk) * static_cast<Size>(capacity)));
			}
			results[count++] = c;
			if (count == limit) {
				std::make_heap(results, results + count, CloserThan);
				heap = true;
			}
		}
	}
	HnswReaderRelease(reader);
	pfree(page_matches);
	std::sort(results, results + count, CloserThan);
	*out = results;
	return count;
}
