// Decoding of the vector binary form (COPY BINARY, binary protocol), without PostgreSQL:
// int16 dim, int16 unused, then dim float4, all in network byte order.
//
// vector_recv (src/pg/vector_io.cpp) reads the header, checks it in pgvector's order (dimensions,
// type modifier, unused, message length) and then decodes the values; both steps are here so
// that they can be fuzzed without a server.
#pragma once

#include <cstddef>

namespace vector_core {

enum class VectorBinaryStatus {
	kOk,
	kShort,    // fewer bytes than the header or the values need
	kNaN,      // a value is NaN
	kInfinite, // a value is +/-Infinity
};

// Reads the 4-byte header at data (len bytes available).
VectorBinaryStatus DecodeVectorBinaryHeader(const unsigned char *data, std::size_t len, int *dim, int *unused) noexcept;

// Reads dim big-endian floats from data (len bytes available) into out (room for dim floats);
// stops at the first NaN or infinite value. *consumed gets the bytes read.
VectorBinaryStatus DecodeVectorBinaryValues(const unsigned char *data, std::size_t len, int dim, float *out,
                                            std::size_t *consumed) noexcept;

} // namespace vector_core
