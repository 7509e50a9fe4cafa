// Distances, norms and comparison of the `sparsevec` type. The merge kernels of
// core/distance/sparse_distance.h sum in float in ascending index order, exactly like pgvector, then
// the result is widened to double.
#include "pg/common/pg_headers.h"

#include <algorithm>
#include <climits>
#include <cmath>

#include "core/distance/sparse_distance.h"
#include "pg/types/sparsevec/sparsevec.h"

// sparsevec_l2_distance(sparsevec, sparsevec): Euclidean distance, the <-> operator.
VECTOR_SQL_FUNCTION(sparsevec_l2_distance)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);
	CheckSparsevecSameDims(a, b);
	float distance = vector_core::SparseL2SquaredDistance(a->indices, SparseVectorValues(a), a->nnz, b->indices,
	                                                      SparseVectorValues(b), b->nnz);
	PG_RETURN_FLOAT8(std::sqrt(static_cast<double>(distance)));
}

// sparsevec_l2_squared_distance(sparsevec, sparsevec): squared L2, the index support function.
VECTOR_SQL_FUNCTION(sparsevec_l2_squared_distance)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);
	CheckSparsevecSameDims(a, b);
	float distance = vector_core::SparseL2SquaredDistance(a->indices, SparseVectorValues(a), a->nnz, b->indices,
	                                                      SparseVectorValues(b), b->nnz);
	PG_RETURN_FLOAT8(static_cast<double>(distance));
}

// Inner product of two sparsevecs of the same dimension.
static float SparsevecInnerProduct(const SparseVector *a, const SparseVector *b)
{
	return vector_core::SparseInnerProduct(a->indices, SparseVectorValues(a), a->nnz, b->indices,
	                                       SparseVectorValues(b), b->nnz);
}

// sparsevec_inner_product(sparsevec, sparsevec): dot product.
VECTOR_SQL_FUNCTION(sparsevec_inner_product)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);
	CheckSparsevecSameDims(a, b);
	PG_RETURN_FLOAT8(static_cast<double>(SparsevecInnerProduct(a, b)));
}

// sparsevec_negative_inner_product(sparsevec, sparsevec): the <#> operator.
VECTOR_SQL_FUNCTION(sparsevec_negative_inner_product)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);
	CheckSparsevecSameDims(a, b);
	PG_RETURN_FLOAT8(static_cast<double>(-SparsevecInnerProduct(a, b)));
}

// sparsevec_cosine_distance(sparsevec, sparsevec): 1 - cosine similarity, the <=> operator;
// NaN when either vector is all zeros.
VECTOR_SQL_FUNCTION(sparsevec_cosine_distance)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);
	CheckSparsevecSameDims(a, b);
	// One merge walk for the dot product and both norms (all in float like pgvector); the norms are
	// multiplied in double (one rounding less than |a| |b|).
	vector_core::CosineParts parts = vector_core::SparseCosineParts(a->indices, SparseVectorValues(a), a->nnz,
	                                                                b->indices, SparseVectorValues(b), b->nnz);
	double similarity = static_cast<double>(parts.dot) /
	                    std::sqrt(static_cast<double>(parts.norm_a) * static_cast<double>(parts.norm_b));
	if (std::isnan(similarity))
		PG_RETURN_FLOAT8(NAN);
	similarity = std::clamp(similarity, -1.0, 1.0);
	PG_RETURN_FLOAT8(1.0 - similarity);
}

// sparsevec_l1_distance(sparsevec, sparsevec): taxicab distance, the <+> operator.
VECTOR_SQL_FUNCTION(sparsevec_l1_distance)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);
	CheckSparsevecSameDims(a, b);
	float distance = vector_core::SparseL1Distance(a->indices, SparseVectorValues(a), a->nnz, b->indices,
	                                               SparseVectorValues(b), b->nnz);
	PG_RETURN_FLOAT8(static_cast<double>(distance));
}

// sparsevec_l2_norm(sparsevec): Euclidean norm, accumulated in double.
VECTOR_SQL_FUNCTION(sparsevec_l2_norm)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	PG_RETURN_FLOAT8(std::sqrt(vector_core::SparseSquaredNorm(SparseVectorValues(a), a->nnz)));
}

// sparsevec_l2_normalize(sparsevec): the vector divided by its norm; elements that underflow to
// zero are dropped (a sparsevec stores no zeros); a zero vector stays zero.
VECTOR_SQL_FUNCTION(sparsevec_l2_normalize)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	const float *ax = SparseVectorValues(a);
	double norm = std::sqrt(vector_core::SparseSquaredNorm(ax, a->nnz));

	if (!(norm > 0)) {
		SparseVector *zero = InitSparseVector(a->dim, 0);
		PG_RETURN_POINTER(zero);
	}
	float *scaled = static_cast<float *>(palloc(sizeof(float) * (a->nnz + 1)));
	int nnz = 0;
	for (int i = 0; i < a->nnz; i++) {
		scaled[i] = static_cast<float>(ax[i] / norm);
		if (std::isinf(scaled[i]))
			float_overflow_error();
		if (scaled[i] != 0)
			nnz++;
	}
	SparseVector *result = InitSparseVector(a->dim, nnz);
	float *rx = SparseVectorValues(result);
	int j = 0;
	for (int i = 0; i < a->nnz; i++) {
		if (scaled[i] != 0) {
			result->indices[j] = a->indices[i];
			rx[j] = scaled[i];
			j++;
		}
	}
	pfree(scaled);
	PG_RETURN_POINTER(result);
}

// Orders sparsevecs as their dense forms would be ordered: element by element over the shorter
// dimension (missing elements are 0), then by dimension, like pgvector.
static int SparsevecCompare(const SparseVector *a, const SparseVector *b)
{
	const float *ax = SparseVectorValues(a);
	const float *bx = SparseVectorValues(b);
	int dim = std::min(a->dim, b->dim);
	int i = 0;
	int j = 0;
	for (;;) {
		int ai = i < a->nnz ? a->indices[i] : INT_MAX;
		int bj = j < b->nnz ? b->indices[j] : INT_MAX;
		int index = std::min(ai, bj);
		if (index >= dim)
			break;
		float x = ai == index ? ax[i++] : 0.0f;
		float y = bj == index ? bx[j++] : 0.0f;
		if (x < y)
			return -1;
		if (x > y)
			return 1;
	}
	if (a->dim != b->dim)
		return a->dim < b->dim ? -1 : 1;
	return 0;
}

#define SPARSEVEC_COMPARISON(name, expr)                                                                               \
	VECTOR_SQL_FUNCTION(name)                                                                                      \
	{                                                                                                              \
		int cmp = SparsevecCompare(PG_GETARG_SPARSEVEC_P(0), PG_GETARG_SPARSEVEC_P(1));                        \
		PG_RETURN_BOOL(expr);                                                                                  \
	}

SPARSEVEC_COMPARISON(sparsevec_lt, cmp < 0)
SPARSEVEC_COMPARISON(sparsevec_le, cmp <= 0)
SPARSEVEC_COMPARISON(sparsevec_eq, cmp == 0)
SPARSEVEC_COMPARISON(sparsevec_ne, cmp != 0)
SPARSEVEC_COMPARISON(sparsevec_ge, cmp >= 0)
SPARSEVEC_COMPARISON(sparsevec_gt, cmp > 0)

// sparsevec_cmp(sparsevec, sparsevec): btree support function 1.
VECTOR_SQL_FUNCTION(sparsevec_cmp)
{
	PG_RETURN_INT32(SparsevecCompare(PG_GETARG_SPARSEVEC_P(0), PG_GETARG_SPARSEVEC_P(1)));
}
