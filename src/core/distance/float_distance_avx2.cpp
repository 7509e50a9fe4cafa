// AVX2 + FMA distance kernels; see float_distance.h. Compiled without -march: each function carries
// its own target attribute and is only called once the CPU has been found to support it.
//
// The loops keep four independent accumulators of 8 lanes (32 floats per iteration) so that
// FMA latency does not serialise them, then step 8 floats at a time, then finish with one
// masked load (lanes past n read as zero and never fault).
#include "core/distance/float_distance.h"

#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>

#define VECTOR_TARGET_AVX2 __attribute__((target("avx2,fma")))

namespace vector_core::avx2
{

namespace
{

// Sum of the 8 lanes of v.
VECTOR_TARGET_AVX2 inline float HorizontalSum(__m256 v)
{
	__m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
	sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
	return _mm_cvtss_f32(sum);
}

// Sum of the 4 lanes of v.
VECTOR_TARGET_AVX2 inline double HorizontalSum(__m256d v)
{
	__m128d sum = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
	sum = _mm_add_sd(sum, _mm_unpackhi_pd(sum, sum));
	return _mm_cvtsd_f64(sum);
}

// Load mask selecting the first remaining (0..7) lanes.
VECTOR_TARGET_AVX2 inline __m256i TailMask(std::size_t remaining)
{
	return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(remaining)),
	                          _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// |v| by clearing the sign bits.
VECTOR_TARGET_AVX2 inline __m256 Abs(__m256 v)
{
	return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v);
}

} // namespace

// Sum of (a[i] - b[i])^2.
VECTOR_TARGET_AVX2 float L2SquaredDistance(const float *a, const float *b, std::size_t n)
{
	__m256 sum0 = _mm256_setzero_ps();
	__m256 sum1 = _mm256_setzero_ps();
	__m256 sum2 = _mm256_setzero_ps();
	__m256 sum3 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		__m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		__m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
		__m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
		__m256 d3 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));
		sum0 = _mm256_fmadd_ps(d0, d0, sum0);
		sum1 = _mm256_fmadd_ps(d1, d1, sum1);
		sum2 = _mm256_fmadd_ps(d2, d2, sum2);
		sum3 = _mm256_fmadd_ps(d3, d3, sum3);
	}
	for (; i + 8 <= n; i += 8) {
		__m256 d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		sum0 = _mm256_fmadd_ps(d, d, sum0);
	}
	if (i < n) {
		__m256i mask = TailMask(n - i);
		__m256 d = _mm256_sub_ps(_mm256_maskload_ps(a + i, mask), _mm256_maskload_ps(b + i, mask));
		sum1 = _mm256_fmadd_ps(d, d, sum1);
	}
	return HorizontalSum(_mm256_add_ps(_mm256_add_ps(sum0, sum1), _mm256_add_ps(sum2, sum3)));
}

// Sum of a[i] * b[i].
VECTOR_TARGET_AVX2 float InnerProduct(const float *a, const float *b, std::size_t n)
{
	__m256 sum0 = _mm256_setzero_ps();
	__m256 sum1 = _mm256_setzero_ps();
	__m256 sum2 = _mm256_setzero_ps();
	__m256 sum3 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		sum0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), sum0);
		sum1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), sum1);
		sum2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), sum2);
		sum3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), sum3);
	}
	for (; i + 8 <= n; i += 8)
		sum0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), sum0);
	if (i < n) {
		__m256i mask = TailMask(n - i);
		sum1 = _mm256_fmadd_ps(_mm256_maskload_ps(a + i, mask), _mm256_maskload_ps(b + i, mask), sum1);
	}
	return HorizontalSum(_mm256_add_ps(_mm256_add_ps(sum0, sum1), _mm256_add_ps(sum2, sum3)));
}

// Sum of |a[i] - b[i]|.
VECTOR_TARGET_AVX2 float L1Distance(const float *a, const float *b, std::size_t n)
{
	__m256 sum0 = _mm256_setzero_ps();
	__m256 sum1 = _mm256_setzero_ps();
	__m256 sum2 = _mm256_setzero_ps();
	__m256 sum3 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		sum0 = _mm256_add_ps(sum0, Abs(_mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i))));
		sum1 = _mm256_add_ps(sum1, Abs(_mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8))));
		sum2 =
		    _mm256_add_ps(sum2, Abs(_mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16))));
		sum3 =
		    _mm256_add_ps(sum3, Abs(_mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24))));
	}
	for (; i + 8 <= n; i += 8)
		sum0 = _mm256_add_ps(sum0, Abs(_mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i))));
	if (i < n) {
		__m256i mask = TailMask(n - i);
		sum1 = _mm256_add_ps(
		    sum1, Abs(_mm256_sub_ps(_mm256_maskload_ps(a + i, mask), _mm256_maskload_ps(b + i, mask))));
	}
	return HorizontalSum(_mm256_add_ps(_mm256_add_ps(sum0, sum1), _mm256_add_ps(sum2, sum3)));
}

// dot(a, b), |a|^2 and |b|^2 in one pass; four accumulators per sum (12 chains) keep both
// FMA ports busy and still fit the 16 registers without spills.
VECTOR_TARGET_AVX2 CosineParts CosineDistanceParts(const float *a, const float *b, std::size_t n)
{
	__m256 dot0 = _mm256_setzero_ps();
	__m256 dot1 = _mm256_setzero_ps();
	__m256 dot2 = _mm256_setzero_ps();
	__m256 dot3 = _mm256_setzero_ps();
	__m256 norm_a0 = _mm256_setzero_ps();
	__m256 norm_a1 = _mm256_setzero_ps();
	__m256 norm_a2 = _mm256_setzero_ps();
	__m256 norm_a3 = _mm256_setzero_ps();
	__m256 norm_b0 = _mm256_setzero_ps();
	__m256 norm_b1 = _mm256_setzero_ps();
	__m256 norm_b2 = _mm256_setzero_ps();
	__m256 norm_b3 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		__m256 a0 = _mm256_loadu_ps(a + i);
		__m256 b0 = _mm256_loadu_ps(b + i);
		__m256 a1 = _mm256_loadu_ps(a + i + 8);
		__m256 b1 = _mm256_loadu_ps(b + i + 8);
		__m256 a2 = _mm256_loadu_ps(a + i + 16);
		__m256 b2 = _mm256_loadu_ps(b + i + 16);
		__m256 a3 = _mm256_loadu_ps(a + i + 24);
		__m256 b3 = _mm256_loadu_ps(b + i + 24);
		dot0 = _mm256_fmadd_ps(a0, b0, dot0);
		norm_a0 = _mm256_fmadd_ps(a0, a0, norm_a0);
		norm_b0 = _mm256_fmadd_ps(b0, b0, norm_b0);
		dot1 = _mm256_fmadd_ps(a1, b1, dot1);
		norm_a1 = _mm256_fmadd_ps(a1, a1, norm_a1);
		norm_b1 = _mm256_fmadd_ps(b1, b1, norm_b1);
		dot2 = _mm256_fmadd_ps(a2, b2, dot2);
		norm_a2 = _mm256_fmadd_ps(a2, a2, norm_a2);
		norm_b2 = _mm256_fmadd_ps(b2, b2, norm_b2);
		dot3 = _mm256_fmadd_ps(a3, b3, dot3);
		norm_a3 = _mm256_fmadd_ps(a3, a3, norm_a3);
		norm_b3 = _mm256_fmadd_ps(b3, b3, norm_b3);
	}
	for (; i + 8 <= n; i += 8) {
		__m256 a0 = _mm256_loadu_ps(a + i);
		__m256 b0 = _mm256_loadu_ps(b + i);
		dot0 = _mm256_fmadd_ps(a0, b0, dot0);
		norm_a0 = _mm256_fmadd_ps(a0, a0, norm_a0);
		norm_b0 = _mm256_fmadd_ps(b0, b0, norm_b0);
	}
	if (i < n) {
		__m256i mask = TailMask(n - i);
		__m256 a1 = _mm256_maskload_ps(a + i, mask);
		__m256 b1 = _mm256_maskload_ps(b + i, mask);
		dot1 = _mm256_fmadd_ps(a1, b1, dot1);
		norm_a1 = _mm256_fmadd_ps(a1, a1, norm_a1);
		norm_b1 = _mm256_fmadd_ps(b1, b1, norm_b1);
	}
	return CosineParts{
	    HorizontalSum(_mm256_add_ps(_mm256_add_ps(dot0, dot1), _mm256_add_ps(dot2, dot3))),
	    HorizontalSum(_mm256_add_ps(_mm256_add_ps(norm_a0, norm_a1), _mm256_add_ps(norm_a2, norm_a3))),
	    HorizontalSum(_mm256_add_ps(_mm256_add_ps(norm_b0, norm_b1), _mm256_add_ps(norm_b2, norm_b3)))};
}

// Sum of a[i]^2 in double: floats widened 4 at a time, four accumulators of 4 doubles.
VECTOR_TARGET_AVX2 double SquaredNormDouble(const float *a, std::size_t n)
{
	__m256d sum0 = _mm256_setzero_pd();
	__m256d sum1 = _mm256_setzero_pd();
	__m256d sum2 = _mm256_setzero_pd();
	__m256d sum3 = _mm256_setzero_pd();
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		__m256 lo = _mm256_loadu_ps(a + i);
		__m256 hi = _mm256_loadu_ps(a + i + 8);
		__m256d d0 = _mm256_cvtps_pd(_mm256_castps256_ps128(lo));
		__m256d d1 = _mm256_cvtps_pd(_mm256_extractf128_ps(lo, 1));
		__m256d d2 = _mm256_cvtps_pd(_mm256_castps256_ps128(hi));
		__m256d d3 = _mm256_cvtps_pd(_mm256_extractf128_ps(hi, 1));
		sum0 = _mm256_fmadd_pd(d0, d0, sum0);
		sum1 = _mm256_fmadd_pd(d1, d1, sum1);
		sum2 = _mm256_fmadd_pd(d2, d2, sum2);
		sum3 = _mm256_fmadd_pd(d3, d3, sum3);
	}
	for (; i + 4 <= n; i += 4) {
		__m256d d = _mm256_cvtps_pd(_mm_loadu_ps(a + i));
		sum0 = _mm256_fmadd_pd(d, d, sum0);
	}
	if (i < n) {
		__m128i mask = _mm256_castsi256_si128(TailMask(n - i));
		__m256d d = _mm256_cvtps_pd(_mm_maskload_ps(a + i, mask));
		sum1 = _mm256_fmadd_pd(d, d, sum1);
	}
	return HorizontalSum(_mm256_add_pd(_mm256_add_pd(sum0, sum1), _mm256_add_pd(sum2, sum3)));
}

} // namespace vector_core::avx2

#else // not x86: the AVX2 entry points are never selected; keep them linkable.

namespace vector_core::avx2
{

// Scalar stand-in on non-x86 builds.
float L2SquaredDistance(const float *a, const float *b, std::size_t n)
{
	return scalar::L2SquaredDistance(a, b, n);
}

// Scalar stand-in on non-x86 builds.
float InnerProduct(const float *a, const float *b, std::size_t n)
{
	return scalar::InnerProduct(a, b, n);
}

// Scalar stand-in on non-x86 builds.
float L1Distance(const float *a, const float *b, std::size_t n)
{
	return scalar::L1Distance(a, b, n);
}

// Scalar stand-in on non-x86 builds.
CosineParts CosineDistanceParts(const float *a, const float *b, std::size_t n)
{
	return scalar::CosineDistanceParts(a, b, n);
}

// Scalar stand-in on non-x86 builds.
double SquaredNormDouble(const float *a, std::size_t n)
{
	return scalar::SquaredNormDouble(a, n);
}

} // namespace vector_core::avx2

#endif
