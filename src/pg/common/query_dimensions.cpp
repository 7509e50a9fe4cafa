// Dimension check of a scan's query value; see query_dimensions.h.
#include "pg/common/pg_headers.h"

#include "pg/common/query_dimensions.h"
#include "pg/types/halfvec/halfvec.h"
#include "pg/types/sparsevec/sparsevec.h"
#include "pg/types/vector/vector.h"

void CheckQueryDimensions(vector_core::ElementKind kind, int dims, Datum value)
{
	switch (kind) {
	case vector_core::ElementKind::kFloat: {
		Vector *v = DatumGetVector(value);
		if (v->dim != dims)
			ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
			                errmsg("different vector dimensions %d and %d", dims, v->dim)));
		break;
	}
	case vector_core::ElementKind::kHalf: {
		HalfVector *v = DatumGetHalfVector(value);
		if (v->dim != dims)
			ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
			                errmsg("different halfvec dimensions %d and %d", dims, v->dim)));
		break;
	}
	case vector_core::ElementKind::kBit: {
		VarBit *v = DatumGetVarBitP(value);
		if (VARBITLEN(v) != dims)
			ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("different bit lengths %d and %d", dims,
			                                                        static_cast<int>(VARBITLEN(v)))));
		break;
	}
	case vector_core::ElementKind::kSparse: {
		SparseVector *v = DatumGetSparseVector(value);
		if (v->dim != dims)
			ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
			                errmsg("different sparsevec dimensions %d and %d", dims, v->dim)));
		break;
	}
	case vector_core::ElementKind::kSq8:
		// Codes are not a type: callers pass the kind of the values they encode.
		elog(ERROR, "query dimensions checked against sq8 codes");
	}
}
