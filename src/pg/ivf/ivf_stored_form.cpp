// The stored form of IVF rows: a value prepared as the floats training, assignment and the
// quantizers compute on (and as the row a list entry or centroid holds), conversions between
// floats and rows, and the payload each quantizer stores.
#include "pg/common/pg_headers.h"

#include <algorithm>
#include <cmath>

#include "core/distance/float_distance.h"
#include "core/distance/half.h"
#include "pg/ivf/ivf.h"
#include "pg/types/halfvec/halfvec.h"
#include "pg/types/vector/vector.h"

using vector_core::Metric;

// Representation of the index's rows.
vector_core::ElementKind IvfKind(const IvfMetaPageData *meta)
{
	return static_cast<vector_core::ElementKind>(meta->element_kind);
}

// Bytes of one row (older float indexes did not record it).
Size IvfRowBytes(const IvfMetaPageData *meta)
{
	return meta->row_bytes != 0 ? meta->row_bytes : sizeof(float) * static_cast<Size>(meta->dim);
}

// The metric of the index's stored form, from the metapage (IvfReadMeta refuses a number no
// index stores).
Metric IvfStoredFormMetric(const IvfMetaPageData *meta)
{
	Metric metric = Metric::kL2;
	if (!vector_core::IvfMetricFromDisk(meta->metric, &metric))
		elog(ERROR, "ivf metapage with unknown metric %d", meta->metric);
	return metric;
}

// Distance between two rows, smaller is closer (the same order as the stored-form metric).
vector_core::ElementDistanceFn IvfRowDistance(const IvfMetaPageData *meta)
{
	// Bit rows: their Hamming distance is what the stored form's kL2 computes.
	if (IvfKind(meta) == vector_core::ElementKind::kBit)
		return vector_core::ElementDistance(IvfKind(meta), Metric::kHamming);
	return vector_core::ElementDistance(IvfKind(meta),
	                                    vector_core::StoredRowMetric(IvfKind(meta), IvfStoredFormMetric(meta)));
}

// Writes the row of stored-form floats x (which IvfRoundToRow or IvfPrepareVector made
// representable) into row (IvfRowBytes bytes).
void IvfFloatsToRow(const IvfMetaPageData *meta, const float *x, char *row)
{
	const Size bytes = IvfRowBytes(meta);
	switch (IvfKind(meta)) {
	case vector_core::ElementKind::kHalf:
		memset(row, 0, bytes);
		vector_core::FloatToHalfArray(x, reinterpret_cast<vector_core::Half *>(row), meta->dim);
		break;
	case vector_core::ElementKind::kBit:
		memset(row, 0, bytes);
		for (int i = 0; i < meta->dim; i++)
			if (x[i] >= 0.5f)
				row[i / 8] |= static_cast<char>(0x80 >> (i % 8));
		break;
	default:
		memcpy(row, x, sizeof(float) * meta->dim);
		break;
	}
}

// Reads a row (a centroid) back into stored-form floats (dim); the inverse of IvfFloatsToRow.
void IvfRowToFloats(const IvfMetaPageData *meta, const char *row, float *x)
{
	switch (IvfKind(meta)) {
	case vector_core::ElementKind::kHalf:
		vector_core::HalfToFloatArray(reinterpret_cast<const vector_core::Half *>(row), x, meta->dim);
		break;
	case vector_core::ElementKind::kBit:
		for (int i = 0; i < meta->dim; i++)
			x[i] = (static_cast<unsigned char>(row[i / 8]) & (0x80 >> (i % 8))) ? 1.0f : 0.0f;
		break;
	default:
		memcpy(x, row, sizeof(float) * meta->dim);
		break;
	}
}

// Rounds stored-form floats to values a row holds exactly (centroids before assignment).
void IvfRoundToRow(const IvfMetaPageData *meta, float *x)
{
	switch (IvfKind(meta)) {
	case vector_core::ElementKind::kHalf:
		for (int i = 0; i < meta->dim; i++)
			x[i] = vector_core::HalfToFloat(vector_core::FloatToHalf(x[i]));
		break;
	case vector_core::ElementKind::kBit:
		for (int i = 0; i < meta->dim; i++)
			x[i] = x[i] >= 0.5f ? 1.0f : 0.0f;
		break;
	default:
		break;
	}
}

// Scales x to unit length; returns false (x unchanged) for a zero vector.
bool IvfNormalizeInPlace(float *x, int dim)
{
	const double norm = std::sqrt(vector_core::SquaredNormDouble(x, dim));
	if (!(norm > 0))
		return false;
	const float inv = static_cast<float>(1.0 / norm);
	for (int i = 0; i < dim; i++)
		x[i] *= inv;
	return true;
}

// Writes the stored form of a datum of the index's type into out (dim floats): the vector
// itself (halfvec widened, bits as 0/1), or its unit-normalized form for cosine; and, when row
// is not null, the datum's row (IvfRowBytes): the stored form for vector, the value's own halves
// or bits for halfvec and bit. Returns false for a cosine zero vector (not indexed). Errors
// when the dimensions differ from the index's.
bool IvfPrepareVector(Datum value, const IvfMetaPageData *meta, float *out, char *row)
{
	const int dim = meta->dim;
	const Metric metric = IvfStoredFormMetric(meta);
	Pointer raw;
	switch (IvfKind(meta)) {
	case vector_core::ElementKind::kHalf: {
		HalfVector *v = DatumGetHalfVector(value);
		raw = reinterpret_cast<Pointer>(v);
		if (v->dim != dim)
			ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
			                errmsg("expected %d dimensions, not %d", dim, v->dim)));
		vector_core::HalfToFloatArray(v->x, out, dim);
		if (row != nullptr) {
			memset(row, 0, IvfRowBytes(meta));
			memcpy(row, v->x, sizeof(vector_core::Half) * dim);
		}
		break;
	}
	case vector_core::ElementKind::kBit: {
		VarBit *v = DatumGetVarBitP(value);
		raw = reinterpret_cast<Pointer>(v);
		if (VARBITLEN(v) != dim)
			ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
			                errmsg("expected %d dimensions, not %d", dim, static_cast<int>(VARBITLEN(v)))));
		const bits8 *bits = VARBITS(v);
		for (int i = 0; i < dim; i++)
			out[i] = (bits[i / 8] & (0x80 >> (i % 8))) ? 1.0f : 0.0f;
		if (row != nullptr) {
			memset(row, 0, IvfRowBytes(meta));
			memcpy(row, bits, VARBITBYTES(v));
		}
		break;
	}
	default: {
		Vector *v = DatumGetVector(value);
		raw = reinterpret_cast<Pointer>(v);
		if (v->dim != dim)
			ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
			                errmsg("expected %d dimensions, not %d", dim, v->dim)));
		memcpy(out, v->x, sizeof(float) * dim);
		break;
	}
	}
	const bool ok = metric != Metric::kCosine || IvfNormalizeInPlace(out, dim);
	if (row != nullptr && IvfKind(meta) == vector_core::ElementKind::kFloat)
		memcpy(row, out, sizeof(float) * dim);
	if (raw != DatumGetPointer(value))
		pfree(raw);
	return ok;
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
		vector_core::PqEncode(x, 1, meta->dim, meta->pq_m, pq_book_t, pq_norms,
		                      reinterpret_cast<uint8 *>(payload));
		break;
	default:
		IvfFloatsToRow(meta, x, payload);
		break;
	}
}
