// Neighbor-list maintenance shared by inserts and VACUUM: reading candidates' rows, the
// selection heuristic over rows read from pages, the compare-and-write of one list
// (HnswReplaceList) that lets a list change only if it is still what its writer read, and the
// back link from a neighbor to a new or repaired element (HnswAddBackLink).
#include "pg/common/pg_headers.h"

#include <algorithm>
#include <cstring>

#include "pg/hnsw/hnsw.h"

namespace
{

// Whether tid is one of list[0..count).
bool TidInList(const ItemPointerData *list, int count, const ItemPointerData *tid)
{
	for (int i = 0; i < count; i++) {
		if (ItemPointerEquals(const_cast<ItemPointer>(&list[i]), const_cast<ItemPointer>(tid)))
			return true;
	}
	return false;
}

// Whether two stored rows are the same bytes: copies of one vector.
bool SameRow(const char *a, Size a_bytes, const char *b, Size b_bytes)
{
	return a_bytes == b_bytes && memcmp(a, b, a_bytes) == 0;
}

// Whether needed of the kNearChecked links of target on layer closest to it are live elements,
// neither skip nor element, whose lists on layer link target: then target keeps a way in when
// skip's link to it gives way. Taking over every target given up in the new element's own list
// (in place of its own choices) filled new elements' lists with other elements' leftovers: on
// GloVe 50k (cosine, 2,000 queries, ef_search 40) recall@10 after inserting 40,000 rows into a
// 50,000-row build 0.9575 with it, 0.9621 with no take-over at all (fresh build 0.9600), but then
// elements fell out of reach (TAP 201: 88 of 31,000 after concurrent inserts and a kill). One
// near neighbor linking the target still left 2 unreachable after VACUUM and inserts (pairs that
// link only each other): two are asked before a link gives way. Lists are not in distance order
// once back links took slots, so the links are ranked first. Copies of the target's row neither
// rank nor count, and a copy (skip_is_copy: the caller knows skip's row) never gives the target
// up this way: copies are found through each other (see LinkedByAnotherCopy), and cliques of
// copies may link only each other. A link is a copy only at the target's distance to itself,
// so rows are compared (copied out of the page) only then.
bool LinkedByNearNeighbors(HnswReader *reader, ItemPointer target, int layer, ItemPointer skip, bool skip_is_copy,
                           ItemPointer element, int needed)
{
	constexpr int kNearChecked = 6;
	if (skip_is_copy)
		return false;
	const HnswIndexInfo *info = &reader->info;
	const int capacity = HnswLayerCapacity(info->m, layer);
	ItemPointerData *near = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * capacity));
	ItemPointerData *links = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * capacity));
	vector_core::HnswCandidate *ranked =
	    static_cast<vector_core::HnswCandidate *>(palloc(sizeof(vector_core::HnswCandidate) * capacity));
	HnswCandidateOnDisk *read_back =
	    static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * capacity));
	char *target_vector = static_cast<char *>(palloc(info->max_bytes));
	char *other_vector = nullptr;
	int linking = 0;
	HnswElementRead read;
	int near_count = 0;
	if (HnswReadElement(reader, target, nullptr, layer, &read, near, &near_count, target_vector)) {
		const float self_distance = HnswDistance(info, target_vector, target_vector);
		HnswElementRead other;
		int asked = 0;
		for (int i = 0; i < near_count; i++) {
			if (!ItemPointerEquals(&near[i], element))
				near[asked++] = near[i];
		}
		// One batch: the memory accesses of the reads overlap (HnswVisitBatch).
		const int found = HnswVisitBatch(reader, target_vector, near, asked, read_back, 0.0f, nullptr);
		int ranked_count = 0;
		for (int i = 0; i < found; i++) {
			const HnswCandidateOnDisk &c = read_back[i];
			if ((c.flags & kHnswElementDeleted) || c.level < layer)
				continue;
			if (c.distance == self_distance) {
				if (other_vector == nullptr)
					other_vector = static_cast<char *>(palloc(info->max_bytes));
				if (!HnswReadElement(reader, const_cast<ItemPointer>(&c.tid), nullptr, layer, &other,
				                     nullptr, nullptr, other_vector) ||
				    SameRow(other_vector, other.vector_bytes, target_vector, read.vector_bytes))
					continue;
			}
			ranked[ranked_count++] = {c.distance, static_cast<std::uint32_t>(i)};
		}
		std::sort(ranked, ranked + ranked_count, vector_core::HnswByDistanceThenId);
		for (int i = 0; i < Min(ranked_count, kNearChecked) && linking < needed; i++) {
			ItemPointer linker = &read_back[ranked[i].id].tid;
			int count = 0;
			if (ItemPointerEquals(linker, skip) ||
			    !HnswReadElement(reader, linker, nullptr, layer, &other, links, &count, nullptr))
				continue;
			if (TidInList(links, count, target))
				linking++;
		}
	}
	pfree(near);
	pfree(links);
	pfree(ranked);
	pfree(read_back);
	pfree(target_vector);
	if (other_vector != nullptr)
		pfree(other_vector);
	return linking >= needed;
}

// Whether target, if its row is a copy of row (row_bytes long), is linked on layer by another
// copy than skip (true when target is no copy). A query for the row reaches the copies through
// each other. Copies prune each other in the heuristic, so a full list of one gives up its links
// to the others first; a copy whose last link from another copy gave way was then linked only
// from elements farther and farther away, as that link was taken over (HnswLinkDisplaced) by one
// new element after another, and a query for its vector no longer found it: TAP 022 (30 vectors
// in copies, 4 sessions inserting more) lost the 1-10 rows of one element in 1 run of 80.
// *target_is_copy tells whether target is a copy of row.
bool LinkedByAnotherCopy(HnswReader *reader, ItemPointer target, int layer, ItemPointer skip, const char *row,
                         Size row_bytes, bool *target_is_copy)
{
	const HnswIndexInfo *info = &reader->info;
	const int capacity = HnswLayerCapacity(info->m, layer);
	ItemPointerData *near = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * capacity));
	ItemPointerData *links = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * capacity));
	char *other_vector = static_cast<char *>(palloc(info->max_bytes));
	HnswElementRead read;
	int near_count = 0;
	*target_is_copy = HnswReadElement(reader, target, nullptr, layer, &read, near, &near_count, other_vector) &&
	                  SameRow(other_vector, read.vector_bytes, row, row_bytes);
	bool linked = !*target_is_copy;
	for (int i = 0; i < near_count && !linked; i++) {
		HnswElementRead other;
		int count = 0;
		if (ItemPointerEquals(&near[i], skip) ||
		    !HnswReadElement(reader, &near[i], nullptr, layer, &other, links, &count, other_vector) ||
		    (other.flags & kHnswElementDeleted) || other.level < layer)
			continue;
		linked = SameRow(other_vector, other.vector_bytes, row, row_bytes) && TidInList(links, count, target);
	}
	pfree(near);
	pfree(links);
	pfree(other_vector);
	return linked;
}

// The input of the heuristic for a back link into a full list: the live links of the list
// (old_links[0..old_count)) and the new element (its row element_vector), each with its distance
// to the list owner's row owner_vector and its row, closest first (ties in list order, the element
// last). Each link is read once. *stale: the index in old_links of a link to a freed or marked
// element, the first to give way (the last such; -1 when none).
void LoadFullList(HnswReader *reader, const char *owner_vector, const ItemPointerData *old_links, int old_count,
                  ItemPointer element, const char *element_vector, HnswSelectionInput *input, int *stale)
{
	const HnswIndexInfo *info = &reader->info;
	const int count = old_count + 1;
	HnswCandidateOnDisk *read_order =
	    static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * count));
	Size *read_offsets = static_cast<Size *>(palloc(sizeof(Size) * count));
	const Size element_bytes = HnswRowBytes(info, element_vector, info->max_bytes);
	// Fixed-size rows go straight to their slot; rows of varying size through a buffer.
	Size capacity = info->fixed_bytes != 0 ? info->fixed_bytes * count : info->max_bytes + element_bytes;
	char *rows = static_cast<char *>(palloc(capacity));
	char *buffer = info->fixed_bytes != 0 ? nullptr : static_cast<char *>(palloc(info->max_bytes));
	Size used = 0;
	int live = 0;
	*stale = -1;
	for (int i = 0; i < old_count; i++) {
		HnswElementRead read;
		char *slot = buffer != nullptr ? buffer : rows + used;
		if (!HnswReadElement(reader, const_cast<ItemPointer>(&old_links[i]), owner_vector, 0, &read, nullptr,
		                     nullptr, slot) ||
		    (read.flags & kHnswElementDeleted)) {
			*stale = i;
			continue;
		}
		if (buffer != nullptr) {
			if (used + read.vector_bytes > capacity) {
				capacity = Max(capacity * 2, used + read.vector_bytes);
				rows = static_cast<char *>(repalloc(rows, capacity));
			}
			memcpy(rows + used, buffer, read.vector_bytes);
		}
		read_order[live] = {read.distance, read.level,   read.flags,  read.heaptid_count,
		                    true,          old_links[i], read.heaptid};
		read_offsets[live++] = used;
		used += read.vector_bytes;
	}
	if (used + element_bytes > capacity) {
		capacity = used + element_bytes;
		rows = static_cast<char *>(repalloc(rows, capacity));
	}
	memcpy(rows + used, element_vector, element_bytes);
	read_order[live] = {HnswDistance(info, owner_vector, element_vector), 0, 0, 1, true, *element, {}};
	ItemPointerSetInvalid(&read_order[live].heaptid);
	read_offsets[live++] = used;
	if (buffer != nullptr)
		pfree(buffer);

	vector_core::HnswCandidate *order =
	    static_cast<vector_core::HnswCandidate *>(palloc(sizeof(vector_core::HnswCandidate) * live));
	for (int i = 0; i < live; i++)
		order[i] = {read_order[i].distance, static_cast<std::uint32_t>(i)};
	std::sort(order, order + live, vector_core::HnswByDistanceThenId);
	input->candidates = static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * live));
	input->offsets = static_cast<Size *>(palloc(sizeof(Size) * live));
	input->vectors = rows;
	input->count = live;
	for (int i = 0; i < live; i++) {
		input->candidates[i] = read_order[order[i].id];
		input->offsets[i] = read_offsets[order[i].id];
	}
	pfree(order);
	pfree(read_order);
	pfree(read_offsets);
}

} // namespace

// Reads the vectors of candidates (dropping those that vanished or are being deleted).
void HnswLoadCandidateVectors(HnswReader *reader, HnswCandidateOnDisk *sorted, int count, HnswSelectionInput *input)
{
	const HnswIndexInfo *info = &reader->info;
	input->candidates = static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * Max(count, 1)));
	input->offsets = static_cast<Size *>(palloc(sizeof(Size) * Max(count, 1)));
	input->count = 0;
	// Fixed-size rows go straight to their slot; rows of varying size through a buffer.
	Size capacity = info->fixed_bytes != 0 ? info->fixed_bytes * Max(count, 1) : info->max_bytes;
	input->vectors = static_cast<char *>(palloc(capacity));
	char *buffer = info->fixed_bytes != 0 ? nullptr : static_cast<char *>(palloc(info->max_bytes));
	Size used = 0;
	for (int i = 0; i < count; i++) {
		if (sorted[i].flags & kHnswElementDeleted)
			continue;
		HnswElementRead read;
		char *slot = buffer != nullptr ? buffer : input->vectors + used;
		if (!HnswReadElement(reader, &sorted[i].tid, nullptr, 0, &read, nullptr, nullptr, slot) ||
		    (read.flags & kHnswElementDeleted))
			continue;
		if (buffer != nullptr) {
			if (used + read.vector_bytes > capacity) {
				capacity = Max(capacity * 2, used + read.vector_bytes);
				input->vectors = static_cast<char *>(repalloc(input->vectors, capacity));
			}
			memcpy(input->vectors + used, buffer, read.vector_bytes);
		}
		input->offsets[input->count] = used;
		used += read.vector_bytes;
		input->candidates[input->count++] = sorted[i];
	}
	if (buffer != nullptr)
		pfree(buffer);
}

// Runs the heuristic over input (closest first), filling free places with the closest pruned
// candidates (see hnsw.h); writes the selected TIDs to out; returns count.
int HnswSelectNeighborsOnDisk(const HnswIndexInfo *info, const HnswSelectionInput *input, int max_selected,
                              ItemPointerData *out)
{
	vector_core::HnswCandidate *plain = static_cast<vector_core::HnswCandidate *>(
	    palloc(sizeof(vector_core::HnswCandidate) * Max(input->count, 1)));
	for (int i = 0; i < input->count; i++)
		plain[i] = {input->candidates[i].distance, static_cast<uint32>(i)};
	int *selected = static_cast<int *>(palloc(sizeof(int) * Max(input->count, 1)));
	const char *vectors = input->vectors;
	const Size *offsets = input->offsets;
	int kept = vector_core::HnswSelectNeighbors(
	    plain, input->count, max_selected, true,
	    [info, vectors, offsets](int i, int j) {
		    return HnswDistance(info, vectors + offsets[i], vectors + offsets[j]);
	    },
	    selected, vector_core::HnswPruneRuleFor(info->kind, info->metric));
	for (int i = 0; i < kept; i++)
		out[i] = input->candidates[selected[i]].tid;
	pfree(plain);
	pfree(selected);
	return kept;
}

// Replaces element's list of layer by new_links if it still holds old_links; see hnsw.h.
HnswListUpdate HnswReplaceList(Relation index, const HnswIndexInfo *info, ItemPointer element, int layer,
                               const ItemPointerData *old_links, int old_count, const ItemPointerData *new_links,
                               int new_count)
{
	Buffer buffer = ReadBuffer(index, ItemPointerGetBlockNumber(element));
	LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
	Page page = BufferGetPage(buffer);
	OffsetNumber offset = ItemPointerGetOffsetNumber(element);
	char *item = nullptr;
	if (!PageIsNew(page) && HnswPageGetOpaque(page)->flags == kHnswPageElements &&
	    offset <= PageGetMaxOffsetNumber(page) && ItemIdIsNormal(PageGetItemId(page, offset)))
		item = static_cast<char *>(PageGetItem(page, PageGetItemId(page, offset)));
	if (item == nullptr || item[0] != kHnswElementTuple ||
	    !HnswElementHeaderValid(reinterpret_cast<HnswElementHeader *>(item),
	                            ItemIdGetLength(PageGetItemId(page, offset))) ||
	    reinterpret_cast<HnswElementHeader *>(item)->level < layer) {
		UnlockReleaseBuffer(buffer);
		return HnswListUpdate::kGone;
	}
	HnswElementHeader *header = reinterpret_cast<HnswElementHeader *>(item);
	Buffer list_buffer = buffer;
	ItemPointerData list_tid = *element;
	if (!(header->flags & kHnswElementListsInline)) {
		list_tid = header->lists;
		UnlockReleaseBuffer(buffer);
		list_buffer = ReadBuffer(index, ItemPointerGetBlockNumber(&list_tid));
		LockBuffer(list_buffer, BUFFER_LOCK_EXCLUSIVE);
	}
	GenericXLogState *xlog = GenericXLogStart(index);
	Page list_page = GenericXLogRegisterBuffer(xlog, list_buffer, 0);
	OffsetNumber list_offset = ItemPointerGetOffsetNumber(&list_tid);
	HnswListUpdate result = HnswListUpdate::kGone;
	if (!PageIsNew(list_page) && list_offset <= PageGetMaxOffsetNumber(list_page) &&
	    ItemIdIsNormal(PageGetItemId(list_page, list_offset))) {
		char *list_item = static_cast<char *>(PageGetItem(list_page, PageGetItemId(list_page, list_offset)));
		if (list_item[0] == kHnswElementTuple || list_item[0] == kHnswNeighborTuple) {
			char *list = HnswListInItem(list_item, info, layer);
			uint16 count;
			memcpy(&count, list, sizeof(uint16));
			if (count == old_count &&
			    memcmp(list + sizeof(uint16), old_links, sizeof(ItemPointerData) * old_count) == 0) {
				uint16 stored = static_cast<uint16>(new_count);
				memcpy(list, &stored, sizeof(uint16));
				memcpy(list + sizeof(uint16), new_links, sizeof(ItemPointerData) * new_count);
				result = HnswListUpdate::kWritten;
			} else {
				result = HnswListUpdate::kChanged;
			}
		}
	}
	if (result == HnswListUpdate::kWritten)
		GenericXLogFinish(xlog);
	else
		GenericXLogAbort(xlog);
	UnlockReleaseBuffer(list_buffer);
	return result;
}

// Links element to target on layer when element's list has room; see hnsw.h.
bool HnswLinkDisplaced(HnswReader *reader, ItemPointer element, int layer, ItemPointer target,
                       const HnswOwnLinks *own_links)
{
	const HnswIndexInfo *info = &reader->info;
	const int capacity = HnswLayerCapacity(info->m, layer);
	ItemPointerData *links = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * (capacity + 1)));
	bool linked = false;
	for (int attempt = 0; attempt < 3; attempt++) {
		HnswElementRead self;
		int count = 0;
		if (!HnswReadElement(reader, element, nullptr, layer, &self, links, &count, nullptr))
			break;
		if (ItemPointerEquals(element, target) || TidInList(links, count, target)) {
			linked = true;
			break;
		}
		int slot = count;
		if (count >= capacity) {
			// The last link of the writer's own choice that no target was given this way.
			slot = -1;
			for (int i = count - 1; i >= 0 && slot < 0 && own_links != nullptr; i--) {
				if (TidInList(own_links->own, own_links->own_count, &links[i]) &&
				    !TidInList(own_links->given, own_links->given_count, &links[i]))
					slot = i;
			}
			if (slot < 0)
				break;
		}
		const int updated_count = Max(count, slot + 1);
		ItemPointerData *updated =
		    static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * (count + 1)));
		memcpy(updated, links, sizeof(ItemPointerData) * count);
		updated[slot] = *target;
		HnswReaderRelease(reader);
		HnswListUpdate update =
		    HnswReplaceList(reader->index, info, element, layer, links, count, updated, updated_count);
		pfree(updated);
		if (update == HnswListUpdate::kWritten)
			linked = true;
		if (update != HnswListUpdate::kChanged)
			break;
	}
	pfree(links);
	return linked;
}

bool HnswAddBackLink(HnswReader *reader, ItemPointer neighbor, int layer, ItemPointer element,
                     const char *element_vector, bool force, HnswOwnLinks *links)
{
	bool linked = false;
	const HnswIndexInfo *info = &reader->info;
	const int capacity = HnswLayerCapacity(info->m, layer);
	ItemPointerData *old_links = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * capacity));
	ItemPointerData *new_links = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * capacity));
	char *neighbor_vector = static_cast<char *>(palloc(info->max_bytes));

	for (int attempt = 0; attempt < 5; attempt++) {
		HnswElementRead self;
		int old_count = 0;
		ItemPointerData given_up; // a link given up relying on the target's near neighbors
		ItemPointerSetInvalid(&given_up);
		if (!HnswReadElement(reader, neighbor, nullptr, layer, &self, old_links, &old_count, neighbor_vector))
			break;
		if (self.level < layer || (self.flags & kHnswElementDeleted))
			break;
		if (TidInList(old_links, old_count, element)) {
			linked = true;
			break;
		}

		int new_count;
		if (old_count < capacity) {
			memcpy(new_links, old_links, sizeof(ItemPointerData) * old_count);
			new_links[old_count] = *element;
			new_count = old_count + 1;
		} else {
			// Full: the heuristic over the current links plus the new element decides whether
			// the element deserves a place; if so it takes one slot only, that of a stale link or
			// else of the farthest link the heuristic would drop. Rewriting the whole list to the
			// heuristic's (much shorter) choice would cut the dropped elements' incoming links,
			// and after a few thousand inserts whole groups of elements fell out of reach (lists
			// VACUUM had filled were cut the most). With force the farthest link gives way.
			HnswSelectionInput input;
			int stale = -1;
			LoadFullList(reader, neighbor_vector, old_links, old_count, element, element_vector, &input,
			             &stale);
			HnswCandidateOnDisk *pool = input.candidates;
			const int pool_count = input.count;
			ItemPointerData *chosen =
			    static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * capacity));
			const int chosen_count = HnswSelectNeighborsOnDisk(info, &input, capacity, chosen);
			const bool wanted = TidInList(chosen, chosen_count, element);
			// The heuristic keeps the list full: the element gets a place unless it is the one
			// link it drops (then the list stays as it is). Taking the element also in place of
			// a farther link the heuristic keeps (tried for recall after VACUUM) replaced the
			// long links that hold the graph together: 41 of 20,000 GloVe rows were not found
			// by their own vector at ef_search 40 after 10,000 inserts into a 10,000-row build
			// with it, 5 without (pgvector 0.8.6: 8).
			// The victim: a stale link, else the farthest link the heuristic drops (one that
			// another kept link covers), else (forced, all kept) the farthest link.
			// A copy of the neighbor's row is spared while it has no other link from a copy
			// (LinkedByAnotherCopy; rows at the row's distance to itself are compared).
			const float self_distance = HnswDistance(info, neighbor_vector, neighbor_vector);
			bool *spared = static_cast<bool *>(palloc0(sizeof(bool) * pool_count));
			bool victim_is_copy = false; // of the neighbor's row (known only at self_distance)
			int victim = stale;
			for (int round = 0; round < pool_count && victim < 0 && (wanted || force); round++) {
				int victim_pool = -1;
				victim_is_copy = false;
				for (int pass = 0; pass < 2 && victim < 0; pass++) {
					float victim_distance = -get_float4_infinity();
					for (int p = 0; p < pool_count; p++) {
						if (spared[p] || ItemPointerEquals(&pool[p].tid, element))
							continue;
						const bool kept =
						    pass == 0 && TidInList(chosen, chosen_count, &pool[p].tid);
						if (kept || pool[p].distance < victim_distance)
							continue;
						for (int i = 0; i < old_count; i++) {
							if (ItemPointerEquals(&old_links[i], &pool[p].tid)) {
								victim = i;
								victim_pool = p;
								victim_distance = pool[p].distance;
								break;
							}
						}
					}
				}
				if (victim < 0 || !(pool[victim_pool].distance == self_distance) ||
				    LinkedByAnotherCopy(reader, &pool[victim_pool].tid, layer, neighbor,
				                        neighbor_vector, self.vector_bytes, &victim_is_copy))
					break;
				spared[victim_pool] = true;
				victim = -1;
			}
			pfree(spared);
			memcpy(new_links, old_links, sizeof(ItemPointerData) * old_count);
			new_count = old_count;
			bool kept_element = false;
			if (victim >= 0 && (wanted || force)) {
				// The link given up may be its target's only way in. Usually some of the target's
				// nearest neighbors link it too; if not, element links the target first (making
				// room in its own list if it must), so the target stays reachable through
				// element, also if the server stops before the neighbor's list is written.
				bool covered = victim == stale;
				if (!covered && LinkedByNearNeighbors(reader, &old_links[victim], layer, neighbor,
				                                      victim_is_copy, element, 2)) {
					covered = true;
					given_up = old_links[victim];
				}
				if (!covered && links->given_count < links->given_room &&
				    HnswLinkDisplaced(reader, element, layer, &old_links[victim], links)) {
					links->given[links->given_count++] = old_links[victim];
					covered = true;
				}
				if (covered) {
					new_links[victim] = *element;
					kept_element = true;
				}
			}
			pfree(chosen);
			pfree(input.candidates);
			pfree(input.vectors);
			pfree(input.offsets);
			if (!kept_element && new_count == old_count) {
				// Nothing to change unless stale links were dropped.
				bool same = memcmp(new_links, old_links, sizeof(ItemPointerData) * new_count) == 0;
				if (same)
					break;
			}
		}

		// Write it if the list is still what we read.
		HnswReaderRelease(reader);
		HnswListUpdate update =
		    HnswReplaceList(reader->index, info, neighbor, layer, old_links, old_count, new_links, new_count);
		if (update == HnswListUpdate::kWritten) {
			linked = TidInList(new_links, new_count, element);
			// Another writer may have given up another of the target's ways in between the check
			// above and this write, each relying on the other's. Of two such writers the later
			// one sees both lists written: if the target has no way in left among its nearest,
			// element takes it over now.
			if (ItemPointerIsValid(&given_up) &&
			    !LinkedByNearNeighbors(reader, &given_up, layer, neighbor, false, element, 1)) {
				if (links->given_count < links->given_room &&
				    HnswLinkDisplaced(reader, element, layer, &given_up, links))
					links->given[links->given_count++] = given_up;
				else
					HnswLinkDisplaced(reader, element, layer, &given_up);
			}
		}
		if (update != HnswListUpdate::kChanged)
			break;
	}
	pfree(old_links);
	pfree(new_links);
	pfree(neighbor_vector);
	return linked;
}
