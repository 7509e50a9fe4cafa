// VACUUM of an hnsw index: remove the heap TIDs of dead heap rows, and the elements left with
// none, and repair their neighbors.
//
// The protocol of the mutable graph
// ---------------------------------
// Three kinds of backends touch the graph at once: scans (read only), inserts (add an element,
// then rewrite some neighbors' lists, maybe raise the entry point) and one VACUUM (rewrite lists,
// replace the entry point, free elements). Every list write is a compare-and-write of one list
// (HnswReplaceList: the page locked exclusively, the list written only if it still holds what its
// writer read), so no two writers lose each other's change; every page change is one GenericXLog
// record. The question is what a link may point at. The invariant this protocol keeps:
//
//   a live (unmarked) element never links a freed slot, nor, therefore, a slot reused by an
//   unrelated element,
//
// so that after VACUUM every link of a live element leads to the element it was made for.
// ambulkdelete does it in five steps:
//
//   1. mark: the heap TIDs the callback reports dead are removed from their elements (an element
//      holds the TIDs of identical rows, compacted in place), and every element left with none
//      gets kHnswElementDeleted, page by page (share lock to look, exclusive lock, the callback
//      asked again, and one WAL record per page with dead TIDs). An insert adds a TID to an
//      element only under the exclusive lock and only if it is not marked, so an element is
//      never marked while it holds a live TID. Elements an earlier VACUUM left marked count as
//      dead too, whatever the callback says (their heap slots may have been reused since).
//   2. wait: every insert holds a heavyweight lock, LockPage(index, kHnswInsertLockBlock) in
//      share mode, from before its search until its last link is written. VACUUM takes it in
//      exclusive mode and lets go at once: this waits out every insert that may have read the
//      graph before a mark was set. VACUUM holds no buffer lock meanwhile, and an insert never
//      waits for a heavyweight lock while holding a buffer lock (only for the relation extension
//      lock, which no one holds while waiting for this one), so there is no deadlock. Inserts
//      that start after the wait see every mark (they read the pages after VACUUM wrote them) and
//      never choose a marked element as a neighbor: the candidates' flags are read again when
//      their rows are (HnswLoadCandidateVectors), a marked neighbor gets no back link, and in a
//      full list a link to a marked element is the first to give way. They may walk through
//      marked elements as stepping stones. New inserts queue behind VACUUM's request for the
//      moment it waits: the wait is as long as the slowest insert in flight.
//   3. entry point: if it is marked, the live element of highest level replaces it, under the
//      metapage's exclusive lock and re-checked (an insert that raised it meanwhile made a live
//      element the entry point: then it stays). Inserts raise it under the same lock.
//   4. repair and confirm: the live elements are collected after the wait (so those the
//      waited-out inserts added are among them); each list that links a marked element gets a
//      new one from the heuristic over its live links and the live links of the marked ones (two
//      hops through the hole, and what a search from the entry point finds), compare-and-written,
//      retried when an insert changed it; then each new neighbor links back to the element as to
//      a new insert (HnswAddBackLink, the same compare-and-write). Then every list of every live
//      element is read again, and what still links a marked element is repaired again, a bounded
//      number of rounds. Nothing can bring a marked link back: lists
//      written after the wait come from inserts that skip marked elements, and a write based on a
//      list read before a repair fails the compare.
//   5. free: the marked elements no live list links any more are deleted from their pages, with
//      their neighbor tuples and vector chunks (line pointers stay, unused, so that other TIDs
//      never move), and the pages' free space goes to the free space map, where inserts find it.
//      If the confirm rounds did not converge (inserts kept changing a list), the elements some
//      list still links are not freed: they stay marked, a LOG line says so, and the next VACUUM
//      frees them. Nothing is given up silently.
//
// What still holds a TID of a freed slot: a scan or an insert in flight that read a link before
// the free (its candidate heap, its visited set), and the lists of elements left marked. Readers
// check what they find at a TID (HnswReadElement: an unused line pointer, another kind, or an
// element - then an extra candidate with its real distance), scans return a heap TID only
// together with the unmarked element it was read from, and an insert links a candidate only
// after reading it again, unmarked. So a reused slot can at worst become a suboptimal neighbor,
// never a wrong result.
//
// Scans never return a marked element (hnswgettuple skips the flag); amvacuumcleanup then relinks
// live elements no search could reach (marked ones are left alone).
//
// A crash at any point leaves a valid index: after 1, some dead elements are marked (scans skip
// them; the next VACUUM, which the heap still needs, finds them marked and continues); after 3
// the entry point is live; during 4 some lists are repaired, each in one record; during 5 some
// elements are freed, each page in one record, and only elements no live list links. An insert
// that crashes leaves an element with fewer incoming links, and holds no lock after recovery.
#include "pg/common/pg_headers.h"

#include <algorithm>

#include "pg/hnsw/hnsw.h"
#include "pg/hnsw/hnsw_label_graph.h"

namespace
{

// Calls fn(block, offset, item) for every item of kind on every element page (for elements, every
// one whose header fits its item: HnswElementHeaderValid), under a share lock (fn must not take
// buffer locks). Uses the vacuum's buffer strategy.
template <typename Fn> void ForEachItem(IndexVacuumInfo *info, uint8 kind, Fn &&fn)
{
	Relation index = info->index;
	BlockNumber blocks = RelationGetNumberOfBlocks(index);
	for (BlockNumber block = 1; block < blocks; block++) {
		VectorVacuumDelayPoint();
		Buffer buffer = ReadBufferExtended(index, MAIN_FORKNUM, block, RBM_NORMAL, info->strategy);
		LockBuffer(buffer, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buffer);
		if (!PageIsNew(page) && HnswPageGetOpaque(page)->flags == kHnswPageElements) {
			OffsetNumber max = PageGetMaxOffsetNumber(page);
			for (OffsetNumber offset = FirstOffsetNumber; offset <= max; offset++) {
				ItemId item_id = PageGetItemId(page, offset);
				if (!ItemIdIsNormal(item_id))
					continue;
				char *item = static_cast<char *>(PageGetItem(page, item_id));
				if (static_cast<uint8>(item[0]) != kind)
					continue;
				// (An element whose header does not fit its item is left alone: its attribute
				// area and TIDs would lie past it.)
				if (kind == kHnswElementTuple &&
				    !HnswElementHeaderValid(reinterpret_cast<const HnswElementHeader *>(item),
				                            ItemIdGetLength(item_id)))
					continue;
				fn(block, offset, item);
			}
		}
		UnlockReleaseBuffer(buffer);
	}
}

// Growable array of TIDs in the current memory context.
struct TidList {
	ItemPointerData *tids;
	Size count;
	Size capacity;
};

void TidListInit(TidList *list)
{
	list->capacity = 1024;
	list->count = 0;
	list->tids = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * list->capacity));
}

void TidListAdd(TidList *list, ItemPointer tid)
{
	if (list->count >= list->capacity) {
		list->capacity *= 2;
		list->tids =
		    static_cast<ItemPointerData *>(repalloc_huge(list->tids, sizeof(ItemPointerData) * list->capacity));
	}
	list->tids[list->count++] = *tid;
}

// Orders TIDs by block, then offset.
bool TidLess(const ItemPointerData &a, const ItemPointerData &b)
{
	return ItemPointerCompare(const_cast<ItemPointer>(&a), const_cast<ItemPointer>(&b)) < 0;
}

// Gives element a new list on layer without its dead links (step 4). Returns true if it wrote.
bool RepairList(HnswReader *reader, const HnswVisitedSet *dead, ItemPointer element, int layer)
{
	const HnswIndexInfo *info = &reader->info;
	const int capacity = HnswLayerCapacity(info->m, layer);
	ItemPointerData *links = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * capacity));
	ItemPointerData *hop = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * capacity));
	ItemPointerData *chosen = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * capacity));
	char *vector = static_cast<char *>(palloc(info->max_bytes));
	bool wrote = false;
	// A label list takes elements of the element's own value only: every element read below is
	// checked against it (read.match).
	const bool label = layer == kHnswLabelLayer;
	int64 key = 0;
	const IndexFilter *saved_filter = reader->filter;
	if (label) {
		if (!HnswElementLabel(reader, element, &key))
			return false;
		reader->filter = HnswLabelFilter(info, key);
	}

	for (int attempt = 0; attempt < 5; attempt++) {
		HnswElementRead self;
		int count = 0;
		if (!HnswReadElement(reader, element, nullptr, layer, &self, links, &count, vector))
			break;
		bool any_dead = false;
		for (int i = 0; i < count && !any_dead; i++)
			any_dead = HnswVisitedContains(dead, &links[i]);
		if (!any_dead)
			break;

		// Candidates: live links and the live links of dead links, each once, not the element.
		HnswVisitedSet seen;
		HnswVisitedInit(&seen, static_cast<uint32>(capacity * (capacity + 1)));
		HnswVisitedAdd(&seen, element);
		HnswCandidateOnDisk *pool =
		    static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * capacity * (capacity + 1)));
		int pool_count = 0;
		auto consider = [&](ItemPointer tid) {
			if (HnswVisitedContains(dead, tid) || !HnswVisitedAdd(&seen, tid))
				return;
			HnswElementRead read;
			if (!HnswReadElement(reader, tid, vector, 0, &read, nullptr, nullptr, nullptr) || !read.match)
				return;
			pool[pool_count++] = {read.distance, read.level, read.flags,  read.heaptid_count,
			                      true,          *tid,       read.heaptid};
		};
		for (int i = 0; i < count; i++) {
			if (!HnswVisitedContains(dead, &links[i])) {
				consider(&links[i]);
				continue;
			}
			HnswElementRead gone;
			int hop_count = 0;
			if (HnswReadElement(reader, &links[i], nullptr, layer, &gone, hop, &hop_count, nullptr)) {
				for (int j = 0; j < hop_count; j++)
					consider(&hop[j]);
			}
		}
		if (label) {
			// And those a walk of the value's graph from its seeds finds, as an insert would.
			HnswCandidateOnDisk *found;
			const int found_count =
			    HnswLabelCandidates(reader, vector, key, element, pool, pool_count, nullptr, &found);
			for (int i = 0; i < found_count && pool_count < capacity * (capacity + 1); i++) {
				if (!HnswVisitedContains(dead, &found[i].tid) && HnswVisitedAdd(&seen, &found[i].tid))
					pool[pool_count++] = found[i];
			}
			if (found != nullptr)
				pfree(found);
		} else {
			// And the candidates a search from the entry point finds, as an insert would: the
			// neighbors of the hole alone gave worse lists (GloVe 20k, 20% deleted: recall@10 at
			// ef_search 40 0.982 after VACUUM, 0.984 with the search; the search also finds
			// candidates when every neighbor and every neighbor's neighbor died, say most copies
			// of a repeated vector, where the element would otherwise keep no link at all).
			HnswMetaPageData meta;
			HnswReadMeta(reader->index, &meta);
			HnswCandidateOnDisk start;
			if (HnswDescend(reader, vector, &meta, layer, vector_core::kHnswInsertBeams, &start)) {
				HnswSearchState state;
				HnswSearchStateInit(&state, info, false);
				HnswVisitedAdd(&state.visited, element);
				HnswSearchLayer(reader, vector, &state, layer, Max(info->ef_construction, capacity),
				                &start, 1);
				HnswCandidateOnDisk *found = static_cast<HnswCandidateOnDisk *>(
				    palloc(sizeof(HnswCandidateOnDisk) * Max(state.result_count, 1)));
				const int found_count = HnswTakeResultsSorted(&state, found);
				for (int i = 0; i < found_count && pool_count < capacity * (capacity + 1); i++) {
					if (!(found[i].flags & kHnswElementDeleted) &&
					    !HnswVisitedContains(dead, &found[i].tid) && found[i].level >= layer &&
					    HnswVisitedAdd(&seen, &found[i].tid))
						pool[pool_count++] = found[i];
				}
				pfree(found);
			}
		}
		std::sort(pool, pool + pool_count, [](const HnswCandidateOnDisk &a, const HnswCandidateOnDisk &b) {
			return a.distance < b.distance;
		});
		HnswSelectionInput input;
		HnswLoadCandidateVectors(reader, pool, pool_count, &input);
		int chosen_count = HnswSelectNeighborsOnDisk(info, &input, capacity, chosen);
		HnswReaderRelease(reader);
		HnswListUpdate update =
		    HnswReplaceList(reader->index, info, element, layer, links, count, chosen, chosen_count);
		pfree(pool);
		pfree(seen.keys);
		pfree(input.candidates);
		pfree(input.vectors);
		pfree(input.offsets);
		if (update == HnswListUpdate::kWritten) {
			wrote = true;
			// In-links: each neighbor links back, as to a newly inserted element. An
			// element whose way in was the dead one (a row far from the others) is otherwise
			// left reachable only from farther away than a search from its own neighbourhood
			// goes (GloVe 100k churn: 6 of 500 rows not found by their own vector at
			// ef_search 40 after 4 cycles, pgvector, which does this, 0). A full list that
			// takes the element first makes the element link the target it gives up, in the
			// place of one of the links the repair chose (its old live links stay, and so do
			// links concurrent inserts add meanwhile: for their targets the element may be the
			// way in).
			HnswOwnLinks own;
			own.own = chosen;
			own.own_count = chosen_count;
			own.given_room = count + capacity;
			own.given = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * own.given_room));
			for (int i = 0; i < count; i++) {
				if (!HnswVisitedContains(dead, &links[i]))
					own.given[own.given_count++] = links[i];
			}
			for (int i = 0; i < chosen_count; i++)
				HnswAddBackLink(reader, &chosen[i], layer, element, vector, i == 0, &own);
			HnswReaderRelease(reader);
			pfree(own.given);
		}
		if (update != HnswListUpdate::kChanged)
			break;
	}
	reader->filter = saved_filter;
	pfree(links);
	pfree(hop);
	pfree(chosen);
	pfree(vector);
	return wrote;
}

// Deletes the items of tids (sorted) from their pages, WAL-logged, and records the pages' free
// space (step 5). Returns how many were deleted.
Size FreeItems(IndexVacuumInfo *info, TidList *tids, uint8 expect_kind)
{
	Relation index = info->index;
	Size freed = 0;
	Size i = 0;
	while (i < tids->count) {
		BlockNumber block = ItemPointerGetBlockNumber(&tids->tids[i]);
		Size end = i;
		while (end < tids->count && ItemPointerGetBlockNumber(&tids->tids[end]) == block)
			end++;
		VectorVacuumDelayPoint();
		Buffer buffer = ReadBufferExtended(index, MAIN_FORKNUM, block, RBM_NORMAL, info->strategy);
		LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
		GenericXLogState *xlog = GenericXLogStart(index);
		Page page = GenericXLogRegisterBuffer(xlog, buffer, 0);
		Size here = 0;
		// Highest offsets first: PageIndexTupleDeleteNoCompact keeps the other line pointers.
		for (Size j = end; j-- > i;) {
			OffsetNumber offset = ItemPointerGetOffsetNumber(&tids->tids[j]);
			if (offset > PageGetMaxOffsetNumber(page))
				continue;
			ItemId item_id = PageGetItemId(page, offset);
			if (!ItemIdIsNormal(item_id))
				continue;
			char *item = static_cast<char *>(PageGetItem(page, item_id));
			if (static_cast<uint8>(item[0]) != expect_kind)
				continue;
			PageIndexTupleDeleteNoCompact(page, offset);
			here++;
		}
		Size free_space = PageGetFreeSpace(page);
		if (here > 0)
			GenericXLogFinish(xlog);
		else
			GenericXLogAbort(xlog);
		UnlockReleaseBuffer(buffer);
		RecordPageWithFreeSpace(index, block, free_space);
		freed += here;
		i = end;
	}
	return freed;
}

// Index of tid in the sorted tids, or -1.
int64 FindTid(const TidList *tids, ItemPointer tid)
{
	const ItemPointerData *begin = tids->tids;
	const ItemPointerData *end = tids->tids + tids->count;
	const ItemPointerData *it = std::lower_bound(begin, end, *tid, TidLess);
	if (it != end && ItemPointerEquals(const_cast<ItemPointer>(it), tid))
		return it - begin;
	return -1;
}

// Marks everything reachable on layer 0 from the elements in queue[0..queue_count) (already
// marked); returns the new queue length. in_links[i] counts the links from walked elements to
// live element i (how many ways in it has).
Size Walk(HnswReader *reader, const TidList *live, bool *reached, uint32 *in_links, int64 *queue, Size queue_count,
          Size head, ItemPointerData *links)
{
	for (; head < queue_count; head++) {
		HnswElementRead read;
		int count = 0;
		if (!HnswReadElement(reader, &live->tids[queue[head]], nullptr, 0, &read, links, &count, nullptr))
			continue;
		for (int i = 0; i < count; i++) {
			int64 next = FindTid(live, &links[i]);
			if (next >= 0)
				in_links[next]++;
			if (next >= 0 && !reached[next]) {
				reached[next] = true;
				queue[queue_count++] = next;
			}
		}
		if ((head & 1023) == 0)
			VectorVacuumDelayPoint();
	}
	return queue_count;
}

// Links element from the nearest element a search from the entry point reaches, and gives
// element that neighbor as a link when it has none. Returns true if a link was added.
// When every such list is full, a link is given up for element, never the only way in of its
// target (in_links, counted by the walks): replacing such a link would cut that element off
// instead, and the next round would cut off another (VACUUM after VACUUM moved the hole around).
// Only if no list has a replaceable link, the farthest link of the nearest element gives way
// and element links its target when it has room.
bool LinkFromReachable(HnswReader *reader, const HnswMetaPageData *meta, ItemPointer element, const TidList *live,
                       const bool *reached, uint32 *in_links)
{
	const HnswIndexInfo *info = &reader->info;
	const int capacity = HnswLayerCapacity(info->m, 0);
	char *vector = static_cast<char *>(palloc(info->max_bytes));
	ItemPointerData *links = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * capacity));
	ItemPointerData *updated = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * capacity));
	HnswElementRead self;
	int own_count = 0;
	bool linked = false;
	if (!HnswReadElement(reader, element, nullptr, 0, &self, links, &own_count, vector))
		return false;
	const int own_links = own_count;

	HnswCandidateOnDisk start;
	if (!HnswDescend(reader, vector, meta, 0, vector_core::kHnswInsertBeams, &start))
		return false;
	HnswSearchState state;
	HnswSearchStateInit(&state, info, false);
	HnswVisitedAdd(&state.visited, element); // never link it to itself
	HnswSearchLayer(reader, vector, &state, 0, Max(info->ef_construction, 2 * info->m), &start, 1);
	HnswCandidateOnDisk *found =
	    static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * (Max(state.result_count, 0) + 1)));
	int found_count = HnswTakeResultsSorted(&state, found);
	// Only elements the walk reached can give a way in: the descent may have landed in another
	// cut-off group (upper layers reach it), whose members would link it to no avail. If the
	// search found none, the entry point itself links it.
	int kept = 0;
	for (int i = 0; i < found_count; i++) {
		const int64 at = FindTid(live, &found[i].tid);
		if (at >= 0 && reached[at])
			found[kept++] = found[i];
	}
	found_count = kept;
	if (found_count == 0 && !ItemPointerEquals(const_cast<ItemPointer>(&meta->entry), element)) {
		found[0].tid = meta->entry;
		found[0].flags = 0;
		found_count = 1;
	}

	// First the nearest with a free slot (no link is lost), then the nearest with a link whose
	// target has another way in, then, if all are full, the nearest.
	for (int c = 0; c < 3 * found_count && !linked; c++) {
		const bool append_only = c < found_count;
		const bool spare_only = !append_only && c < 2 * found_count;
		ItemPointer from = &found[c % found_count].tid;
		if (ItemPointerEquals(from, element) || (found[c % found_count].flags & kHnswElementDeleted))
			continue;
		for (int attempt = 0; attempt < 3 && !linked; attempt++) {
			HnswElementRead read;
			int count = 0;
			char *from_vector = static_cast<char *>(palloc(info->max_bytes));
			if (!HnswReadElement(reader, from, nullptr, 0, &read, links, &count, from_vector))
				break;
			bool present = false;
			for (int i = 0; i < count; i++)
				present = present || ItemPointerEquals(&links[i], element);
			if (present) {
				linked = true; // someone linked it meanwhile
				break;
			}
			if (append_only && count >= capacity)
				break;
			memcpy(updated, links, sizeof(ItemPointerData) * count);
			int updated_count = count;
			ItemPointerData displaced;
			ItemPointerSetInvalid(&displaced);
			if (count < capacity) {
				updated[updated_count++] = *element;
			} else {
				// Replace the farthest link (of those whose target has another way in, when
				// spare_only).
				int farthest = -1;
				bool stale = false;
				float worst = -get_float4_infinity();
				for (int i = 0; i < count; i++) {
					HnswElementRead target;
					if (!HnswReadElement(reader, &links[i], from_vector, 0, &target, nullptr,
					                     nullptr, nullptr)) {
						farthest = i; // a stale link: the best one to replace
						stale = true;
						break;
					}
					if (spare_only) {
						const int64 at = FindTid(live, &links[i]);
						if (at < 0 || in_links[at] < 2)
							continue;
					}
					if (target.distance > worst) {
						worst = target.distance;
						farthest = i;
					}
				}
				if (farthest < 0)
					break; // every link is its target's only way in
				if (!stale) {
					// The target keeps a way in through element, written first (see
					// HnswLinkDisplaced).
					displaced = updated[farthest];
					HnswLinkDisplaced(reader, element, 0, &displaced);
				}
				updated[farthest] = *element;
			}
			HnswReaderRelease(reader);
			HnswListUpdate result =
			    HnswReplaceList(reader->index, info, from, 0, links, count, updated, updated_count);
			if (result == HnswListUpdate::kWritten) {
				linked = true;
				const int64 self_at = FindTid(live, element);
				if (self_at >= 0)
					in_links[self_at]++;
				if (ItemPointerIsValid(&displaced)) {
					const int64 displaced_at = FindTid(live, &displaced);
					if (displaced_at >= 0 && in_links[displaced_at] > 0)
						in_links[displaced_at]--;
				}
			} else if (result == HnswListUpdate::kGone) {
				break;
			}
		}
		if (linked && own_links == 0) {
			// A dead end: give it a way out too.
			ItemPointerData none[1];
			HnswReaderRelease(reader);
			HnswReplaceList(reader->index, info, element, 0, none, 0, from, 1);
		}
	}
	return linked;
}

// Makes every live element reachable from the entry point on layer 0 again: a breadth-first walk
// finds the elements that inserts' pruning or VACUUM's removals cut off, and each one is linked
// from the nearest element a search reaches. Returns the links added.
Size RepairReachability(IndexVacuumInfo *info)
{
	Relation index = info->index;
	HnswIndexInfo index_info;
	HnswMetaPageData meta;
	HnswGetIndexInfo(index, &index_info, &meta);
	if (!ItemPointerIsValid(&meta.entry))
		return 0;

	TidList live;
	TidListInit(&live);
	ForEachItem(info, kHnswElementTuple, [&](BlockNumber block, OffsetNumber offset, char *item) {
		// Marked elements (left by a VACUUM whose repairs did not converge) get no new links.
		if (reinterpret_cast<const HnswElementHeader *>(item)->flags & kHnswElementDeleted)
			return;
		ItemPointerData tid;
		ItemPointerSet(&tid, block, offset);
		TidListAdd(&live, &tid);
	});
	if (live.count == 0)
		return 0;
	bool *reached = static_cast<bool *>(MemoryContextAllocHuge(CurrentMemoryContext, live.count));
	memset(reached, 0, live.count);
	int64 *queue = static_cast<int64 *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int64) * live.count));
	uint32 *in_links =
	    static_cast<uint32 *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(uint32) * live.count));
	ItemPointerData *links =
	    static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * HnswLayerCapacity(index_info.m, 0)));
	HnswReader reader;
	HnswReaderInit(&reader, index, &index_info);

	Size added = 0;
	for (int round = 0; round < 3; round++) {
		memset(reached, 0, live.count);
		memset(in_links, 0, sizeof(uint32) * live.count);
		Size queue_count = 0;
		int64 entry = FindTid(&live, &meta.entry);
		if (entry < 0)
			break;
		reached[entry] = true;
		queue[queue_count++] = entry;
		queue_count = Walk(&reader, &live, reached, in_links, queue, queue_count, 0, links);
		Size added_now = 0;
		for (Size i = 0; i < live.count; i++) {
			if (reached[i])
				continue;
			if (LinkFromReachable(&reader, &meta, &live.tids[i], &live, reached, in_links))
				added_now++;
			reached[i] = true;
			Size head = queue_count;
			queue[queue_count++] = static_cast<int64>(i);
			queue_count = Walk(&reader, &live, reached, in_links, queue, queue_count, head, links);
			CHECK_FOR_INTERRUPTS();
		}
		added += added_now;
		if (added_now == 0)
			break;
	}
	HnswReaderRelease(&reader);
	if (added > 0)
		elog(DEBUG1, "hnsw vacuum: %zu links added to reach every element of \"%s\"", added,
		     RelationGetRelationName(index));
	return added;
}

// A dead element and what goes with it: its neighbor tuple and first chunk (invalid when inline).
struct DeadElement {
	ItemPointerData tid;
	ItemPointerData lists;
	ItemPointerData vector;
};

// Step 1: removes the dead heap TIDs of every element (the callback says which), compacting its
// TID array in place, and marks the elements left without any with kHnswElementDeleted, page by
// page (share lock to look, exclusive lock and one WAL record per page with dead TIDs, where the
// callback is asked again: an insert may have added a TID to an element meanwhile, and then
// that element stays). Elements an earlier VACUUM left marked count as dead too, whatever the
// callback says (their heap slots may have been reused since). Collects the dead elements; adds
// the heap TIDs removed to *removed.
void MarkDead(IndexVacuumInfo *info, IndexBulkDeleteCallback callback, void *callback_state, HnswVisitedSet *dead,
              DeadElement **elements, Size *count, Size *capacity, double *removed)
{
	Relation index = info->index;
	OffsetNumber *marks = static_cast<OffsetNumber *>(palloc(sizeof(OffsetNumber) * MaxOffsetNumber));
	auto collect = [&](BlockNumber block, OffsetNumber offset, const HnswElementHeader *header) {
		if (*count >= *capacity) {
			*capacity *= 2;
			*elements =
			    static_cast<DeadElement *>(repalloc_huge(*elements, sizeof(DeadElement) * *capacity));
		}
		DeadElement &d = (*elements)[(*count)++];
		ItemPointerSet(&d.tid, block, offset);
		ItemPointerSetInvalid(&d.lists);
		ItemPointerSetInvalid(&d.vector);
		if (!(header->flags & kHnswElementListsInline))
			d.lists = header->lists;
		if (!(header->flags & kHnswElementVectorInline))
			d.vector = header->vector;
		HnswVisitedAdd(dead, &d.tid);
	};
	BlockNumber blocks = RelationGetNumberOfBlocks(index);
	for (BlockNumber block = 1; block < blocks; block++) {
		VectorVacuumDelayPoint();
		Buffer buffer = ReadBufferExtended(index, MAIN_FORKNUM, block, RBM_NORMAL, info->strategy);
		LockBuffer(buffer, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buffer);
		int mark_count = 0;
		if (!PageIsNew(page) && HnswPageGetOpaque(page)->flags == kHnswPageElements) {
			OffsetNumber max = PageGetMaxOffsetNumber(page);
			for (OffsetNumber offset = FirstOffsetNumber; offset <= max; offset++) {
				ItemId item_id = PageGetItemId(page, offset);
				if (!ItemIdIsNormal(item_id))
					continue;
				char *item = static_cast<char *>(PageGetItem(page, item_id));
				if (static_cast<uint8>(item[0]) != kHnswElementTuple)
					continue;
				const HnswElementHeader *header = reinterpret_cast<const HnswElementHeader *>(item);
				if (!HnswElementHeaderValid(header, ItemIdGetLength(item_id)))
					continue;
				if (header->flags & kHnswElementDeleted) {
					collect(block, offset, header);
					continue;
				}
				bool any_dead = false;
				for (int t = 0; t < header->tid_count && !any_dead; t++) {
					ItemPointerData heaptid = HnswElementHeapTids(header)[t];
					any_dead = callback(&heaptid, callback_state);
				}
				if (any_dead)
					marks[mark_count++] = offset;
			}
		}
		LockBuffer(buffer, BUFFER_LOCK_UNLOCK);
		if (mark_count > 0) {
			// Only VACUUM removes TIDs, changes an element's flags or frees it (and one VACUUM
			// runs at a time), so the items found under the share lock are still there; inserts
			// may have added TIDs to them, under this exclusive lock.
			LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
			GenericXLogState *xlog = GenericXLogStart(index);
			Page changed = GenericXLogRegisterBuffer(xlog, buffer, 0);
			for (int i = 0; i < mark_count; i++) {
				ItemId item_id = PageGetItemId(changed, marks[i]);
				HnswElementHeader *header =
				    reinterpret_cast<HnswElementHeader *>(PageGetItem(changed, item_id));
				ItemPointerData *tids = HnswElementHeapTids(header);
				int kept = 0;
				for (int t = 0; t < header->tid_count; t++) {
					ItemPointerData heaptid = tids[t];
					if (!callback(&heaptid, callback_state))
						tids[kept++] = heaptid;
				}
				*removed += header->tid_count - kept;
				if (kept == 0) {
					// The last ones: the element is marked (its TIDs stay, unread).
					header->flags |= kHnswElementDeleted;
					collect(block, marks[i], header);
				} else {
					memset(&tids[kept], 0, sizeof(ItemPointerData) * (header->tid_count - kept));
					header->tid_count = static_cast<uint8>(kept);
				}
			}
			GenericXLogFinish(xlog);
			LockBuffer(buffer, BUFFER_LOCK_UNLOCK);
		}
		ReleaseBuffer(buffer);
	}
	pfree(marks);
}

// Repairs every list of the live elements that links a dead element; returns how many lists
// still link one afterwards (adding the dead elements they link to *stuck when not null).
Size RepairLists(HnswReader *reader, const HnswVisitedSet *dead, const TidList *live, HnswVisitedSet *stuck)
{
	ItemPointerData *links =
	    static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * HnswLayerCapacity(reader->info.m, 0)));
	Size left = 0;
	for (Size i = 0; i < live->count; i++) {
		HnswElementRead read;
		int count = 0;
		if (!HnswReadElement(reader, &live->tids[i], nullptr, 0, &read, links, &count, nullptr))
			continue;
		const int level = read.level;
		// The label list first (kHnswLabelLayer is -1), then the layers.
		for (int layer = reader->info.label_lists ? kHnswLabelLayer : 0; layer <= level; layer++) {
			if ((layer != 0 || reader->info.label_lists) &&
			    !HnswReadElement(reader, &live->tids[i], nullptr, layer, &read, links, &count, nullptr))
				break;
			bool any_dead = false;
			for (int j = 0; j < count && !any_dead; j++)
				any_dead = HnswVisitedContains(dead, &links[j]);
			if (!any_dead)
				continue;
			RepairList(reader, dead, &live->tids[i], layer);
			// Confirm: read it again.
			if (!HnswReadElement(reader, &live->tids[i], nullptr, layer, &read, links, &count, nullptr))
				break;
			bool still = false;
			for (int j = 0; j < count; j++) {
				if (HnswVisitedContains(dead, &links[j])) {
					still = true;
					if (stuck != nullptr)
						HnswVisitedAdd(stuck, &links[j]);
				}
			}
			if (still)
				left++;
		}
		if ((i & 255) == 0)
			VectorVacuumDelayPoint();
	}
	pfree(links);
	return left;
}

} // namespace

// ambulkdelete: see the file comment.
IndexBulkDeleteResult *hnswbulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
                                      IndexBulkDeleteCallback callback, void *callback_state)
{
	Relation index = info->index;
	if (stats == nullptr)
		stats = static_cast<IndexBulkDeleteResult *>(palloc0(sizeof(IndexBulkDeleteResult)));

	MemoryContext context = AllocSetContextCreate(CurrentMemoryContext, "hnsw vacuum", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(context);

	HnswIndexInfo index_info;
	HnswMetaPageData meta;
	HnswGetIndexInfo(index, &index_info, &meta);

	// 1. mark.
	HnswVisitedSet dead;
	HnswVisitedInit(&dead, 1024);
	Size dead_count = 0;
	Size dead_capacity = 1024;
	DeadElement *dead_elements = static_cast<DeadElement *>(palloc(sizeof(DeadElement) * dead_capacity));
	MarkDead(info, callback, callback_state, &dead, &dead_elements, &dead_count, &dead_capacity,
	         &stats->tuples_removed);

	// 2. wait: every insert holds the insert lock (share) from before its search until its last
	// link is written; taking it exclusively waits out those that may not have seen the marks.
	// No buffer lock is held here, and an insert takes no other heavyweight lock while waiting
	// for a buffer, so this cannot deadlock. Inserts that start later never link a marked element.
	if (dead_count > 0) {
		LockPage(index, kHnswInsertLockBlock, ExclusiveLock);
		UnlockPage(index, kHnswInsertLockBlock, ExclusiveLock);
	}

	// The live elements, now including those the waited-out inserts added, and the highest.
	TidList live;
	TidListInit(&live);
	ItemPointerData best_entry;
	ItemPointerSetInvalid(&best_entry);
	int best_level = -1;
	double live_tids = 0;
	// (With label lists: live elements of each value, seeds for values whose seeds died.)
	HnswSeedSpares *spares = dead_count > 0 ? HnswSeedSparesStart(index, &index_info) : nullptr;
	ForEachItem(info, kHnswElementTuple, [&](BlockNumber block, OffsetNumber offset, char *item) {
		const HnswElementHeader *header = reinterpret_cast<const HnswElementHeader *>(item);
		if (header->flags & kHnswElementDeleted)
			return;
		live_tids += header->tid_count;
		ItemPointerData tid;
		ItemPointerSet(&tid, block, offset);
		TidListAdd(&live, &tid);
		HnswSeedSparesSee(spares, header, &tid);
		if (header->level > best_level) {
			best_level = header->level;
			best_entry = tid;
		}
	});

	if (dead_count > 0) {
		// 3. entry point: a marked one is replaced by the live element of highest level, under the
		// metapage lock, re-checked (an insert may have raised it meanwhile: then it is live).
		Buffer meta_buffer = ReadBuffer(index, kHnswMetaBlock);
		LockBuffer(meta_buffer, BUFFER_LOCK_EXCLUSIVE);
		HnswMetaPage current = HnswPageGetMeta(BufferGetPage(meta_buffer));
		if (ItemPointerIsValid(&current->entry) && HnswVisitedContains(&dead, &current->entry)) {
			GenericXLogState *xlog = GenericXLogStart(index);
			HnswMetaPage updated = HnswPageGetMeta(GenericXLogRegisterBuffer(xlog, meta_buffer, 0));
			updated->entry = best_entry;
			updated->entry_level = static_cast<int16>(best_level);
			GenericXLogFinish(xlog);
		}
		UnlockReleaseBuffer(meta_buffer);

		// 4. repair, then confirm: every list of every live element is read again and repaired
		// again while one still links a marked element, a bounded number of rounds.
		HnswReader reader;
		HnswReaderInit(&reader, index, &index_info);
		// The label directory's seeds that died give way to live elements of their value.
		HnswReplaceDeadSeeds(&reader, &dead, spares);
		Size left = RepairLists(&reader, &dead, &live, nullptr);
		HnswVisitedSet stuck;
		HnswVisitedInit(&stuck, 64);
		for (int round = 0; round < 3; round++) {
			const bool last = round == 2;
			left = RepairLists(&reader, &dead, &live, last ? &stuck : nullptr);
			if (left == 0)
				break;
		}
		HnswReaderRelease(&reader);

		// 5. free, except the marked elements some list still links: they stay marked (scans skip
		// them, inserts never link them) and the next VACUUM frees them.
		TidList free_elements;
		TidList free_apart;
		TidList free_chunks;
		TidListInit(&free_elements);
		TidListInit(&free_apart);
		TidListInit(&free_chunks);
		Size kept = 0;
		for (Size i = 0; i < dead_count; i++) {
			if (stuck.count > 0 && HnswVisitedContains(&stuck, &dead_elements[i].tid)) {
				kept++;
				continue;
			}
			TidListAdd(&free_elements, &dead_elements[i].tid);
			if (ItemPointerIsValid(&dead_elements[i].lists))
				TidListAdd(&free_apart, &dead_elements[i].lists);
			if (ItemPointerIsValid(&dead_elements[i].vector))
				TidListAdd(&free_chunks, &dead_elements[i].vector);
		}
		if (kept > 0)
			elog(LOG,
			     "hnsw vacuum: %zu lists of \"%s\" still link deleted elements after repeated repairs; %zu "
			     "deleted elements stay marked until the next VACUUM",
			     left, RelationGetRelationName(index), kept);

		// The chunk chains of freed elements, followed link by link.
		TidList chunk_items;
		TidListInit(&chunk_items);
		for (Size i = 0; i < free_chunks.count; i++) {
			ItemPointerData chunk = free_chunks.tids[i];
			for (int guard = 0; ItemPointerIsValid(&chunk) && guard < 64; guard++) {
				TidListAdd(&chunk_items, &chunk);
				Buffer buffer = ReadBuffer(index, ItemPointerGetBlockNumber(&chunk));
				LockBuffer(buffer, BUFFER_LOCK_SHARE);
				Page page = BufferGetPage(buffer);
				OffsetNumber offset = ItemPointerGetOffsetNumber(&chunk);
				ItemPointerData next;
				ItemPointerSetInvalid(&next);
				if (offset <= PageGetMaxOffsetNumber(page) &&
				    ItemIdIsNormal(PageGetItemId(page, offset))) {
					char *item =
					    static_cast<char *>(PageGetItem(page, PageGetItemId(page, offset)));
					if (static_cast<uint8>(item[0]) == kHnswChunkTuple)
						next = reinterpret_cast<HnswChunkHeader *>(item)->next;
				}
				UnlockReleaseBuffer(buffer);
				chunk = next;
			}
		}

		std::sort(free_elements.tids, free_elements.tids + free_elements.count, TidLess);
		std::sort(free_apart.tids, free_apart.tids + free_apart.count, TidLess);
		std::sort(chunk_items.tids, chunk_items.tids + chunk_items.count, TidLess);
		FreeItems(info, &free_elements, kHnswElementTuple);
		FreeItems(info, &free_apart, kHnswNeighborTuple);
		FreeItems(info, &chunk_items, kHnswChunkTuple);
		IndexFreeSpaceMapVacuum(index);
	}

	// Heap TIDs, not elements: an element holds every row of its vector.
	stats->num_pages = RelationGetNumberOfBlocks(index);
	stats->num_index_tuples = live_tids;
	stats->estimated_count = false;
	MemoryContextSwitchTo(old);
	MemoryContextDelete(context);
	return stats;
}

// amvacuumcleanup: relinks elements no search could reach (after this VACUUM's removals, or cut
// off by inserts since the last one), then reports the page count.
IndexBulkDeleteResult *hnswvacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	if (info->analyze_only)
		return stats;
	MemoryContext context =
	    AllocSetContextCreate(CurrentMemoryContext, "hnsw vacuum cleanup", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(context);
	RepairReachability(info);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(context);
	if (stats == nullptr)
		return nullptr;
	stats->num_pages = RelationGetNumberOfBlocks(info->index);
	return stats;
}
