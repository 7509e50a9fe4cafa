// The rows an hnsw index stores: a value prepared as the index's row (normalised for cosine,
// padded) and the stored size of a row found on a page.
#include "pg/common/pg_headers.h"

#include <cmath>
#include <cstring>

#include "core/distance/float_distance.h"
#include "core/distance/half.h"
#include "core/distance/sq8_rows.h"
#include "pg/hnsw/hnsw.h"
#include "pg/types/halfvec/halfvec.h"
#include "pg/types/sparsevec/sparsevec.h"
#include "pg/types/vector/vector.h"

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

// Detoasts, checks the dimensions, widens halfvec values and normalises for cosine.
bool HnswPrepareFloats(const HnswIndexInfo *info, Datum value, float *out, bool *bounded)
{
	if (bounded != nullptr)
		*bounded = true;
	const int dims = info->dims;
	if (info->value_kind == vector_core::ElementKind::kHalf) {
		HalfVector *v = DatumGetHalfVector(value);
		if (v->dim != dims)
			ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
			                errmsg("expected %d dimensions, not %d", dims, v->dim)));
		vector_core::HalfToFloatArray(v->x, out, static_cast<size_t>(dims));
	} else {
		Assert(info->value_kind == vector_core::ElementKind::kFloat);
		Vector *v = DatumGetVector(value);
		if (v->dim != dims)
			ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
			                errmsg("expected %d dimensions, not %d", dims, v->dim)));
		memcpy(out, v->x, sizeof(float) * static_cast<size_t>(dims));
	}
	if (info->metric != vector_core::Metric::kCosine)
		return true;
	const double norm2 = vector_core::SquaredNormDouble(out, static_cast<size_t>(dims));
	const double norm = std::sqrt(norm2);
	if (!(norm > 0.0) || std::isinf(norm))
		return false;
	if (bounded != nullptr)
		*bounded = vector_core::Sq8CosineNormBounded(norm2);
	for (int i = 0; i < dims; i++)
		out[i] = static_cast<float>(out[i] / norm);
	return true;
}

// The floats, then the sq8 row they encode to, padded; a row whose cosine the operator cannot
// compute accurately gets no bound (Sq8DropBound).
bool HnswPrepareSq8Row(const HnswIndexInfo *info, Datum value, float *floats, char *out)
{
	bool bounded = true;
	const bool usable = HnswPrepareFloats(info, value, floats, &bounded);
	vector_core::Sq8EncodeRow(floats, static_cast<size_t>(info->dims), out);
	if (!bounded)
		vector_core::Sq8DropBound(out);
	const Size raw = vector_core::Sq8RowBytes(static_cast<size_t>(info->dims));
	memset(out + raw, 0, info->fixed_bytes - raw);
	return usable;
}

// The row to store and, for sq8 rows, the search form (by estimate) from the same floats.
bool HnswPrepareInsert(const HnswIndexInfo *info, Datum value, char *out, Size *bytes, char *search)
{
	if (info->kind != vector_core::ElementKind::kSq8)
		return HnswPrepareVector(info, value, out, bytes);
	float *floats = static_cast<float *>(palloc(sizeof(float) * static_cast<size_t>(info->dims)));
	const bool usable = HnswPrepareSq8Row(info, value, floats, out);
	*bytes = info->fixed_bytes;
	vector_core::Sq8PrepareQuery(floats, static_cast<size_t>(info->dims), search, true);
	pfree(floats);
	return usable;
}

// The query form of a scan: the row, or for sq8 rows the query's floats behind their header.
bool HnswPrepareQuery(const HnswIndexInfo *info, Datum value, char *out)
{
	if (info->kind != vector_core::ElementKind::kSq8) {
		Size bytes = 0;
		return HnswPrepareVector(info, value, out, &bytes);
	}
	float *floats = static_cast<float *>(palloc(sizeof(float) * static_cast<size_t>(info->dims)));
	bool bounded = true;
	const bool usable = HnswPrepareFloats(info, value, floats, &bounded);
	vector_core::Sq8PrepareQuery(floats, static_cast<size_t>(info->dims), out);
	if (!bounded)
		vector_core::Sq8DropBound(out);
	pfree(floats);
	return usable;
}

// Detoasts, checks the dimensions, normalises for cosine and writes the index's row.
bool HnswPrepareVector(const HnswIndexInfo *info, Datum value, char *out, Size *bytes)
{
	const int dims = info->dims;
	Size raw = 0;
	bool usable = true;
	switch (info->kind) {
	case vector_core::ElementKind::kSq8: {
		float *floats = static_cast<float *>(palloc(sizeof(float) * static_cast<size_t>(dims)));
		usable = HnswPrepareSq8Row(info, value, floats, out);
		pfree(floats);
		raw = vector_core::Sq8RowBytes(static_cast<size_t>(dims));
		break;
	}
	case vector_core::ElementKind::kFloat:
		usable = HnswPrepareFloats(info, value, reinterpret_cast<float *>(out));
		raw = sizeof(float) * static_cast<size_t>(dims);
		break;
	case vector_core::ElementKind::kHalf: {
		HalfVector *v = DatumGetHalfVector(value);
		if (v->dim != dims)
			ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
			                errmsg("expected %d dimensions, not %d", dims, v->dim)));
		raw = sizeof(vector_core::Half) * static_cast<size_t>(dims);
		memcpy(out, v->x, raw);
		if (info->metric == vector_core::Metric::kCosine) {
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
			ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("expected %d dimensions, not %d", dims,
			                                                        static_cast<int>(VARBITLEN(v)))));
		raw = static_cast<Size>(VARBITBYTES(v));
		memcpy(out, VARBITS(v), raw);
		break;
	}
	case vector_core::ElementKind::kSparse: {
		SparseVector *v = DatumGetSparseVector(value);
		if (v->dim != dims)
			ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
			                errmsg("expected %d dimensions, not %d", dims, v->dim)));
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
		if (info->metric == vector_core::Metric::kCosine) {
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
