// The on-disk and in-memory layout of the `sparsevec` type and the checks shared by every
// function that builds one.
//
// Layout (identical to pgvector so that rows it wrote are read unchanged): int32 varlena
// header, int32 dim, int32 nnz, int32 unused (always 0), nnz int32 indices (0-based, strictly
// ascending), then nnz float4 values (never zero). The text form numbers indices from 1.
#pragma once

#include "pg/common/pg_headers.h"

#include "pg/types/vector/vector.h"

constexpr int kSparsevecMaxDim = 1000000000;
constexpr int kSparsevecMaxNnz = 16000;

struct SparseVector {
	int32 vl_len_; // varlena header (never touch directly)
	int32 dim;     // number of dimensions
	int32 nnz;     // number of stored (non-zero) elements
	int32 unused;  // reserved, always 0
	int32 indices[FLEXIBLE_ARRAY_MEMBER];
	// followed by float values[nnz]
};

// Size in bytes of a sparsevec with nnz stored elements.
inline Size SparseVectorSize(int nnz)
{
	return offsetof(SparseVector, indices) + (sizeof(int32) + sizeof(float)) * static_cast<Size>(nnz);
}

// The values array, right after the nnz indices.
inline float *SparseVectorValues(SparseVector *v)
{
	return reinterpret_cast<float *>(reinterpret_cast<char *>(v) + offsetof(SparseVector, indices) +
	                                 sizeof(int32) * static_cast<Size>(v->nnz));
}

// The values array of a read-only sparsevec.
inline const float *SparseVectorValues(const SparseVector *v)
{
	return reinterpret_cast<const float *>(reinterpret_cast<const char *>(v) + offsetof(SparseVector, indices) +
	                                       sizeof(int32) * static_cast<Size>(v->nnz));
}

// Detoasts a datum into a SparseVector pointer.
inline SparseVector *DatumGetSparseVector(Datum d)
{
	return reinterpret_cast<SparseVector *>(PG_DETOAST_DATUM(d));
}

#define PG_GETARG_SPARSEVEC_P(n) DatumGetSparseVector(PG_GETARG_DATUM(n))

// Allocates a zeroed sparsevec of dimension dim with room for nnz elements.
SparseVector *InitSparseVector(int dim, int nnz);

// Errors unless 1 <= dim <= kSparsevecMaxDim.
void CheckSparsevecDim(int64 dim);

// Errors unless 0 <= nnz <= min(kSparsevecMaxNnz, dim).
void CheckSparsevecNnz(int nnz, int dim);

// Errors when two sparsevecs of an operator have different dimensions.
void CheckSparsevecSameDims(const SparseVector *a, const SparseVector *b);

// Errors on a NaN or infinite element.
void CheckSparsevecElement(float value);

// Errors unless indices are within [0, dim), strictly ascending (pgvector's messages).
void CheckSparsevecIndices(const int32 *indices, int nnz, int64 dim);
