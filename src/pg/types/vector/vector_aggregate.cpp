// avg(vector) support: the transition state is a float8[] {n, sum_1 .. sum_dim}
// (like float4_accum), with a combine function so the aggregate runs in
// parallel. sum(vector) needs no code of its own: it is vector_add.
#include "pg/common/pg_headers.h"

#include <cmath>

#include "pg/types/vector/vector.h"

// Validates a transition state array and returns its values.
static float8 *StateValues(ArrayType *state, const char *caller)
{
	if (ARR_NDIM(state) != 1 || ARR_DIMS(state)[0] < 1 || ARR_HASNULL(state) || ARR_ELEMTYPE(state) != FLOAT8OID)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s: expected state array", caller)));
	return reinterpret_cast<float8 *>(ARR_DATA_PTR(state));
}

// Number of vector dimensions a state holds (0 before the first row).
static int StateDims(ArrayType *state)
{
	return ARR_DIMS(state)[0] - 1;
}

// Builds a state array from n and dim sums.
static ArrayType *MakeState(float8 n, const float8 *sums, int dim)
{
	Datum *datums = static_cast<Datum *>(palloc(sizeof(Datum) * (dim + 1)));
	datums[0] = Float8GetDatum(n);
	for (int i = 0; i < dim; i++)
		datums[i + 1] = Float8GetDatum(sums[i]);
	ArrayType *result =
	    construct_array(datums, dim + 1, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	pfree(datums);
	return result;
}

// vector_accum(float8[], vector): adds one row to the state.
VECTOR_SQL_FUNCTION(vector_accum)
{
	ArrayType *state = PG_GETARG_ARRAYTYPE_P(0);
	Vector *value = PG_GETARG_VECTOR_P(1);
	float8 *values = StateValues(state, "vector_accum");
	int dim = StateDims(state);
	bool first = dim == 0;

	if (first)
		dim = value->dim;
	else
		CheckExpectedDim(dim, value->dim);
	float8 *sums = static_cast<float8 *>(palloc(sizeof(float8) * dim));
	for (int i = 0; i < dim; i++) {
		sums[i] = (first ? 0.0 : values[i + 1]) + static_cast<double>(value->x[i]);
		if (std::isinf(sums[i]))
			float_overflow_error();
	}
	ArrayType *result = MakeState(values[0] + 1.0, sums, dim);
	pfree(sums);
	PG_RETURN_ARRAYTYPE_P(result);
}

// vector_combine(float8[], float8[]): merges two partial states (parallel aggregation).
VECTOR_SQL_FUNCTION(vector_combine)
{
	ArrayType *state1 = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType *state2 = PG_GETARG_ARRAYTYPE_P(1);
	float8 *values1 = StateValues(state1, "vector_combine");
	float8 *values2 = StateValues(state2, "vector_combine");
	float8 n1 = values1[0];
	float8 n2 = values2[0];

	if (n1 == 0.0 || n2 == 0.0) {
		ArrayType *nonempty = n1 == 0.0 ? state2 : state1;
		float8 *values = n1 == 0.0 ? values2 : values1;
		int dim = StateDims(nonempty);
		if (n1 + n2 != 0.0)
			CheckVectorDim(dim);
		PG_RETURN_ARRAYTYPE_P(MakeState(values[0], values + 1, dim));
	}

	int dim = StateDims(state1);
	CheckVectorDim(dim);
	CheckExpectedDim(dim, StateDims(state2));
	float8 *sums = static_cast<float8 *>(palloc(sizeof(float8) * dim));
	for (int i = 0; i < dim; i++) {
		sums[i] = values1[i + 1] + values2[i + 1];
		if (std::isinf(sums[i]))
			float_overflow_error();
	}
	ArrayType *result = MakeState(n1 + n2, sums, dim);
	pfree(sums);
	PG_RETURN_ARRAYTYPE_P(result);
}

// vector_avg(float8[]): final function; NULL for no rows, as SQL requires.
VECTOR_SQL_FUNCTION(vector_avg)
{
	ArrayType *state = PG_GETARG_ARRAYTYPE_P(0);
	float8 *values = StateValues(state, "vector_avg");
	float8 n = values[0];

	if (n == 0.0)
		PG_RETURN_NULL();
	int dim = StateDims(state);
	CheckVectorDim(dim);
	Vector *result = InitVector(dim);
	for (int i = 0; i < dim; i++) {
		result->x[i] = static_cast<float>(values[i + 1] / n);
		CheckVectorElement(result->x[i]);
	}
	PG_RETURN_POINTER(result);
}
