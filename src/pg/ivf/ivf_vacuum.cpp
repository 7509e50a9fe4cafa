// VACUUM of an IVF index: every list page is compacted in place (entries of dead rows
// removed, the rest moved down) in one GenericXLog record per page, and each list's insert
// page is moved back to its first page with room, so that inserts reuse the freed space.
// Scans copy a page's entries under its share lock and never keep positions on a page, so
// compaction under the exclusive lock is invisible to them; heap tids a scan still holds
// are safe because scans require an MVCC snapshot.
#include "pg/common/pg_headers.h"

#include <algorithm>

#include "pg/ivf/ivf.h"

namespace
{

// Reads every list's directory head into heads (palloc'd, lists entries).
IvfDirEntryHead *ReadDirectory(Relation index, const IvfMetaPageData *meta, BufferAccessStrategy strategy)
{
	IvfDirEntryHead *heads = static_cast<IvfDirEntryHead *>(palloc(sizeof(IvfDirEntryHead) * meta->lists));
	for (uint32 p = 0; p < meta->dir_pages; p++) {
		Buffer buf = ReadBufferExtended(index, MAIN_FORKNUM, meta->dir_start + p, RBM_NORMAL, strategy);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		const char *content = IvfPageContent(BufferGetPage(buf));
		for (uint32 i = 0; i < meta->dir_per_page; i++) {
			int list = static_cast<int>(p * meta->dir_per_page + i);
			if (list >= meta->lists)
				break;
			memcpy(&heads[list], content + i * meta->dir_entry_size, sizeof(IvfDirEntryHead));
		}
		UnlockReleaseBuffer(buf);
	}
	return heads;
}

// Sets list `list`'s insert page to blkno (one GenericXLog record on the directory page).
void SetInsertPage(Relation index, const IvfMetaPageData *meta, int list, BlockNumber blkno)
{
	BlockNumber dir_blkno = meta->dir_start + list / meta->dir_per_page;
	Size offset = static_cast<Size>(list % meta->dir_per_page) * meta->dir_entry_size;
	Buffer buf = ReadBuffer(index, dir_blkno);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	GenericXLogState *state = GenericXLogStart(index);
	Page page = GenericXLogRegisterBuffer(state, buf, 0);
	IvfDirEntryHead *head = reinterpret_cast<IvfDirEntryHead *>(IvfPageContent(page) + offset);
	memcpy(&head->insert, &blkno, sizeof(blkno));
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
}

} // namespace

// ambulkdelete: removes the entries of the rows the callback reports dead.
IndexBulkDeleteResult *ivfbulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
                                     IndexBulkDeleteCallback callback, void *callback_state)
{
	Relation index = info->index;
	if (stats == nullptr)
		stats = static_cast<IndexBulkDeleteResult *>(palloc0(sizeof(IndexBulkDeleteResult)));
	IvfMetaPageData meta;
	IvfReadMeta(index, &meta);
	IvfDirEntryHead *heads = ReadDirectory(index, &meta, info->strategy);
	const Size entry_size = meta.entry_size;
	bool *dead = static_cast<bool *>(palloc(sizeof(bool) * (IvfPageCapacity() / entry_size + 1)));

	for (int list = 0; list < meta.lists; list++) {
		BlockNumber blkno = heads[list].start;
		BlockNumber first_free = InvalidBlockNumber;
		while (blkno != InvalidBlockNumber) {
			VectorVacuumDelayPoint();
			Buffer buf = ReadBufferExtended(index, MAIN_FORKNUM, blkno, RBM_NORMAL, info->strategy);
			LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
			Page page = BufferGetPage(buf);
			int count = IvfPageEntryCount(page, entry_size);
			int ndead = 0;
			const char *content = IvfPageContent(page);
			for (int i = 0; i < count; i++) {
				ItemPointerData tid;
				memcpy(&tid, content + i * entry_size, sizeof(tid));
				dead[i] = callback(&tid, callback_state);
				ndead += dead[i] ? 1 : 0;
			}
			if (ndead > 0) {
				GenericXLogState *state = GenericXLogStart(index);
				page = GenericXLogRegisterBuffer(state, buf, 0);
				char *base = IvfPageContent(page);
				int kept = 0;
				for (int i = 0; i < count; i++) {
					if (dead[i])
						continue;
					if (kept != i)
						memmove(base + kept * entry_size, base + i * entry_size, entry_size);
					kept++;
				}
				memset(base + kept * entry_size, 0, (count - kept) * entry_size);
				reinterpret_cast<PageHeader>(page)->pd_lower =
				    MAXALIGN(SizeOfPageHeaderData) + kept * entry_size;
				GenericXLogFinish(state);
				stats->tuples_removed += ndead;
			}
			stats->num_index_tuples += count - ndead;
			if (first_free == InvalidBlockNumber && IvfPageHasRoom(page, entry_size))
				first_free = blkno;
			BlockNumber next = IvfPageGetOpaque(page)->next;
			UnlockReleaseBuffer(buf);
			blkno = next;
		}
		if (first_free != InvalidBlockNumber && first_free != heads[list].insert)
			SetInsertPage(index, &meta, list, first_free);
	}
	pfree(dead);
	pfree(heads);
	return stats;
}

// amvacuumcleanup: reports the index size (and the row count when no bulk delete ran).
IndexBulkDeleteResult *ivfvacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	if (info->analyze_only)
		return stats;
	if (stats == nullptr) {
		stats = static_cast<IndexBulkDeleteResult *>(palloc0(sizeof(IndexBulkDeleteResult)));
		stats->num_index_tuples = info->num_heap_tuples;
		stats->estimated_count = info->estimated_count;
	}
	stats->num_pages = RelationGetNumberOfBlocks(info->index);
	return stats;
}
