// IVF pages: initialising a page, reading the metapage and the quantizer pages, appending a list
// entry. See ivf.h for the layout.
#include "pg/common/pg_headers.h"

#include <algorithm>

#include "core/ivf/ivf_rabitq.h"
#include "pg/ivf/ivf.h"

// Initializes an IVF page of the given kind with an empty content area.
void IvfInitPage(Page page, uint16 flags)
{
	PageInit(page, BLCKSZ, sizeof(IvfPageOpaqueData));
	IvfPageOpaqueData *opaque = IvfPageGetOpaque(page);
	opaque->next = InvalidBlockNumber;
	opaque->flags = flags;
	opaque->page_id = kIvfPageId;
}

// Copies the metapage's content, erroring when block 0 is not an IVF metapage.
void IvfReadMeta(Relation index, IvfMetaPageData *meta)
{
	Buffer buf = ReadBuffer(index, kIvfMetaBlock);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	Page page = BufferGetPage(buf);
	memcpy(meta, IvfPageContent(page), sizeof(IvfMetaPageData));
	UnlockReleaseBuffer(buf);
	vector_core::Metric metric;
	if (meta->magic != kIvfMagic || meta->version != kIvfVersion ||
	    !vector_core::IvfMetricFromDisk(meta->metric, &metric))
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("index \"%s\" is not a valid ivf index", RelationGetRelationName(index))));
	if (static_cast<int>(meta->filter_columns) != FilterColumnCount(index) ||
	    (meta->filter_columns > 0 &&
	     meta->entry_head !=
	         vector_core::IvfEntryHead(meta->quantizer == kIvfQuantFlat, static_cast<int>(meta->filter_columns))))
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("ivf index \"%s\" has %u filter columns (entry head %u) in its metapage, %d in "
		                       "its definition",
		                       RelationGetRelationName(index), meta->filter_columns, meta->entry_head,
		                       FilterColumnCount(index))));
	// Scans and inserts write and read RabitqCodeBytes(dim) bytes per code: a metapage that says
	// otherwise (a damaged page, or a code layout this build does not write) must not be used.
	if (meta->quantizer == kIvfQuantRabitq && (meta->dim <= 0 || meta->dim > vector_core::kIvfMaxHalfDim ||
	                                           meta->code_size != vector_core::RabitqCodeBytes(meta->dim)))
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("ivf index \"%s\" has codes of %u bytes for %d dimensions",
		                       RelationGetRelationName(index), meta->code_size, meta->dim),
		                errhint("REINDEX the index.")));
}

// Reads the quantizer parameters (aux pages) into a palloc'd float array; null for flat.
float *IvfReadAux(Relation index, const IvfMetaPageData *meta)
{
	if (meta->aux_pages == 0)
		return nullptr;
	char *data = static_cast<char *>(palloc(meta->aux_bytes));
	Size done = 0;
	for (uint32 p = 0; p < meta->aux_pages; p++) {
		Buffer buf = ReadBuffer(index, meta->aux_start + p);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Size chunk = std::min<Size>(IvfPageCapacity(), meta->aux_bytes - done);
		memcpy(data + done, IvfPageContent(BufferGetPage(buf)), chunk);
		UnlockReleaseBuffer(buf);
		done += chunk;
	}
	return reinterpret_cast<float *>(data);
}

void IvfReadCentroid(Relation index, const IvfMetaPageData *meta, int list, float *x)
{
	Buffer buf = ReadBuffer(index, meta->dir_start + list / meta->dir_per_page);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	const char *entry =
	    IvfPageContent(BufferGetPage(buf)) + static_cast<Size>(list % meta->dir_per_page) * meta->dir_entry_size;
	IvfRowToFloats(meta, entry + sizeof(IvfDirEntryHead), x);
	UnlockReleaseBuffer(buf);
}

// Appends one entry (heap tid + payload) to a list page that has room.
void IvfAppendEntry(Page page, const IvfMetaPageData *meta, ItemPointer tid, const char *attrs, const char *payload)
{
	PageHeader ph = reinterpret_cast<PageHeader>(page);
	char *dst = reinterpret_cast<char *>(page) + ph->pd_lower;
	memset(dst, 0, meta->entry_head);
	memcpy(dst, tid, sizeof(ItemPointerData));
	if (meta->filter_columns > 0)
		memcpy(dst + vector_core::kIvfEntryAttrOffset, attrs,
		       vector_core::FilterAttrAreaLength(meta->filter_columns));
	memcpy(dst + meta->entry_head, payload, meta->code_size);
	ph->pd_lower += meta->entry_size;
}
