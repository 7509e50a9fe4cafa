// Decoding of the binary forms (COPY BINARY, binary protocol) of vector, halfvec and sparsevec,
// without PostgreSQL, all in network byte order:
//   vector     int16 dim, int16 unused, dim float4
//   halfvec    int16 dim, int16 unused, dim binary16
//   sparsevec  int32 dim, int32 nnz, int32 unused, nnz int32 indices (0-based), nnz float4
//
// The recv functions (src/pg/*_io.cpp) read the header, check it in pgvector's order and then
// decode the values with these functions, so that the decoding can be fuzzed without a server.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vector_core
{

enum class VectorBinaryStatus {
	kOk,
	kShort,    // fewer bytes than the header or the values need
	kNaN,      // a value is NaN
	kInfinite, // a value is +/-Infinity
	kZero,     // a sparsevec value is zero (its binary form may not hold zeros)
};

// Reads the 4-byte header at data (len bytes available).
VectorBinaryStatus DecodeVectorBinaryHeader(const unsigned char *data, std::size_t len, int *dim, int *unused) noexcept;

// Reads dim big-endian floats from data (len bytes available) into out (room for dim floats);
// stops at the first NaN or infinite value. *consumed gets the bytes read.
VectorBinaryStatus DecodeVectorBinaryValues(const unsigned char *data, std::size_t len, int dim, float *out,
                                            std::size_t *consumed) noexcept;

// halfvec: reads dim big-endian binary16 values into out; stops at the first NaN or infinite
// value, which is stored in out[i] too (so that the caller can report it).
VectorBinaryStatus DecodeHalfvecBinaryValues(const unsigned char *data, std::size_t len, int dim, std::uint16_t *out,
                                             std::size_t *consumed) noexcept;

// sparsevec: reads the 12-byte header.
VectorBinaryStatus DecodeSparsevecBinaryHeader(const unsigned char *data, std::size_t len, std::int32_t *dim,
                                               std::int32_t *nnz, std::int32_t *unused) noexcept;

// sparsevec: reads count big-endian int32 (the indices) into out.
VectorBinaryStatus DecodeInt32BinaryValues(const unsigned char *data, std::size_t len, int count, std::int32_t *out,
                                           std::size_t *consumed) noexcept;

// sparsevec: reads count big-endian float4 into out; stops at the first NaN, infinite or zero
// value, which is stored in out[i] too.
VectorBinaryStatus DecodeSparsevecBinaryValues(const unsigned char *data, std::size_t len, int count, float *out,
                                               std::size_t *consumed) noexcept;

} // namespace vector_core
