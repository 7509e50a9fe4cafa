// AVX-512 halfvec kernels; see half.h. Compiled without -march: each function carries its own
// target attribute and is only called once the CPU has been found to support it.
//
// vcvtph2ps (AVX-512F) turns 16 halves into 16 floats exactly; the tail is one zero-masked
// 16-bit load (AVX-512BW+VL), so lanes past n read as zero and never fault.
#include "core/distance/half.h"

#if defined(__x86_64__) || defined(__i386__)

#include "core/distance/x86_intrinsics.h"

#define VECTOR_TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,f16c")))

namespace vector_core::avx512
{

namespace
{

// Mask selecting the first remaining (0..15) lanes.
inline __mmask16 TailMask(std::size_t remaining)
{
	return static_cast<__mmask16>((1u << remaining) - 1u);
}

// The 16 floats of in[0..15].
VECTOR_TARGET_AVX512 inline __m512 Load16(const Half *in)
{
	return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(in)));
}

// The floats of in[0..remaining-1], zeros in the other lanes.
VECTOR_TARGET_AVX512 inline __m512 LoadTail(const Half *in, std::size_t remaining)
{
	return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(TailMask(remaining), in));
}

// |v| by clearing the sign bits.
VECTOR_TARGET_AVX512 inline __m512 Abs(__m512 v)
{
	return _mm512_andnot_ps(_mm512_set1_ps(-0.0f), v);
}

} // namespace

// Converts 16 halves per instruction, the tail with masked load and store.
VECTOR_TARGET_AVX512 void HalfToFloatArray(const Half *in, float *out, std::size_t n)
{
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16)
		_mm512_storeu_ps(out + i, Load16(in + i));
	if (i < n)
		_mm512_mask_storeu_ps(out + i, TailMask(n - i), LoadTail(in + i, n - i));
}

// Converts 16 floats per instruction (round to nearest even), the tail with masked load and store.
VECTOR_TARGET_AVX512 void FloatToHalfArray(const float *in, Half *out, std::size_t n)
{
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		__m256i h = _mm512_cvtps_ph(_mm512_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT);
		_mm256_storeu_si256(reinterpret_cast<__m256i *>(out + i), h);
	}
	if (i < n) {
		__mmask16 mask = TailMask(n - i);
		__m256i h = _mm512_cvtps_ph(_mm512_maskz_loadu_ps(mask, in + i), _MM_FROUND_TO_NEAREST_INT);
		_mm256_mask_storeu_epi16(out + i, mask, h);
	}
}

// Sum of (a[i] - b[i])^2.
VECTOR_TARGET_AVX512 float HalfL2SquaredDistance(const Half *a, const Half *b, std::size_t n)
{
	__m512 sum0 = _mm512_setzero_ps();
	__m512 sum1 = _mm512_setzero_ps();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		__m512 d0 = _mm512_sub_ps(Load16(a + i), Load16(b + i));
		__m512 d1 = _mm512_sub_ps(Load16(a + i + 16), Load16(b + i + 16));
		sum0 = _mm512_fmadd_ps(d0, d0, sum0);
		sum1 = _mm512_fmadd_ps(d1, d1, sum1);
	}
	for (; i + 16 <= n; i += 16) {
		__m512 d = _mm512_sub_ps(Load16(a + i), Load16(b + i));
		sum0 = _mm512_fmadd_ps(d, d, sum0);
	}
	if (i < n) {
		__m512 d = _mm512_sub_ps(LoadTail(a + i, n - i), LoadTail(b + i, n - i));
		sum1 = _mm512_fmadd_ps(d, d, sum1);
	}
	return _mm512_reduce_add_ps(_mm512_add_ps(sum0, sum1));
}

// Sum of a[i] * b[i].
VECTOR_TARGET_AVX512 float HalfInnerProduct(const Half *a, const Half *b, std::size_t n)
{
	__m512 sum0 = _mm512_setzero_ps();
	__m512 sum1 = _mm512_setzero_ps();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		sum0 = _mm512_fmadd_ps(Load16(a + i), Load16(b + i), sum0);
		sum1 = _mm512_fmadd_ps(Load16(a + i + 16), Load16(b + i + 16), sum1);
	}
	for (; i + 16 <= n; i += 16)
		sum0 = _mm512_fmadd_ps(Load16(a + i), Load16(b + i), sum0);
	if (i < n)
		sum1 = _mm512_fmadd_ps(LoadTail(a + i, n - i), LoadTail(b + i, n - i), sum1);
	return _mm512_reduce_add_ps(_mm512_add_ps(sum0, sum1));
}

// Sum of |a[i] - b[i]|.
VECTOR_TARGET_AVX512 float HalfL1Distance(const Half *a, const Half *b, std::size_t n)
{
	__m512 sum0 = _mm512_setzero_ps();
	__m512 sum1 = _mm512_setzero_ps();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		sum0 = _mm512_add_ps(sum0, Abs(_mm512_sub_ps(Load16(a + i), Load16(b + i))));
		sum1 = _mm512_add_ps(sum1, Abs(_mm512_sub_ps(Load16(a + i + 16), Load16(b + i + 16))));
	}
	for (; i + 16 <= n; i += 16)
		sum0 = _mm512_add_ps(sum0, Abs(_mm512_sub_ps(Load16(a + i), Load16(b + i))));
	if (i < n)
		sum1 = _mm512_add_ps(sum1, Abs(_mm512_sub_ps(LoadTail(a + i, n - i), LoadTail(b + i, n - i))));
	return _mm512_reduce_add_ps(_mm512_add_ps(sum0, sum1));
}

// dot(a, b), |a|^2 and |b|^2 in one pass; each element is converted once.
VECTOR_TARGET_AVX512 CosineParts HalfCosineDistanceParts(const Half *a, const Half *b, std::size_t n)
{
	__m512 dot = _mm512_setzero_ps();
	__m512 norm_a = _mm512_setzero_ps();
	__m512 norm_b = _mm512_setzero_ps();
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		__m512 x = Load16(a + i);
		__m512 y = Load16(b + i);
		dot = _mm512_fmadd_ps(x, y, dot);
		norm_a = _mm512_fmadd_ps(x, x, norm_a);
		norm_b = _mm512_fmadd_ps(y, y, norm_b);
	}
	if (i < n) {
		__m512 x = LoadTail(a + i, n - i);
		__m512 y = LoadTail(b + i, n - i);
		dot = _mm512_fmadd_ps(x, y, dot);
		norm_a = _mm512_fmadd_ps(x, x, norm_a);
		norm_b = _mm512_fmadd_ps(y, y, norm_b);
	}
	return CosineParts{_mm512_reduce_add_ps(dot), _mm512_reduce_add_ps(norm_a), _mm512_reduce_add_ps(norm_b)};
}

} // namespace vector_core::avx512

#else // not x86: the AVX-512 entry points are never selected; keep them linkable.

namespace vector_core::avx512
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
} // namespace vector_core::avx512

#endif
