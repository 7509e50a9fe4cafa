// Casts of the `sparsevec` type: to and from `vector` and `halfvec`, and from integer[],
// real[], double precision[] and numeric[] (assignment casts), as in pgvector 0.8. Dense to
// sparse keeps the non-zero elements; sparse to dense needs a dimension the dense type allows.
#include "pg/common/pg_headers.h"

#include "pg/types/array_input.h"
#include "pg/types/halfvec/halfvec.h"
#include "pg/types/sparsevec/sparsevec.h"
#include "pg/types/vector/vector.h"

using vector_core::Half;

// sparsevec_to_vector(sparsevec, typmod, explicit): the dense form.
VECTOR_SQL_FUNCTION(sparsevec_to_vector)
{
	SparseVector *svec = PG_GETARG_SPARSEVEC_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	const float *values = SparseVectorValues(svec);

	CheckVectorDim(svec->dim);
	CheckExpectedDim(typmod, svec->dim);
	Vector *result = InitVector(svec->dim);
	for (int i = 0; i < svec->nnz; i++)
		result->x[svec->indices[i]] = values[i];
	PG_RETURN_POINTER(result);
}

// sparsevec_to_halfvec(sparsevec, typmod, explicit): the dense form in half precision; values
// beyond the half range are an error.
VECTOR_SQL_FUNCTION(sparsevec_to_halfvec)
{
	SparseVector *svec = PG_GETARG_SPARSEVEC_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	const float *values = SparseVectorValues(svec);

	CheckHalfvecDim(svec->dim);
	CheckExpectedDim(typmod, svec->dim);
	HalfVector *result = InitHalfVector(svec->dim);
	for (int i = 0; i < svec->nnz; i++)
		result->x[svec->indices[i]] = FloatToHalfChecked(values[i]);
	PG_RETURN_POINTER(result);
}

// Builds a sparsevec from dim dense floats (zeros, including -0, dropped); errors when more
// than kSparsevecMaxNnz are non-zero.
static SparseVector *DenseToSparse(const float *x, int dim)
{
	int nnz = 0;
	for (int i = 0; i < dim; i++)
		if (x[i] != 0)
			nnz++;
	CheckSparsevecNnz(nnz, dim);
	SparseVector *result = InitSparseVector(dim, nnz);
	float *values = SparseVectorValues(result);
	int j = 0;
	for (int i = 0; i < dim && j < nnz; i++) {
		if (x[i] != 0) {
			result->indices[j] = i;
			values[j] = x[i];
			j++;
		}
	}
	return result;
}

// vector_to_sparsevec(vector, typmod, explicit): the non-zero elements of a vector.
VECTOR_SQL_FUNCTION(vector_to_sparsevec)
{
	Vector *vec = PG_GETARG_VECTOR_P(0);
	int32 typmod = PG_GETARG_INT32(1);

	CheckSparsevecDim(vec->dim);
	CheckExpectedDim(typmod, vec->dim);
	PG_RETURN_POINTER(DenseToSparse(vec->x, vec->dim));
}

// halfvec_to_sparsevec(halfvec, typmod, explicit): the non-zero elements of a halfvec.
VECTOR_SQL_FUNCTION(halfvec_to_sparsevec)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	int32 typmod = PG_GETARG_INT32(1);

	CheckSparsevecDim(vec->dim);
	CheckExpectedDim(typmod, vec->dim);
	float *dense = static_cast<float *>(palloc(sizeof(float) * vec->dim));
	vector_core::HalfToFloatArray(vec->x, dense, vec->dim);
	SparseVector *result = DenseToSparse(dense, vec->dim);
	pfree(dense);
	PG_RETURN_POINTER(result);
}

// array_to_sparsevec(anyarray of int4/float4/float8/numeric, typmod, explicit): the non-zero
// elements of a 1-D array, each converted to float.
VECTOR_SQL_FUNCTION(array_to_sparsevec)
{
	ArrayType *array = PG_GETARG_ARRAYTYPE_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	Oid elemtype;
	int nelems;
	Datum *elems = ArrayInputElements(array, &elemtype, &nelems);

	CheckSparsevecDim(nelems);
	CheckExpectedDim(typmod, nelems);
	float *dense = static_cast<float *>(palloc(sizeof(float) * nelems));
	for (int i = 0; i < nelems; i++)
		dense[i] = ArrayInputElementToFloat(elemtype, elems[i]);
	pfree(elems);
	SparseVector *result = DenseToSparse(dense, nelems);
	pfree(dense);
	const float *values = SparseVectorValues(result);
	for (int i = 0; i < result->nnz; i++)
		CheckSparsevecElement(values[i]);
	PG_RETURN_POINTER(result);
}
