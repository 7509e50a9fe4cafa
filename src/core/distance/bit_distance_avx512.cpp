// AVX-512 VPOPCNTDQ bit-string distances; see bit_distance.h. Compiled without -march: the
// functions carry their own target attribute and are only called after VpopcntdqSupported().
//
// 64 bytes per iteration: one vpopcntq per 8 words, accumulated in 8 lanes of 64 bits; the
// tail is a zero-masked byte load (AVX-512BW), so it never reads past the strings.
#include "core/distance/bit_distance.h"

#if defined(__x86_64__) || defined(__i386__)

#include "core/distance/x86_intrinsics.h"

#define VECTOR_TARGET_VPOPCNT __attribute__((target("avx512f,avx512bw,avx512vpopcntdq")))

namespace vector_core::avx512
{

namespace
{

// Mask selecting the first remaining (0..63) bytes.
inline __mmask64 ByteMask(std::size_t remaining)
{
	return remaining >= 64 ? ~static_cast<__mmask64>(0) : (static_cast<__mmask64>(1) << remaining) - 1;
}

} // namespace

// True when the CPU has AVX-512F, AVX-512BW and VPOPCNTDQ (and the OS saves their state).
bool VpopcntdqSupported()
{
	static const bool supported = [] {
		__builtin_cpu_init();
		return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		       __builtin_cpu_supports("avx512vpopcntdq");
	}();
	return supported;
}

// popcount(a ^ b) over 64-byte blocks, then one masked block.
VECTOR_TARGET_VPOPCNT std::uint64_t HammingDistance(const std::uint8_t *a, const std::uint8_t *b, std::size_t bytes)
{
	__m512i sum = _mm512_setzero_si512();
	std::size_t i = 0;
	for (; i + 64 <= bytes; i += 64) {
		__m512i x = _mm512_loadu_si512(a + i);
		__m512i y = _mm512_loadu_si512(b + i);
		sum = _mm512_add_epi64(sum, _mm512_popcnt_epi64(_mm512_xor_si512(x, y)));
	}
	if (i < bytes) {
		__mmask64 mask = ByteMask(bytes - i);
		__m512i x = _mm512_maskz_loadu_epi8(mask, a + i);
		__m512i y = _mm512_maskz_loadu_epi8(mask, b + i);
		sum = _mm512_add_epi64(sum, _mm512_popcnt_epi64(_mm512_xor_si512(x, y)));
	}
	return static_cast<std::uint64_t>(_mm512_reduce_add_epi64(sum));
}

// The three popcounts of Jaccard distance over 64-byte blocks, then one masked block.
VECTOR_TARGET_VPOPCNT JaccardCounts JaccardCountBits(const std::uint8_t *a, const std::uint8_t *b, std::size_t bytes)
{
	__m512i both = _mm512_setzero_si512();
	__m512i count_a = _mm512_setzero_si512();
	__m512i count_b = _mm512_setzero_si512();
	std::size_t i = 0;
	for (; i < bytes; i += 64) {
		__mmask64 mask = ByteMask(bytes - i);
		__m512i x = _mm512_maskz_loadu_epi8(mask, a + i);
		__m512i y = _mm512_maskz_loadu_epi8(mask, b + i);
		both = _mm512_add_epi64(both, _mm512_popcnt_epi64(_mm512_and_si512(x, y)));
		count_a = _mm512_add_epi64(count_a, _mm512_popcnt_epi64(x));
		count_b = _mm512_add_epi64(count_b, _mm512_popcnt_epi64(y));
	}
	return JaccardCounts{static_cast<std::uint64_t>(_mm512_reduce_add_epi64(both)),
	                     static_cast<std::uint64_t>(_mm512_reduce_add_epi64(count_a)),
	                     static_cast<std::uint64_t>(_mm512_reduce_add_epi64(count_b))};
}

} // namespace vector_core::avx512

#else // not x86: never selected; keep the symbols linkable.

namespace vector_core::avx512
{
// No VPOPCNTDQ outside x86.
bool VpopcntdqSupported()
{
	return false;
}
// Scalar stand-in on non-x86 builds.
std::uint64_t HammingDistance(const std::uint8_t *a, const std::uint8_t *b, std::size_t bytes)
{
	return scalar::HammingDistance(a, b, bytes);
}
// Scalar stand-in on non-x86 builds.
JaccardCounts JaccardCountBits(const std::uint8_t *a, const std::uint8_t *b, std::size_t bytes)
{
	return scalar::JaccardCountBits(a, b, bytes);
}
} // namespace vector_core::avx512

#endif
