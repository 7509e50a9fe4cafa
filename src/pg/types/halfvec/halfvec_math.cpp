// Distances, norms, arithmetic, comparison, utilities and avg() support of the `halfvec` type.
//
// Distances use the halfvec kernels of core/distance/half.h (halves widened to float, sums in float,
// then widened to double), so a halfvec distance equals pgvector's within float rounding.
// Arithmetic computes in float and rounds each result to half; an overflow to infinity is an
// error like for `vector`.
#include "pg/common/pg_headers.h"

#include <algorithm>
#include <cmath>

#include "core/distance/half.h"
#include "pg/types/halfvec/halfvec.h"

using vector_core::Half;
using vector_core::HalfToFloat;

// halfvec_l2_distance(halfvec, halfvec): Euclidean distance, the <-> operator.
VECTOR_SQL_FUNCTION(halfvec_l2_distance)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	CheckHalfvecSameDims(a, b);
	PG_RETURN_FLOAT8(std::sqrt(static_cast<double>(vector_core::HalfL2SquaredDistance(a->x, b->x, a->dim))));
}

// halfvec_l2_squared_distance(halfvec, halfvec): squared L2, the index support function.
VECTOR_SQL_FUNCTION(halfvec_l2_squared_distance)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	CheckHalfvecSameDims(a, b);
	PG_RETURN_FLOAT8(static_cast<double>(vector_core::HalfL2SquaredDistance(a->x, b->x, a->dim)));
}

// halfvec_inner_product(halfvec, halfvec): dot product.
VECTOR_SQL_FUNCTION(halfvec_inner_product)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	CheckHalfvecSameDims(a, b);
	PG_RETURN_FLOAT8(static_cast<double>(vector_core::HalfInnerProduct(a->x, b->x, a->dim)));
}

// halfvec_negative_inner_product(halfvec, halfvec): the <#> operator (ascending = most similar).
VECTOR_SQL_FUNCTION(halfvec_negative_inner_product)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	CheckHalfvecSameDims(a, b);
	PG_RETURN_FLOAT8(static_cast<double>(-vector_core::HalfInnerProduct(a->x, b->x, a->dim)));
}

// halfvec_cosine_distance(halfvec, halfvec): 1 - cosine similarity, the <=> operator; NaN
// when either vector has zero norm.
VECTOR_SQL_FUNCTION(halfvec_cosine_distance)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	CheckHalfvecSameDims(a, b);
	vector_core::CosineParts parts = vector_core::HalfCosineDistanceParts(a->x, b->x, a->dim);
	// sqrt(|a|^2 |b|^2) rather than |a| |b|: one rounding less, as pgvector does.
	double similarity = static_cast<double>(parts.dot) /
	                    std::sqrt(static_cast<double>(parts.norm_a) * static_cast<double>(parts.norm_b));
	if (std::isnan(similarity))
		PG_RETURN_FLOAT8(NAN);
	similarity = std::clamp(similarity, -1.0, 1.0);
	PG_RETURN_FLOAT8(1.0 - similarity);
}

// halfvec_spherical_distance(halfvec, halfvec): angle / pi between unit vectors (IVF k-means
// support for cosine and inner product).
VECTOR_SQL_FUNCTION(halfvec_spherical_distance)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	CheckHalfvecSameDims(a, b);
	double dot = std::clamp(static_cast<double>(vector_core::HalfInnerProduct(a->x, b->x, a->dim)), -1.0, 1.0);
	PG_RETURN_FLOAT8(std::acos(dot) / M_PI);
}

// halfvec_l1_distance(halfvec, halfvec): taxicab distance, the <+> operator.
VECTOR_SQL_FUNCTION(halfvec_l1_distance)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	CheckHalfvecSameDims(a, b);
	PG_RETURN_FLOAT8(static_cast<double>(vector_core::HalfL1Distance(a->x, b->x, a->dim)));
}

// halfvec_vector_dims(halfvec): number of dimensions.
VECTOR_SQL_FUNCTION(halfvec_vector_dims)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	PG_RETURN_INT32(a->dim);
}

// Sum of squares of a halfvec in double (each square of a half is exact there).
static double HalfvecSquaredNorm(const HalfVector *a)
{
	double norm = 0.0;
	for (int i = 0; i < a->dim; i++) {
		double x = HalfToFloat(a->x[i]);
		norm += x * x;
	}
	return norm;
}

// halfvec_l2_norm(halfvec): Euclidean norm, accumulated in double.
VECTOR_SQL_FUNCTION(halfvec_l2_norm)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	PG_RETURN_FLOAT8(std::sqrt(HalfvecSquaredNorm(a)));
}

// halfvec_l2_normalize(halfvec): the vector divided by its norm, rounded to half; a zero
// vector stays zero.
VECTOR_SQL_FUNCTION(halfvec_l2_normalize)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *result = InitHalfVector(a->dim);
	double norm = std::sqrt(HalfvecSquaredNorm(a));

	if (norm > 0) {
		for (int i = 0; i < a->dim; i++)
			result->x[i] = vector_core::FloatToHalf(static_cast<float>(HalfToFloat(a->x[i]) / norm));
		for (int i = 0; i < a->dim; i++)
			if (vector_core::HalfIsInf(result->x[i]))
				float_overflow_error();
	}
	PG_RETURN_POINTER(result);
}

// Errors when an element of a freshly computed halfvec overflowed to infinity.
static void CheckHalfvecNoOverflow(const HalfVector *v)
{
	for (int i = 0; i < v->dim; i++)
		if (vector_core::HalfIsInf(v->x[i]))
			float_overflow_error();
}

// halfvec_add(halfvec, halfvec): element-wise sum, the + operator and sum() step.
VECTOR_SQL_FUNCTION(halfvec_add)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	CheckHalfvecSameDims(a, b);
	HalfVector *result = InitHalfVector(a->dim);
	for (int i = 0; i < a->dim; i++)
		result->x[i] = vector_core::FloatToHalf(HalfToFloat(a->x[i]) + HalfToFloat(b->x[i]));
	CheckHalfvecNoOverflow(result);
	PG_RETURN_POINTER(result);
}

// halfvec_sub(halfvec, halfvec): element-wise difference, the - operator.
VECTOR_SQL_FUNCTION(halfvec_sub)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	CheckHalfvecSameDims(a, b);
	HalfVector *result = InitHalfVector(a->dim);
	for (int i = 0; i < a->dim; i++)
		result->x[i] = vector_core::FloatToHalf(HalfToFloat(a->x[i]) - HalfToFloat(b->x[i]));
	CheckHalfvecNoOverflow(result);
	PG_RETURN_POINTER(result);
}

// True for +0 and -0.
static bool HalfIsZero(Half h)
{
	return (h & 0x7fff) == 0;
}

// halfvec_mul(halfvec, halfvec): element-wise product, the * operator; errors on overflow and
// on underflow to zero of a product of non-zero elements.
VECTOR_SQL_FUNCTION(halfvec_mul)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	CheckHalfvecSameDims(a, b);
	HalfVector *result = InitHalfVector(a->dim);
	for (int i = 0; i < a->dim; i++)
		result->x[i] = vector_core::FloatToHalf(HalfToFloat(a->x[i]) * HalfToFloat(b->x[i]));
	for (int i = 0; i < a->dim; i++) {
		if (vector_core::HalfIsInf(result->x[i]))
			float_overflow_error();
		if (HalfIsZero(result->x[i]) && !(HalfIsZero(a->x[i]) || HalfIsZero(b->x[i])))
			float_underflow_error();
	}
	PG_RETURN_POINTER(result);
}

// halfvec_concat(halfvec, halfvec): the || operator.
VECTOR_SQL_FUNCTION(halfvec_concat)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	int dim = a->dim + b->dim;
	CheckHalfvecDim(dim);
	HalfVector *result = InitHalfVector(dim);
	memcpy(result->x, a->x, sizeof(Half) * a->dim);
	memcpy(result->x + a->dim, b->x, sizeof(Half) * b->dim);
	PG_RETURN_POINTER(result);
}

// halfvec_subvector(halfvec, start, count): count elements from 1-based start, clipped to the
// vector like substring(); errors when nothing would remain.
VECTOR_SQL_FUNCTION(halfvec_subvector)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	int32 start = PG_GETARG_INT32(1);
	int32 count = PG_GETARG_INT32(2);

	if (count < 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("halfvec must have at least 1 dimension")));
	// 64-bit arithmetic: start + count may overflow int32.
	int64 end = std::min<int64>(static_cast<int64>(start) + count, static_cast<int64>(a->dim) + 1);
	int64 first = std::max<int64>(start, 1);
	if (first > a->dim)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("halfvec must have at least 1 dimension")));
	int dim = static_cast<int>(end - first);
	CheckHalfvecDim(dim);
	HalfVector *result = InitHalfVector(dim);
	memcpy(result->x, a->x + (first - 1), sizeof(Half) * dim);
	PG_RETURN_POINTER(result);
}

// halfvec_binary_quantize(halfvec): a bit string with bit i set when element i > 0.
VECTOR_SQL_FUNCTION(halfvec_binary_quantize)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	int dim = a->dim;
	Size size = VARBITTOTALLEN(dim);
	VarBit *result = static_cast<VarBit *>(palloc0(size));
	SET_VARSIZE(result, size);
	VARBITLEN(result) = dim;
	bits8 *bits = VARBITS(result);
	for (int i = 0; i < dim; i++)
		if (HalfToFloat(a->x[i]) > 0)
			bits[i / 8] |= static_cast<bits8>(0x80 >> (i % 8));
	PG_RETURN_VARBIT_P(result);
}

// Orders halfvecs element by element (as numbers, so -0 = +0), then by dimension (like
// arrays): the btree operator class and the comparison operators all use it.
static int HalfvecCompare(const HalfVector *a, const HalfVector *b)
{
	int dim = std::min(a->dim, b->dim);
	for (int i = 0; i < dim; i++) {
		float x = HalfToFloat(a->x[i]);
		float y = HalfToFloat(b->x[i]);
		if (x < y)
			return -1;
		if (x > y)
			return 1;
	}
	if (a->dim != b->dim)
		return a->dim < b->dim ? -1 : 1;
	return 0;
}

#define HALFVEC_COMPARISON(name, expr)                                                                                 \
	VECTOR_SQL_FUNCTION(name)                                                                                      \
	{                                                                                                              \
		int cmp = HalfvecCompare(PG_GETARG_HALFVEC_P(0), PG_GETARG_HALFVEC_P(1));                              \
		PG_RETURN_BOOL(expr);                                                                                  \
	}

HALFVEC_COMPARISON(halfvec_lt, cmp < 0)
HALFVEC_COMPARISON(halfvec_le, cmp <= 0)
HALFVEC_COMPARISON(halfvec_eq, cmp == 0)
HALFVEC_COMPARISON(halfvec_ne, cmp != 0)
HALFVEC_COMPARISON(halfvec_ge, cmp >= 0)
HALFVEC_COMPARISON(halfvec_gt, cmp > 0)

// halfvec_cmp(halfvec, halfvec): btree support function 1.
VECTOR_SQL_FUNCTION(halfvec_cmp)
{
	PG_RETURN_INT32(HalfvecCompare(PG_GETARG_HALFVEC_P(0), PG_GETARG_HALFVEC_P(1)));
}
