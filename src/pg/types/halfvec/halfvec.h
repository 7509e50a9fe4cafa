// The on-disk and in-memory layout of the `halfvec` type and the checks shared by every
// function that builds one.
//
// Layout (identical to pgvector so that rows it wrote are read unchanged): int32 varlena
// header, int16 dim, int16 unused (always 0), dim IEEE 754 binary16 values (vector_core::Half,
// host byte order on disk, network byte order on the wire).
#pragma once

#include "pg/common/pg_headers.h"

#include "core/distance/half.h"
#include "pg/types/vector/vector.h"

constexpr int kHalfvecMaxDim = 16000;

struct HalfVector {
	int32 vl_len_; // varlena header (never touch directly)
	int16 dim;     // number of dimensions
	int16 unused;  // reserved, always 0
	vector_core::Half x[FLEXIBLE_ARRAY_MEMBER];
};

// Size in bytes of a halfvec with dim elements.
inline Size HalfVectorSize(int dim)
{
	return offsetof(HalfVector, x) + sizeof(vector_core::Half) * static_cast<Size>(dim);
}

// Detoasts a datum into a HalfVector pointer.
inline HalfVector *DatumGetHalfVector(Datum d)
{
	return reinterpret_cast<HalfVector *>(PG_DETOAST_DATUM(d));
}

#define PG_GETARG_HALFVEC_P(n) DatumGetHalfVector(PG_GETARG_DATUM(n))

// Allocates a zeroed halfvec of dim elements in the current memory context.
HalfVector *InitHalfVector(int dim);

// Errors unless 1 <= dim <= kHalfvecMaxDim.
void CheckHalfvecDim(int dim);

// Errors when two halfvecs of an operator have different dimensions.
void CheckHalfvecSameDims(const HalfVector *a, const HalfVector *b);

// Errors on a NaN or infinite element.
void CheckHalfvecElement(vector_core::Half value);

// value as a half; errors (out of range for type halfvec) when a finite float overflows.
vector_core::Half FloatToHalfChecked(float value);
