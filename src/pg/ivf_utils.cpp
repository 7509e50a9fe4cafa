// Helpers shared by the IVF access-method phases: pages, metapage, options, the stored
// form of a vector, quantizer parameters and list entries.
#include <cmath>
#include <algorithm>

#include "pg/pg_headers.h"

#include "pg/ivf.h"
#include "pg/module.h"
#include "pg/vector.h"

#include "core/distance.h"

using vector_core::IvfMetric;

extern "C" {
Datum vector_l2_squared_distance(PG_FUNCTION_ARGS);
Datum vector_negative_inner_product(PG_FUNCTION_ARGS);
Datum cosine_distance(PG_FUNCTION_ARGS);
}

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
	if (meta->magic != kIvfMagic || meta->version != kIvfVersion)
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
				errmsg("index \"%s\" is not a valid ivf index", RelationGetRelationName(index))));
}

// The metric of the index's operator class, from its support function 1. pgvector's cosine
// class (kept by databases migrated from pgvector) has the negative inner product as FUNCTION 1
// and a norm as FUNCTION 2 (vectors are normalised first): that is cosine too.
IvfMetric IvfMetricOf(Relation index)
{
	FmgrInfo *proc = index_getprocinfo(index, 1, 1);
	if (proc->fn_addr == vector_l2_squared_distance)
		return IvfMetric::kL2;
	if (proc->fn_addr == vector_negative_inner_product)
		return OidIsValid(index_getprocid(index, 1, 2)) ? IvfMetric::kCosine : IvfMetric::kInnerProduct;
	if (proc->fn_addr == cosine_distance)
		return IvfMetric::kCosine;
	ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			errmsg("operator class of index \"%s\" has an unsupported distance function",
			       RelationGetRelationName(index))));
	return IvfMetric::kL2;
}

// The quantizer named in the index's options (ivfflat: always flat).
int IvfQuantizerFromOptions(Relation index)
{
	IvfOptions *opts = reinterpret_cast<IvfOptions *>(index->rd_options);
	if (opts == NULL || opts->quantizer_offset == 0)
		return kIvfQuantFlat;
	const char *name = reinterpret_cast<const char *>(opts) + opts->quantizer_offset;
	if (strcmp(name, "sq8") == 0)
		return kIvfQuantSq8;
	if (strcmp(name, "pq") == 0)
		return kIvfQuantPq;
	return kIvfQuantFlat;
}

// The lists option (default 100).
int IvfListsFromOptions(Relation index)
{
	IvfOptions *opts = reinterpret_cast<IvfOptions *>(index->rd_options);
	return opts != NULL ? opts->lists : kIvfDefaultLists;
}

// The pq_m option (0 = default).
int IvfPqMFromOptions(Relation index)
{
	IvfOptions *opts = reinterpret_cast<IvfOptions *>(index->rd_options);
	return opts != NULL ? opts->pq_m : 0;
}

// Writes the stored form of a vector datum into out (dim floats): the vector itself, or its
// unit-normalized form for cosine. Returns false for a cosine zero vector (not indexed).
// Errors when the dimensions differ from the index's.
bool IvfPrepareVector(Datum value, IvfMetric metric, int dim, float *out)
{
	Vector *v = DatumGetVector(value);
	if (v->dim != dim)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
				errmsg("expected %d dimensions, not %d", dim, v->dim)));
	memcpy(out, v->x, sizeof(float) * dim);
	bool ok = true;
	if (metric == IvfMetric::kCosine) {
		double norm = std::sqrt(vector_core::SquaredNormDouble(out, dim));
		if (norm > 0) {
			float inv = static_cast<float>(1.0 / norm);
			for (int i = 0; i < dim; i++)
				out[i] *= inv;
		} else
			ok = false;
	}
	if (reinterpret_cast<Pointer>(v) != DatumGetPointer(value))
		pfree(v);
	return ok;
}

// Reads the quantizer parameters (aux pages) into a palloc'd float array; NULL for flat.
float *IvfReadAux(Relation index, const IvfMetaPageData *meta)
{
	if (meta->aux_pages == 0)
		return NULL;
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

// Encodes the stored-form vector x into the entry payload of this index's quantizer
// (pq_book_t and pq_norms: the PQ encoder tables, see PqPrepareEncoder).
void IvfEncodePayload(const IvfMetaPageData *meta, const float *aux, const float *pq_book_t, const float *pq_norms,
		      const float *x, char *payload)
{
	switch (meta->quantizer) {
	case kIvfQuantSq8:
		vector_core::Sq8Encode(x, meta->dim, aux, aux + meta->dim, reinterpret_cast<uint8 *>(payload));
		break;
	case kIvfQuantPq:
		vector_core::PqEncode(x, 1, meta->dim, meta->pq_m, pq_book_t, pq_norms, 1, reinterpret_cast<uint8 *>(payload));
		break;
	default:
		memcpy(payload, x, sizeof(float) * meta->dim);
		break;
	}
}

// Appends one entry (heap tid + payload) to a list page that has room.
void IvfAppendEntry(Page page, const IvfMetaPageData *meta, ItemPointer tid, const char *payload)
{
	PageHeader ph = reinterpret_cast<PageHeader>(page);
	char *dst = reinterpret_cast<char *>(page) + ph->pd_lower;
	memset(dst, 0, meta->entry_head);
	memcpy(dst, tid, sizeof(ItemPointerData));
	memcpy(dst + meta->entry_head, payload, meta->code_size);
	ph->pd_lower += meta->entry_size;
}

// The number of threads a build computes with: vector.build_threads, at most 8 (list assignment
// is memory-bound beyond that).
int IvfBuildThreads(void)
{
	return std::clamp(VectorBuildThreads(), 1, 8);
}
