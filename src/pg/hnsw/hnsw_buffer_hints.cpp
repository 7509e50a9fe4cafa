// Buffer hints of hnsw reads.
//
// A backend-local cache of "block B of index I was last seen in buffer X", so that a scan can pin
// a page with ReadRecentBuffer (which checks the buffer's tag) instead of a lookup in the shared
// buffer mapping table, the most expensive step of reading an element. Stale hints are harmless
// (the check fails and the normal path runs); the cache is rebuilt as pages are read.
#include "pg/common/pg_headers.h"

extern "C" {
#include "storage/buf_internals.h"
}

#include <cstring>

#include "pg/hnsw/hnsw.h"

#if PG_VERSION_NUM >= 140000
namespace
{
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
		Buffer *grown = static_cast<Buffer *>(MemoryContextAllocExtended(
		    TopMemoryContext, sizeof(Buffer) * size, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO));
		if (slot->buffers != nullptr) {
			memcpy(grown, slot->buffers, sizeof(Buffer) * slot->size);
			pfree(slot->buffers);
		}
		slot->buffers = grown;
		slot->size = size;
	}
	return slot;
}

// The hint slot of block of index (its buffer, or 0 when none is known); null for blocks past
// what hints cover.
Buffer *HintSlot(Relation index, BlockNumber block)
{
	if (block > 16 * 1024 * 1024)
		return nullptr;
	return &HintsFor(index, block)->buffers[block];
}
} // namespace
#endif

// Pins block of index, through the hint when it is still right.
Buffer HnswReadBufferHinted(Relation index, BlockNumber block)
{
#if PG_VERSION_NUM >= 140000
	Buffer *slot = HintSlot(index, block);
	if (slot == nullptr)
		return ReadBuffer(index, block);
	const Buffer hint = *slot;
#if PG_VERSION_NUM >= 160000
	if (hint != 0 && ReadRecentBuffer(index->rd_locator, MAIN_FORKNUM, block, hint))
		return hint;
#else
	if (hint != 0 && ReadRecentBuffer(index->rd_node, MAIN_FORKNUM, block, hint))
		return hint;
#endif
	Buffer buffer = ReadBuffer(index, block);
	*slot = buffer;
	return buffer;
#else
	return ReadBuffer(index, block);
#endif
}

void HnswPrefetchBufferHint(Relation index, BlockNumber block, OffsetNumber offset)
{
#if PG_VERSION_NUM >= 140000
	const Buffer *slot = HintSlot(index, block);
	const Buffer hint = slot != nullptr ? *slot : 0;
	if (hint <= 0 || hint > NBuffers)
		return;
	__builtin_prefetch(GetBufferDescriptor(hint - 1));
	const char *page = static_cast<const char *>(BufferGetBlock(hint));
	__builtin_prefetch(page + SizeOfPageHeaderData + sizeof(ItemIdData) * (offset - 1));
#endif
}
