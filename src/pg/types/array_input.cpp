// Elements of numeric arrays for the array casts; see array_input.h.
#include "pg/common/pg_headers.h"

#include "pg/types/array_input.h"

Datum *ArrayInputElements(ArrayType *array, Oid *elemtype, int *count)
{
	const Oid type = ARR_ELEMTYPE(array);
	if (ARR_NDIM(array) > 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("array must be 1-D")));
	if (ARR_HASNULL(array) && array_contains_nulls(array))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("array must not contain nulls")));
	if (type != INT4OID && type != FLOAT4OID && type != FLOAT8OID && type != NUMERICOID)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("unsupported array type")));

	int16 typlen;
	bool typbyval;
	char typalign;
	Datum *elems;
	get_typlenbyvalalign(type, &typlen, &typbyval, &typalign);
	deconstruct_array(array, type, typlen, typbyval, typalign, &elems, nullptr, count);
	*elemtype = type;
	return elems;
}

float ArrayInputElementToFloat(Oid elemtype, Datum value)
{
	switch (elemtype) {
	case INT4OID:
		return static_cast<float>(DatumGetInt32(value));
	case FLOAT4OID:
		return DatumGetFloat4(value);
	case FLOAT8OID:
		return static_cast<float>(DatumGetFloat8(value));
	default:
		return DatumGetFloat4(DirectFunctionCall1(numeric_float4, value));
	}
}
