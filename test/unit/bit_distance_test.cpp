// Unit tests of the bit-string distances (core/distance/bit_distance.h): every implementation the CPU
// has against a bit-by-bit reference, at every tail length, and pgvector's Jaccard edge cases.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/distance/bit_distance.h"
#include "core/distance/float_distance.h"

namespace vector_core
{
namespace
{

// Counts bits one at a time: the obvious reference.
struct NaiveCounts {
	std::uint64_t differ = 0;
	std::uint64_t both = 0;
	std::uint64_t a = 0;
	std::uint64_t b = 0;
};

// Walks every bit of both strings.
NaiveCounts CountNaively(const std::vector<std::uint8_t> &a, const std::vector<std::uint8_t> &b)
{
	NaiveCounts c;
	for (std::size_t i = 0; i < a.size(); i++)
		for (int bit = 0; bit < 8; bit++) {
			bool x = (a[i] >> bit) & 1;
			bool y = (b[i] >> bit) & 1;
			c.differ += x != y;
			c.both += x && y;
			c.a += x;
			c.b += y;
		}
	return c;
}

// Random bytes where each bit is set with probability density.
std::vector<std::uint8_t> RandomBits(std::mt19937 &rng, std::size_t bytes, double density)
{
	std::bernoulli_distribution bit(density);
	std::vector<std::uint8_t> out(bytes);
	for (std::uint8_t &byte : out)
		for (int i = 0; i < 8; i++)
			byte = static_cast<std::uint8_t>(byte | (bit(rng) << i));
	return out;
}

TEST(BitDistance, EveryImplementationMatchesNaiveCounts)
{
	std::mt19937 rng(1);
	for (std::size_t bytes = 0; bytes <= 200; bytes++) {
		for (double density : {0.05, 0.5, 0.95}) {
			std::vector<std::uint8_t> a = RandomBits(rng, bytes, density);
			std::vector<std::uint8_t> b = RandomBits(rng, bytes, density);
			NaiveCounts expected = CountNaively(a, b);
			SCOPED_TRACE("bytes=" + std::to_string(bytes));

			EXPECT_EQ(scalar::HammingDistance(a.data(), b.data(), bytes), expected.differ);
			JaccardCounts s = scalar::JaccardCountBits(a.data(), b.data(), bytes);
			EXPECT_EQ(s.both, expected.both);
			EXPECT_EQ(s.a, expected.a);
			EXPECT_EQ(s.b, expected.b);
			if (popcnt::Supported()) {
				EXPECT_EQ(popcnt::HammingDistance(a.data(), b.data(), bytes), expected.differ);
				JaccardCounts p = popcnt::JaccardCountBits(a.data(), b.data(), bytes);
				EXPECT_EQ(p.both, expected.both);
				EXPECT_EQ(p.a, expected.a);
				EXPECT_EQ(p.b, expected.b);
			}
			if (avx512::VpopcntdqSupported()) {
				EXPECT_EQ(avx512::HammingDistance(a.data(), b.data(), bytes), expected.differ);
				JaccardCounts v = avx512::JaccardCountBits(a.data(), b.data(), bytes);
				EXPECT_EQ(v.both, expected.both);
				EXPECT_EQ(v.a, expected.a);
				EXPECT_EQ(v.b, expected.b);
			}
			EXPECT_EQ(HammingDistance(a.data(), b.data(), bytes), expected.differ);
			double jaccard = expected.both == 0
			                     ? 1.0
			                     : 1.0 - static_cast<double>(expected.both) /
			                                 static_cast<double>(expected.a + expected.b - expected.both);
			EXPECT_DOUBLE_EQ(JaccardDistance(a.data(), b.data(), bytes), jaccard);
		}
	}
}

TEST(BitDistance, JaccardEdgeCasesFollowPgvector)
{
	std::vector<std::uint8_t> zero(3, 0);
	std::vector<std::uint8_t> ones(3, 0xff);
	std::vector<std::uint8_t> half{0xf0, 0x0f, 0x00};
	// No shared set bit (including two all-zero strings) is distance 1, not 0/0.
	EXPECT_EQ(JaccardDistance(zero.data(), zero.data(), 3), 1.0);
	EXPECT_EQ(JaccardDistance(zero.data(), ones.data(), 3), 1.0);
	EXPECT_EQ(JaccardDistance(ones.data(), ones.data(), 3), 0.0);
	EXPECT_DOUBLE_EQ(JaccardDistance(half.data(), ones.data(), 3), 1.0 - 8.0 / 24.0);
	EXPECT_EQ(HammingDistance(half.data(), ones.data(), 3), 16u);
	EXPECT_EQ(HammingDistance(zero.data(), zero.data(), 0), 0u);
	EXPECT_EQ(JaccardDistance(zero.data(), zero.data(), 0), 1.0);
}

TEST(BitDistance, DispatchFollowsTheActiveLevel)
{
	SimdLevel before = ActiveSimdLevel();
	ASSERT_TRUE(SetSimdLevel(SimdLevel::kScalar));
	EXPECT_STREQ(BitDistanceImplementation(), "scalar");
	SetSimdLevel(before);
	if (before == SimdLevel::kAvx512 && avx512::VpopcntdqSupported()) {
		EXPECT_STREQ(BitDistanceImplementation(), "avx512");
	} else if (before != SimdLevel::kScalar && popcnt::Supported()) {
		EXPECT_STREQ(BitDistanceImplementation(), "popcnt");
	}
}

} // namespace
} // namespace vector_core
