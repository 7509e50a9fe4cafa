// The on-disk and in-memory layout of the `vector` type and the checks shared by
// every function that builds one.
//
// Layout (identical to pgvector so that rows it wrote are read unchanged):
// int32 varlena header, int16 dim, int16 unused (always 0), dim float4 values.
#pragma once

#include "pg/common/pg_headers.h"

#include "pg/common/sql_function.h"

constexpr int kVectorMaxDim = 16000;

struct Vector {
	int32 vl_len_; // varlena header (never touch directly)
	int16 dim;     // number of dimensions
	int16 unused;  // reserved, always 0
	float x[FLEXIBLE_ARRAY_MEMBER];
};

// Size in bytes of a vector with dim elements.
inline Size VectorSize(int dim)
{
	return offsetof(Vector, x) + sizeof(float) * static_cast<Size>(dim);
}

// Detoasts a datum into a Vector pointer.
inline Vector *DatumGetVector(Datum d)
{
	return reinterpret_cast<Vector *>(PG_DETOAST_DATUM(d));
}

#define PG_GETARG_VECTOR_P(n) DatumGetVector(PG_GETARG_DATUM(n))

// Allocates a zeroed vector of dim elements in the current memory context.
Vector *InitVector(int dim);

// Errors unless 1 <= dim <= kVectorMaxDim.
void CheckVectorDim(int dim);

// The type modifier of type_name(n) from typmod_in's cstring[] argument: one integer in
// 1..max_dims, else an ERROR (22023) naming the type.
int32 DimensionsTypmod(ArrayType *typmods, const char *type_name, int max_dims);

// Errors when a type modifier is set and differs from dim.
void CheckExpectedDim(int32 typmod, int dim);

// Errors when two vectors of an operator have different dimensions.
void CheckSameDims(const Vector *a, const Vector *b);

// Errors on NaN or infinite elements.
void CheckVectorElement(float value);

// Errors when any element of a freshly computed result overflowed to infinity.
void CheckNoOverflow(const float *x, int dim);
