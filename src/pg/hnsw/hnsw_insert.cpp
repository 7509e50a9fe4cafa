// Inserting into an hnsw index (aminsert, and builds that outgrew maintenance_work_mem).
//
// Protocol (how it interleaves with scans and VACUUM: see the essay in hnsw_vacuum.cpp)
// --------
// 0. aminsert takes the insert lock (LockPage on kHnswInsertLockBlock, share mode) and holds it
//    until step 4 is done: VACUUM takes it exclusively once, after marking dead elements, to
//    wait out the inserts that may not have seen the marks.
// 1. Draw a level; search the graph from the entry point (a beam of a few elements on each layer
//    above the level, HnswDescend, then a beam of ef_construction on each layer down to 0) and
//    select the neighbors with the heuristic, filling the free places with the closest candidates
//    it passed over. Elements VACUUM marked (kHnswElementDeleted) are walked through but never
//    selected.
//    A row whose stored bytes equal those of a live element the layer-0 search found, with a
//    free heap TID slot, joins it instead: its TID is added to the element under the page's
//    exclusive lock, re-checked there (still that vector, not marked by VACUUM, a free slot),
//    one GenericXLog record, and the insert is done (VACUUM asks about every TID again under
//    the same lock before it marks an element, so a TID added meanwhile keeps it alive). When
//    the identical elements found are all full, the new element gets kHnswInsertGroupTids slots,
//    so that the duplicates that follow can join it; else one.
// 2. Write the new element, its lists filled, on a page with room (free space map, then the last
//    page, then a new page, re-checking the size under the extension lock; a page that is not the
//    last one keeps its remaining room in the free space map, so that concurrent sessions fill
//    pages instead of each extending): one GenericXLog record per page written.
// 3. Link each selected neighbor back to it. A neighbor's list is read (share lock), the new list
//    computed with no lock held (appending, or, when it is full, the new element takes the
//    place of the link the heuristic over the old list plus the element drops, if that is not
//    the element; a link to a freed or marked element gives way first, a link to a copy of the
//    neighbor's row that no other copy links never; the target of a link given up keeps a way
//    in: two of its nearest neighbors link it (checked again after the write), or else it is
//    linked from the new element before, in place of a link the new element's search chose,
//    never of one another insert added to its list: that one may be the other new element's
//    only way in), then the list's page is locked exclusively and the list written only if it
//    is still what was read; otherwise the step is retried a few times. A marked neighbor gets
//    no back link. (hnsw_neighbor_lists.cpp, HnswAddBackLink)
// 4. If the new element's level is above the entry point's, it becomes the entry point (metapage,
//    exclusive lock, re-checked; VACUUM replaces a marked entry point under the same lock). If
//    another insert raised the entry point meanwhile, the two are linked on the layers between
//    the level this insert's search started from and the lower of their levels; without that,
//    those layers would hold elements that know nothing of each other (harmless for finding
//    rows, since each is linked on every layer up to the entry level it saw, but a search would
//    walk those layers in vain).
// A backend never holds two buffer locks at once, except the metapage and one data page while
// the very first element of an empty index is written (metapage first), so there is no deadlock;
// it waits for no heavyweight lock while holding a buffer lock.
// A crash between the steps leaves an element with fewer incoming links, never a broken page;
// the transaction that inserted it did not commit, so no committed row depends on it.
#include "pg/common/pg_headers.h"

#if PG_VERSION_NUM >= 150000
extern "C" {
#include "common/pg_prng.h"
}
#endif

#include <cmath>
#include <cstring>

#include "pg/hnsw/hnsw.h"
#include "pg/hnsw/hnsw_label_graph.h"

namespace
{

// A level drawn from the standard HNSW distribution, capped.
int RandomLevel(const HnswIndexInfo *info)
{
#if PG_VERSION_NUM >= 150000
	double uniform = pg_prng_double(&pg_global_prng_state);
#else
	double uniform = static_cast<double>(random()) / (static_cast<double>(MAX_RANDOM_VALUE) + 1.0);
#endif
	int level = vector_core::HnswLevelFromUniform(uniform, info->m);
	return Min(level, info->max_level);
}

// A locked (exclusive) page of the index with at least size bytes free for one more item; *fresh
// is set when the page is new (all zeroes) and must be initialised. Whether a page is new is
// decided under its lock: a page another backend just added may be initialised by whoever locks
// it first.
Buffer PageWithRoom(Relation index, Size size, bool *fresh)
{
	const Size needed = MAXALIGN(size);
	// Room on an existing page (or a new one nobody has initialised yet)?
	auto usable = [needed](Buffer buffer, bool *is_new) {
		Page page = BufferGetPage(buffer);
		*is_new = PageIsNew(page);
		return *is_new ||
		       (HnswPageGetOpaque(page)->flags == kHnswPageElements && PageGetFreeSpace(page) >= needed);
	};
	// The free space map (VACUUM records pages with room).
	for (int attempt = 0; attempt < 3; attempt++) {
		BlockNumber block = GetPageWithFreeSpace(index, needed + sizeof(ItemIdData));
		if (block == InvalidBlockNumber || block == kHnswMetaBlock)
			break;
		Buffer buffer = ReadBuffer(index, block);
		LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
		if (usable(buffer, fresh))
			return buffer;
		Page page = BufferGetPage(buffer);
		Size free_space = PageGetFreeSpace(page);
		UnlockReleaseBuffer(buffer);
		RecordPageWithFreeSpace(index, block, free_space);
	}
	for (;;) {
		// The last page.
		BlockNumber blocks = RelationGetNumberOfBlocks(index);
		if (blocks > 1) {
			Buffer buffer = ReadBuffer(index, blocks - 1);
			LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
			if (usable(buffer, fresh))
				return buffer;
			UnlockReleaseBuffer(buffer);
		}
		// A new page, unless another backend added one while we waited for the extension lock:
		// then its page is the last one to try (extending anyway left the page before it with
		// room that only the free space map could hand out again).
		LockRelationForExtension(index, ExclusiveLock);
		if (RelationGetNumberOfBlocks(index) != blocks) {
			UnlockRelationForExtension(index, ExclusiveLock);
			continue;
		}
		Buffer buffer = ReadBuffer(index, P_NEW);
		UnlockRelationForExtension(index, ExclusiveLock);
		LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
		if (usable(buffer, fresh))
			return buffer;
		UnlockReleaseBuffer(buffer);
	}
}

// Adds one item to a page with room, WAL-logged (with the metapage in the same record when
// meta_buffer is valid: then entry/level become the entry point). Returns its TID.
ItemPointerData AddItem(Relation index, const char *item, Size size, Buffer meta_buffer, int level)
{
	bool fresh = false;
	Buffer buffer = PageWithRoom(index, size, &fresh);
	GenericXLogState *xlog = GenericXLogStart(index);
	Page page = GenericXLogRegisterBuffer(xlog, buffer, fresh ? GENERIC_XLOG_FULL_IMAGE : 0);
	if (fresh)
		HnswInitPage(page, kHnswPageElements);
	OffsetNumber offset = PageAddItem(page, const_cast<char *>(item), size, InvalidOffsetNumber, false, false);
	if (offset == InvalidOffsetNumber) {
		GenericXLogAbort(xlog);
		UnlockReleaseBuffer(buffer);
		elog(ERROR, "hnsw: failed to add an item of %zu bytes to index \"%s\"", size,
		     RelationGetRelationName(index));
	}
	ItemPointerData tid;
	ItemPointerSet(&tid, BufferGetBlockNumber(buffer), offset);
	const BlockNumber block = BufferGetBlockNumber(buffer);
	const Size left = PageGetFreeSpace(page);
	if (BufferIsValid(meta_buffer)) {
		Page meta_page = GenericXLogRegisterBuffer(xlog, meta_buffer, 0);
		HnswMetaPage meta = HnswPageGetMeta(meta_page);
		meta->entry = tid;
		meta->entry_level = static_cast<int16>(level);
		meta->insert_page = BufferGetBlockNumber(buffer);
		meta->element_count++;
	}
	GenericXLogFinish(xlog);
	UnlockReleaseBuffer(buffer);
	// A page that is not the last one (found through the free space map, or overtaken by
	// another backend's new page) keeps its room in the map, where the next insert looks first.
	if (block + 1 < RelationGetNumberOfBlocks(index))
		RecordPageWithFreeSpace(index, block, left);
	return tid;
}

} // namespace

// Writes the element and what it needs (neighbor tuple or chunks) first, the element last.
void HnswWriteNewElement(Relation index, const HnswIndexInfo *info, int level, ItemPointer heaptid, const void *vector,
                         Size bytes, const char *attrs, ItemPointerData *const *lists, const int *counts,
                         ItemPointer result, Buffer meta_buffer, int tid_capacity, const ItemPointerData *label,
                         int label_count)
{
	const HnswLayout layout = HnswChooseLayout(info, level, bytes, tid_capacity);
	char *item = static_cast<char *>(palloc(BLCKSZ));
	ItemPointerData apart;
	ItemPointerSetInvalid(&apart);
	if (layout == HnswLayout::kListsApart) {
		HnswFormNeighborTuple(item, info, level, lists, counts, label, label_count);
		apart = AddItem(index, item, HnswNeighborTupleSize(info, level), InvalidBuffer, 0);
	} else if (layout == HnswLayout::kVectorChunks) {
		// Last chunk first, so that each chunk can point at the next.
		const int per_chunk = HnswWordsPerChunk();
		const int words = static_cast<int>(bytes / 4);
		ItemPointerData next;
		ItemPointerSetInvalid(&next);
		for (int c = HnswChunkCount(bytes) - 1; c >= 0; c--) {
			const int count = Min(per_chunk, words - c * per_chunk);
			HnswFormChunkTuple(item,
			                   static_cast<const char *>(vector) + 4 * static_cast<Size>(c) * per_chunk,
			                   count, ItemPointerIsValid(&next) ? &next : nullptr);
			next = AddItem(index, item, HnswChunkTupleSize(count), InvalidBuffer, 0);
		}
		apart = next;
	}
	HnswFormElementTuple(item, info, level, layout, heaptid, 1, tid_capacity, vector, bytes, attrs, lists, counts,
	                     &apart, &apart, label, label_count);
	*result =
	    AddItem(index, item, HnswElementTupleSize(info, level, layout, bytes, tid_capacity), meta_buffer, level);
	pfree(item);
}

// Outcome of TryJoin.
enum class JoinResult { kJoined, kFull, kDifferent };

// Adds heaptid to element if it is still a live element of exactly these stored bytes and filter
// values (attrs: rows with other filter values never share an element) (inline:
// elements with chunked vectors, over 2,000 dimensions or so, are not joined) with a free slot
// (step 1): one WAL record. kFull: identical, but no free slot.
static JoinResult TryJoin(Relation index, const HnswIndexInfo *info, ItemPointer element, const char *vector,
                          Size bytes, const char *attrs, ItemPointer heaptid)
{
	const BlockNumber block = ItemPointerGetBlockNumber(element);
	if (block == kHnswMetaBlock || block == InvalidBlockNumber)
		return JoinResult::kDifferent;
	Buffer buffer = ReadBuffer(index, block);
	LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
	Page page = BufferGetPage(buffer);
	Size size = 0;
	JoinResult result = JoinResult::kDifferent;
	char *item = HnswItemOfKind(page, ItemPointerGetOffsetNumber(element), kHnswElementTuple,
	                            sizeof(HnswElementHeader), &size);
	const HnswElementHeader *header = reinterpret_cast<const HnswElementHeader *>(item);
	if (item != nullptr && HnswElementHeaderValid(header, size) && !(header->flags & kHnswElementDeleted) &&
	    (header->flags & kHnswElementVectorInline) && header->attr_length == info->attr_length &&
	    (info->attr_length == 0 || memcmp(item + header->attr_offset, attrs, info->attr_length) == 0)) {
		Size offset = HnswElementBody(header);
		if (header->flags & kHnswElementListsInline)
			offset += HnswElementListsSize(info->m, header->level, info->label_lists);
		if (offset + bytes <= size && HnswRowBytes(info, item + offset, size - offset) == bytes &&
		    memcmp(item + offset, vector, bytes) == 0)
			result = header->tid_count < header->tid_capacity ? JoinResult::kJoined : JoinResult::kFull;
	}
	if (result == JoinResult::kJoined) {
		GenericXLogState *xlog = GenericXLogStart(index);
		Page changed = GenericXLogRegisterBuffer(xlog, buffer, 0);
		HnswElementHeader *target = reinterpret_cast<HnswElementHeader *>(
		    PageGetItem(changed, PageGetItemId(changed, ItemPointerGetOffsetNumber(element))));
		HnswElementHeapTids(target)[target->tid_count] = *heaptid;
		target->tid_count++;
		GenericXLogFinish(xlog);
	}
	UnlockReleaseBuffer(buffer);
	return result;
}

// Step 4: raises the entry point to element if its level is above the current one (metapage
// lock, re-checked: VACUUM replaces a marked entry point under the same lock). seen_level is
// the entry level the insert's search started from: element is linked on the layers up to
// there. When another insert raised the entry point meanwhile, element and that entry point
// are the only elements of the layers above seen_level that both know of: they are linked to
// each other there, so the layers between the old and the new top stay connected.
static void MaybeRaiseEntryPoint(HnswReader *reader, ItemPointer element, int level, int seen_level)
{
	Relation index = reader->index;
	Buffer buffer = ReadBuffer(index, kHnswMetaBlock);
	LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
	HnswMetaPage current = HnswPageGetMeta(BufferGetPage(buffer));
	const ItemPointerData other = current->entry;
	const int other_level = current->entry_level;
	if (level > current->entry_level || !ItemPointerIsValid(&current->entry)) {
		GenericXLogState *xlog = GenericXLogStart(index);
		HnswMetaPage meta = HnswPageGetMeta(GenericXLogRegisterBuffer(xlog, buffer, 0));
		meta->entry = *element;
		meta->entry_level = static_cast<int16>(level);
		GenericXLogFinish(xlog);
	}
	UnlockReleaseBuffer(buffer);
	if (!ItemPointerIsValid(&other) || ItemPointerEquals(const_cast<ItemPointer>(&other), element) ||
	    other_level <= seen_level)
		return;
	HnswElementRead read;
	if (!HnswReadElement(reader, const_cast<ItemPointer>(&other), nullptr, 0, &read, nullptr, nullptr, nullptr) ||
	    (read.flags & kHnswElementDeleted))
		return;
	for (int layer = seen_level + 1; layer <= Min(level, other_level); layer++) {
		HnswLinkDisplaced(reader, element, layer, const_cast<ItemPointer>(&other));
		HnswLinkDisplaced(reader, const_cast<ItemPointer>(&other), layer, element);
	}
	HnswReaderRelease(reader);
}

// Inserts one prepared vector; see the file comment.
void HnswInsertVector(Relation index, const HnswIndexInfo *info, const char *vector, Size bytes, const char *attrs,
                      ItemPointer heaptid, const char *search)
{
	// The neighbors are searched for with search (sq8: the row's floats) and linked by the row.
	const char *query = search != nullptr ? search : vector;
	const int level = RandomLevel(info);
	HnswMetaPageData meta;
	HnswReadMeta(index, &meta);

	if (!ItemPointerIsValid(&meta.entry)) {
		// Empty index: the first element becomes the entry point, under the metapage lock.
		Buffer meta_buffer = ReadBuffer(index, kHnswMetaBlock);
		LockBuffer(meta_buffer, BUFFER_LOCK_EXCLUSIVE);
		HnswMetaPage current = HnswPageGetMeta(BufferGetPage(meta_buffer));
		if (!ItemPointerIsValid(&current->entry)) {
			ItemPointerData tid;
			HnswWriteNewElement(index, info, level, heaptid, vector, bytes, attrs, nullptr, nullptr, &tid,
			                    meta_buffer);
			UnlockReleaseBuffer(meta_buffer);
			return;
		}
		meta = *current;
		UnlockReleaseBuffer(meta_buffer);
	}

	HnswReader reader;
	HnswReaderInit(&reader, index, info);
	HnswCandidateOnDisk start;
	ItemPointerData *lists[vector_core::kHnswGraphMaxLevel + 1] = {};
	int counts[vector_core::kHnswGraphMaxLevel + 1] = {};
	const int top = Min(level, static_cast<int>(meta.entry_level));
	// Live elements of identical bytes the layer-0 search found (step 1).
	constexpr int kMaxSame = 8;
	ItemPointerData same[kMaxSame];
	int same_count = 0;
	// With label lists, the search marks which elements share the row's value (the reader's
	// filter): those of the layer-0 candidates start the search of the value's graph.
	int64 label_key = 0;
	HnswLabelEntry label_entry;
	const bool label = info->label_lists && attrs != nullptr && HnswAttrsLabel(info, attrs, &label_key) &&
	                   HnswFindLabel(index, label_key, &label_entry);
	if (label)
		reader.filter = HnswLabelFilter(info, label_key);
	HnswCandidateOnDisk *near = nullptr;
	int near_count = 0;
	if (HnswDescend(&reader, query, &meta, level, vector_core::kHnswInsertBeams, &start)) {
		HnswCandidateOnDisk *entries = static_cast<HnswCandidateOnDisk *>(palloc(sizeof(HnswCandidateOnDisk)));
		entries[0] = start;
		int entry_count = 1;
		for (int layer = top; layer >= 0; layer--) {
			HnswSearchState state;
			HnswSearchStateInit(&state, info, false);
			HnswSearchLayer(&reader, query, &state, layer, info->ef_construction, entries, entry_count);
			HnswCandidateOnDisk *sorted = static_cast<HnswCandidateOnDisk *>(
			    palloc(sizeof(HnswCandidateOnDisk) * Max(state.result_count, 1)));
			int found = HnswTakeResultsSorted(&state, sorted);
			HnswSelectionInput input;
			HnswLoadCandidateVectors(&reader, sorted, found, &input);
			lists[layer] = static_cast<ItemPointerData *>(
			    palloc(sizeof(ItemPointerData) * HnswLayerCapacity(info->m, layer)));
			// The element's own lists are filled with the closest candidates the heuristic
			// passed over, for every metric: they are its ways out, and its ways in once the
			// back-links below give way to it.
			counts[layer] =
			    HnswSelectNeighborsOnDisk(info, &input, HnswLayerCapacity(info->m, layer), lists[layer]);
			if (layer == 0) {
				// Identical rows are at the distance of the row to itself (not 0 under inner
				// product); only those are compared byte for byte.
				const float self = HnswDistance(info, query, vector);
				for (int i = 0; i < input.count && same_count < kMaxSame; i++) {
					if (!(input.candidates[i].distance == self))
						continue;
					const char *row = input.vectors + input.offsets[i];
					const Size row_bytes = info->fixed_bytes != 0
					                           ? info->fixed_bytes
					                           : HnswRowBytes(info, row, info->max_bytes);
					if (row_bytes == bytes && memcmp(row, vector, bytes) == 0)
						same[same_count++] = input.candidates[i].tid;
				}
			}
			pfree(input.candidates);
			pfree(input.vectors);
			pfree(input.offsets);
			entries = sorted;
			entry_count = found;
		}
		near = entries;
		near_count = entry_count;
	}

	HnswReaderRelease(&reader);
	bool full = false;
	for (int i = 0; i < same_count; i++) {
		const JoinResult joined = TryJoin(index, info, &same[i], vector, bytes, attrs, heaptid);
		if (joined == JoinResult::kJoined)
			return;
		full = full || joined == JoinResult::kFull;
	}

	// The element's label list, when its value has a graph of its own (hnsw_label_graph.cpp).
	ItemPointerData *label_list = nullptr;
	int label_count = 0;
	if (label)
		label_count =
		    HnswSearchLabelNeighbors(&reader, query, attrs, near, near_count, &label_entry, &label_list);
	reader.filter = nullptr;

	// Identical elements, all full: room for the copies that follow.
	ItemPointerData element;
	HnswWriteNewElement(index, info, level, heaptid, vector, bytes, attrs, lists, counts, &element, InvalidBuffer,
	                    full ? vector_core::kHnswInsertGroupTids : 1, label_list, label_count);

	for (int layer = top; layer >= 0; layer--) {
		// The nearest neighbor always links back (giving up its farthest link if it must): a search
		// reached it, so the element stays reachable even when every list the heuristic would
		// join is full (new elements would otherwise link mostly among themselves, an island
		// that only the upper layers reach). The others link back when the heuristic wants it.
		HnswOwnLinks own;
		own.own = lists[layer];
		own.own_count = counts[layer];
		own.given_room = HnswLayerCapacity(info->m, layer);
		own.given = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * own.given_room));
		for (int i = 0; i < counts[layer]; i++)
			HnswAddBackLink(&reader, &lists[layer][i], layer, &element, vector, i == 0, &own);
		pfree(own.given);
	}
	if (label_count > 0) {
		// The same for the label list (its first link always links back, as on layer 0).
		HnswOwnLinks own;
		own.own = label_list;
		own.own_count = label_count;
		own.given_room = HnswLayerCapacity(info->m, kHnswLabelLayer);
		own.given = static_cast<ItemPointerData *>(palloc(sizeof(ItemPointerData) * own.given_room));
		for (int i = 0; i < label_count; i++)
			HnswAddBackLink(&reader, &label_list[i], kHnswLabelLayer, &element, vector, i == 0, &own);
		pfree(own.given);
	}
	HnswReaderRelease(&reader);
	// A value VACUUM left without seeds (all its rows deleted) starts again from this row.
	if (label && label_entry.seed_count == 0)
		HnswAddFirstSeed(index, label_key, &element);

	if (level > meta.entry_level)
		MaybeRaiseEntryPoint(&reader, &element, level, meta.entry_level);
}

// aminsert: one heap row (NULLs and, for cosine, zero vectors are not indexed).
bool hnswinsert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid, [[maybe_unused]] Relation heap,
                [[maybe_unused]] IndexUniqueCheck check_unique,
#if PG_VERSION_NUM >= 140000
                [[maybe_unused]] bool index_unchanged,
#endif
                [[maybe_unused]] IndexInfo *index_info)
{
	if (isnull[0])
		return false;
	MemoryContext context = AllocSetContextCreate(CurrentMemoryContext, "hnsw insert", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(context);
	HnswIndexInfo info;
	HnswMetaPageData meta;
	HnswGetIndexInfo(index, &info, &meta);
	char *vector = static_cast<char *>(palloc(info.max_bytes));
	char *search =
	    info.kind == vector_core::ElementKind::kSq8 ? static_cast<char *>(palloc(info.query_bytes)) : nullptr;
	char *attrs = nullptr;
	if (info.attr_length > 0) {
		attrs = static_cast<char *>(palloc(info.attr_length));
		FilterFormAttrs(index, values, isnull, attrs);
	}
	Size bytes = 0;
	if (HnswPrepareInsert(&info, values[0], vector, &bytes, search)) {
		// The insert lock (share) from before the search until the last link is written: VACUUM
		// waits for it after marking dead elements (see hnsw_vacuum.cpp). Taken after everything
		// that could need another heavyweight lock (detoasting, catalog lookups); an error
		// releases it with the transaction's other locks.
		LockPage(index, kHnswInsertLockBlock, ShareLock);
		HnswInsertVector(index, &info, vector, bytes, attrs, heap_tid, search);
		UnlockPage(index, kHnswInsertLockBlock, ShareLock);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(context);
	return false;
}
