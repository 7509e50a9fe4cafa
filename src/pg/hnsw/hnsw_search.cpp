// Graph search over the on-disk hnsw index, shared by scans and inserts: the visited set, the
// descent through the upper layers (a beam of a few elements per layer) and the beam search of one
// layer (Malkov & Yashunin, algorithms 2 and 5). Elements are read one at a time under a share lock
// of their page (HnswReadElement), never two data pages at once except an element's own chunks; all
// scratch is palloc'd plain arrays, so an ERROR anywhere leaves nothing behind.
#include "pg/common/pg_headers.h"

#include <algorithm>

#include "pg/hnsw/hnsw.h"

// ------------------------------------------------------------------ visited set

// 64-bit key of a TID (never 0 for a valid TID: offsets start at 1).
static inline uint64 TidKey(ItemPointer tid)
{
	return (static_cast<uint64>(ItemPointerGetBlockNumber(tid)) << 16) | ItemPointerGetOffsetNumber(tid);
}

// Multiplicative hash of a key.
static inline uint32 KeySlot(uint64 key, uint32 mask)
{
	return static_cast<uint32>((key * UINT64CONST(0x9E3779B97F4A7C15)) >> 32) & mask;
}

void HnswVisitedInit(HnswVisitedSet *set, uint32 expected)
{
	uint32 capacity = 256;
	while (capacity < expected * 2)
		capacity <<= 1;
	set->keys = static_cast<uint64 *>(palloc0(sizeof(uint64) * capacity));
	set->capacity = capacity;
	set->count = 0;
}

// Doubles the table.
static void VisitedGrow(HnswVisitedSet *set)
{
	uint64 *old = set->keys;
	uint32 old_capacity = set->capacity;
	uint32 capacity = old_capacity * 2;
	uint64 *keys = static_cast<uint64 *>(MemoryContextAllocHuge(CurrentMemoryContext, sizeof(uint64) * capacity));
	memset(keys, 0, sizeof(uint64) * capacity);
	uint32 mask = capacity - 1;
	for (uint32 i = 0; i < old_capacity; i++) {
		if (old[i] == 0)
			continue;
		uint32 slot = KeySlot(old[i], mask);
		while (keys[slot] != 0)
			slot = (slot + 1) & mask;
		keys[slot] = old[i];
	}
	pfree(old);
	set->keys = keys;
	set->capacity = capacity;
}

bool HnswVisitedAdd(HnswVisitedSet *set, ItemPointer tid)
{
	if (set->count * 2 >= set->capacity)
		VisitedGrow(set);
	uint64 key = TidKey(tid);
	uint32 mask = set->capacity - 1;
	uint32 slot = KeySlot(key, mask);
	while (set->keys[slot] != 0) {
		if (set->keys[slot] == key)
			return false;
		slot = (slot + 1) & mask;
	}
	set->keys[slot] = key;
	set->count++;
	return true;
}

bool HnswVisitedContains(const HnswVisitedSet *set, ItemPointer tid)
{
	uint64 key = TidKey(tid);
	uint32 mask = set->capacity - 1;
	uint32 slot = KeySlot(key, mask);
	while (set->keys[slot] != 0) {
		if (set->keys[slot] == key)
			return true;
		slot = (slot + 1) & mask;
	}
	return false;
}

// ------------------------------------------------------------------ heaps on plain arrays

// Max-heap order (the farthest on top).
static inline bool NearerFirst(const HnswCandidateOnDisk &a, const HnswCandidateOnDisk &b)
{
	return a.distance < b.distance;
}

// Min-heap order (the nearest on top).
static inline bool FartherFirst(const HnswCandidateOnDisk &a, const HnswCandidateOnDisk &b)
{
	return a.distance > b.distance;
}

// Appends to a growable palloc'd array.
static void PushBack(HnswCandidateOnDisk **array, int *count, int *capacity, const HnswCandidateOnDisk &value)
{
	if (*count >= *capacity) {
		int grown = Max(16, *capacity * 2);
		*array = static_cast<HnswCandidateOnDisk *>(
		    repalloc_huge(*array, sizeof(HnswCandidateOnDisk) * static_cast<Size>(grown)));
		*capacity = grown;
	}
	(*array)[(*count)++] = value;
}

static void MinHeapPush(HnswCandidateOnDisk **array, int *count, int *capacity, const HnswCandidateOnDisk &value)
{
	PushBack(array, count, capacity, value);
	std::push_heap(*array, *array + *count, FartherFirst);
}

static HnswCandidateOnDisk MinHeapPop(HnswCandidateOnDisk *array, int *count)
{
	std::pop_heap(array, array + *count, FartherFirst);
	return array[--*count];
}

static void MaxHeapPush(HnswCandidateOnDisk **array, int *count, int *capacity, const HnswCandidateOnDisk &value)
{
	PushBack(array, count, capacity, value);
	std::push_heap(*array, *array + *count, NearerFirst);
}

static HnswCandidateOnDisk MaxHeapPop(HnswCandidateOnDisk *array, int *count)
{
	std::pop_heap(array, array + *count, NearerFirst);
	return array[--*count];
}

// ------------------------------------------------------------------ search

void HnswSearchStateInit(HnswSearchState *state, const HnswIndexInfo *info, bool keep_discarded)
{
	HnswVisitedInit(&state->visited, 1024);
	state->result_capacity = 64;
	state->results =
	    static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * state->result_capacity));
	state->result_count = 0;
	state->candidate_capacity = 64;
	state->candidates =
	    static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * state->candidate_capacity));
	state->candidate_count = 0;
	state->discarded_capacity = 64;
	state->discarded =
	    static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * state->discarded_capacity));
	state->discarded_count = 0;
	state->keep_discarded = keep_discarded;
	state->tuples = 0;
	state->links = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * 2 * info->m));
	state->batch = static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * 2 * info->m));
	state->arena_stride = 2 * info->m;
	state->arena_capacity = 256;
	state->arena_count = 0;
	state->arena = static_cast<ItemPointerData *>(
	    palloc(sizeof(ItemPointerData) * static_cast<Size>(state->arena_stride) * state->arena_capacity));
	state->arena_counts = static_cast<uint16 *>(palloc(sizeof(uint16) * state->arena_capacity));
	state->walk_layer = 0;
}

// A search state for a beam of a few elements on the upper layers: small arrays, no arena (only
// layer-0 searches copy lists into it) and no discarded heap.
static void DescentStateInit(HnswSearchState *state, const HnswIndexInfo *info, int beam)
{
	memset(state, 0, sizeof(*state));
	HnswVisitedInit(&state->visited, 2 * beam * info->m); // grows when it must
	state->result_capacity = beam + 1;
	state->results =
	    static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * state->result_capacity));
	state->candidate_capacity = 4 * beam;
	state->candidates =
	    static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * state->candidate_capacity));
	state->links = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * 2 * info->m));
	state->batch = static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk) * 2 * info->m));
}

static void DescentStateFree(HnswSearchState *state)
{
	pfree(state->visited.keys);
	pfree(state->results);
	pfree(state->candidates);
	pfree(state->links);
	pfree(state->batch);
}

// Descent from the entry point to layer target_layer + 1; see hnsw.h.
bool HnswDescend(HnswReader *reader, const void *query, const HnswMetaPageData *meta, int target_layer,
                 vector_core::HnswSearchBeams beams, HnswCandidateOnDisk *closest)
{
	if (!ItemPointerIsValid(&meta->entry))
		return false;
	HnswElementRead read;
	ItemPointerData entry = meta->entry;
	if (!HnswReadElement(reader, &entry, query, 0, &read, nullptr, nullptr, nullptr))
		return false;
	HnswCandidateOnDisk current = {read.distance, read.level, read.flags,  read.heaptid_count,
	                               read.match,    entry,      read.heaptid};
	const int top = Min(static_cast<int>(current.level), static_cast<int>(meta->entry_level));
	if (top > target_layer) {
		HnswSearchState state;
		DescentStateInit(&state, &reader->info, Max(beams.upper, beams.last));
		for (int layer = top; layer > target_layer; layer--) {
			// Each layer is a graph of its own: what the layer above visited is new here.
			memset(state.visited.keys, 0, sizeof(uint64) * state.visited.capacity);
			state.visited.count = 0;
			const HnswCandidateOnDisk from = current;
			HnswSearchLayer(reader, query, &state, layer,
			                layer == target_layer + 1 ? beams.last : beams.upper, &from, 1);
			for (int i = 0; i < state.result_count; i++) {
				if (NearerFirst(state.results[i], current))
					current = state.results[i];
			}
		}
		DescentStateFree(&state);
	}
	*closest = current;
	return true;
}

// Beam search of one layer; see hnsw.h.
void HnswSearchLayer(HnswReader *reader, const void *query, HnswSearchState *state, int layer, int ef,
                     const HnswCandidateOnDisk *entries, int entry_count)
{
	state->result_count = 0;
	// An iterative scan keeps the elements a batch left unexpanded: the next batch expands them,
	// so that no part of the graph is lost behind an element that was returned unexpanded.
	if (!state->keep_discarded)
		state->candidate_count = 0;
	for (int i = 0; i < entry_count; i++) {
		HnswVisitedAdd(&state->visited, const_cast<ItemPointer>(&entries[i].tid));
		MinHeapPush(&state->candidates, &state->candidate_count, &state->candidate_capacity, entries[i]);
		if (layer != state->walk_layer)
			state->candidates[state->candidate_count - 1].list = -1;
		MaxHeapPush(&state->results, &state->result_count, &state->result_capacity, entries[i]);
		if (state->result_count > ef) {
			HnswCandidateOnDisk out = MaxHeapPop(state->results, &state->result_count);
			if (state->keep_discarded)
				MinHeapPush(&state->discarded, &state->discarded_count, &state->discarded_capacity,
				            out);
		}
	}

	ItemPointerData *links = state->links;
	while (state->candidate_count > 0) {
		const HnswCandidateOnDisk best = state->candidates[0];
		if (state->result_count >= ef && best.distance > state->results[0].distance)
			break;
		MinHeapPop(state->candidates, &state->candidate_count);

		int count = 0;
		if (layer == state->walk_layer && best.list >= 0) {
			count = state->arena_counts[best.list];
			memcpy(links, state->arena + static_cast<Size>(best.list) * state->arena_stride,
			       sizeof(ItemPointerData) * count);
		} else {
			HnswElementRead self;
			if (!HnswReadElement(reader, const_cast<ItemPointer>(&best.tid), nullptr, layer, &self, links,
			                     &count, nullptr))
				continue;
		}
		int fresh = 0;
		for (int i = 0; i < count; i++) {
			if (HnswVisitedAdd(&state->visited, &links[i]))
				links[fresh++] = links[i];
		}
		if (fresh == 0)
			continue;
		HnswCandidateOnDisk *visited = state->batch;
		const float threshold = state->result_count < ef ? get_float4_infinity() : state->results[0].distance;
		int found = HnswVisitBatch(reader, query, links, fresh, visited, threshold,
		                           layer == state->walk_layer && state->arena != nullptr ? state : nullptr);
		state->tuples += found;
		for (int i = 0; i < found; i++) {
			const HnswCandidateOnDisk &c = visited[i];
			if (c.level < layer)
				continue; // not on this layer: a stale link (see HnswDescend)
			// Ties with the worst result are explored too: on a plateau of equal distances (many
			// copies of one vector) the way out may be behind any of them.
			if (state->result_count < ef || c.distance <= state->results[0].distance) {
				MinHeapPush(&state->candidates, &state->candidate_count, &state->candidate_capacity, c);
				MaxHeapPush(&state->results, &state->result_count, &state->result_capacity, c);
				if (state->result_count > ef) {
					HnswCandidateOnDisk out = MaxHeapPop(state->results, &state->result_count);
					if (state->keep_discarded)
						MinHeapPush(&state->discarded, &state->discarded_count,
						            &state->discarded_capacity, out);
				}
			} else if (state->keep_discarded) {
				MinHeapPush(&state->discarded, &state->discarded_count, &state->discarded_capacity, c);
			}
		}
		CHECK_FOR_INTERRUPTS();
	}
}

// Sorts the results closest first into out.
int HnswTakeResultsSorted(HnswSearchState *state, HnswCandidateOnDisk *out)
{
	int count = state->result_count;
	memcpy(out, state->results, sizeof(HnswCandidateOnDisk) * static_cast<Size>(count));
	std::sort(out, out + count, NearerFirst);
	state->result_count = 0;
	return count;
}

// Pops the nearest discarded element (the caller checks discarded_count > 0).
HnswCandidateOnDisk HnswPopDiscarded(HnswSearchState *state)
{
	return MinHeapPop(state->discarded, &state->discarded_count);
}
