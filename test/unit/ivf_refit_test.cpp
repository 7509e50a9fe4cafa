// Unit tests of the IVF build's refit step (core/ivf/ivf_refit.h).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/ivf/ivf_refit.h"

using namespace vector_core;

TEST(IvfRefit, CentroidsBecomeTheMeansOfTheirRows)
{
	const std::size_t dim = 3, k = 3;
	const std::vector<float> x = {1, 2, 3, 3, 4, 5, -1, 0, 1, 10, 10, 10};
	const std::vector<std::int32_t> lists = {0, 0, 1, 0};
	std::vector<double> sums(k * dim, 0.0);
	std::vector<std::int64_t> counts(k, 0);
	// Two batches give the same sums as one.
	IvfAccumulateRows(x.data(), 2, dim, lists.data(), sums.data(), counts.data());
	IvfAccumulateRows(x.data() + 2 * dim, 2, dim, lists.data() + 2, sums.data(), counts.data());
	EXPECT_EQ(counts[0], 3);
	EXPECT_EQ(counts[1], 1);
	EXPECT_EQ(counts[2], 0);
	std::vector<float> c = {0, 0, 0, 0, 0, 0, 7, 8, 9};
	IvfRefitCentroids(sums.data(), counts.data(), k, dim, false, c.data());
	EXPECT_FLOAT_EQ(c[0], 14.0f / 3);
	EXPECT_FLOAT_EQ(c[1], 16.0f / 3);
	EXPECT_FLOAT_EQ(c[2], 6.0f);
	EXPECT_FLOAT_EQ(c[3], -1.0f);
	EXPECT_FLOAT_EQ(c[4], 0.0f);
	EXPECT_FLOAT_EQ(c[5], 1.0f);
	// A list without rows keeps its centroid.
	EXPECT_FLOAT_EQ(c[6], 7.0f);
	EXPECT_FLOAT_EQ(c[7], 8.0f);
	EXPECT_FLOAT_EQ(c[8], 9.0f);
}

TEST(IvfRefit, SphericalCentroidsAreUnitVectors)
{
	const std::size_t dim = 2, k = 2;
	// List 0: two unit vectors 90 degrees apart; list 1: two opposite ones (zero mean).
	const std::vector<float> x = {1, 0, 0, 1, 1, 0, -1, 0};
	const std::vector<std::int32_t> lists = {0, 0, 1, 1};
	std::vector<double> sums(k * dim, 0.0);
	std::vector<std::int64_t> counts(k, 0);
	IvfAccumulateRows(x.data(), 4, dim, lists.data(), sums.data(), counts.data());
	std::vector<float> c = {0, 1, 0.6f, 0.8f};
	IvfRefitCentroids(sums.data(), counts.data(), k, dim, true, c.data());
	EXPECT_NEAR(c[0], std::sqrt(0.5), 1e-6);
	EXPECT_NEAR(c[1], std::sqrt(0.5), 1e-6);
	// Zero mean: no direction, the trained centroid stays.
	EXPECT_FLOAT_EQ(c[2], 0.6f);
	EXPECT_FLOAT_EQ(c[3], 0.8f);
}
