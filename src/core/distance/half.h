// IEEE 754 binary16 ("half") conversions and the distance kernels of `halfvec`, without
// PostgreSQL.
//
// A halfvec stores its elements as raw binary16 bits (Half). Every kernel converts to float
// and accumulates in float like the float kernels of float_distance.h, so a halfvec distance equals
// the distance of the same values stored as a vector, up to summation order.
//
// Like float_distance.h, each kernel exists once per SIMD level in its own namespace: scalar
// (bit manipulation), avx2 (F16C vcvtph2ps/vcvtps2ph with AVX2+FMA) and avx512 (AVX-512F
// conversions). The unqualified functions follow the level float_distance.h's dispatch has chosen
// (ActiveSimdLevel, which SetSimdLevel changes for tests); the AVX2 level requires F16C.
// Arguments: n elements each, any alignment, n may be 0.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/distance/float_distance.h"

namespace vector_core
{

// IEEE 754 binary16 bits: 1 sign, 5 exponent, 10 mantissa bits.
using Half = std::uint16_t;

// Largest finite half value.
constexpr float kHalfMax = 65504.0f;

// The float of h; exact (every half is a float). NaN stays NaN (quietened), inf stays inf.
float HalfToFloat(Half h);
// f rounded to the nearest half, ties to even; beyond the half range gives +-inf (callers that
// must refuse overflow check HalfIsInf on the result). NaN gives a quiet NaN.
Half FloatToHalf(float f);
// True for +-inf.
constexpr bool HalfIsInf(Half h)
{
	return (h & 0x7fff) == 0x7c00;
}
// True for a NaN.
constexpr bool HalfIsNaN(Half h)
{
	return (h & 0x7fff) > 0x7c00;
}

// out[i] = HalfToFloat(in[i]).
void HalfToFloatArray(const Half *in, float *out, std::size_t n);
// out[i] = FloatToHalf(in[i]).
void FloatToHalfArray(const float *in, Half *out, std::size_t n);
// Sum of (a[i] - b[i])^2 in float.
float HalfL2SquaredDistance(const Half *a, const Half *b, std::size_t n);
// Sum of a[i] * b[i] in float.
float HalfInnerProduct(const Half *a, const Half *b, std::size_t n);
// Sum of |a[i] - b[i]| in float.
float HalfL1Distance(const Half *a, const Half *b, std::size_t n);
// dot(a, b), |a|^2 and |b|^2 in one pass, in float.
CosineParts HalfCosineDistanceParts(const Half *a, const Half *b, std::size_t n);

// Per-level entry points (tests, benchmarks). Calling avx2:: or avx512:: on a CPU without
// that level raises SIGILL.
namespace scalar
{
float HalfToFloat(Half h);
Half FloatToHalf(float f);
void HalfToFloatArray(const Half *in, float *out, std::size_t n);
void FloatToHalfArray(const float *in, Half *out, std::size_t n);
float HalfL2SquaredDistance(const Half *a, const Half *b, std::size_t n);
float HalfInnerProduct(const Half *a, const Half *b, std::size_t n);
float HalfL1Distance(const Half *a, const Half *b, std::size_t n);
CosineParts HalfCosineDistanceParts(const Half *a, const Half *b, std::size_t n);
} // namespace scalar

// F16C + AVX2 + FMA: 8 halves per conversion, two accumulators, zero-padded tail.
namespace avx2
{
void HalfToFloatArray(const Half *in, float *out, std::size_t n);
void FloatToHalfArray(const float *in, Half *out, std::size_t n);
float HalfL2SquaredDistance(const Half *a, const Half *b, std::size_t n);
float HalfInnerProduct(const Half *a, const Half *b, std::size_t n);
float HalfL1Distance(const Half *a, const Half *b, std::size_t n);
CosineParts HalfCosineDistanceParts(const Half *a, const Half *b, std::size_t n);
} // namespace avx2

// AVX-512 (F, BW, VL): 16 halves per conversion, two accumulators, masked tail.
namespace avx512
{
void HalfToFloatArray(const Half *in, float *out, std::size_t n);
void FloatToHalfArray(const float *in, Half *out, std::size_t n);
float HalfL2SquaredDistance(const Half *a, const Half *b, std::size_t n);
float HalfInnerProduct(const Half *a, const Half *b, std::size_t n);
float HalfL1Distance(const Half *a, const Half *b, std::size_t n);
CosineParts HalfCosineDistanceParts(const Half *a, const Half *b, std::size_t n);
} // namespace avx512

} // namespace vector_core
