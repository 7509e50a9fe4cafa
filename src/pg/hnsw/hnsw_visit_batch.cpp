// Batched visits of hnsw elements (scans and inserts expand a list with one call).
//
// Visits elements in three stages so that their cache misses overlap: pin every page and prefetch
// its line pointers; lock and prefetch every item; then compute the distances and unlock. Share
// locks on up to kMaxPins pages are held together; writers only ever hold one data page
// lock, so this cannot deadlock.
#include "pg/common/pg_headers.h"

#include <cmath>
#include <cstring>

#include "pg/hnsw/hnsw.h"

// Copies an inline list of the search's walk layer (layer 0, or the label lists) into its arena;
// returns its slot (-1 if not inline).
static int32 CopyListToArena(HnswSearchState *state, const char *item, const HnswIndexInfo &info)
{
	const HnswElementHeader *header = reinterpret_cast<const HnswElementHeader *>(item);
	if (!(header->flags & kHnswElementListsInline))
		return -1;
	const int layer = state->walk_layer;
	if (state->arena_count >= state->arena_capacity) {
		int grown = state->arena_capacity * 2;
		state->arena = static_cast<ItemPointerData *>(repalloc_huge(
		    state->arena, sizeof(ItemPointerData) * static_cast<Size>(state->arena_stride) * grown));
		state->arena_counts = static_cast<uint16 *>(repalloc_huge(state->arena_counts, sizeof(uint16) * grown));
		state->arena_capacity = grown;
	}
	const char *list = item + HnswElementBody(header) + HnswListOffset(info.m, header->level, layer);
	uint16 count;
	memcpy(&count, list, sizeof(uint16));
	count = Min(count, static_cast<uint16>(HnswLayerCapacity(info.m, layer)));
	const int32 slot = state->arena_count++;
	state->arena_counts[slot] = count;
	memcpy(state->arena + static_cast<Size>(slot) * state->arena_stride, list + sizeof(uint16),
	       sizeof(ItemPointerData) * count);
	return slot;
}

// Pages pinned at once by a batch. A backend tracks its first 8 pins in an array and the
// others in a hash table (PrivateRefCountArray in bufmgr.c) that every pin, unpin and
// ReadRecentBuffer then searches: batches of up to 32 pages spent about a sixth of an insert's
// time and a quarter of a query's there (GloVe 50k, cosine: 20,000 inserts 24.0 s, 6 pages 20.4 s;
// 2,000 queries at ef_search 40 0.61 s, 6 pages 0.46-0.48 s; 4 to 7 pages alike). Six leave room
// for the pins the executor holds (the table page of the scan's last row, say).
constexpr int kMaxPins = 6;

int HnswVisitBatch(HnswReader *reader, const void *query, const ItemPointerData *tids, int count,
                   HnswCandidateOnDisk *out, float threshold, HnswSearchState *lists)
{
	const HnswIndexInfo &info = reader->info;
	Buffer buffers[kHnswMaxBatch];
	bool locked[kHnswMaxBatch];
	char *items[kHnswMaxBatch];
	Size sizes[kHnswMaxBatch];
	int found = 0;
	int prefetched = 0; // of tids[0..], by the round before (those it left for this one)
	while (count > 0) {
		int n = Min(count, kHnswMaxBatch);
		int pinned = 0;
		HnswReaderRelease(reader);
		for (int i = prefetched; i < n; i++)
			HnswPrefetchBufferHint(reader->index, ItemPointerGetBlockNumber(&tids[i]),
			                       ItemPointerGetOffsetNumber(&tids[i]));
		prefetched = n;
		for (int i = 0; i < n; i++) {
			const BlockNumber block = ItemPointerGetBlockNumber(&tids[i]);
			buffers[i] = InvalidBuffer;
			locked[i] = false;
			items[i] = nullptr;
			if (block == kHnswMetaBlock || block == InvalidBlockNumber)
				continue;
			// Same page as an earlier one of the batch: share its pin.
			for (int j = 0; j < i; j++) {
				if (BufferIsValid(buffers[j]) && ItemPointerGetBlockNumber(&tids[j]) == block) {
					buffers[i] = buffers[j];
					break;
				}
			}
			if (!BufferIsValid(buffers[i])) {
				if (pinned == kMaxPins) {
					n = i; // the rest in the next batch
					break;
				}
				pinned++;
				buffers[i] = HnswReadBufferHinted(reader->index, block);
				locked[i] = true; // owns the pin (and will own the lock)
				const char *page = static_cast<const char *>(BufferGetPage(buffers[i]));
				__builtin_prefetch(page);
				__builtin_prefetch(page + SizeOfPageHeaderData +
				                   sizeof(ItemIdData) * (ItemPointerGetOffsetNumber(&tids[i]) - 1));
			}
		}
		for (int i = 0; i < n; i++) {
			if (!BufferIsValid(buffers[i]))
				continue;
			if (locked[i])
				LockBuffer(buffers[i], BUFFER_LOCK_SHARE);
			Size size = 0;
			char *item = HnswNormalItem(BufferGetPage(buffers[i]), ItemPointerGetOffsetNumber(&tids[i]),
			                            sizeof(HnswElementHeader), &size);
			items[i] = item;
			sizes[i] = size;
			if (item != nullptr) {
				// Every cache line the item touches (it need not start on one).
				const uintptr_t first = reinterpret_cast<uintptr_t>(item) & ~static_cast<uintptr_t>(63);
				for (uintptr_t line = first; line < reinterpret_cast<uintptr_t>(item) + size;
				     line += 64)
					__builtin_prefetch(reinterpret_cast<const void *>(line));
			}
		}
		for (int i = 0; i < n; i++) {
			char *item = items[i];
			if (item == nullptr || static_cast<uint8>(item[0]) != kHnswElementTuple)
				continue;
			const HnswElementHeader *header = reinterpret_cast<const HnswElementHeader *>(item);
			if (!HnswElementHeaderValid(header, sizes[i]))
				continue;
			const Size lists_size = HnswElementListsSize(info.m, header->level, info.label_lists);
			const Size body = HnswElementBody(header);
			Size expected = body;
			if (header->flags & kHnswElementListsInline)
				expected += lists_size;
			if (header->flags & kHnswElementVectorInline) {
				const Size vector_size = sizes[i] >= expected
				                             ? HnswRowBytes(&info, item + expected, sizes[i] - expected)
				                             : 0;
				if (vector_size == 0)
					continue;
				expected += vector_size;
			}
			if (sizes[i] < expected || header->level > info.max_level)
				continue;
			HnswCandidateOnDisk &c = out[found];
			c.level = header->level;
			c.flags = header->flags;
			c.tid = tids[i];
			c.heaptid_count = header->tid_count;
			if (header->tid_count > 0)
				c.heaptid = HnswElementHeapTids(header)[0];
			else
				ItemPointerSetInvalid(&c.heaptid);
			if (query == nullptr) {
				c.distance = 0.0f;
			} else if (header->flags & kHnswElementVectorInline) {
				const Size offset = body + ((header->flags & kHnswElementListsInline) ? lists_size : 0);
				c.distance = HnswDistance(&info, query, item + offset);
			} else {
				c.distance = NAN; // chunked vector: read below, unlocked
			}
			// (Without a filter nothing is evaluated: the scans of one-column indexes pay nothing.)
			c.match = reader->filter == nullptr || HnswElementMatches(reader->filter, info, header);
			reader->rejected += !c.match && lists != nullptr; // (layer 0, as the search's tuples)
			c.list = -1;
			if (lists != nullptr && !(c.distance >= threshold))
				c.list = CopyListToArena(lists, item, info);
			found++;
		}
		for (int i = n - 1; i >= 0; i--) {
			if (locked[i])
				UnlockReleaseBuffer(buffers[i]);
		}
		tids += n;
		count -= n;
		prefetched -= n;
	}
	// Chunked vectors (larger than a page) go through the general reader.
	for (int i = 0; i < found; i++) {
		if (!std::isnan(out[i].distance))
			continue;
		HnswElementRead read;
		if (HnswReadElement(reader, &out[i].tid, query, 0, &read, nullptr, nullptr, nullptr)) {
			out[i].distance = read.distance;
		} else {
			out[i] = out[found - 1];
			found--;
			i--;
		}
	}
	return found;
}
