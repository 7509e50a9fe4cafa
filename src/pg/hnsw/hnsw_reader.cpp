// The hnsw page format: layout arithmetic, metapage, element reads, vector preparation and
// distances. See hnsw.h for the format.
#include "pg/common/pg_headers.h"

#include <cmath>
#include <cstring>

#include "core/distance/float_distance.h"
#include "pg/hnsw/hnsw.h"
#include "core/distance/half.h"
#include "pg/types/halfvec/halfvec.h"
#include "pg/types/sparsevec/sparsevec.h"
#include "pg/types/vector/vector.h"

// Bytes of one layer's list: the uint16 count and capacity item pointers.
static Size LayerListSize(int m, int layer)
{
	return sizeof(uint16) + sizeof(ItemPointerData) * static_cast<Size>(HnswLayerCapacity(m, layer));
}

// Lists of layers 0..level, padded to 4 bytes so that an inline vector after them is aligned.
Size HnswListsSize(int m, int level)
{
	Size size = 0;
	for (int layer = 0; layer <= level; layer++)
		size += LayerListSize(m, layer);
	return TYPEALIGN(4, size);
}

// Offset of layer's list within the lists.
Size HnswLayerOffset(int m, int layer)
{
	Size offset = 0;
	for (int l = 0; l < layer; l++)
		offset += LayerListSize(m, l);
	return offset;
}

// What one item may take on an element page (one line pointer, the special space).
Size HnswMaxItemSize(void)
{
	return MAXALIGN_DOWN(BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(HnswPageOpaqueData)) -
	                     sizeof(ItemIdData));
}

// Highest level whose lists (as a neighbor tuple) still fit a page.
int HnswMaxLevelForM(int m)
{
	int level = 0;
	while (level < vector_core::kHnswGraphMaxLevel &&
	       sizeof(HnswNeighborHeader) + HnswListsSize(m, level + 1) <= HnswMaxItemSize())
		level++;
	return level;
}

// Everything inline when it fits, else the lists apart, else the vector in chunks.
HnswLayout HnswChooseLayout(const HnswIndexInfo *info, int level, Size bytes)
{
	const Size vector_size = bytes;
	const Size lists_size = HnswListsSize(info->m, level);
	if (sizeof(HnswElementHeader) + lists_size + vector_size <= HnswMaxItemSize())
		return HnswLayout::kInline;
	if (sizeof(HnswElementHeader) + vector_size <= HnswMaxItemSize())
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

// Initialises a page with our special space.
void HnswInitPage(Page page, uint16 kind)
{
	PageInit(page, BLCKSZ, sizeof(HnswPageOpaqueData));
	HnswPageOpaque opaque = HnswPageGetOpaque(page);
	opaque->flags = kind;
	opaque->page_id = kHnswPageId;
	opaque->unused = 0;
}

// Fills the metapage of an empty index.
void HnswInitMetaPage(Page page, const HnswIndexInfo *info)
{
	HnswInitPage(page, kHnswPageMeta);
	HnswMetaPage meta = HnswPageGetMeta(page);
	memset(meta, 0, sizeof(HnswMetaPageData));
	meta->magic = kHnswMagic;
	meta->version = kHnswVersion;
	meta->dims = static_cast<uint32>(info->dims);
	meta->m = static_cast<uint16>(info->m);
	meta->ef_construction = static_cast<uint16>(info->ef_construction);
	meta->metric = static_cast<uint8>(info->metric);
	meta->max_level = static_cast<uint8>(info->max_level);
	meta->element_kind = static_cast<uint8>(info->kind);
	meta->entry_level = -1;
	ItemPointerSetInvalid(&meta->entry);
	meta->insert_page = InvalidBlockNumber;
	meta->element_count = 0;
	((PageHeader) page)->pd_lower = reinterpret_cast<char *>(meta + 1) - reinterpret_cast<char *>(page);
}

// Copies the metapage, checking that this is an hnsw index of our version.
void HnswReadMeta(Relation index, HnswMetaPageData *out)
{
	Buffer buffer = ReadBuffer(index, kHnswMetaBlock);
	LockBuffer(buffer, BUFFER_LOCK_SHARE);
	Page page = BufferGetPage(buffer);
	HnswMetaPage meta = HnswPageGetMeta(page);
	if (PageIsNew(page) || HnswPageGetOpaque(page)->page_id != kHnswPageId || meta->magic != kHnswMagic) {
		UnlockReleaseBuffer(buffer);
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("index \"%s\" is not a valid hnsw index", RelationGetRelationName(index))));
	}
	if (meta->version != kHnswVersion) {
		uint32 version = meta->version;
		UnlockReleaseBuffer(buffer);
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("hnsw index \"%s\" has format version %u, this build reads version %u",
		                       RelationGetRelationName(index), version, kHnswVersion),
		                errhint("REINDEX the index.")));
	}
	*out = *meta;
	UnlockReleaseBuffer(buffer);
}

// Index info from the metapage.
void HnswGetIndexInfo(Relation index, HnswIndexInfo *info, HnswMetaPageData *meta)
{
	HnswReadMeta(index, meta);
	info->dims = static_cast<int>(meta->dims);
	info->m = meta->m;
	info->ef_construction = meta->ef_construction;
	info->max_level = meta->max_level;
	info->metric = static_cast<HnswMetric>(meta->metric);
	info->kind = static_cast<vector_core::ElementKind>(meta->element_kind);
	HnswFinishIndexInfo(info);
}

// Distance function and row sizes of the index's representation.
void HnswFinishIndexInfo(HnswIndexInfo *info)
{
	vector_core::ElementMetric metric = vector_core::ElementMetric::kL2;
	switch (info->metric) {
	case HnswMetric::kL2:
		metric = vector_core::ElementMetric::kL2;
		break;
	case HnswMetric::kInnerProduct:
		metric = vector_core::ElementMetric::kNegativeInnerProduct;
		break;
	case HnswMetric::kCosine:
		// Half rows are compared as they are (see core/distance/element_distance.h); the others normalised.
		metric = info->kind == vector_core::ElementKind::kHalf ? vector_core::ElementMetric::kCosine
		                                                       : vector_core::ElementMetric::kNegativeInnerProduct;
		break;
	case HnswMetric::kL1:
		metric = vector_core::ElementMetric::kL1;
		break;
	case HnswMetric::kHamming:
		metric = vector_core::ElementMetric::kHamming;
		break;
	case HnswMetric::kJaccard:
		metric = vector_core::ElementMetric::kJaccard;
		break;
	}
	info->distance = vector_core::ElementDistance(info->kind, metric);
	if (info->distance == nullptr || info->dims < 1)
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("hnsw index has an unknown representation (kind %d, metric %d, %d dimensions)",
		                       static_cast<int>(info->kind), static_cast<int>(info->metric), info->dims)));
	info->fixed_bytes =
	    vector_core::ElementStoredBytes(vector_core::ElementFixedBytes(info->kind, static_cast<size_t>(info->dims)));
	info->max_bytes = info->fixed_bytes != 0 ? info->fixed_bytes
	                                         : vector_core::ElementStoredBytes(vector_core::SparseElementBytes(
	                                               Min(kHnswMaxSparseNnz, info->dims)));
}

// Stored bytes of the row at payload; 0 when it cannot be one.
Size HnswRowBytes(const HnswIndexInfo *info, const char *payload, Size available)
{
	if (info->fixed_bytes != 0)
		return info->fixed_bytes <= available ? info->fixed_bytes : 0;
	int32 nnz;
	if (available < sizeof(int32))
		return 0;
	memcpy(&nnz, payload, sizeof(int32));
	if (nnz < 0 || nnz > kHnswMaxSparseNnz)
		return 0;
	const Size bytes = vector_core::ElementStoredBytes(vector_core::SparseElementBytes(static_cast<size_t>(nnz)));
	return bytes <= available ? bytes : 0;
}

// Detoasts, checks the dimensions, normalises for cosine and writes the index's row.
bool HnswPrepareVector(const HnswIndexInfo *info, Datum value, char *out, Size *bytes)
{
	const int dims = info->dims;
	Size raw = 0;
	bool usable = true;
	switch (info->kind) {
	case vector_core::ElementKind::kFloat: {
		Vector *v = DatumGetVector(value);
		if (v->dim != dims)
			ereport(ERROR,
			        (errcode(ERRCODE_DATA_EXCEPTION), errmsg("expected %d dimensions, not %d", dims, v->dim)));
		float *x = reinterpret_cast<float *>(out);
		memcpy(x, v->x, sizeof(float) * static_cast<size_t>(dims));
		raw = sizeof(float) * static_cast<size_t>(dims);
		if (info->metric == HnswMetric::kCosine) {
			double norm = std::sqrt(vector_core::SquaredNormDouble(x, static_cast<size_t>(dims)));
			if (!(norm > 0.0) || std::isinf(norm))
				usable = false;
			else
				for (int i = 0; i < dims; i++)
					x[i] = static_cast<float>(x[i] / norm);
		}
		break;
	}
	case vector_core::ElementKind::kHalf: {
		HalfVector *v = DatumGetHalfVector(value);
		if (v->dim != dims)
			ereport(ERROR,
			        (errcode(ERRCODE_DATA_EXCEPTION), errmsg("expected %d dimensions, not %d", dims, v->dim)));
		raw = sizeof(vector_core::Half) * static_cast<size_t>(dims);
		memcpy(out, v->x, raw);
		if (info->metric == HnswMetric::kCosine) {
			// Stored as it is (the distance normalises); a zero vector has no direction.
			float *x = static_cast<float *>(palloc(sizeof(float) * static_cast<size_t>(dims)));
			vector_core::HalfToFloatArray(v->x, x, static_cast<size_t>(dims));
			double norm = std::sqrt(vector_core::SquaredNormDouble(x, static_cast<size_t>(dims)));
			usable = norm > 0.0 && !std::isinf(norm);
			pfree(x);
		}
		break;
	}
	case vector_core::ElementKind::kBit: {
		VarBit *v = DatumGetVarBitP(value);
		if (VARBITLEN(v) != dims)
			ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
			                errmsg("expected %d dimensions, not %d", dims, static_cast<int>(VARBITLEN(v)))));
		raw = static_cast<Size>(VARBITBYTES(v));
		memcpy(out, VARBITS(v), raw);
		break;
	}
	case vector_core::ElementKind::kSparse: {
		SparseVector *v = DatumGetSparseVector(value);
		if (v->dim != dims)
			ereport(ERROR,
			        (errcode(ERRCODE_DATA_EXCEPTION), errmsg("expected %d dimensions, not %d", dims, v->dim)));
		if (v->nnz > kHnswMaxSparseNnz)
			ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			                errmsg("sparsevec cannot have more than %d non-zero elements for hnsw index",
			                       kHnswMaxSparseNnz)));
		const int32 nnz = v->nnz;
		memcpy(out, &nnz, sizeof(int32));
		memcpy(out + sizeof(int32), v->indices, sizeof(int32) * static_cast<size_t>(nnz));
		float *values = reinterpret_cast<float *>(out + sizeof(int32) * (1 + static_cast<size_t>(nnz)));
		memcpy(values, SparseVectorValues(v), sizeof(float) * static_cast<size_t>(nnz));
		raw = vector_core::SparseElementBytes(static_cast<size_t>(nnz));
		if (info->metric == HnswMetric::kCosine) {
			double norm = std::sqrt(vector_core::SquaredNormDouble(values, static_cast<size_t>(nnz)));
			if (!(norm > 0.0) || std::isinf(norm))
				usable = false;
			else
				for (int i = 0; i < nnz; i++)
					values[i] = static_cast<float>(values[i] / norm);
		}
		break;
	}
	}
	*bytes = vector_core::ElementStoredBytes(raw);
	memset(out + raw, 0, *bytes - raw);
	return usable;
}

// ------------------------------------------------------------------ reader

void HnswReaderInit(HnswReader *reader, Relation index, const HnswIndexInfo *info)
{
	reader->index = index;
	reader->info = *info;
	reader->buffer = InvalidBuffer;
	reader->scratch = static_cast<char *>(palloc(info->max_bytes));
}

void HnswReaderRelease(HnswReader *reader)
{
	if (BufferIsValid(reader->buffer))
		ReleaseBuffer(reader->buffer);
	reader->buffer = InvalidBuffer;
}

// ------------------------------------------------------------------ buffer hints
//
// A backend-local cache of "block B of index I was last seen in buffer X", so that a scan can pin
// a page with ReadRecentBuffer (which checks the buffer's tag) instead of a lookup in the shared
// buffer mapping table, the most expensive step of reading an element. Stale hints are harmless
// (the check fails and the normal path runs); the cache is rebuilt as pages are read.
#if PG_VERSION_NUM >= 140000
namespace {
constexpr int kHintSlots = 8;
struct BufferHints {
#if PG_VERSION_NUM >= 160000
	RelFileLocator node;
#else
	RelFileNode node;
#endif
	Buffer *buffers; // by block number, 0 = unknown
	BlockNumber size;
	uint64 last_used;
};
BufferHints hint_slots[kHintSlots];
uint64 hint_clock = 0;

// The hint array of index, created or grown to cover block.
BufferHints *HintsFor(Relation index, BlockNumber block)
{
#if PG_VERSION_NUM >= 160000
	const auto &node = index->rd_locator;
#else
	const auto &node = index->rd_node;
#endif
	BufferHints *slot = nullptr;
	for (int i = 0; i < kHintSlots; i++) {
		if (hint_slots[i].buffers != nullptr && memcmp(&hint_slots[i].node, &node, sizeof(node)) == 0) {
			slot = &hint_slots[i];
			break;
		}
	}
	if (slot == nullptr) {
		slot = &hint_slots[0];
		for (int i = 1; i < kHintSlots; i++) {
			if (hint_slots[i].last_used < slot->last_used)
				slot = &hint_slots[i];
		}
		if (slot->buffers != nullptr)
			pfree(slot->buffers);
		slot->buffers = nullptr;
		slot->size = 0;
		slot->node = node;
	}
	slot->last_used = ++hint_clock;
	if (block >= slot->size) {
		BlockNumber size = Max(static_cast<BlockNumber>(1024), slot->size);
		while (size <= block)
			size *= 2;
		Buffer *grown = static_cast<Buffer *>(
		    MemoryContextAllocExtended(TopMemoryContext, sizeof(Buffer) * size, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO));
		if (slot->buffers != nullptr) {
			memcpy(grown, slot->buffers, sizeof(Buffer) * slot->size);
			pfree(slot->buffers);
		}
		slot->buffers = grown;
		slot->size = size;
	}
	return slot;
}
} // namespace
#endif

// Pins block of index, through the hint when it is still right.
Buffer HnswReadBufferHinted(Relation index, BlockNumber block)
{
#if PG_VERSION_NUM >= 140000
	if (block > 16 * 1024 * 1024)
		return ReadBuffer(index, block);
	BufferHints *hints = HintsFor(index, block);
	Buffer hint = hints->buffers[block];
#if PG_VERSION_NUM >= 160000
	if (hint != 0 && ReadRecentBuffer(index->rd_locator, MAIN_FORKNUM, block, hint))
		return hint;
#else
	if (hint != 0 && ReadRecentBuffer(index->rd_node, MAIN_FORKNUM, block, hint))
		return hint;
#endif
	Buffer buffer = ReadBuffer(index, block);
	hints->buffers[block] = buffer;
	return buffer;
#else
	return ReadBuffer(index, block);
#endif
}

// Pins block (reusing the pin the reader holds when it is the same block).
static Buffer ReaderPin(HnswReader *reader, BlockNumber block)
{
	if (BufferIsValid(reader->buffer)) {
		if (BufferGetBlockNumber(reader->buffer) == block)
			return reader->buffer;
		ReleaseBuffer(reader->buffer);
		reader->buffer = InvalidBuffer;
	}
	reader->buffer = HnswReadBufferHinted(reader->index, block);
	return reader->buffer;
}

// The item at tid on page if it is a normal item of kind and at least min_size bytes; else null.
// (Only element pages hold items: the metapage, block 0, is never read through a TID, so the
// special space, a cache miss of its own, is not checked on this hot path.)
static char *ItemOfKind(Page page, OffsetNumber offset, uint8 kind, Size min_size, Size *size)
{
	if (PageIsNew(page))
		return nullptr;
	if (offset < FirstOffsetNumber || offset > PageGetMaxOffsetNumber(page))
		return nullptr;
	ItemId item_id = PageGetItemId(page, offset);
	if (!ItemIdIsNormal(item_id) || ItemIdGetLength(item_id) < min_size)
		return nullptr;
	char *item = static_cast<char *>(PageGetItem(page, item_id));
	if (static_cast<uint8>(item[0]) != kind)
		return nullptr;
	*size = ItemIdGetLength(item_id);
	return item;
}

// Reads a tuple of another page (or of the locked page itself) while the element's page stays
// locked: copies bytes [from, from + length) of the item at tid to out. Returns false if absent.
static bool CopyOtherItem(HnswReader *reader, Page locked_page, BlockNumber locked_block, ItemPointer tid,
                          uint8 kind, Size from, Size length, void *out, ItemPointerData *next)
{
	BlockNumber block = ItemPointerGetBlockNumber(tid);
	OffsetNumber offset = ItemPointerGetOffsetNumber(tid);
	Buffer other = InvalidBuffer;
	Page page = locked_page;
	if (block != locked_block) {
		if (block == kHnswMetaBlock || block == InvalidBlockNumber)
			return false;
		other = ReadBuffer(reader->index, block);
		LockBuffer(other, BUFFER_LOCK_SHARE);
		page = BufferGetPage(other);
	}
	Size size = 0;
	char *item = ItemOfKind(page, offset, kind, from + length, &size);
	bool found = item != nullptr;
	if (found) {
		memcpy(out, item + from, length);
		if (next != nullptr)
			*next = reinterpret_cast<HnswChunkHeader *>(item)->next;
	}
	if (BufferIsValid(other))
		UnlockReleaseBuffer(other);
	return found;
}

// Reads one element; see hnsw.h.
bool HnswReadElement(HnswReader *reader, ItemPointer tid, const void *query, int layer, HnswElementRead *out,
                     ItemPointerData *links, int *link_count, char *vector_out)
{
	const HnswIndexInfo &info = reader->info;
	BlockNumber block = ItemPointerGetBlockNumber(tid);
	if (block == kHnswMetaBlock || block == InvalidBlockNumber)
		return false;
	Buffer buffer = ReaderPin(reader, block);
	LockBuffer(buffer, BUFFER_LOCK_SHARE);
	Page page = BufferGetPage(buffer);
	Size size = 0;
	char *item = ItemOfKind(page, ItemPointerGetOffsetNumber(tid), kHnswElementTuple, sizeof(HnswElementHeader), &size);
	if (item == nullptr) {
		LockBuffer(buffer, BUFFER_LOCK_UNLOCK);
		return false;
	}
	const HnswElementHeader *header = reinterpret_cast<const HnswElementHeader *>(item);
	const int level = header->level;
	const Size lists_size = HnswListsSize(info.m, level);
	Size expected = sizeof(HnswElementHeader);
	if (header->flags & kHnswElementListsInline)
		expected += lists_size;
	Size vector_size = 0;
	if (header->flags & kHnswElementVectorInline) {
		vector_size = size >= expected ? HnswRowBytes(&info, item + expected, size - expected) : 0;
		expected += vector_size;
	}
	if (size < expected || level > info.max_level ||
	    ((header->flags & kHnswElementVectorInline) && vector_size == 0)) {
		LockBuffer(buffer, BUFFER_LOCK_UNLOCK);
		return false;
	}

	bool ok = true;
	const char *vector = nullptr;
	if (query != nullptr || vector_out != nullptr) {
		if (header->flags & kHnswElementVectorInline) {
			Size offset = sizeof(HnswElementHeader) + ((header->flags & kHnswElementListsInline) ? lists_size : 0);
			vector = item + offset;
		} else {
			// Gather the chunks into the scratch; the first one tells a sparse row's size.
			ItemPointerData chunk = header->vector;
			Size filled = 0;
			Size total = info.fixed_bytes != 0 ? info.fixed_bytes : info.max_bytes;
			while (ok && filled < total && ItemPointerIsValid(&chunk)) {
				HnswChunkHeader chunk_header;
				ItemPointerData next;
				ok = CopyOtherItem(reader, page, block, &chunk, kHnswChunkTuple, 0, sizeof(HnswChunkHeader),
				                   &chunk_header, &next);
				const Size bytes = 4 * static_cast<Size>(chunk_header.count);
				if (!ok || chunk_header.count == 0 || filled + bytes > total) {
					ok = false;
					break;
				}
				ok = CopyOtherItem(reader, page, block, &chunk, kHnswChunkTuple, sizeof(HnswChunkHeader), bytes,
				                   reader->scratch + filled, nullptr);
				if (ok && filled == 0 && info.fixed_bytes == 0) {
					total = HnswRowBytes(&info, reader->scratch, info.max_bytes);
					ok = total != 0 && bytes <= total;
				}
				filled += bytes;
				chunk = next;
			}
			ok = ok && filled == total;
			vector_size = total;
			vector = reader->scratch;
		}
	}
	if (ok && links != nullptr) {
		if (layer > level) {
			*link_count = 0;
		} else {
			const Size layer_offset = HnswLayerOffset(info.m, layer);
			const Size layer_size = sizeof(uint16) + sizeof(ItemPointerData) * HnswLayerCapacity(info.m, layer);
			char list[sizeof(uint16) + sizeof(ItemPointerData) * 2 * kHnswMaxM];
			if (header->flags & kHnswElementListsInline) {
				memcpy(list, item + sizeof(HnswElementHeader) + layer_offset, layer_size);
			} else {
				ItemPointerData lists_tid = header->lists;
				ok = CopyOtherItem(reader, page, block, &lists_tid, kHnswNeighborTuple,
				                   sizeof(HnswNeighborHeader) + layer_offset, layer_size, list, nullptr);
			}
			if (ok) {
				uint16 count;
				memcpy(&count, list, sizeof(uint16));
				count = Min(count, static_cast<uint16>(HnswLayerCapacity(info.m, layer)));
				memcpy(links, list + sizeof(uint16), sizeof(ItemPointerData) * count);
				*link_count = count;
			}
		}
	}
	if (ok) {
		out->valid = true;
		out->level = static_cast<uint8>(level);
		out->flags = header->flags;
		out->heaptid = header->heaptid;
		out->distance = query != nullptr ? HnswDistance(&info, query, vector) : 0.0f;
		out->vector_bytes = vector != nullptr ? vector_size : 0;
		if (vector_out != nullptr)
			memcpy(vector_out, vector, vector_size);
	}
	LockBuffer(buffer, BUFFER_LOCK_UNLOCK);
	return ok;
}

// ------------------------------------------------------------------ tuple forming

// Writes layers 0..level of lists (counts[l] refs each; null lists mean empty) at dst.
static void FormLists(char *dst, int m, int level, ItemPointerData *const *lists, const int *counts)
{
	memset(dst, 0, HnswListsSize(m, level));
	for (int layer = 0; layer <= level; layer++) {
		char *list = dst + HnswLayerOffset(m, layer);
		uint16 count = 0;
		if (lists != nullptr && lists[layer] != nullptr)
			count = static_cast<uint16>(Min(counts[layer], HnswLayerCapacity(m, layer)));
		memcpy(list, &count, sizeof(uint16));
		if (count > 0)
			memcpy(list + sizeof(uint16), lists[layer], sizeof(ItemPointerData) * count);
	}
}

Size HnswElementTupleSize(const HnswIndexInfo *info, int level, HnswLayout layout, Size bytes)
{
	const Size vector_size = bytes;
	switch (layout) {
	case HnswLayout::kInline:
		return sizeof(HnswElementHeader) + HnswListsSize(info->m, level) + vector_size;
	case HnswLayout::kListsApart:
		return sizeof(HnswElementHeader) + vector_size;
	case HnswLayout::kVectorChunks:
		return sizeof(HnswElementHeader) + HnswListsSize(info->m, level);
	}
	return 0;
}

void HnswFormElementTuple(char *out, const HnswIndexInfo *info, int level, HnswLayout layout, ItemPointer heaptid,
                          const void *vector, Size bytes, ItemPointerData *const *lists, const int *counts,
                          ItemPointer lists_tid, ItemPointer vector_tid)
{
	HnswElementHeader *header = reinterpret_cast<HnswElementHeader *>(out);
	memset(header, 0, sizeof(HnswElementHeader));
	header->kind = kHnswElementTuple;
	header->level = static_cast<uint8>(level);
	header->heaptid = *heaptid;
	ItemPointerSetInvalid(&header->lists);
	ItemPointerSetInvalid(&header->vector);
	char *cursor = out + sizeof(HnswElementHeader);
	if (layout != HnswLayout::kListsApart) {
		header->flags |= kHnswElementListsInline;
		FormLists(cursor, info->m, level, lists, counts);
		cursor += HnswListsSize(info->m, level);
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
	return sizeof(HnswNeighborHeader) + HnswListsSize(info->m, level);
}

void HnswFormNeighborTuple(char *out, const HnswIndexInfo *info, int level, ItemPointerData *const *lists,
                           const int *counts)
{
	HnswNeighborHeader *header = reinterpret_cast<HnswNeighborHeader *>(out);
	header->kind = kHnswNeighborTuple;
	header->level = static_cast<uint8>(level);
	header->unused = 0;
	FormLists(out + sizeof(HnswNeighborHeader), info->m, level, lists, counts);
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

// Where layer's list (count, then refs) lives inside an element or neighbor tuple's bytes.
char *HnswListInItem(char *item, const HnswIndexInfo *info, int layer)
{
	const uint8 kind = static_cast<uint8>(item[0]);
	Size header = kind == kHnswElementTuple ? sizeof(HnswElementHeader) : sizeof(HnswNeighborHeader);
	return item + header + HnswLayerOffset(info->m, layer);
}

// ------------------------------------------------------------------ batched visits

// Visits elements in three stages so that their cache misses overlap: pin every page and prefetch
// its line pointers; lock and prefetch every item; then compute the distances and unlock. Share
// locks on up to kHnswMaxBatch pages are held together; writers only ever hold one data page
// lock, so this cannot deadlock.
// Copies an inline layer-0 list into the search's arena; returns its slot (-1 if not inline).
static int32 CopyListToArena(HnswSearchState *state, const char *item, const HnswIndexInfo &info)
{
	const HnswElementHeader *header = reinterpret_cast<const HnswElementHeader *>(item);
	if (!(header->flags & kHnswElementListsInline))
		return -1;
	if (state->arena_count >= state->arena_capacity) {
		int grown = state->arena_capacity * 2;
		state->arena = static_cast<ItemPointerData *>(repalloc_huge(
		    state->arena, sizeof(ItemPointerData) * static_cast<Size>(state->arena_stride) * grown));
		state->arena_counts = static_cast<uint16 *>(repalloc_huge(state->arena_counts, sizeof(uint16) * grown));
		state->arena_capacity = grown;
	}
	const char *list = item + sizeof(HnswElementHeader);
	uint16 count;
	memcpy(&count, list, sizeof(uint16));
	count = Min(count, static_cast<uint16>(2 * info.m));
	const int32 slot = state->arena_count++;
	state->arena_counts[slot] = count;
	memcpy(state->arena + static_cast<Size>(slot) * state->arena_stride, list + sizeof(uint16),
	       sizeof(ItemPointerData) * count);
	return slot;
}

int HnswVisitBatch(HnswReader *reader, const void *query, const ItemPointerData *tids, int count,
                   HnswCandidateOnDisk *out, float threshold, HnswSearchState *lists)
{
	const HnswIndexInfo &info = reader->info;
	Buffer buffers[kHnswMaxBatch];
	bool locked[kHnswMaxBatch];
	char *items[kHnswMaxBatch];
	Size sizes[kHnswMaxBatch];
	int found = 0;
	while (count > 0) {
		const int n = Min(count, kHnswMaxBatch);
		HnswReaderRelease(reader);
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
				buffers[i] = HnswReadBufferHinted(reader->index, block);
				locked[i] = true; // owns the pin (and will own the lock)
				const char *page = static_cast<const char *>(BufferGetPage(buffers[i]));
				__builtin_prefetch(page);
				__builtin_prefetch(page + SizeOfPageHeaderData + sizeof(ItemIdData) * (ItemPointerGetOffsetNumber(&tids[i]) - 1));
			}
		}
		for (int i = 0; i < n; i++) {
			if (!BufferIsValid(buffers[i]))
				continue;
			if (locked[i])
				LockBuffer(buffers[i], BUFFER_LOCK_SHARE);
			Size size = 0;
			char *item = ItemOfKind(BufferGetPage(buffers[i]), ItemPointerGetOffsetNumber(&tids[i]), kHnswElementTuple,
			                        sizeof(HnswElementHeader), &size);
			items[i] = item;
			sizes[i] = size;
			if (item != nullptr) {
				for (Size off = 0; off < size; off += 64)
					__builtin_prefetch(item + off);
			}
		}
		for (int i = 0; i < n; i++) {
			char *item = items[i];
			if (item == nullptr)
				continue;
			const HnswElementHeader *header = reinterpret_cast<const HnswElementHeader *>(item);
			const Size lists_size = HnswListsSize(info.m, header->level);
			Size expected = sizeof(HnswElementHeader);
			if (header->flags & kHnswElementListsInline)
				expected += lists_size;
			if (header->flags & kHnswElementVectorInline) {
				const Size vector_size =
				    sizes[i] >= expected ? HnswRowBytes(&info, item + expected, sizes[i] - expected) : 0;
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
			c.heaptid = header->heaptid;
			if (query == nullptr) {
				c.distance = 0.0f;
			} else if (header->flags & kHnswElementVectorInline) {
				const Size offset = sizeof(HnswElementHeader) + ((header->flags & kHnswElementListsInline) ? lists_size : 0);
				c.distance = HnswDistance(&info, query, item + offset);
			} else {
				c.distance = NAN; // chunked vector: read below, unlocked
			}
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
