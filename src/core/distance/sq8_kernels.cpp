// The two hot kernels of SQ8 rows (sq8_rows.h), per instruction-set level, dispatched by the
// level float_distance.cpp detected (ActiveSimdLevel): sum q_i c_i (a scan's query against a
// row's codes) and sum a_i b_i over two rows' codes (inserts and VACUUM). Compiled without
// -march: each function carries its own target attribute and is only called once the CPU has been
// found to support it. (The compilers' own vectorisation of these loops used 128-bit vectors and
// no multiply-add of 16-bit pairs: two to three times slower.)
#include "core/distance/float_distance.h"
#include "core/distance/sq8_rows.h"

#if defined(__x86_64__) || defined(__i386__)
#include "core/distance/x86_intrinsics.h"
#endif

namespace vector_core
{

namespace sq8_levels
{

// Four partial sums: at most n / 4 + 3 terms in a row (Sq8RoundingSlack's assumption).
float DotFloatScalar(const float *q, const std::uint8_t *c, std::size_t n) noexcept
{
	float s[4] = {0, 0, 0, 0};
	std::size_t i = 0;
	for (; i + 4 <= n; i += 4)
		for (int k = 0; k < 4; k++)
			s[k] += q[i + k] * static_cast<float>(c[i + k]);
	for (; i < n; i++)
		s[0] += q[i] * static_cast<float>(c[i]);
	return (s[0] + s[1]) + (s[2] + s[3]);
}

std::uint32_t DotCodesScalar(const std::uint8_t *a, const std::uint8_t *b, std::size_t n) noexcept
{
	std::uint32_t s = 0;
	for (std::size_t i = 0; i < n; i++)
		s += static_cast<std::uint32_t>(a[i]) * static_cast<std::uint32_t>(b[i]);
	return s;
}

#if defined(__x86_64__) || defined(__i386__)

namespace
{

__attribute__((target("avx2,fma"))) inline float SumLanes(__m256 v)
{
	__m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
	sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
	return _mm_cvtss_f32(sum);
}

__attribute__((target("avx2"))) inline std::uint32_t SumLanes(__m256i v)
{
	__m128i sum = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
	sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0x4E));
	sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0xB1));
	return static_cast<std::uint32_t>(_mm_cvtsi128_si32(sum));
}

} // namespace

// Sixteen codes per step, widened to floats, into two accumulators of 8 lanes.
__attribute__((target("avx2,fma"))) float DotFloatAvx2(const float *q, const std::uint8_t *c, std::size_t n) noexcept
{
	__m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		const __m128i codes = _mm_loadu_si128(reinterpret_cast<const __m128i *>(c + i));
		const __m256 lo = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(codes));
		const __m256 hi = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(codes, 8)));
		acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), lo, acc0);
		acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), hi, acc1);
	}
	if (i + 8 <= n) {
		const __m128i codes = _mm_loadl_epi64(reinterpret_cast<const __m128i *>(c + i));
		acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(codes)), acc0);
		i += 8;
	}
	float s = SumLanes(_mm256_add_ps(acc0, acc1));
	for (; i < n; i++)
		s += q[i] * static_cast<float>(c[i]);
	return s;
}

// Thirty-two codes per step, widened to 16 bits, multiplied and added in pairs (vpmaddwd).
__attribute__((target("avx2"))) std::uint32_t DotCodesAvx2(const std::uint8_t *a, const std::uint8_t *b,
                                                           std::size_t n) noexcept
{
	const __m256i zero = _mm256_setzero_si256();
	__m256i acc = _mm256_setzero_si256();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		const __m256i va = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(a + i));
		const __m256i vb = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(b + i));
		acc = _mm256_add_epi32(
		    acc, _mm256_madd_epi16(_mm256_unpacklo_epi8(va, zero), _mm256_unpacklo_epi8(vb, zero)));
		acc = _mm256_add_epi32(
		    acc, _mm256_madd_epi16(_mm256_unpackhi_epi8(va, zero), _mm256_unpackhi_epi8(vb, zero)));
	}
	std::uint32_t s = SumLanes(acc);
	for (; i < n; i++)
		s += static_cast<std::uint32_t>(a[i]) * static_cast<std::uint32_t>(b[i]);
	return s;
}

// Thirty-two codes per step into two accumulators of 16 lanes; the tail by masked loads.
__attribute__((target("avx512f,avx512bw,avx512vl"))) float DotFloatAvx512(const float *q, const std::uint8_t *c,
                                                                          std::size_t n) noexcept
{
	__m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		const __m512 lo =
		    _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(c + i))));
		const __m512 hi = _mm512_cvtepi32_ps(
		    _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(c + i + 16))));
		acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(q + i), lo, acc0);
		acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(q + i + 16), hi, acc1);
	}
	for (; i < n; i += 16) {
		const std::size_t left = n - i;
		const __mmask16 mask =
		    left >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << left) - 1);
		const __m512 codes = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(mask, c + i)));
		acc0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, q + i), codes, acc0);
	}
	return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

__attribute__((target("avx512f,avx512bw,avx512vl"))) std::uint32_t
DotCodesAvx512(const std::uint8_t *a, const std::uint8_t *b, std::size_t n) noexcept
{
	const __m512i zero = _mm512_setzero_si512();
	__m512i acc = _mm512_setzero_si512();
	std::size_t i = 0;
	for (; i < n; i += 64) {
		const std::size_t left = n - i;
		const __mmask64 mask =
		    left >= 64 ? ~static_cast<__mmask64>(0) : (static_cast<__mmask64>(1) << left) - 1;
		const __m512i va = _mm512_maskz_loadu_epi8(mask, a + i);
		const __m512i vb = _mm512_maskz_loadu_epi8(mask, b + i);
		acc = _mm512_add_epi32(
		    acc, _mm512_madd_epi16(_mm512_unpacklo_epi8(va, zero), _mm512_unpacklo_epi8(vb, zero)));
		acc = _mm512_add_epi32(
		    acc, _mm512_madd_epi16(_mm512_unpackhi_epi8(va, zero), _mm512_unpackhi_epi8(vb, zero)));
	}
	return static_cast<std::uint32_t>(_mm512_reduce_add_epi32(acc));
}

#endif

} // namespace sq8_levels

float Sq8DotFloat(const float *q, const std::uint8_t *c, std::size_t n) noexcept
{
#if defined(__x86_64__) || defined(__i386__)
	switch (ActiveSimdLevel()) {
	case SimdLevel::kAvx512:
		return sq8_levels::DotFloatAvx512(q, c, n);
	case SimdLevel::kAvx2:
		return sq8_levels::DotFloatAvx2(q, c, n);
	case SimdLevel::kScalar:
		break;
	}
#endif
	return sq8_levels::DotFloatScalar(q, c, n);
}

std::uint32_t Sq8DotCodes(const std::uint8_t *a, const std::uint8_t *b, std::size_t n) noexcept
{
#if defined(__x86_64__) || defined(__i386__)
	switch (ActiveSimdLevel()) {
	case SimdLevel::kAvx512:
		return sq8_levels::DotCodesAvx512(a, b, n);
	case SimdLevel::kAvx2:
		return sq8_levels::DotCodesAvx2(a, b, n);
	case SimdLevel::kScalar:
		break;
	}
#endif
	return sq8_levels::DotCodesScalar(a, b, n);
}

} // namespace vector_core
