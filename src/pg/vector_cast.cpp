// Casts between `vector` and PostgreSQL arrays: integer[], real[],
// double precision[] and numeric[] to vector (assignment casts), vector to real[].
#include "pg/pg_headers.h"

#include "pg/vector.h"

// array_to_vector(anyarray of int4/float4/float8/numeric, typmod, explicit).
VECTOR_SQL_FUNCTION(array_to_vector)
{
	ArrayType *array = PG_GETARG_ARRAYTYPE_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	Oid elemtype = ARR_ELEMTYPE(array);

	if (ARR_NDIM(array) > 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("array must be 1-D")));
	if (ARR_HASNULL(array) && array_contains_nulls(array))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("array must not contain nulls")));
	if (elemtype != INT4OID && elemtype != FLOAT4OID && elemtype != FLOAT8OID && elemtype != NUMERICOID)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("unsupported array type")));

	int16 typlen;
	bool typbyval;
	char typalign;
	Datum *elems;
	int nelems;
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(array, elemtype, typlen, typbyval, typalign, &elems, nullptr, &nelems);

	CheckVectorDim(nelems);
	CheckExpectedDim(typmod, nelems);
	Vector *result = InitVector(nelems);
	for (int i = 0; i < nelems; i++) {
		switch (elemtype) {
		case INT4OID:
			result->x[i] = static_cast<float>(DatumGetInt32(elems[i]));
			break;
		case FLOAT4OID:
			result->x[i] = DatumGetFloat4(elems[i]);
			break;
		case FLOAT8OID:
			result->x[i] = static_cast<float>(DatumGetFloat8(elems[i]));
			break;
		default:
			result->x[i] = DatumGetFloat4(DirectFunctionCall1(numeric_float4, elems[i]));
			break;
		}
	}
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
