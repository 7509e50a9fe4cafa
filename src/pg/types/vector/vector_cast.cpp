// Casts between `vector` and PostgreSQL arrays: integer[], real[],
// double precision[] and numeric[] to vector (assignment casts), vector to real[].
#include "pg/common/pg_headers.h"

#include "pg/types/array_input.h"
#include "pg/types/vector/vector.h"

// array_to_vector(anyarray of int4/float4/float8/numeric, typmod, explicit).
VECTOR_SQL_FUNCTION(array_to_vector)
{
	ArrayType *array = PG_GETARG_ARRAYTYPE_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	Oid elemtype;
	int nelems;
	Datum *elems = ArrayInputElements(array, &elemtype, &nelems);

	CheckVectorDim(nelems);
	CheckExpectedDim(typmod, nelems);
	Vector *result = InitVector(nelems);
	for (int i = 0; i < nelems; i++)
		result->x[i] = ArrayInputElementToFloat(elemtype, elems[i]);
	pfree(elems);
	for (int i = 0; i < nelems; i++)
		CheckVectorElement(result->x[i]);
	PG_RETURN_POINTER(result);
}

// vector_to_float4(vector, typmod, explicit): vector to real[].
VECTOR_SQL_FUNCTION(vector_to_float4)
{
	Vector *vec = PG_GETARG_VECTOR_P(0);
	Datum *datums = static_cast<Datum *>(palloc(sizeof(Datum) * vec->dim));
	for (int i = 0; i < vec->dim; i++)
		datums[i] = Float4GetDatum(vec->x[i]);
	ArrayType *result = construct_array(datums, vec->dim, FLOAT4OID, sizeof(float4), true, TYPALIGN_INT);
	pfree(datums);
	PG_RETURN_POINTER(result);
}
