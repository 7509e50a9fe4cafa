// Distance functions and operators of the `vector` type (<->, <#>, <=>, <+>) and
// the support functions index operator classes use. The arithmetic lives in the
// SIMD kernels of core/distance/float_distance.h; this file only unpacks datums and checks
// dimensions. Results match pgvector: sums are accumulated in float, then
// widened to double.
#include "pg/common/pg_headers.h"

#include <algorithm>
#include <cmath>

#include "core/distance/float_distance.h"
#include "pg/types/vector/vector.h"

// l2_distance(vector, vector): Euclidean distance, the <-> operator.
VECTOR_SQL_FUNCTION(l2_distance)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);
	CheckSameDims(a, b);
	PG_RETURN_FLOAT8(std::sqrt(static_cast<double>(vector_core::L2SquaredDistance(a->x, b->x, a->dim))));
}

// vector_l2_squared_distance(vector, vector): squared L2, cheaper for ranking.
VECTOR_SQL_FUNCTION(vector_l2_squared_distance)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);
	CheckSameDims(a, b);
	PG_RETURN_FLOAT8(static_cast<double>(vector_core::L2SquaredDistance(a->x, b->x, a->dim)));
}

// inner_product(vector, vector): dot product.
VECTOR_SQL_FUNCTION(inner_product)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);
	CheckSameDims(a, b);
	PG_RETURN_FLOAT8(static_cast<double>(vector_core::InnerProduct(a->x, b->x, a->dim)));
}

// vector_negative_inner_product(vector, vector): the <#> operator, so that
// ascending order ranks the largest inner product first.
VECTOR_SQL_FUNCTION(vector_negative_inner_product)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);
	CheckSameDims(a, b);
	PG_RETURN_FLOAT8(static_cast<double>(-vector_core::InnerProduct(a->x, b->x, a->dim)));
}

// cosine_distance(vector, vector): 1 - cosine similarity, the <=> operator;
// NaN when either vector has zero norm.
VECTOR_SQL_FUNCTION(cosine_distance)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);
	CheckSameDims(a, b);
	vector_core::CosineParts parts = vector_core::CosineDistanceParts(a->x, b->x, a->dim);
	// sqrt(|a|^2 |b|^2) rather than |a| |b|: one rounding less, as pgvector does.
	double similarity = static_cast<double>(parts.dot) /
	                    std::sqrt(static_cast<double>(parts.norm_a) * static_cast<double>(parts.norm_b));
	if (std::isnan(similarity))
		PG_RETURN_FLOAT8(NAN);
	similarity = std::clamp(similarity, -1.0, 1.0);
	PG_RETURN_FLOAT8(1.0 - similarity);
}

// vector_spherical_distance(vector, vector): angle / pi between unit vectors,
// used by IVF k-means for cosine and inner product.
VECTOR_SQL_FUNCTION(vector_spherical_distance)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);
	CheckSameDims(a, b);
	double dot = std::clamp(static_cast<double>(vector_core::InnerProduct(a->x, b->x, a->dim)), -1.0, 1.0);
	PG_RETURN_FLOAT8(std::acos(dot) / M_PI);
}

// l1_distance(vector, vector): taxicab distance, the <+> operator.
VECTOR_SQL_FUNCTION(l1_distance)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);
	CheckSameDims(a, b);
	PG_RETURN_FLOAT8(static_cast<double>(vector_core::L1Distance(a->x, b->x, a->dim)));
}

// vector_norm(vector): Euclidean norm, accumulated in double.
VECTOR_SQL_FUNCTION(vector_norm)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	PG_RETURN_FLOAT8(std::sqrt(vector_core::SquaredNormDouble(a->x, a->dim)));
}
