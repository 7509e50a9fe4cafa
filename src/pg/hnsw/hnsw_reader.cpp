// Reading hnsw elements: a reader that keeps the last page pinned, and the read of one element
// (its row, its distance to a query, one of its neighbor lists), gathering what lives in other
// tuples (neighbor lists kept apart, vector chunks). See core/hnsw/hnsw_page_format.h for the format.
#include "pg/common/pg_headers.h"

#include <cstring>

#include "pg/hnsw/hnsw.h"

// ------------------------------------------------------------------ reader

void HnswReaderInit(HnswReader *reader, Relation index, const HnswIndexInfo *info)
{
	reader->index = index;
	reader->info = *info;
	reader->buffer = InvalidBuffer;
	reader->scratch = static_cast<char *>(palloc(info->max_bytes));
	reader->filter = nullptr;
	reader->rejected = 0;
}

void HnswReaderRelease(HnswReader *reader)
{
	if (BufferIsValid(reader->buffer))
		ReleaseBuffer(reader->buffer);
	reader->buffer = InvalidBuffer;
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

// Reads a tuple of another page (or of the locked page itself) while the element's page stays
// locked: copies bytes [from, from + length) of the item at tid to out. Returns false if absent.
static bool CopyOtherItem(HnswReader *reader, Page locked_page, BlockNumber locked_block, ItemPointer tid, uint8 kind,
                          Size from, Size length, void *out, ItemPointerData *next)
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
	char *item = HnswItemOfKind(page, offset, kind, from + length, &size);
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
                     ItemPointerData *links, int *link_count, char *vector_out, ItemPointerData *heaptids)
{
	const HnswIndexInfo &info = reader->info;
	BlockNumber block = ItemPointerGetBlockNumber(tid);
	if (block == kHnswMetaBlock || block == InvalidBlockNumber)
		return false;
	Buffer buffer = ReaderPin(reader, block);
	LockBuffer(buffer, BUFFER_LOCK_SHARE);
	Page page = BufferGetPage(buffer);
	Size size = 0;
	char *item =
	    HnswItemOfKind(page, ItemPointerGetOffsetNumber(tid), kHnswElementTuple, sizeof(HnswElementHeader), &size);
	if (item == nullptr) {
		LockBuffer(buffer, BUFFER_LOCK_UNLOCK);
		return false;
	}
	const HnswElementHeader *header = reinterpret_cast<const HnswElementHeader *>(item);
	if (!HnswElementHeaderValid(header, size)) {
		LockBuffer(buffer, BUFFER_LOCK_UNLOCK);
		return false;
	}
	const int level = header->level;
	const Size lists_size = HnswElementListsSize(info.m, level, info.label_lists);
	const Size body = HnswElementBody(header);
	Size expected = body;
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
			Size offset = body + ((header->flags & kHnswElementListsInline) ? lists_size : 0);
			vector = item + offset;
		} else {
			// Gather the chunks into the scratch; the first one tells a sparse row's size.
			ItemPointerData chunk = header->vector;
			Size filled = 0;
			Size total = info.fixed_bytes != 0 ? info.fixed_bytes : info.max_bytes;
			while (ok && filled < total && ItemPointerIsValid(&chunk)) {
				HnswChunkHeader chunk_header;
				ItemPointerData next;
				ok = CopyOtherItem(reader, page, block, &chunk, kHnswChunkTuple, 0,
				                   sizeof(HnswChunkHeader), &chunk_header, &next);
				const Size bytes = 4 * static_cast<Size>(chunk_header.count);
				if (!ok || chunk_header.count == 0 || filled + bytes > total) {
					ok = false;
					break;
				}
				ok = CopyOtherItem(reader, page, block, &chunk, kHnswChunkTuple,
				                   sizeof(HnswChunkHeader), bytes, reader->scratch + filled, nullptr);
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
		if (layer > level || (layer == kHnswLabelLayer && !info.label_lists)) {
			*link_count = 0;
		} else {
			const Size layer_offset = HnswListOffset(info.m, level, layer);
			const Size layer_size =
			    sizeof(uint16) + sizeof(ItemPointerData) * HnswLayerCapacity(info.m, layer);
			char list[sizeof(uint16) + sizeof(ItemPointerData) * 2 * kHnswMaxM];
			if (header->flags & kHnswElementListsInline) {
				memcpy(list, item + body + layer_offset, layer_size);
			} else {
				ItemPointerData lists_tid = header->lists;
				ok =
				    CopyOtherItem(reader, page, block, &lists_tid, kHnswNeighborTuple,
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
		out->heaptid_count = header->tid_count;
		if (header->tid_count > 0)
			out->heaptid = HnswElementHeapTids(header)[0];
		else
			ItemPointerSetInvalid(&out->heaptid);
		if (heaptids != nullptr)
			memcpy(heaptids, HnswElementHeapTids(header), sizeof(ItemPointerData) * header->tid_count);
		out->distance = query != nullptr ? HnswDistance(&info, query, vector) : 0.0f;
		out->vector_bytes = vector != nullptr ? vector_size : 0;
		out->match = reader->filter == nullptr || HnswElementMatches(reader->filter, info, header);
		if (vector_out != nullptr)
			memcpy(vector_out, vector, vector_size);
	}
	LockBuffer(buffer, BUFFER_LOCK_UNLOCK);
	return ok;
}
