// Inserting into an IVF index: the new row goes to the list of its nearest centroid, appended
// to the first page with room from the list's insert page on, or to a new page linked at the
// end of the chain. Every change is one GenericXLog record:
//   - room on a page:          that page;
//   - chain full:              last page (next link), new page, directory page (insert page);
//   - first row of a list:     new page, directory page (start and insert page).
#include "pg/common/pg_headers.h"

#include <algorithm>
#include <cmath>

#include "core/ivf/ivf_rabitq.h"
#include "pg/ivf/ivf.h"

namespace
{

// What an insert caches across the rows of one statement (IndexInfo.ii_AmCache).
struct IvfInsertCache {
	IvfMetaPageData meta;
	float *aux;
	float *pq_book_t; // PQ encoder tables
	float *pq_norms;
	float *rabitq_signs; // the RaBitQ rotation
};

// Locates list `list`'s directory entry: block and byte offset in the content area.
void DirectoryPosition(const IvfMetaPageData *meta, int list, BlockNumber *blkno, Size *offset)
{
	*blkno = meta->dir_start + list / meta->dir_per_page;
	*offset = static_cast<Size>(list % meta->dir_per_page) * meta->dir_entry_size;
}

// Finds the nearest list of the row x by reading the directory; when centroid is not null, also
// copies that list's centroid (meta->dim floats) from the same read.
int NearestList(Relation index, const IvfMetaPageData *meta, const char *x, float *centroid)
{
	const vector_core::ElementDistanceFn distance = IvfRowDistance(meta);
	int best = 0;
	float best_d = get_float4_infinity();
	char *best_row = centroid != nullptr ? static_cast<char *>(palloc(IvfRowBytes(meta))) : nullptr;
	for (uint32 p = 0; p < meta->dir_pages; p++) {
		Buffer buf = ReadBuffer(index, meta->dir_start + p);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		const char *content = IvfPageContent(BufferGetPage(buf));
		for (uint32 i = 0; i < meta->dir_per_page; i++) {
			int list = static_cast<int>(p * meta->dir_per_page + i);
			if (list >= meta->lists)
				break;
			const char *c = content + i * meta->dir_entry_size + sizeof(IvfDirEntryHead);
			float d = distance(x, c, meta->dim);
			if (d < best_d) {
				best_d = d;
				best = list;
				if (best_row != nullptr)
					memcpy(best_row, c, IvfRowBytes(meta));
			}
		}
		UnlockReleaseBuffer(buf);
	}
	if (best_row != nullptr) {
		IvfRowToFloats(meta, best_row, centroid);
		pfree(best_row);
	}
	return best;
}

// Extends the index by one page (returned pinned and exclusively locked, initialized).
Buffer NewListBuffer(Relation index)
{
	LockRelationForExtension(index, ExclusiveLock);
	Buffer buf = ReadBuffer(index, P_NEW);
	UnlockRelationForExtension(index, ExclusiveLock);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	return buf;
}

// Reads list `list`'s directory head.
IvfDirEntryHead ReadDirHead(Relation index, const IvfMetaPageData *meta, int list)
{
	BlockNumber blkno;
	Size offset;
	DirectoryPosition(meta, list, &blkno, &offset);
	Buffer buf = ReadBuffer(index, blkno);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	IvfDirEntryHead head;
	memcpy(&head, IvfPageContent(BufferGetPage(buf)) + offset, sizeof(head));
	UnlockReleaseBuffer(buf);
	return head;
}

// Creates the first page of an empty list holding the entry; false if another backend
// created it first (then the caller appends normally).
bool InsertIntoEmptyList(Relation index, const IvfMetaPageData *meta, int list, ItemPointer tid, const char *attrs,
                         const char *payload)
{
	BlockNumber dir_blkno;
	Size offset;
	DirectoryPosition(meta, list, &dir_blkno, &offset);
	Buffer dirbuf = ReadBuffer(index, dir_blkno);
	LockBuffer(dirbuf, BUFFER_LOCK_EXCLUSIVE);
	IvfDirEntryHead head;
	memcpy(&head, IvfPageContent(BufferGetPage(dirbuf)) + offset, sizeof(head));
	if (head.start != InvalidBlockNumber) {
		UnlockReleaseBuffer(dirbuf);
		return false;
	}
	// The new page is unreachable until this record: locking it after the directory is safe.
	Buffer newbuf = NewListBuffer(index);
	GenericXLogState *state = GenericXLogStart(index);
	Page dirpage = GenericXLogRegisterBuffer(state, dirbuf, 0);
	Page newpage = GenericXLogRegisterBuffer(state, newbuf, GENERIC_XLOG_FULL_IMAGE);
	IvfInitPage(newpage, kIvfPageList);
	IvfAppendEntry(newpage, meta, tid, attrs, payload);
	head.start = head.insert = BufferGetBlockNumber(newbuf);
	memcpy(IvfPageContent(dirpage) + offset, &head, sizeof(head));
	GenericXLogFinish(state);
	UnlockReleaseBuffer(newbuf);
	UnlockReleaseBuffer(dirbuf);
	return true;
}

// Appends the entry to list `list`, walking its chain from the insert page.
void InsertIntoList(Relation index, const IvfMetaPageData *meta, int list, ItemPointer tid, const char *attrs,
                    const char *payload)
{
	IvfDirEntryHead head = ReadDirHead(index, meta, list);
	if (head.start == InvalidBlockNumber) {
		if (InsertIntoEmptyList(index, meta, list, tid, attrs, payload))
			return;
		head = ReadDirHead(index, meta, list);
	}
	BlockNumber blkno = head.insert != InvalidBlockNumber ? head.insert : head.start;
	for (;;) {
		Buffer buf = ReadBuffer(index, blkno);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		Page page = BufferGetPage(buf);
		if (IvfPageHasRoom(page, meta->entry_size)) {
			GenericXLogState *state = GenericXLogStart(index);
			page = GenericXLogRegisterBuffer(state, buf, 0);
			IvfAppendEntry(page, meta, tid, attrs, payload);
			GenericXLogFinish(state);
			UnlockReleaseBuffer(buf);
			return;
		}
		BlockNumber next = IvfPageGetOpaque(page)->next;
		if (next != InvalidBlockNumber) {
			UnlockReleaseBuffer(buf);
			blkno = next;
			continue;
		}
		// End of a full chain: link a new page, and make it the list's insert page.
		Buffer newbuf = NewListBuffer(index);
		BlockNumber dir_blkno;
		Size offset;
		DirectoryPosition(meta, list, &dir_blkno, &offset);
		Buffer dirbuf = ReadBuffer(index, dir_blkno);
		LockBuffer(dirbuf, BUFFER_LOCK_EXCLUSIVE);
		GenericXLogState *state = GenericXLogStart(index);
		page = GenericXLogRegisterBuffer(state, buf, 0);
		Page newpage = GenericXLogRegisterBuffer(state, newbuf, GENERIC_XLOG_FULL_IMAGE);
		Page dirpage = GenericXLogRegisterBuffer(state, dirbuf, 0);
		IvfInitPage(newpage, kIvfPageList);
		IvfAppendEntry(newpage, meta, tid, attrs, payload);
		IvfPageGetOpaque(page)->next = BufferGetBlockNumber(newbuf);
		IvfDirEntryHead *dirhead = reinterpret_cast<IvfDirEntryHead *>(IvfPageContent(dirpage) + offset);
		BlockNumber newblk = BufferGetBlockNumber(newbuf);
		memcpy(&dirhead->insert, &newblk, sizeof(newblk));
		GenericXLogFinish(state);
		UnlockReleaseBuffer(dirbuf);
		UnlockReleaseBuffer(newbuf);
		UnlockReleaseBuffer(buf);
		return;
	}
}

} // namespace

// aminsert: indexes one new row (NULLs and cosine zero vectors are not indexed).
bool ivfinsert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid, [[maybe_unused]] Relation heap,
               [[maybe_unused]] IndexUniqueCheck checkUnique,
#if PG_VERSION_NUM >= 140000
               [[maybe_unused]] bool indexUnchanged,
#endif
               IndexInfo *indexInfo)
{
	if (isnull[0])
		return false;
	IvfInsertCache *cache = static_cast<IvfInsertCache *>(indexInfo->ii_AmCache);
	if (cache == nullptr) {
		MemoryContext old = MemoryContextSwitchTo(indexInfo->ii_Context);
		cache = static_cast<IvfInsertCache *>(palloc0(sizeof(IvfInsertCache)));
		IvfReadMeta(index, &cache->meta);
		cache->aux = IvfReadAux(index, &cache->meta);
		if (cache->meta.quantizer == kIvfQuantPq) {
			cache->pq_book_t = static_cast<float *>(palloc(sizeof(float) * 256 * cache->meta.dim));
			cache->pq_norms = static_cast<float *>(palloc(sizeof(float) * 256 * cache->meta.pq_m));
			vector_core::PqPrepareEncoder(cache->aux, cache->meta.dim, cache->meta.pq_m, cache->pq_book_t,
			                              cache->pq_norms);
		}
		if (cache->meta.quantizer == kIvfQuantRabitq) {
			const Size padded = vector_core::RabitqPaddedDim(cache->meta.dim);
			cache->rabitq_signs = static_cast<float *>(palloc(sizeof(float) * 3 * padded));
			vector_core::RabitqInitSigns(padded, cache->rabitq_signs);
		}
		MemoryContextSwitchTo(old);
		indexInfo->ii_AmCache = cache;
	}
	const IvfMetaPageData *meta = &cache->meta;

	MemoryContext tmp = AllocSetContextCreate(CurrentMemoryContext, "ivf insert", ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(tmp);
	float *x = static_cast<float *>(palloc(sizeof(float) * meta->dim));
	char *row = static_cast<char *>(palloc(IvfRowBytes(meta)));
	if (IvfPrepareVector(values[0], meta, x, row)) {
		// (rabitq codes hold the residual from the list's centroid)
		float *centroid = meta->quantizer == kIvfQuantRabitq
		                      ? static_cast<float *>(palloc(sizeof(float) * meta->dim))
		                      : nullptr;
		const int list = NearestList(index, meta, row, centroid);
		char *payload = row;
		if (meta->quantizer == kIvfQuantRabitq) {
			const Size padded = vector_core::RabitqPaddedDim(meta->dim);
			float *scratch = static_cast<float *>(palloc(sizeof(float) * padded));
			payload = static_cast<char *>(palloc(meta->code_size));
			vector_core::RabitqEncode(x, centroid, meta->dim, cache->rabitq_signs, scratch,
			                          reinterpret_cast<uint8 *>(payload));
		} else if (meta->quantizer != kIvfQuantFlat) {
			payload = static_cast<char *>(palloc(meta->code_size));
			IvfEncodePayload(meta, cache->aux, cache->pq_book_t, cache->pq_norms, x, payload);
		}
		char *attrs = nullptr;
		if (meta->filter_columns > 0) {
			attrs = static_cast<char *>(palloc(vector_core::FilterAttrAreaLength(meta->filter_columns)));
			FilterFormAttrs(index, values, isnull, attrs);
		}
		InsertIntoList(index, meta, list, heap_tid, attrs, payload);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(tmp);
	return false;
}
