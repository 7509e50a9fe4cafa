// Distances between bit strings (PostgreSQL's `bit` type, as produced by binary_quantize),
// without PostgreSQL: Hamming distance and Jaccard distance over whole bytes.
//
// Both functions read `bytes` bytes of each string; PostgreSQL keeps the padding bits of the
// last byte zero, so they never count. Population counts dispatch at run time: AVX-512
// VPOPCNTDQ when the active SIMD level (float_distance.h) is AVX-512 and the CPU has it, the POPCNT
// instruction when the level is at least AVX2 and the CPU has it, portable code otherwise.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vector_core
{

// Number of bit positions where a and b differ.
std::uint64_t HammingDistance(const std::uint8_t *a, const std::uint8_t *b, std::size_t bytes);
// 1 - |a & b| / |a | b|; 1 when a and b share no set bit (which includes all-zero strings),
// as pgvector defines it.
double JaccardDistance(const std::uint8_t *a, const std::uint8_t *b, std::size_t bytes);

// The three counts Jaccard distance needs: |a & b|, |a| and |b|.
struct JaccardCounts {
	std::uint64_t both;
	std::uint64_t a;
	std::uint64_t b;
};

// Jaccard distance from its counts (shared by every level so that they agree exactly).
double JaccardFromCounts(const JaccardCounts &counts);

// Implementation names: "scalar", "popcnt" or "avx512" (what HammingDistance uses now).
const char *BitDistanceImplementation();

// Per-implementation entry points, so tests can compare each with the scalar one. popcnt::
// needs the POPCNT instruction, avx512:: AVX-512F + VPOPCNTDQ (SIGILL otherwise).
namespace scalar
{
std::uint64_t HammingDistance(const std::uint8_t *a, const std::uint8_t *b, std::size_t bytes);
JaccardCounts JaccardCountBits(const std::uint8_t *a, const std::uint8_t *b, std::size_t bytes);
} // namespace scalar
namespace popcnt
{
bool Supported();
std::uint64_t HammingDistance(const std::uint8_t *a, const std::uint8_t *b, std::size_t bytes);
JaccardCounts JaccardCountBits(const std::uint8_t *a, const std::uint8_t *b, std::size_t bytes);
} // namespace popcnt
namespace avx512
{
bool VpopcntdqSupported();
std::uint64_t HammingDistance(const std::uint8_t *a, const std::uint8_t *b, std::size_t bytes);
JaccardCounts JaccardCountBits(const std::uint8_t *a, const std::uint8_t *b, std::size_t bytes);
} // namespace avx512

} // namespace vector_core
