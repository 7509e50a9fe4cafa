// The hnsw page layout: sizes of neighbor lists and items, the layout an element gets (inline,
// lists apart, vector in chunks), and forming the three kinds of tuples. See
// core/hnsw/hnsw_page_format.h for the format.
#include "pg/common/pg_headers.h"

#include <cstring>

#include "pg/hnsw/hnsw.h"

// What one item may take on an element page (one line pointer, the special space).
Size HnswMaxItemSize(void)
{
	return MAXALIGN_DOWN(BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(HnswPageOpaqueData)) -
	                     sizeof(ItemIdData));
}

// Highest level whose lists (as a neighbor tuple, with a label list when label_lists) still fit a page.
int HnswMaxLevelForM(int m, bool label_lists)
{
	int level = 0;
	while (level < vector_core::kHnswGraphMaxLevel &&
	       sizeof(HnswNeighborHeader) + HnswElementListsSize(m, level + 1, label_lists) <= HnswMaxItemSize())
		level++;
	return level;
}

// Bytes before the body of an element of tid_capacity heap TID slots and the index's attribute area.
static Size ElementHeadSize(const HnswIndexInfo *info, int tid_capacity)
{
	return vector_core::HnswElementBodyOffset(vector_core::HnswElementTidsEnd(tid_capacity), info->attr_length);
}

// Everything inline when it fits, else the lists apart, else the vector in chunks.
HnswLayout HnswChooseLayout(const HnswIndexInfo *info, int level, Size bytes, int tid_capacity)
{
	const Size vector_size = bytes;
	const Size lists_size = HnswElementListsSize(info->m, level, info->label_lists);
	const Size head = ElementHeadSize(info, tid_capacity);
	if (head + lists_size + vector_size <= HnswMaxItemSize())
		return HnswLayout::kInline;
	if (head + vector_size <= HnswMaxItemSize())
		return HnswLayout::kListsApart;
	return HnswLayout::kVectorChunks;
}

int HnswWordsPerChunk(void)
{
	return static_cast<int>((HnswMaxItemSize() - sizeof(HnswChunkHeader)) / 4);
}

int HnswChunkCount(Size bytes)
{
	const Size words = (bytes + 3) / 4;
	return static_cast<int>((words + HnswWordsPerChunk() - 1) / HnswWordsPerChunk());
}

// ------------------------------------------------------------------ tuple forming

// Writes one list of layer (count refs, capacity the layer's) at list.
static void FormList(char *list, int m, int layer, const ItemPointerData *refs, int count)
{
	const uint16 stored = static_cast<uint16>(refs != nullptr ? Min(count, HnswLayerCapacity(m, layer)) : 0);
	memcpy(list, &stored, sizeof(uint16));
	if (stored > 0)
		memcpy(list + sizeof(uint16), refs, sizeof(ItemPointerData) * stored);
}

// Writes layers 0..level of lists (counts[l] refs each; null lists mean empty) at dst, then the
// label list (label_count refs of label) when the index has label lists.
static void FormLists(char *dst, const HnswIndexInfo *info, int level, ItemPointerData *const *lists, const int *counts,
                      const ItemPointerData *label, int label_count)
{
	const int m = info->m;
	memset(dst, 0, HnswElementListsSize(m, level, info->label_lists));
	for (int layer = 0; layer <= level; layer++)
		FormList(dst + HnswLayerOffset(m, layer), m, layer, lists != nullptr ? lists[layer] : nullptr,
		         lists != nullptr ? counts[layer] : 0);
	if (info->label_lists)
		FormList(dst + HnswListOffset(m, level, kHnswLabelLayer), m, kHnswLabelLayer, label, label_count);
}

Size HnswElementTupleSize(const HnswIndexInfo *info, int level, HnswLayout layout, Size bytes, int tid_capacity)
{
	const Size vector_size = bytes;
	const Size head = ElementHeadSize(info, tid_capacity);
	switch (layout) {
	case HnswLayout::kInline:
		return head + HnswElementListsSize(info->m, level, info->label_lists) + vector_size;
	case HnswLayout::kListsApart:
		return head + vector_size;
	case HnswLayout::kVectorChunks:
		return head + HnswElementListsSize(info->m, level, info->label_lists);
	}
	return 0;
}

void HnswFormElementTuple(char *out, const HnswIndexInfo *info, int level, HnswLayout layout,
                          const ItemPointerData *heaptids, int tid_count, int tid_capacity, const void *vector,
                          Size bytes, const char *attrs, ItemPointerData *const *lists, const int *counts,
                          ItemPointer lists_tid, ItemPointer vector_tid, const ItemPointerData *label, int label_count)
{
	Assert(tid_capacity >= 1 && tid_capacity <= vector_core::kHnswMaxHeapTids && tid_count >= 1 &&
	       tid_count <= tid_capacity);
	const Size head = ElementHeadSize(info, tid_capacity);
	HnswElementHeader *header = reinterpret_cast<HnswElementHeader *>(out);
	memset(out, 0, head);
	header->kind = kHnswElementTuple;
	header->level = static_cast<uint8>(level);
	header->tid_count = static_cast<uint8>(tid_count);
	header->tid_capacity = static_cast<uint8>(tid_capacity);
	header->attr_offset = static_cast<uint16>(vector_core::HnswElementTidsEnd(tid_capacity));
	header->attr_length = static_cast<uint16>(info->attr_length);
	memcpy(HnswElementHeapTids(header), heaptids, sizeof(ItemPointerData) * tid_count);
	if (info->attr_length > 0)
		memcpy(out + header->attr_offset, attrs, info->attr_length);
	ItemPointerSetInvalid(&header->lists);
	ItemPointerSetInvalid(&header->vector);
	char *cursor = out + head;
	if (layout != HnswLayout::kListsApart) {
		header->flags |= kHnswElementListsInline;
		FormLists(cursor, info, level, lists, counts, label, label_count);
		cursor += HnswElementListsSize(info->m, level, info->label_lists);
	} else {
		header->lists = *lists_tid;
	}
	if (layout != HnswLayout::kVectorChunks) {
		header->flags |= kHnswElementVectorInline;
		memcpy(cursor, vector, bytes);
	} else {
		header->vector = *vector_tid;
	}
}

Size HnswNeighborTupleSize(const HnswIndexInfo *info, int level)
{
	return sizeof(HnswNeighborHeader) + HnswElementListsSize(info->m, level, info->label_lists);
}

void HnswFormNeighborTuple(char *out, const HnswIndexInfo *info, int level, ItemPointerData *const *lists,
                           const int *counts, const ItemPointerData *label, int label_count)
{
	HnswNeighborHeader *header = reinterpret_cast<HnswNeighborHeader *>(out);
	header->kind = kHnswNeighborTuple;
	header->level = static_cast<uint8>(level);
	header->unused = 0;
	FormLists(out + sizeof(HnswNeighborHeader), info, level, lists, counts, label, label_count);
}

Size HnswChunkTupleSize(int count)
{
	return sizeof(HnswChunkHeader) + 4 * static_cast<Size>(count);
}

void HnswFormChunkTuple(char *out, const void *values, int count, ItemPointer next)
{
	HnswChunkHeader *header = reinterpret_cast<HnswChunkHeader *>(out);
	memset(header, 0, sizeof(HnswChunkHeader));
	header->kind = kHnswChunkTuple;
	if (next != nullptr)
		header->next = *next;
	else
		ItemPointerSetInvalid(&header->next);
	header->count = static_cast<uint32>(count);
	memcpy(out + sizeof(HnswChunkHeader), values, 4 * static_cast<size_t>(count));
}

// Where layer's list (count, then refs) lives inside an element or neighbor tuple's bytes (both
// hold the element's level in their second byte).
char *HnswListInItem(char *item, const HnswIndexInfo *info, int layer)
{
	const uint8 kind = static_cast<uint8>(item[0]);
	Size header = kind == kHnswElementTuple ? HnswElementBody(reinterpret_cast<const HnswElementHeader *>(item))
	                                        : sizeof(HnswNeighborHeader);
	return item + header + HnswListOffset(info->m, static_cast<uint8>(item[1]), layer);
}
