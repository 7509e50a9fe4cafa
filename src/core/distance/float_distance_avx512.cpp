// AVX-512 distance kernels; see float_distance.h. Compiled without -march: each function carries its
// own target attribute and is only called once the CPU has been found to support it.
//
// The loops keep four independent accumulators of 16 lanes (64 floats per iteration), then
// step 16 floats at a time, then finish with one zero-masked load (_mm512_maskz_loadu_ps:
// lanes past n read as zero and never fault).
#include "core/distance/float_distance.h"

#if defined(__x86_64__) || defined(__i386__)

#include "core/distance/x86_intrinsics.h"

#define VECTOR_TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl")))

namespace vector_core::avx512
{

namespace
{

// Load mask selecting the first remaining (0..15) lanes.
inline __mmask16 TailMask(std::size_t remaining)
{
	return static_cast<__mmask16>((1u << remaining) - 1u);
}

// |v| by clearing the sign bits.
VECTOR_TARGET_AVX512 inline __m512 Abs(__m512 v)
{
	return _mm512_andnot_ps(_mm512_set1_ps(-0.0f), v);
}

} // namespace

// Sum of (a[i] - b[i])^2.
VECTOR_TARGET_AVX512 float L2SquaredDistance(const float *a, const float *b, std::size_t n)
{
	__m512 sum0 = _mm512_setzero_ps();
	__m512 sum1 = _mm512_setzero_ps();
	__m512 sum2 = _mm512_setzero_ps();
	__m512 sum3 = _mm512_setzero_ps();
	std::size_t i = 0;
	for (; i + 64 <= n; i += 64) {
		__m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
		__m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
		__m512 d2 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32));
		__m512 d3 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48));
		sum0 = _mm512_fmadd_ps(d0, d0, sum0);
		sum1 = _mm512_fmadd_ps(d1, d1, sum1);
		sum2 = _mm512_fmadd_ps(d2, d2, sum2);
		sum3 = _mm512_fmadd_ps(d3, d3, sum3);
	}
	for (; i + 16 <= n; i += 16) {
		__m512 d = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
		sum0 = _mm512_fmadd_ps(d, d, sum0);
	}
	if (i < n) {
		__mmask16 mask = TailMask(n - i);
		__m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i));
		sum1 = _mm512_fmadd_ps(d, d, sum1);
	}
	return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(sum0, sum1), _mm512_add_ps(sum2, sum3)));
}

// Sum of a[i] * b[i].
VECTOR_TARGET_AVX512 float InnerProduct(const float *a, const float *b, std::size_t n)
{
	__m512 sum0 = _mm512_setzero_ps();
	__m512 sum1 = _mm512_setzero_ps();
	__m512 sum2 = _mm512_setzero_ps();
	__m512 sum3 = _mm512_setzero_ps();
	std::size_t i = 0;
	for (; i + 64 <= n; i += 64) {
		sum0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), sum0);
		sum1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), sum1);
		sum2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), sum2);
		sum3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), sum3);
	}
	for (; i + 16 <= n; i += 16)
		sum0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), sum0);
	if (i < n) {
		__mmask16 mask = TailMask(n - i);
		sum1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i), sum1);
	}
	return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(sum0, sum1), _mm512_add_ps(sum2, sum3)));
}

// Sum of |a[i] - b[i]|.
VECTOR_TARGET_AVX512 float L1Distance(const float *a, const float *b, std::size_t n)
{
	__m512 sum0 = _mm512_setzero_ps();
	__m512 sum1 = _mm512_setzero_ps();
	__m512 sum2 = _mm512_setzero_ps();
	__m512 sum3 = _mm512_setzero_ps();
	std::size_t i = 0;
	for (; i + 64 <= n; i += 64) {
		sum0 = _mm512_add_ps(sum0, Abs(_mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i))));
		sum1 =
		    _mm512_add_ps(sum1, Abs(_mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16))));
		sum2 =
		    _mm512_add_ps(sum2, Abs(_mm512_sub_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32))));
		sum3 =
		    _mm512_add_ps(sum3, Abs(_mm512_sub_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48))));
	}
	for (; i + 16 <= n; i += 16)
		sum0 = _mm512_add_ps(sum0, Abs(_mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i))));
	if (i < n) {
		__mmask16 mask = TailMask(n - i);
		sum1 = _mm512_add_ps(
		    sum1, Abs(_mm512_sub_ps(_mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i))));
	}
	return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(sum0, sum1), _mm512_add_ps(sum2, sum3)));
}

// dot(a, b), |a|^2 and |b|^2 in one pass; four accumulators per sum (12 chains of 16 lanes).
VECTOR_TARGET_AVX512 CosineParts CosineDistanceParts(const float *a, const float *b, std::size_t n)
{
	__m512 dot0 = _mm512_setzero_ps();
	__m512 dot1 = _mm512_setzero_ps();
	__m512 dot2 = _mm512_setzero_ps();
	__m512 dot3 = _mm512_setzero_ps();
	__m512 norm_a0 = _mm512_setzero_ps();
	__m512 norm_a1 = _mm512_setzero_ps();
	__m512 norm_a2 = _mm512_setzero_ps();
	__m512 norm_a3 = _mm512_setzero_ps();
	__m512 norm_b0 = _mm512_setzero_ps();
	__m512 norm_b1 = _mm512_setzero_ps();
	__m512 norm_b2 = _mm512_setzero_ps();
	__m512 norm_b3 = _mm512_setzero_ps();
	std::size_t i = 0;
	for (; i + 64 <= n; i += 64) {
		__m512 a0 = _mm512_loadu_ps(a + i);
		__m512 b0 = _mm512_loadu_ps(b + i);
		__m512 a1 = _mm512_loadu_ps(a + i + 16);
		__m512 b1 = _mm512_loadu_ps(b + i + 16);
		__m512 a2 = _mm512_loadu_ps(a + i + 32);
		__m512 b2 = _mm512_loadu_ps(b + i + 32);
		__m512 a3 = _mm512_loadu_ps(a + i + 48);
		__m512 b3 = _mm512_loadu_ps(b + i + 48);
		dot0 = _mm512_fmadd_ps(a0, b0, dot0);
		norm_a0 = _mm512_fmadd_ps(a0, a0, norm_a0);
		norm_b0 = _mm512_fmadd_ps(b0, b0, norm_b0);
		dot1 = _mm512_fmadd_ps(a1, b1, dot1);
		norm_a1 = _mm512_fmadd_ps(a1, a1, norm_a1);
		norm_b1 = _mm512_fmadd_ps(b1, b1, norm_b1);
		dot2 = _mm512_fmadd_ps(a2, b2, dot2);
		norm_a2 = _mm512_fmadd_ps(a2, a2, norm_a2);
		norm_b2 = _mm512_fmadd_ps(b2, b2, norm_b2);
		dot3 = _mm512_fmadd_ps(a3, b3, dot3);
		norm_a3 = _mm512_fmadd_ps(a3, a3, norm_a3);
		norm_b3 = _mm512_fmadd_ps(b3, b3, norm_b3);
	}
	for (; i + 16 <= n; i += 16) {
		__m512 a0 = _mm512_loadu_ps(a + i);
		__m512 b0 = _mm512_loadu_ps(b + i);
		dot0 = _mm512_fmadd_ps(a0, b0, dot0);
		norm_a0 = _mm512_fmadd_ps(a0, a0, norm_a0);
		norm_b0 = _mm512_fmadd_ps(b0, b0, norm_b0);
	}
	if (i < n) {
		__mmask16 mask = TailMask(n - i);
		__m512 a1 = _mm512_maskz_loadu_ps(mask, a + i);
		__m512 b1 = _mm512_maskz_loadu_ps(mask, b + i);
		dot1 = _mm512_fmadd_ps(a1, b1, dot1);
		norm_a1 = _mm512_fmadd_ps(a1, a1, norm_a1);
		norm_b1 = _mm512_fmadd_ps(b1, b1, norm_b1);
	}
	return CosineParts{
	    _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(dot0, dot1), _mm512_add_ps(dot2, dot3))),
	    _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(norm_a0, norm_a1), _mm512_add_ps(norm_a2, norm_a3))),
	    _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(norm_b0, norm_b1), _mm512_add_ps(norm_b2, norm_b3)))};
}

// Sum of a[i]^2 in double: floats widened 8 at a time, four accumulators of 8 doubles.
VECTOR_TARGET_AVX512 double SquaredNormDouble(const float *a, std::size_t n)
{
	__m512d sum0 = _mm512_setzero_pd();
	__m512d sum1 = _mm512_setzero_pd();
	__m512d sum2 = _mm512_setzero_pd();
	__m512d sum3 = _mm512_setzero_pd();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		__m512d d0 = _mm512_cvtps_pd(_mm256_loadu_ps(a + i));
		__m512d d1 = _mm512_cvtps_pd(_mm256_loadu_ps(a + i + 8));
		__m512d d2 = _mm512_cvtps_pd(_mm256_loadu_ps(a + i + 16));
		__m512d d3 = _mm512_cvtps_pd(_mm256_loadu_ps(a + i + 24));
		sum0 = _mm512_fmadd_pd(d0, d0, sum0);
		sum1 = _mm512_fmadd_pd(d1, d1, sum1);
		sum2 = _mm512_fmadd_pd(d2, d2, sum2);
		sum3 = _mm512_fmadd_pd(d3, d3, sum3);
	}
	for (; i + 8 <= n; i += 8) {
		__m512d d = _mm512_cvtps_pd(_mm256_loadu_ps(a + i));
		sum0 = _mm512_fmadd_pd(d, d, sum0);
	}
	if (i < n) {
		__mmask8 mask = static_cast<__mmask8>((1u << (n - i)) - 1u);
		__m512d d = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(mask, a + i));
		sum1 = _mm512_fmadd_pd(d, d, sum1);
	}
	return _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(sum0, sum1), _mm512_add_pd(sum2, sum3)));
}

} // namespace vector_core::avx512

#else // not x86: the AVX-512 entry points are never selected; keep them linkable.

namespace vector_core::avx512
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

} // namespace vector_core::avx512

#endif
