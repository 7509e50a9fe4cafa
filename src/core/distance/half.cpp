// Scalar binary16 conversions and halfvec kernels, and their dispatch; see half.h.
//
// The scalar conversions work on the bit patterns, so they are exact, need no F16C and give
// the same bits as the hardware instructions (round to nearest even, quiet NaNs). The scalar
// kernels convert each element and accumulate in float in index order, like pgvector's loops
// on a CPU without F16C.
#include "core/distance/half.h"

#include <bit>
#include <cmath>
#include <cstdint>

namespace vector_core
{

namespace scalar
{

// Decodes sign, exponent and mantissa; subnormals are scaled by 2^-24 (exact in float).
float HalfToFloat(Half h)
{
	std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000) << 16;
	std::uint32_t exponent = (h >> 10) & 0x1f;
	std::uint32_t mantissa = h & 0x3ff;
	if (exponent == 0) {
		float magnitude = static_cast<float>(mantissa) * (1.0f / 16777216.0f);
		return std::bit_cast<float>(std::bit_cast<std::uint32_t>(magnitude) | sign);
	}
	if (exponent == 31) {
		// Infinity keeps a zero mantissa; a NaN is quietened like vcvtph2ps does.
		std::uint32_t nan_bits = mantissa != 0 ? (0x00400000u | (mantissa << 13)) : 0;
		return std::bit_cast<float>(sign | 0x7f800000u | nan_bits);
	}
	return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

// Rounds the float's bits to 11 significant bits, ties to even, handling the subnormal range
// by an explicit shift so that no double rounding happens.
Half FloatToHalf(float f)
{
	std::uint32_t bits = std::bit_cast<std::uint32_t>(f);
	Half sign = static_cast<Half>((bits >> 16) & 0x8000);
	std::uint32_t magnitude = bits & 0x7fffffffu;

	if (magnitude >= 0x7f800000u) {
		if (magnitude == 0x7f800000u)
			return sign | 0x7c00;
		return static_cast<Half>(sign | 0x7e00 | ((magnitude >> 13) & 0x3ff));
	}
	// 65520 is the midpoint between 65504 (odd mantissa) and 2^16: it and above round to inf.
	if (magnitude >= 0x477ff000u)
		return sign | 0x7c00;
	std::uint32_t exponent = magnitude >> 23;
	if (exponent < 113) {
		// Below 2^-14: a half subnormal, in units of 2^-24.
		if (exponent < 102)
			return sign; // below 2^-25 (half of the smallest subnormal): rounds to zero
		std::uint32_t significand = (magnitude & 0x7fffffu) | 0x800000u;
		std::uint32_t shift = 126 - exponent;
		std::uint32_t result = significand >> shift;
		std::uint32_t remainder = significand & ((1u << shift) - 1);
		std::uint32_t halfway = 1u << (shift - 1);
		if (remainder > halfway || (remainder == halfway && (result & 1)))
			result++;
		return static_cast<Half>(sign | result);
	}
	std::uint32_t result = ((exponent - 112) << 10) | ((magnitude >> 13) & 0x3ff);
	std::uint32_t remainder = magnitude & 0x1fff;
	// A carry out of the mantissa correctly bumps the exponent.
	if (remainder > 0x1000 || (remainder == 0x1000 && (result & 1)))
		result++;
	return static_cast<Half>(sign | result);
}

// Element-wise HalfToFloat.
void HalfToFloatArray(const Half *in, float *out, std::size_t n)
{
	for (std::size_t i = 0; i < n; i++)
		out[i] = HalfToFloat(in[i]);
}

// Element-wise FloatToHalf.
void FloatToHalfArray(const float *in, Half *out, std::size_t n)
{
	for (std::size_t i = 0; i < n; i++)
		out[i] = FloatToHalf(in[i]);
}

// Sum of (a[i] - b[i])^2 in index order.
float HalfL2SquaredDistance(const Half *a, const Half *b, std::size_t n)
{
	float distance = 0.0f;
	for (std::size_t i = 0; i < n; i++) {
		float diff = HalfToFloat(a[i]) - HalfToFloat(b[i]);
		distance += diff * diff;
	}
	return distance;
}

// Sum of a[i] * b[i] in index order.
float HalfInnerProduct(const Half *a, const Half *b, std::size_t n)
{
	float distance = 0.0f;
	for (std::size_t i = 0; i < n; i++)
		distance += HalfToFloat(a[i]) * HalfToFloat(b[i]);
	return distance;
}

// Sum of |a[i] - b[i]| in index order.
float HalfL1Distance(const Half *a, const Half *b, std::size_t n)
{
	float distance = 0.0f;
	for (std::size_t i = 0; i < n; i++)
		distance += std::fabs(HalfToFloat(a[i]) - HalfToFloat(b[i]));
	return distance;
}

// dot(a, b), |a|^2 and |b|^2 in one pass, each in index order.
CosineParts HalfCosineDistanceParts(const Half *a, const Half *b, std::size_t n)
{
	float dot = 0.0f;
	float norm_a = 0.0f;
	float norm_b = 0.0f;
	for (std::size_t i = 0; i < n; i++) {
		float x = HalfToFloat(a[i]);
		float y = HalfToFloat(b[i]);
		dot += x * y;
		norm_a += x * x;
		norm_b += y * y;
	}
	return CosineParts{dot, norm_a, norm_b};
}

} // namespace scalar

// Single conversions are always scalar: a one-element F16C round trip costs more than the
// bit manipulation, and the results are identical.
float HalfToFloat(Half h)
{
	return scalar::HalfToFloat(h);
}

// See HalfToFloat: scalar on purpose.
Half FloatToHalf(float f)
{
	return scalar::FloatToHalf(f);
}

// The dispatched functions follow float_distance.h's active level, so SetSimdLevel switches both
// families together; the level check is one relaxed load and a predictable branch.
#define VECTOR_HALF_DISPATCH(call)                                                                                     \
	switch (ActiveSimdLevel()) {                                                                                   \
	case SimdLevel::kAvx512:                                                                                       \
		return avx512::call;                                                                                   \
	case SimdLevel::kAvx2:                                                                                         \
		return avx2::call;                                                                                     \
	case SimdLevel::kScalar:                                                                                       \
		break;                                                                                                 \
	}                                                                                                              \
	return scalar::call

// Dispatches HalfToFloatArray.
void HalfToFloatArray(const Half *in, float *out, std::size_t n)
{
	VECTOR_HALF_DISPATCH(HalfToFloatArray(in, out, n));
}

// Dispatches FloatToHalfArray.
void FloatToHalfArray(const float *in, Half *out, std::size_t n)
{
	VECTOR_HALF_DISPATCH(FloatToHalfArray(in, out, n));
}

// Dispatches HalfL2SquaredDistance.
float HalfL2SquaredDistance(const Half *a, const Half *b, std::size_t n)
{
	VECTOR_HALF_DISPATCH(HalfL2SquaredDistance(a, b, n));
}

// Dispatches HalfInnerProduct.
float HalfInnerProduct(const Half *a, const Half *b, std::size_t n)
{
	VECTOR_HALF_DISPATCH(HalfInnerProduct(a, b, n));
}

// Dispatches HalfL1Distance.
float HalfL1Distance(const Half *a, const Half *b, std::size_t n)
{
	VECTOR_HALF_DISPATCH(HalfL1Distance(a, b, n));
}

// Dispatches HalfCosineDistanceParts.
CosineParts HalfCosineDistanceParts(const Half *a, const Half *b, std::size_t n)
{
	VECTOR_HALF_DISPATCH(HalfCosineDistanceParts(a, b, n));
}

#undef VECTOR_HALF_DISPATCH

} // namespace vector_core
