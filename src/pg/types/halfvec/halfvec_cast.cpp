// Casts of the `halfvec` type: to and from `vector`, from integer[], real[], double precision[]
// and numeric[] (assignment casts), and to real[]. Narrowing to half refuses finite values
// beyond +-65504 with pgvector's "out of range for type halfvec" error.
#include "pg/common/pg_headers.h"

#include "pg/types/array_input.h"
#include "pg/types/halfvec/halfvec.h"
#include "pg/types/vector/vector.h"

using vector_core::Half;

// halfvec_to_vector(halfvec, typmod, explicit): widening, exact.
VECTOR_SQL_FUNCTION(halfvec_to_vector)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	int32 typmod = PG_GETARG_INT32(1);

	CheckVectorDim(vec->dim);
	CheckExpectedDim(typmod, vec->dim);
	Vector *result = InitVector(vec->dim);
	vector_core::HalfToFloatArray(vec->x, result->x, vec->dim);
	PG_RETURN_POINTER(result);
}

// vector_to_halfvec(vector, typmod, explicit): rounds to nearest even, errors on overflow.
VECTOR_SQL_FUNCTION(vector_to_halfvec)
{
	Vector *vec = PG_GETARG_VECTOR_P(0);
	int32 typmod = PG_GETARG_INT32(1);

	CheckHalfvecDim(vec->dim);
	CheckExpectedDim(typmod, vec->dim);
	HalfVector *result = InitHalfVector(vec->dim);
	// Convert in bulk (SIMD), then look for an overflow and let the checked scalar conversion
	// of that element raise the error with its value.
	vector_core::FloatToHalfArray(vec->x, result->x, vec->dim);
	for (int i = 0; i < vec->dim; i++)
		if (vector_core::HalfIsInf(result->x[i]))
			FloatToHalfChecked(vec->x[i]);
	PG_RETURN_POINTER(result);
}

// array_to_halfvec(anyarray of int4/float4/float8/numeric, typmod, explicit).
VECTOR_SQL_FUNCTION(array_to_halfvec)
{
	ArrayType *array = PG_GETARG_ARRAYTYPE_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	Oid elemtype;
	int nelems;
	Datum *elems = ArrayInputElements(array, &elemtype, &nelems);

	CheckHalfvecDim(nelems);
	CheckExpectedDim(typmod, nelems);
	HalfVector *result = InitHalfVector(nelems);
	for (int i = 0; i < nelems; i++)
		result->x[i] = FloatToHalfChecked(ArrayInputElementToFloat(elemtype, elems[i]));
	pfree(elems);
	for (int i = 0; i < nelems; i++)
		CheckHalfvecElement(result->x[i]);
	PG_RETURN_POINTER(result);
}

// halfvec_to_float4(halfvec, typmod, explicit): halfvec to real[].
VECTOR_SQL_FUNCTION(halfvec_to_float4)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	Datum *datums = static_cast<Datum *>(palloc(sizeof(Datum) * vec->dim));
	for (int i = 0; i < vec->dim; i++)
		datums[i] = Float4GetDatum(vector_core::HalfToFloat(vec->x[i]));
	ArrayType *result = construct_array(datums, vec->dim, FLOAT4OID, sizeof(float4), true, TYPALIGN_INT);
	pfree(datums);
	PG_RETURN_POINTER(result);
}
