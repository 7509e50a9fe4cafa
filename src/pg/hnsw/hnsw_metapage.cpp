// The hnsw metapage: initialising pages, writing and reading the metapage, and the index info
// derived from it (the distance function and row sizes of the index's representation).
#include "pg/common/pg_headers.h"

#include <cstring>

#include "core/distance/sq8_rows.h"
#include "pg/hnsw/hnsw.h"

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
	meta->metric = vector_core::HnswMetricToDisk(info->metric);
	meta->max_level = static_cast<uint8>(info->max_level);
	meta->element_kind = static_cast<uint8>(info->kind);
	meta->value_kind = info->kind == vector_core::ElementKind::kSq8 ? static_cast<uint8>(info->value_kind) : 0;
	meta->filter_columns = static_cast<uint8>(info->filter_columns);
	meta->entry_level = -1;
	ItemPointerSetInvalid(&meta->entry);
	meta->insert_page = InvalidBlockNumber;
	meta->element_count = 0;
	((PageHeader)page)->pd_lower = reinterpret_cast<char *>(meta + 1) - reinterpret_cast<char *>(page);
}

// Errors for an index of another format version (version 1 holds one heap TID per element).
void HnswVersionError(Relation index, uint32 version)
{
	const char *name =
	    quote_qualified_identifier(get_namespace_name(RelationGetNamespace(index)), RelationGetRelationName(index));
	ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
	                errmsg("hnsw index \"%s\" has format version %u, this build reads versions %u and %u",
	                       RelationGetRelationName(index), version, kHnswVersion, kHnswVersionLabelLists),
	                errhint("Rebuild the index with REINDEX INDEX %s.", name)));
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
	if (!HnswVersionKnown(meta->version)) {
		uint32 version = meta->version;
		UnlockReleaseBuffer(buffer);
		HnswVersionError(index, version);
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
	info->kind = static_cast<vector_core::ElementKind>(meta->element_kind);
	info->value_kind = info->kind == vector_core::ElementKind::kSq8
	                       ? static_cast<vector_core::ElementKind>(meta->value_kind)
	                       : info->kind;
	info->filter_columns = meta->filter_columns;
	info->label_lists = HnswMetaHasLabelLists(meta);
	if (info->filter_columns != FilterColumnCount(index))
		ereport(ERROR,
		        (errcode(ERRCODE_INDEX_CORRUPTED),
		         errmsg("hnsw index \"%s\" has %d filter columns in its metapage, %d in its definition",
		                RelationGetRelationName(index), info->filter_columns, FilterColumnCount(index))));
	if (!vector_core::HnswMetricFromDisk(meta->metric, &info->metric))
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("hnsw index has an unknown representation (kind %d, metric %d, %d dimensions)",
		                       static_cast<int>(info->kind), static_cast<int>(meta->metric), info->dims)));
	HnswFinishIndexInfo(info);
}

// Distance function and row sizes of the index's representation.
void HnswFinishIndexInfo(HnswIndexInfo *info)
{
	// Half rows are compared as they are (see core/distance/element_distance.h); the others normalised.
	info->distance =
	    vector_core::ElementDistance(info->kind, vector_core::StoredRowMetric(info->kind, info->metric));
	if (info->distance == nullptr || info->dims < 1)
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("hnsw index has an unknown representation (kind %d, metric %d, %d dimensions)",
		                       static_cast<int>(info->kind),
		                       static_cast<int>(vector_core::HnswMetricToDisk(info->metric)), info->dims)));
	info->fixed_bytes = vector_core::ElementStoredBytes(
	    vector_core::ElementFixedBytes(info->kind, static_cast<size_t>(info->dims)));
	info->max_bytes =
	    info->fixed_bytes != 0
	        ? info->fixed_bytes
	        : vector_core::ElementStoredBytes(vector_core::SparseElementBytes(Min(kHnswMaxSparseNnz, info->dims)));
	info->query_bytes = info->max_bytes;
	if (info->kind == vector_core::ElementKind::kSq8) {
		// Codes of vector or halfvec values only.
		if (info->value_kind != vector_core::ElementKind::kFloat &&
		    info->value_kind != vector_core::ElementKind::kHalf)
			ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
			                errmsg("hnsw index has sq8 rows of an unknown type (kind %d)",
			                       static_cast<int>(info->value_kind))));
		info->query_bytes =
		    vector_core::ElementStoredBytes(vector_core::Sq8QueryBytes(static_cast<size_t>(info->dims)));
	}
	if (info->filter_columns < 0 || info->filter_columns > vector_core::kMaxFilterColumns)
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("hnsw index has %d filter columns", info->filter_columns)));
	info->attr_length = vector_core::FilterAttrAreaLength(info->filter_columns);
}
