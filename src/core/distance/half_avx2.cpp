// F16C + AVX2 + FMA halfvec kernels; see half.h. Compiled without -march: each function carries
// its own target attribute and is only called once the CPU has been found to support it
// (the AVX2 level of float_distance.h requires F16C).
//
// vcvtph2ps turns 8 halves into 8 floats exactly; the loops then work like the float kernels
// with two accumulators. The last n % 8 elements are copied into a zeroed block of 8 halves,
// so that no load reads past the arrays.
#include "core/distance/half.h"

#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>

#include <cstring>

#define VECTOR_TARGET_F16C __attribute__((target("avx2,fma,f16c")))

namespace vector_core::avx2
{

namespace
{

// Sum of the 8 lanes of v.
VECTOR_TARGET_F16C inline float HorizontalSum(__m256 v)
{
	__m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
	sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
	return _mm_cvtss_f32(sum);
}

// The 8 floats of in[0..7].
VECTOR_TARGET_F16C inline __m256 Load8(const Half *in)
{
	return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(in)));
}

// The floats of in[0..remaining-1], zeros in the other lanes (remaining < 8).
VECTOR_TARGET_F16C inline __m256 LoadTail(const Half *in, std::size_t remaining)
{
	Half block[8] = {0, 0, 0, 0, 0, 0, 0, 0};
	std::memcpy(block, in, remaining * sizeof(Half));
	return Load8(block);
}

// |v| by clearing the sign bits.
VECTOR_TARGET_F16C inline __m256 Abs(__m256 v)
{
	return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v);
}

} // namespace

// Converts 8 halves per instruction, the tail through a zeroed block.
VECTOR_TARGET_F16C void HalfToFloatArray(const Half *in, float *out, std::size_t n)
{
	std::size_t i = 0;
	for (; i + 8 <= n; i += 8)
		_mm256_storeu_ps(out + i, Load8(in + i));
	if (i < n) {
		float block[8];
		_mm256_storeu_ps(block, LoadTail(in + i, n - i));
		std::memcpy(out + i, block, (n - i) * sizeof(float));
	}
}

// Converts 8 floats per instruction (round to nearest even), the tail through a zeroed block.
VECTOR_TARGET_F16C void FloatToHalfArray(const float *in, Half *out, std::size_t n)
{
	std::size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		__m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT);
		_mm_storeu_si128(reinterpret_cast<__m128i *>(out + i), h);
	}
	if (i < n) {
		float block[8] = {0, 0, 0, 0, 0, 0, 0, 0};
		Half halves[8];
		std::memcpy(block, in + i, (n - i) * sizeof(float));
		_mm_storeu_si128(reinterpret_cast<__m128i *>(halves),
		                 _mm256_cvtps_ph(_mm256_loadu_ps(block), _MM_FROUND_TO_NEAREST_INT));
		std::memcpy(out + i, halves, (n - i) * sizeof(Half));
	}
}

// Sum of (a[i] - b[i])^2.
VECTOR_TARGET_F16C float HalfL2SquaredDistance(const Half *a, const Half *b, std::size_t n)
{
	__m256 sum0 = _mm256_setzero_ps();
	__m256 sum1 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		__m256 d0 = _mm256_sub_ps(Load8(a + i), Load8(b + i));
		__m256 d1 = _mm256_sub_ps(Load8(a + i + 8), Load8(b + i + 8));
		sum0 = _mm256_fmadd_ps(d0, d0, sum0);
		sum1 = _mm256_fmadd_ps(d1, d1, sum1);
	}
	for (; i + 8 <= n; i += 8) {
		__m256 d = _mm256_sub_ps(Load8(a + i), Load8(b + i));
		sum0 = _mm256_fmadd_ps(d, d, sum0);
	}
	if (i < n) {
		__m256 d = _mm256_sub_ps(LoadTail(a + i, n - i), LoadTail(b + i, n - i));
		sum1 = _mm256_fmadd_ps(d, d, sum1);
	}
	return HorizontalSum(_mm256_add_ps(sum0, sum1));
}

// Sum of a[i] * b[i].
VECTOR_TARGET_F16C float HalfInnerProduct(const Half *a, const Half *b, std::size_t n)
{
	__m256 sum0 = _mm256_setzero_ps();
	__m256 sum1 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		sum0 = _mm256_fmadd_ps(Load8(a + i), Load8(b + i), sum0);
		sum1 = _mm256_fmadd_ps(Load8(a + i + 8), Load8(b + i + 8), sum1);
	}
	for (; i + 8 <= n; i += 8)
		sum0 = _mm256_fmadd_ps(Load8(a + i), Load8(b + i), sum0);
	if (i < n)
		sum1 = _mm256_fmadd_ps(LoadTail(a + i, n - i), LoadTail(b + i, n - i), sum1);
	return HorizontalSum(_mm256_add_ps(sum0, sum1));
}

// Sum of |a[i] - b[i]|.
VECTOR_TARGET_F16C float HalfL1Distance(const Half *a, const Half *b, std::size_t n)
{
	__m256 sum0 = _mm256_setzero_ps();
	__m256 sum1 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		sum0 = _mm256_add_ps(sum0, Abs(_mm256_sub_ps(Load8(a + i), Load8(b + i))));
		sum1 = _mm256_add_ps(sum1, Abs(_mm256_sub_ps(Load8(a + i + 8), Load8(b + i + 8))));
	}
	for (; i + 8 <= n; i += 8)
		sum0 = _mm256_add_ps(sum0, Abs(_mm256_sub_ps(Load8(a + i), Load8(b + i))));
	if (i < n)
		sum1 = _mm256_add_ps(sum1, Abs(_mm256_sub_ps(LoadTail(a + i, n - i), LoadTail(b + i, n - i))));
	return HorizontalSum(_mm256_add_ps(sum0, sum1));
}

// dot(a, b), |a|^2 and |b|^2 in one pass; each element is converted once.
VECTOR_TARGET_F16C CosineParts HalfCosineDistanceParts(const Half *a, const Half *b, std::size_t n)
{
	__m256 dot = _mm256_setzero_ps();
	__m256 norm_a = _mm256_setzero_ps();
	__m256 norm_b = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		__m256 x = Load8(a + i);
		__m256 y = Load8(b + i);
		dot = _mm256_fmadd_ps(x, y, dot);
		norm_a = _mm256_fmadd_ps(x, x, norm_a);
		norm_b = _mm256_fmadd_ps(y, y, norm_b);
	}
	if (i < n) {
		__m256 x = LoadTail(a + i, n - i);
		__m256 y = LoadTail(b + i, n - i);
		dot = _mm256_fmadd_ps(x, y, dot);
		norm_a = _mm256_fmadd_ps(x, x, norm_a);
		norm_b = _mm256_fmadd_ps(y, y, norm_b);
	}
	return CosineParts{HorizontalSum(dot), HorizontalSum(norm_a), HorizontalSum(norm_b)};
}

} // namespace vector_core::avx2

#else

// Other architectures: the AVX2 level is never detected; the scalar kernels stand in so the
// symbols exist.
namespace vector_core::avx2
{
// Scalar stand-in on non-x86 builds.
void HalfToFloatArray(const Half *in, float *out, std::size_t n)
{
	scalar::HalfToFloatArray(in, out, n);
}
// Scalar stand-in on non-x86 builds.
void FloatToHalfArray(const float *in, Half *out, std::size_t n)
{
	scalar::FloatToHalfArray(in, out, n);
}
// Scalar stand-in on non-x86 builds.
float HalfL2SquaredDistance(const Half *a, const Half *b, std::size_t n)
{
	return scalar::HalfL2SquaredDistance(a, b, n);
}
// Scalar stand-in on non-x86 builds.
float HalfInnerProduct(const Half *a, const Half *b, std::size_t n)
{
	return scalar::HalfInnerProduct(a, b, n);
}
// Scalar stand-in on non-x86 builds.
float HalfL1Distance(const Half *a, const Half *b, std::size_t n)
{
	return scalar::HalfL1Distance(a, b, n);
}
// Scalar stand-in on non-x86 builds.
CosineParts HalfCosineDistanceParts(const Half *a, const Half *b, std::size_t n)
{
	return scalar::HalfCosineDistanceParts(a, b, n);
}
} // namespace vector_core::avx2

#endif
