// Neighbor-list maintenance shared by inserts and VACUUM: reading candidates' rows, the
// selection heuristic over rows read from pages, and the compare-and-write of one list
// (HnswReplaceList) that lets a list change only if it is still what its writer read.
#include "pg/common/pg_headers.h"

#include <cstring>

#include "pg/hnsw/hnsw.h"

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
	    selected);
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
                       const ItemPointerData *keep, int keep_count)
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
		bool present = ItemPointerEquals(element, target);
		for (int i = 0; i < count && !present; i++)
			present = ItemPointerEquals(&links[i], target);
		if (present) {
			linked = true;
			break;
		}
		int slot = count;
		if (count >= capacity) {
			// The last link that is not some target's way in given to it this way.
			slot = -1;
			for (int i = count - 1; i >= 0 && slot < 0 && keep_count >= 0; i--) {
				bool kept = false;
				for (int k = 0; k < keep_count && !kept; k++)
					kept = ItemPointerEquals(&links[i], const_cast<ItemPointer>(&keep[k]));
				if (!kept)
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
