// avg(halfvec) support: the same float8[] {n, sum_1 .. sum_dim} transition state as
// avg(vector) (vector_aggregate.cpp), so that the combine function is vector_combine itself
// (pgvector's SQL binds halfvec_combine to that symbol too). sum(halfvec) is halfvec_add.
#include "pg/common/pg_headers.h"

#include <cmath>

#include "pg/types/halfvec/halfvec.h"

// Validates a transition state array and returns its values.
static float8 *HalfvecStateValues(ArrayType *state, const char *caller)
{
	if (ARR_NDIM(state) != 1 || ARR_DIMS(state)[0] < 1 || ARR_HASNULL(state) || ARR_ELEMTYPE(state) != FLOAT8OID)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s: expected state array", caller)));
	return reinterpret_cast<float8 *>(ARR_DATA_PTR(state));
}

// halfvec_accum(float8[], halfvec): adds one row to the state.
VECTOR_SQL_FUNCTION(halfvec_accum)
{
	ArrayType *state = PG_GETARG_ARRAYTYPE_P(0);
	HalfVector *value = PG_GETARG_HALFVEC_P(1);
	float8 *values = HalfvecStateValues(state, "halfvec_accum");
	int dim = ARR_DIMS(state)[0] - 1;
	bool first = dim == 0;

	if (first)
		dim = value->dim;
	else
		CheckExpectedDim(dim, value->dim);
	Datum *datums = static_cast<Datum *>(palloc(sizeof(Datum) * (dim + 1)));
	datums[0] = Float8GetDatum(values[0] + 1.0);
	for (int i = 0; i < dim; i++) {
		double sum = (first ? 0.0 : values[i + 1]) + static_cast<double>(vector_core::HalfToFloat(value->x[i]));
		if (std::isinf(sum))
			float_overflow_error();
		datums[i + 1] = Float8GetDatum(sum);
	}
	ArrayType *result =
	    construct_array(datums, dim + 1, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	pfree(datums);
	PG_RETURN_ARRAYTYPE_P(result);
}

// halfvec_avg(float8[]): final function; NULL for no rows, as SQL requires; a mean beyond the
// half range is an error.
VECTOR_SQL_FUNCTION(halfvec_avg)
{
	ArrayType *state = PG_GETARG_ARRAYTYPE_P(0);
	float8 *values = HalfvecStateValues(state, "halfvec_avg");
	float8 n = values[0];

	if (n == 0.0)
		PG_RETURN_NULL();
	int dim = ARR_DIMS(state)[0] - 1;
	CheckHalfvecDim(dim);
	HalfVector *result = InitHalfVector(dim);
	for (int i = 0; i < dim; i++) {
		result->x[i] = FloatToHalfChecked(static_cast<float>(values[i + 1] / n));
		CheckHalfvecElement(result->x[i]);
	}
	PG_RETURN_POINTER(result);
}
