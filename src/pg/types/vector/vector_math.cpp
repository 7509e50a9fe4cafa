// Element-wise arithmetic, concatenation, comparison and the small utility
// functions of the `vector` type (dims, normalize, subvector, binary_quantize).
#include "pg/common/pg_headers.h"

#include <algorithm>
#include <cmath>

#include "core/distance/float_distance.h"
#include "pg/types/vector/vector.h"

// vector_dims(vector): number of dimensions.
VECTOR_SQL_FUNCTION(vector_dims)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	PG_RETURN_INT32(a->dim);
}

// l2_normalize(vector): the vector divided by its norm; a zero vector stays zero.
VECTOR_SQL_FUNCTION(l2_normalize)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *result = InitVector(a->dim);
	double norm = std::sqrt(vector_core::SquaredNormDouble(a->x, a->dim));

	if (norm > 0) {
		for (int i = 0; i < a->dim; i++)
			result->x[i] = static_cast<float>(a->x[i] / norm);
		CheckNoOverflow(result->x, result->dim);
	}
	PG_RETURN_POINTER(result);
}

// vector_add(vector, vector): element-wise sum, the + operator and sum() step.
VECTOR_SQL_FUNCTION(vector_add)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);
	CheckSameDims(a, b);
	Vector *result = InitVector(a->dim);
	for (int i = 0; i < a->dim; i++)
		result->x[i] = a->x[i] + b->x[i];
	CheckNoOverflow(result->x, result->dim);
	PG_RETURN_POINTER(result);
}

// vector_sub(vector, vector): element-wise difference, the - operator.
VECTOR_SQL_FUNCTION(vector_sub)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);
	CheckSameDims(a, b);
	Vector *result = InitVector(a->dim);
	for (int i = 0; i < a->dim; i++)
		result->x[i] = a->x[i] - b->x[i];
	CheckNoOverflow(result->x, result->dim);
	PG_RETURN_POINTER(result);
}

// vector_mul(vector, vector): element-wise product, the * operator; errors on
// overflow and on underflow to zero of a non-zero product.
VECTOR_SQL_FUNCTION(vector_mul)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);
	CheckSameDims(a, b);
	Vector *result = InitVector(a->dim);
	for (int i = 0; i < a->dim; i++)
		result->x[i] = a->x[i] * b->x[i];
	for (int i = 0; i < a->dim; i++) {
		if (std::isinf(result->x[i]))
			float_overflow_error();
		if (result->x[i] == 0 && !(a->x[i] == 0 || b->x[i] == 0))
			float_underflow_error();
	}
	PG_RETURN_POINTER(result);
}

// vector_concat(vector, vector): the || operator.
VECTOR_SQL_FUNCTION(vector_concat)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);
	int dim = a->dim + b->dim;
	CheckVectorDim(dim);
	Vector *result = InitVector(dim);
	memcpy(result->x, a->x, sizeof(float) * a->dim);
	memcpy(result->x + a->dim, b->x, sizeof(float) * b->dim);
	PG_RETURN_POINTER(result);
}

// subvector(vector, start, count): count elements from 1-based start, clipped
// to the vector like substring(); errors when nothing would remain.
VECTOR_SQL_FUNCTION(subvector)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	int32 start = PG_GETARG_INT32(1);
	int32 count = PG_GETARG_INT32(2);

	if (count < 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("vector must have at least 1 dimension")));
	// 64-bit arithmetic: start + count may overflow int32.
	int64 end = std::min<int64>(static_cast<int64>(start) + count, static_cast<int64>(a->dim) + 1);
	int64 first = std::max<int64>(start, 1);
	if (first > a->dim)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("vector must have at least 1 dimension")));
	int dim = static_cast<int>(end - first);
	CheckVectorDim(dim);
	Vector *result = InitVector(dim);
	memcpy(result->x, a->x + (first - 1), sizeof(float) * dim);
	PG_RETURN_POINTER(result);
}

// binary_quantize(vector): a bit string with bit i set when element i > 0.
VECTOR_SQL_FUNCTION(binary_quantize)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	int dim = a->dim;
	Size size = VARBITTOTALLEN(dim);
	VarBit *result = static_cast<VarBit *>(palloc0(size));
	SET_VARSIZE(result, size);
	VARBITLEN(result) = dim;
	bits8 *bits = VARBITS(result);
	for (int i = 0; i < dim; i++)
		if (a->x[i] > 0)
			bits[i / 8] |= static_cast<bits8>(0x80 >> (i % 8));
	PG_RETURN_VARBIT_P(result);
}

// Orders vectors element by element, then by dimension (like arrays): the
// btree operator class and the comparison operators all use it.
static int VectorCompare(const Vector *a, const Vector *b)
{
	int dim = std::min(a->dim, b->dim);
	for (int i = 0; i < dim; i++) {
		if (a->x[i] < b->x[i])
			return -1;
		if (a->x[i] > b->x[i])
			return 1;
	}
	if (a->dim != b->dim)
		return a->dim < b->dim ? -1 : 1;
	return 0;
}

#define VECTOR_COMPARISON(name, expr)                                                                                  \
	VECTOR_SQL_FUNCTION(name)                                                                                      \
	{                                                                                                              \
		int cmp = VectorCompare(PG_GETARG_VECTOR_P(0), PG_GETARG_VECTOR_P(1));                                 \
		PG_RETURN_BOOL(expr);                                                                                  \
	}

VECTOR_COMPARISON(vector_lt, cmp < 0)
VECTOR_COMPARISON(vector_le, cmp <= 0)
VECTOR_COMPARISON(vector_eq, cmp == 0)
VECTOR_COMPARISON(vector_ne, cmp != 0)
VECTOR_COMPARISON(vector_ge, cmp >= 0)
VECTOR_COMPARISON(vector_gt, cmp > 0)

// vector_cmp(vector, vector): btree support function 1.
VECTOR_SQL_FUNCTION(vector_cmp)
{
	PG_RETURN_INT32(VectorCompare(PG_GETARG_VECTOR_P(0), PG_GETARG_VECTOR_P(1)));
}
