// Unit tests of the IVF build's bounded list assignment (build/ivf_bounded_assign.h): after the
// centroids move, the lists are the nearest ones and the bounds stay below the distances.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "build/ivf_bounded_assign.h"
#include "build/ivf_train.h"
#include "core/distance/float_distance.h"
#include "core/ivf/ivf_refit.h"

using namespace vector_core;

namespace
{

// Rows around a few centres, of varied lengths (inner product lists are by direction).
std::vector<float> Rows(std::size_t n, std::size_t dim, unsigned seed)
{
	std::mt19937 gen(seed);
	std::normal_distribution<float> normal(0.0f, 1.0f);
	std::uniform_real_distribution<float> scale(0.2f, 5.0f);
	std::vector<float> centres(8 * dim);
	for (float &v : centres)
		v = normal(gen);
	std::vector<float> x(n * dim);
	for (std::size_t i = 0; i < n; i++) {
		const float s = scale(gen);
		for (std::size_t j = 0; j < dim; j++)
			x[i * dim + j] = s * (centres[(i % 8) * dim + j] + 0.6f * normal(gen));
	}
	return x;
}

// The distance in the bounded space: rows as they are for L2, scaled to unit length for inner
// product (in double).
double BoundedDistance(Metric metric, const float *row, const float *centroid, std::size_t dim)
{
	double norm = 0;
	for (std::size_t t = 0; t < dim; t++)
		norm += static_cast<double>(row[t]) * row[t];
	const double scale = metric == Metric::kL2 ? 1.0 : (norm > 0 ? 1.0 / std::sqrt(norm) : 0.0);
	double sum = 0;
	for (std::size_t t = 0; t < dim; t++) {
		const double d = row[t] * scale - centroid[t];
		sum += d * d;
	}
	return std::sqrt(sum);
}

void NormalizeCentroids(std::vector<float> *c, std::size_t k, std::size_t dim)
{
	for (std::size_t j = 0; j < k; j++) {
		double norm = std::sqrt(SquaredNormDouble(c->data() + j * dim, dim));
		for (std::size_t t = 0; t < dim; t++)
			(*c)[j * dim + t] = static_cast<float>((*c)[j * dim + t] / norm);
	}
}

// Every row's list is its nearest centroid up to rounding, and every bound is at most the
// distance it bounds.
void ExpectNearestWithValidBounds(Metric metric, const std::vector<float> &x, const std::vector<float> &c,
                                  std::size_t n, std::size_t dim, std::size_t k, const std::vector<std::int32_t> &lists,
                                  const std::vector<float> &bounds)
{
	for (std::size_t i = 0; i < n; i++) {
		double best = std::numeric_limits<double>::infinity();
		for (std::size_t j = 0; j < k; j++) {
			const double d = BoundedDistance(metric, x.data() + i * dim, c.data() + j * dim, dim);
			best = std::min(best, d);
			ASSERT_LE(bounds[i * k + j], d * (1 + 1e-6) + 1e-6) << "row " << i << " centroid " << j;
		}
		const double chosen = BoundedDistance(metric, x.data() + i * dim, c.data() + lists[i] * dim, dim);
		ASSERT_LE(chosen, best + 1e-4 * (1 + best)) << "row " << i;
	}
}

// One refit, as the build's: each centroid becomes the mean of its rows (a unit vector when
// spherical); returns how far each moved.
std::vector<float> Refit(const std::vector<float> &x, std::size_t n, std::size_t dim, std::size_t k,
                         const std::vector<std::int32_t> &lists, bool spherical, std::vector<float> *c)
{
	std::vector<double> sums(k * dim, 0.0);
	std::vector<std::int64_t> counts(k, 0);
	IvfAccumulateRows(x.data(), n, dim, lists.data(), sums.data(), counts.data());
	const std::vector<float> before = *c;
	IvfRefitCentroids(sums.data(), counts.data(), k, dim, spherical, c->data());
	std::vector<float> shifts(k);
	IvfCentroidShifts(before.data(), c->data(), k, dim, shifts.data());
	return shifts;
}

} // namespace

// Lloyd iterations with bounded reassignment: after each move of the centroids, the lists are
// the nearest and the bounds valid; the first assignment is IvfAssign's; later passes compute a
// fraction of the distances.
TEST(IvfBoundedAssign, ReassignmentKeepsListsNearestAndBoundsValid)
{
	const std::size_t n = 3000, dim = 40, k = 24;
	for (Metric metric : {Metric::kL2, Metric::kInnerProduct}) {
		const bool spherical = metric == Metric::kInnerProduct;
		const std::vector<float> x = Rows(n, dim, 11);
		std::vector<float> c(x.begin() + 100 * dim, x.begin() + (100 + k) * dim);
		if (spherical)
			NormalizeCentroids(&c, k, dim);
		std::vector<std::int32_t> lists(n), full(n);
		std::vector<float> bounds(n * k);
		ASSERT_TRUE(
		    IvfAssignBounded(x.data(), n, dim, c.data(), k, metric, 2, lists.data(), bounds.data()).ok());
		ASSERT_TRUE(IvfAssign(x.data(), n, dim, c.data(), k, metric, 2, full.data()).ok());
		EXPECT_EQ(lists, full);
		ExpectNearestWithValidBounds(metric, x, c, n, dim, k, lists, bounds);
		std::int64_t computed = 0;
		for (int pass = 0; pass < 4; pass++) {
			const std::vector<float> shifts = Refit(x, n, dim, k, lists, spherical, &c);
			computed = 0;
			ASSERT_TRUE(IvfReassignBounded(x.data(), n, dim, c.data(), k, metric, shifts.data(), 2,
			                               lists.data(), bounds.data(), &computed)
			                .ok());
			ExpectNearestWithValidBounds(metric, x, c, n, dim, k, lists, bounds);
			EXPECT_GE(computed, static_cast<std::int64_t>(n)); // at least each row's own centroid
		}
		// Converging centroids move little: the last pass computed far fewer than n x k.
		EXPECT_LT(computed, static_cast<std::int64_t>(n * k / 4)) << static_cast<int>(metric);
	}
}

// Inner product with centroids that are unit only roughly (binary16 rounding moves their norms by
// about 1e-4): the lists are those of the largest inner product, as IvfAssign's, not those of the
// smallest distance to the unit row.
TEST(IvfBoundedAssign, InnerProductListsAreTheLargestProducts)
{
	const std::size_t n = 20000, dim = 32, k = 100;
	const std::vector<float> x = Rows(n, dim, 21);
	std::vector<float> c(x.begin() + 500 * dim, x.begin() + (500 + k) * dim);
	NormalizeCentroids(&c, k, dim);
	std::mt19937 gen(4);
	std::uniform_real_distribution<float> wobble(-1e-3f, 1e-3f);
	auto roughly_unit = [&](std::vector<float> *centroids) {
		for (std::size_t j = 0; j < k; j++) {
			const float scale = 1.0f + wobble(gen);
			for (std::size_t t = 0; t < dim; t++)
				(*centroids)[j * dim + t] *= scale;
		}
	};
	roughly_unit(&c);
	std::vector<std::int32_t> lists(n), full(n);
	std::vector<float> bounds(n * k);
	ASSERT_TRUE(
	    IvfAssignBounded(x.data(), n, dim, c.data(), k, Metric::kInnerProduct, 2, lists.data(), bounds.data())
	        .ok());
	for (int pass = 0; pass < 3; pass++) {
		const std::vector<float> before = c;
		Refit(x, n, dim, k, lists, true, &c);
		roughly_unit(&c);
		std::vector<float> shifts(k);
		IvfCentroidShifts(before.data(), c.data(), k, dim, shifts.data());
		std::int64_t computed = 0;
		ASSERT_TRUE(IvfReassignBounded(x.data(), n, dim, c.data(), k, Metric::kInnerProduct, shifts.data(), 2,
		                               lists.data(), bounds.data(), &computed)
		                .ok());
		ASSERT_TRUE(IvfAssign(x.data(), n, dim, c.data(), k, Metric::kInnerProduct, 2, full.data()).ok());
		for (std::size_t i = 0; i < n; i++) {
			if (lists[i] == full[i])
				continue;
			// A tie up to the products' rounding.
			const float *row = x.data() + i * dim;
			const double chosen = InnerProduct(row, c.data() + lists[i] * dim, dim);
			const double best = InnerProduct(row, c.data() + full[i] * dim, dim);
			ASSERT_GE(chosen, best - 1e-5 * std::sqrt(SquaredNormDouble(row, dim)))
			    << "pass " << pass << " row " << i;
		}
	}
}

// A centroid that jumps far: rows follow it whatever their old bounds said.
TEST(IvfBoundedAssign, RowsFollowACentroidThatMovesFar)
{
	const std::size_t n = 500, dim = 8, k = 4;
	const std::vector<float> x = Rows(n, dim, 3);
	std::vector<float> c(x.begin(), x.begin() + k * dim);
	std::vector<std::int32_t> lists(n);
	std::vector<float> bounds(n * k);
	ASSERT_TRUE(IvfAssignBounded(x.data(), n, dim, c.data(), k, Metric::kL2, 2, lists.data(), bounds.data()).ok());
	const std::vector<float> before = c;
	// Centroid 2 lands on row 7: row 7 must now be in list 2.
	std::copy(x.begin() + 7 * dim, x.begin() + 8 * dim, c.begin() + 2 * dim);
	std::vector<float> shifts(k);
	IvfCentroidShifts(before.data(), c.data(), k, dim, shifts.data());
	EXPECT_LE(shifts[0], 1e-30f); // (rounded up: the smallest float above 0)
	EXPECT_GT(shifts[2], 0.0f);
	std::int64_t computed = 0;
	ASSERT_TRUE(IvfReassignBounded(x.data(), n, dim, c.data(), k, Metric::kL2, shifts.data(), 1, lists.data(),
	                               bounds.data(), &computed)
	                .ok());
	EXPECT_EQ(lists[7], 2);
	ExpectNearestWithValidBounds(Metric::kL2, x, c, n, dim, k, lists, bounds);
}

// Rows of NaNs keep list 0, as IvfAssign gives them; bad arguments are errors.
TEST(IvfBoundedAssign, NanRowsAndBadArguments)
{
	const std::size_t n = 300, dim = 6, k = 5;
	std::vector<float> x = Rows(n, dim, 5);
	for (std::size_t t = 0; t < dim; t++)
		x[17 * dim + t] = std::numeric_limits<float>::quiet_NaN();
	const std::vector<float> c(x.begin() + 20 * dim, x.begin() + (20 + k) * dim);
	std::vector<std::int32_t> lists(n);
	std::vector<float> bounds(n * k);
	ASSERT_TRUE(IvfAssignBounded(x.data(), n, dim, c.data(), k, Metric::kL2, 2, lists.data(), bounds.data()).ok());
	EXPECT_EQ(lists[17], 0);
	const std::vector<float> shifts(k, 0.5f);
	std::int64_t computed = 0;
	ASSERT_TRUE(IvfReassignBounded(x.data(), n, dim, c.data(), k, Metric::kL2, shifts.data(), 1, lists.data(),
	                               bounds.data(), &computed)
	                .ok());
	EXPECT_EQ(lists[17], 0);
	EXPECT_FALSE(IvfAssignBounded(x.data(), n, dim, c.data(), 0, Metric::kL2, 2, lists.data(), bounds.data()).ok());
	EXPECT_FALSE(IvfAssignBounded(x.data(), n, dim, c.data(), k, Metric::kL1, 2, lists.data(), bounds.data()).ok());
	EXPECT_FALSE(IvfReassignBounded(x.data(), n, 0, c.data(), k, Metric::kL2, shifts.data(), 1, lists.data(),
	                                bounds.data(), &computed)
	                 .ok());
}

// Products on threads of ours (blocks shared, BLAS on one thread each) give the lists and bounds
// that products on this thread alone give, up to rounding: BLAS may sum a product in another order
// for another block shape, so a list may differ only between two centroids at the same distance.
TEST(IvfBoundedAssign, ThreadsGiveTheSameListsAndBounds)
{
	const std::size_t n = 5000, dim = 48, k = 40;
	for (Metric metric : {Metric::kL2, Metric::kInnerProduct}) {
		const std::vector<float> x = Rows(n, dim, 29);
		std::vector<float> c(x.begin() + 7 * dim, x.begin() + (7 + k) * dim);
		if (metric == Metric::kInnerProduct)
			NormalizeCentroids(&c, k, dim);
		std::vector<std::int32_t> one(n), three(n), assigned(n);
		std::vector<float> bounds_one(n * k), bounds_three(n * k);
		ASSERT_TRUE(
		    IvfAssignBounded(x.data(), n, dim, c.data(), k, metric, 1, one.data(), bounds_one.data()).ok());
		ASSERT_TRUE(
		    IvfAssignBounded(x.data(), n, dim, c.data(), k, metric, 3, three.data(), bounds_three.data()).ok());
		ASSERT_TRUE(IvfAssign(x.data(), n, dim, c.data(), k, metric, 3, assigned.data()).ok());
		for (std::size_t i = 0; i < n; i++) {
			for (std::size_t j = 0; j < k; j++)
				ASSERT_NEAR(bounds_one[i * k + j], bounds_three[i * k + j],
				            1e-5 * (1 + bounds_one[i * k + j]));
			for (std::int32_t other : {three[i], assigned[i]}) {
				if (other == one[i])
					continue;
				const double a =
				    BoundedDistance(metric, x.data() + i * dim, c.data() + one[i] * dim, dim);
				const double b =
				    BoundedDistance(metric, x.data() + i * dim, c.data() + other * dim, dim);
				ASSERT_NEAR(a, b, 1e-4 * (1 + a)) << "row " << i;
			}
		}
		ExpectNearestWithValidBounds(metric, x, c, n, dim, k, one, bounds_one);
		ExpectNearestWithValidBounds(metric, x, c, n, dim, k, three, bounds_three);
	}
}
