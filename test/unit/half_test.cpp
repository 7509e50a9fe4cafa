// Unit tests of the binary16 conversions and halfvec kernels (core/distance/half.h): the scalar
// conversions against exact properties, every SIMD level the CPU has against the scalar
// level (bit-exact conversions, kernels within float tolerance), tails of every length.
#include <gtest/gtest.h>

#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/distance/half.h"

namespace vector_core
{
namespace
{

// True if this CPU can run level's kernels.
bool Supported(SimdLevel level)
{
	return static_cast<int>(level) <= static_cast<int>(DetectedSimdLevel());
}

// The halfvec kernels and array conversions of one level.
struct HalfKernels {
	SimdLevel level;
	void (*to_float)(const Half *, float *, std::size_t);
	void (*to_half)(const float *, Half *, std::size_t);
	float (*l2_squared)(const Half *, const Half *, std::size_t);
	float (*inner_product)(const Half *, const Half *, std::size_t);
	float (*l1)(const Half *, const Half *, std::size_t);
	CosineParts (*cosine_parts)(const Half *, const Half *, std::size_t);
};

const HalfKernels kHalfLevels[] = {
    {SimdLevel::kScalar, scalar::HalfToFloatArray, scalar::FloatToHalfArray, scalar::HalfL2SquaredDistance,
     scalar::HalfInnerProduct, scalar::HalfL1Distance, scalar::HalfCosineDistanceParts},
    {SimdLevel::kAvx2, avx2::HalfToFloatArray, avx2::FloatToHalfArray, avx2::HalfL2SquaredDistance,
     avx2::HalfInnerProduct, avx2::HalfL1Distance, avx2::HalfCosineDistanceParts},
    {SimdLevel::kAvx512, avx512::HalfToFloatArray, avx512::FloatToHalfArray, avx512::HalfL2SquaredDistance,
     avx512::HalfInnerProduct, avx512::HalfL1Distance, avx512::HalfCosineDistanceParts},
};

// Bits of f.
std::uint32_t Bits(float f)
{
	return std::bit_cast<std::uint32_t>(f);
}

TEST(Half, KnownValuesConvertExactly)
{
	EXPECT_EQ(HalfToFloat(0x0000), 0.0f);
	EXPECT_EQ(Bits(HalfToFloat(0x8000)), Bits(-0.0f));
	EXPECT_EQ(HalfToFloat(0x3c00), 1.0f);
	EXPECT_EQ(HalfToFloat(0xc000), -2.0f);
	EXPECT_EQ(HalfToFloat(0x7bff), 65504.0f);
	EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.0f, -24));    // smallest subnormal
	EXPECT_EQ(HalfToFloat(0x03ff), std::ldexp(1023.0f, -24)); // largest subnormal
	EXPECT_EQ(HalfToFloat(0x0400), std::ldexp(1.0f, -14));    // smallest normal
	EXPECT_TRUE(std::isinf(HalfToFloat(0x7c00)) && HalfToFloat(0x7c00) > 0);
	EXPECT_TRUE(std::isinf(HalfToFloat(0xfc00)) && HalfToFloat(0xfc00) < 0);
	EXPECT_TRUE(std::isnan(HalfToFloat(0x7e00)));
	EXPECT_TRUE(std::isnan(HalfToFloat(0x7c01)));

	EXPECT_EQ(FloatToHalf(1.0f), 0x3c00);
	EXPECT_EQ(FloatToHalf(-2.0f), 0xc000);
	EXPECT_EQ(FloatToHalf(-0.0f), 0x8000);
	EXPECT_EQ(FloatToHalf(65504.0f), 0x7bff);
	EXPECT_EQ(FloatToHalf(0.1f), 0x2e66);
	EXPECT_TRUE(HalfIsNaN(FloatToHalf(std::numeric_limits<float>::quiet_NaN())));
	EXPECT_EQ(FloatToHalf(std::numeric_limits<float>::infinity()), 0x7c00);
	EXPECT_EQ(FloatToHalf(-std::numeric_limits<float>::infinity()), 0xfc00);
}

TEST(Half, RoundsToNearestEvenAndOverflowsToInfinity)
{
	// 65519.99 rounds down to 65504; 65520 (the midpoint, odd neighbour 65504) rounds up to inf.
	EXPECT_EQ(FloatToHalf(std::nextafter(65520.0f, 0.0f)), 0x7bff);
	EXPECT_EQ(FloatToHalf(65520.0f), 0x7c00);
	EXPECT_EQ(FloatToHalf(-1e6f), 0xfc00);
	EXPECT_TRUE(HalfIsInf(FloatToHalf(FLT_MAX)));
	// 1 + 2^-11 is the midpoint between 1 and 1 + 2^-10: ties to even (1).
	EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
	// 1 + 3 * 2^-11 is the midpoint between 1 + 2^-10 (odd) and 1 + 2^-9: rounds up.
	EXPECT_EQ(FloatToHalf(1.0f + 3.0f * std::ldexp(1.0f, -11)), 0x3c02);
	// Subnormal range: 2^-25 is the midpoint between 0 and the smallest subnormal (even: 0).
	EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -25)), 0x0000);
	EXPECT_EQ(FloatToHalf(std::nextafter(std::ldexp(1.0f, -25), 1.0f)), 0x0001);
	EXPECT_EQ(FloatToHalf(3.0f * std::ldexp(1.0f, -25)), 0x0002);
	EXPECT_EQ(FloatToHalf(1e-30f), 0x0000);
	EXPECT_EQ(FloatToHalf(-1e-30f), 0x8000);
	// Rounding up out of the subnormal range gives the smallest normal.
	EXPECT_EQ(FloatToHalf(std::nextafter(std::ldexp(1.0f, -14), 0.0f)), 0x0400);
}

TEST(Half, EveryHalfRoundTripsThroughFloat)
{
	for (std::uint32_t bits = 0; bits <= 0xffff; bits++) {
		Half h = static_cast<Half>(bits);
		float f = HalfToFloat(h);
		if (HalfIsNaN(h)) {
			ASSERT_TRUE(std::isnan(f)) << bits;
			ASSERT_TRUE(HalfIsNaN(FloatToHalf(f))) << bits;
		} else {
			ASSERT_EQ(FloatToHalf(f), h) << bits;
		}
	}
}

TEST(Half, ConversionOfRandomFloatsIsTheNearestHalf)
{
	std::mt19937 rng(7);
	std::uniform_real_distribution<float> mantissa(-1.0f, 1.0f);
	std::uniform_int_distribution<int> exponent(-28, 17);
	for (int i = 0; i < 200000; i++) {
		float f = std::ldexp(mantissa(rng), exponent(rng));
		Half h = FloatToHalf(f);
		if (HalfIsInf(h)) {
			ASSERT_GE(std::fabs(f), 65520.0f) << f;
			continue;
		}
		// No other half is closer (the neighbours one step away in the bit pattern).
		double error = std::fabs(static_cast<double>(HalfToFloat(h)) - f);
		for (int step : {-1, 1}) {
			Half neighbour = static_cast<Half>(h + step);
			if ((h & 0x7fff) == 0 || HalfIsInf(neighbour) || HalfIsNaN(neighbour))
				continue;
			ASSERT_LE(error, std::fabs(static_cast<double>(HalfToFloat(neighbour)) - f)) << f;
		}
	}
}

// Every level's array conversions give the scalar level's bits, for all halves and for many
// floats, at lengths that exercise every tail.
TEST(Half, ArrayConversionsMatchScalarAtEveryLevel)
{
	std::vector<Half> halves(0x10000);
	for (std::uint32_t i = 0; i <= 0xffff; i++)
		halves[i] = static_cast<Half>(i);
	std::mt19937 rng(11);
	std::uniform_real_distribution<float> mantissa(-1.0f, 1.0f);
	std::uniform_int_distribution<int> exponent(-30, 20);
	std::vector<float> floats(5003);
	for (float &f : floats)
		f = std::ldexp(mantissa(rng), exponent(rng));
	floats[0] = 65520.0f;
	floats[1] = -0.0f;
	floats[2] = std::numeric_limits<float>::infinity();

	for (const HalfKernels &k : kHalfLevels) {
		if (!Supported(k.level))
			continue;
		SCOPED_TRACE(SimdLevelName(k.level));
		for (std::size_t n : {std::size_t{0x10000}, std::size_t{1}, std::size_t{7}, std::size_t{15},
		                      std::size_t{17}, std::size_t{33}}) {
			std::vector<float> out(n + 1, 42.0f);
			k.to_float(halves.data(), out.data(), n);
			for (std::size_t i = 0; i < n; i++) {
				float expected = scalar::HalfToFloat(halves[i]);
				if (std::isnan(expected))
					ASSERT_TRUE(std::isnan(out[i])) << i;
				else
					ASSERT_EQ(Bits(out[i]), Bits(expected)) << i;
			}
			ASSERT_EQ(out[n], 42.0f) << "wrote past the end, n=" << n;
		}
		for (std::size_t n = 0; n <= 40; n++) {
			std::vector<Half> out(n + 1, 0x1234);
			k.to_half(floats.data(), out.data(), n);
			for (std::size_t i = 0; i < n; i++)
				ASSERT_EQ(out[i], scalar::FloatToHalf(floats[i])) << "n=" << n << " i=" << i;
			ASSERT_EQ(out[n], 0x1234) << "wrote past the end, n=" << n;
		}
		std::vector<Half> out(floats.size());
		k.to_half(floats.data(), out.data(), floats.size());
		for (std::size_t i = 0; i < floats.size(); i++)
			ASSERT_EQ(out[i], scalar::FloatToHalf(floats[i])) << i;
	}
}

// Random halves of magnitude up to about 1000, some zeros.
std::vector<Half> RandomHalves(std::mt19937 &rng, std::size_t n)
{
	std::uniform_real_distribution<float> value(-1.0f, 1.0f);
	std::uniform_int_distribution<int> exponent(-3, 3);
	std::uniform_int_distribution<int> zero(0, 9);
	std::vector<Half> out(n);
	for (Half &h : out)
		h = zero(rng) == 0 ? 0 : FloatToHalf(value(rng) * std::pow(10.0f, static_cast<float>(exponent(rng))));
	return out;
}

// Allowed difference of a float sum over n terms whose absolute values sum to abs_sum.
double Tolerance(double abs_sum, std::size_t n)
{
	return std::max(1e-5, 4.0 * std::sqrt(static_cast<double>(n)) * FLT_EPSILON) * abs_sum + 1e-6;
}

TEST(Half, KernelsMatchDoubleReferenceAtEveryLevelAndLength)
{
	std::mt19937 rng(3);
	std::vector<std::size_t> lengths;
	for (std::size_t n = 0; n <= 70; n++)
		lengths.push_back(n);
	for (std::size_t n : {127, 128, 129, 1000, 1023, 16000})
		lengths.push_back(n);
	for (std::size_t n : lengths) {
		std::vector<Half> a = RandomHalves(rng, n);
		std::vector<Half> b = RandomHalves(rng, n);
		double l2 = 0, l2_abs = 0, ip = 0, ip_abs = 0, l1 = 0, na = 0, nb = 0;
		for (std::size_t i = 0; i < n; i++) {
			double x = HalfToFloat(a[i]);
			double y = HalfToFloat(b[i]);
			l2 += (x - y) * (x - y);
			ip += x * y;
			ip_abs += std::fabs(x * y);
			l1 += std::fabs(x - y);
			na += x * x;
			nb += y * y;
		}
		l2_abs = l2;
		for (const HalfKernels &k : kHalfLevels) {
			if (!Supported(k.level))
				continue;
			SCOPED_TRACE(std::string(SimdLevelName(k.level)) + " n=" + std::to_string(n));
			EXPECT_NEAR(k.l2_squared(a.data(), b.data(), n), l2, Tolerance(l2_abs, n));
			EXPECT_NEAR(k.inner_product(a.data(), b.data(), n), ip, Tolerance(ip_abs, n));
			EXPECT_NEAR(k.l1(a.data(), b.data(), n), l1, Tolerance(l1, n));
			CosineParts parts = k.cosine_parts(a.data(), b.data(), n);
			EXPECT_NEAR(parts.dot, ip, Tolerance(ip_abs, n));
			EXPECT_NEAR(parts.norm_a, na, Tolerance(na, n));
			EXPECT_NEAR(parts.norm_b, nb, Tolerance(nb, n));
		}
	}
}

TEST(Half, DispatchFollowsTheActiveLevel)
{
	std::mt19937 rng(5);
	std::vector<Half> a = RandomHalves(rng, 37);
	std::vector<Half> b = RandomHalves(rng, 37);
	SimdLevel before = ActiveSimdLevel();
	for (const HalfKernels &k : kHalfLevels) {
		if (!Supported(k.level))
			continue;
		ASSERT_TRUE(SetSimdLevel(k.level));
		EXPECT_EQ(HalfL2SquaredDistance(a.data(), b.data(), 37), k.l2_squared(a.data(), b.data(), 37));
		EXPECT_EQ(HalfInnerProduct(a.data(), b.data(), 37), k.inner_product(a.data(), b.data(), 37));
		EXPECT_EQ(HalfL1Distance(a.data(), b.data(), 37), k.l1(a.data(), b.data(), 37));
		EXPECT_EQ(HalfCosineDistanceParts(a.data(), b.data(), 37).dot,
		          k.cosine_parts(a.data(), b.data(), 37).dot);
	}
	SetSimdLevel(before);
}

} // namespace
} // namespace vector_core
