// Unit tests of the RaBitQ codes of IVF lists (core/ivf/ivf_rabitq.h): the rotation, the
// dispatched kernel against the scalar reference, and the estimator against exact distances.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "core/distance/float_distance.h"
#include "core/ivf/ivf_quant.h"
#include "core/ivf/ivf_rabitq.h"

using namespace vector_core;

namespace
{

std::vector<float> Gaussian(std::size_t n, std::mt19937 *gen, float sigma = 1.0f)
{
	std::normal_distribution<float> normal(0.0f, sigma);
	std::vector<float> x(n);
	for (float &v : x)
		v = normal(*gen);
	return x;
}

double Dot(const float *a, const float *b, std::size_t n)
{
	double s = 0;
	for (std::size_t i = 0; i < n; i++)
		s += static_cast<double>(a[i]) * b[i];
	return s;
}

} // namespace

TEST(Rabitq, Sizes)
{
	EXPECT_EQ(RabitqPaddedDim(1), 512u);
	EXPECT_EQ(RabitqPaddedDim(100), 512u);
	EXPECT_EQ(RabitqPaddedDim(512), 512u);
	EXPECT_EQ(RabitqPaddedDim(513), 1024u);
	EXPECT_EQ(RabitqPaddedDim(768), 1024u);
	EXPECT_EQ(RabitqPaddedDim(1024), 1024u);
	EXPECT_EQ(RabitqPaddedDim(4000), 4096u);
	EXPECT_EQ(RabitqCodeBytes(768), 8u + 128u);
}

// The rotation is orthogonal: norms and inner products are kept.
TEST(Rabitq, RotationIsOrthogonal)
{
	std::mt19937 gen(7);
	for (std::size_t dim : {3u, 100u, 768u, 1536u}) {
		const std::size_t p = RabitqPaddedDim(dim);
		std::vector<float> signs(3 * p);
		RabitqInitSigns(p, signs.data());
		std::vector<float> a = Gaussian(dim, &gen), b = Gaussian(dim, &gen);
		std::vector<float> ra(p, 0.0f), rb(p, 0.0f);
		std::copy(a.begin(), a.end(), ra.begin());
		std::copy(b.begin(), b.end(), rb.begin());
		RabitqRotate(ra.data(), p, signs.data());
		RabitqRotate(rb.data(), p, signs.data());
		const double na = Dot(a.data(), a.data(), dim), nra = Dot(ra.data(), ra.data(), p);
		EXPECT_NEAR(nra, na, 1e-4 * na) << dim;
		const double ab = Dot(a.data(), b.data(), dim), rab = Dot(ra.data(), rb.data(), p);
		EXPECT_NEAR(rab, ab, 1e-4 * std::sqrt(na * Dot(b.data(), b.data(), dim))) << dim;
		// It mixes: a unit basis vector spreads over the coordinates (none keeps much of it).
		std::vector<float> e(p, 0.0f);
		e[0] = 1.0f;
		RabitqRotate(e.data(), p, signs.data());
		for (float v : e)
			EXPECT_LE(std::fabs(v), 4.0 / std::sqrt(static_cast<double>(p))) << dim;
	}
}

// The dispatched kernel (AVX-512 or AVX2 when the CPU has them) gives the scalar reference's sum.
TEST(Rabitq, KernelMatchesScalar)
{
	std::mt19937 gen(11);
	std::uniform_int_distribution<int> byte(0, 255);
	for (std::size_t p : {64u, 128u, 512u, 1024u, 4096u}) {
		std::vector<float> u = Gaussian(p, &gen);
		std::vector<std::uint8_t> bits(p / 8);
		for (int trial = 0; trial < 20; trial++) {
			for (auto &b : bits)
				b = static_cast<std::uint8_t>(byte(gen));
			if (trial == 0)
				std::fill(bits.begin(), bits.end(), 0);
			if (trial == 1)
				std::fill(bits.begin(), bits.end(), 0xFF);
			const float ref = RabitqMaskedSumScalar(u.data(), bits.data(), p);
			double exact = 0, scale = 0;
			for (std::size_t i = 0; i < p; i++) {
				scale += std::fabs(u[i]);
				if ((bits[i / 8] >> (i % 8)) & 1)
					exact += u[i];
			}
			EXPECT_NEAR(ref, exact, 1e-5 * scale);
			EXPECT_NEAR(RabitqMaskedSum(u.data(), bits.data(), p), ref, 1e-5 * scale) << p;
		}
	}
}

// A row equal to its centroid: the estimate is the exact distance.
TEST(Rabitq, RowAtCentroid)
{
	std::mt19937 gen(3);
	const std::size_t dim = 100, p = RabitqPaddedDim(dim);
	std::vector<float> signs(3 * p), scratch(p), rotated(p);
	RabitqInitSigns(p, signs.data());
	std::vector<float> c = Gaussian(dim, &gen), q = Gaussian(dim, &gen);
	std::vector<std::uint8_t> code(RabitqCodeBytes(dim));
	RabitqEncode(c.data(), c.data(), dim, signs.data(), scratch.data(), code.data());
	RabitqQuery query;
	RabitqPrepareQuery(q.data(), c.data(), dim, Metric::kL2, signs.data(), rotated.data(), &query);
	EXPECT_NEAR(RabitqDistance(&query, code.data()), L2SquaredDistance(q.data(), c.data(), dim), 1e-3);
	RabitqPrepareQuery(q.data(), c.data(), dim, Metric::kInnerProduct, signs.data(), rotated.data(), &query);
	EXPECT_NEAR(RabitqDistance(&query, code.data()), -Dot(q.data(), c.data(), dim), 1e-3);
}

// The estimate of <r, u> is within a few |r| |u| / sqrt(P) of the truth (the paper's bound), is
// unbiased, and ranks rows well enough that a short re-rank finds the true nearest.
TEST(Rabitq, EstimatesDistances)
{
	std::mt19937 gen(5);
	for (Metric metric : {Metric::kL2, Metric::kInnerProduct}) {
		for (std::size_t dim : {100u, 768u}) {
			const std::size_t p = RabitqPaddedDim(dim), n = 2000, code_bytes = RabitqCodeBytes(dim);
			std::vector<float> signs(3 * p), scratch(p), rotated(p);
			RabitqInitSigns(p, signs.data());
			std::vector<float> c = Gaussian(dim, &gen, 2.0f);
			// Rows 0..9 lie near one point (the query's true neighbours), the others anywhere in the
			// list.
			std::vector<float> rows(n * dim);
			std::vector<float> centre = Gaussian(dim, &gen, 0.5f);
			for (std::size_t i = 0; i < n; i++) {
				std::vector<float> r = Gaussian(dim, &gen, i < 10 ? 0.1f : 0.5f);
				for (std::size_t j = 0; j < dim; j++)
					rows[i * dim + j] = c[j] + r[j] + (i < 10 ? centre[j] : 0.0f);
			}
			std::vector<std::uint8_t> codes(n * code_bytes);
			for (std::size_t i = 0; i < n; i++)
				RabitqEncode(rows.data() + i * dim, c.data(), dim, signs.data(), scratch.data(),
				             codes.data() + i * code_bytes);
			std::vector<float> q(dim);
			std::vector<float> noise = Gaussian(dim, &gen, 0.05f);
			for (std::size_t j = 0; j < dim; j++)
				q[j] = c[j] + centre[j] + noise[j];
			RabitqQuery query;
			RabitqPrepareQuery(q.data(), c.data(), dim, metric, signs.data(), rotated.data(), &query);
			std::vector<double> u(dim);
			for (std::size_t j = 0; j < dim; j++)
				u[j] = metric == Metric::kL2 ? q[j] - c[j] : q[j];
			double u_norm = 0;
			for (double v : u)
				u_norm += v * v;
			u_norm = std::sqrt(u_norm);
			std::vector<float> exact(n), estimate(n);
			int outside = 0, above_bound = 0;
			double bias = 0;
			for (std::size_t i = 0; i < n; i++) {
				const float *x = rows.data() + i * dim;
				exact[i] = metric == Metric::kL2 ? L2SquaredDistance(x, q.data(), dim)
				                                 : static_cast<float>(-Dot(x, q.data(), dim));
				estimate[i] = RabitqDistance(&query, codes.data() + i * code_bytes);
				const float bound = RabitqBound(&query, codes.data() + i * code_bytes);
				EXPECT_LE(bound, estimate[i]);
				above_bound += bound > exact[i];
				double r_norm = 0;
				for (std::size_t j = 0; j < dim; j++)
					r_norm +=
					    (static_cast<double>(x[j]) - c[j]) * (static_cast<double>(x[j]) - c[j]);
				r_norm = std::sqrt(r_norm);
				// The distance error is that of <r, u> (twice it for L2).
				const double err = (estimate[i] - exact[i]) / (metric == Metric::kL2 ? -2.0 : -1.0);
				const double unit = r_norm * u_norm / std::sqrt(static_cast<double>(p));
				bias += err / unit;
				if (std::fabs(err) > 3.0 * unit)
					outside++;
			}
			EXPECT_LE(outside, static_cast<int>(n / 100)) << dim;
			// The lower bound (4 standard errors) holds for every row here.
			EXPECT_EQ(above_bound, 0) << dim;
			EXPECT_LT(std::fabs(bias / n), 0.1) << dim;
			// The true 10 nearest are among the 50 best estimates (100 for inner product, whose
			// error grows with |q| rather than |q - c|, and whose true 10 here include rows far
			// from the others).
			std::vector<int> by_exact(n), by_estimate(n);
			std::iota(by_exact.begin(), by_exact.end(), 0);
			std::iota(by_estimate.begin(), by_estimate.end(), 0);
			std::sort(by_exact.begin(), by_exact.end(), [&](int a, int b) { return exact[a] < exact[b]; });
			std::sort(by_estimate.begin(), by_estimate.end(),
			          [&](int a, int b) { return estimate[a] < estimate[b]; });
			std::vector<int> pool(by_estimate.begin(),
			                      by_estimate.begin() + (metric == Metric::kL2 ? 50 : 100));
			for (int k = 0; k < 10; k++)
				EXPECT_NE(std::find(pool.begin(), pool.end(), by_exact[k]), pool.end())
				    << "metric " << static_cast<int>(metric) << " dim " << dim << " rank " << k;
		}
	}
}

// A row at its centroid has no estimate error, only float rounding: its bound stays below the
// exact distance the scan computes (IvfDistance), also for a query orthogonal to the centroid,
// whose inner product is near 0 while the rounding of its terms is not.
TEST(Rabitq, BoundBelowExactAtCentroid)
{
	std::mt19937 gen(17);
	for (std::size_t dim : {8u, 100u, 768u}) {
		const std::size_t p = RabitqPaddedDim(dim);
		std::vector<float> signs(3 * p), scratch(p), rotated(p);
		RabitqInitSigns(p, signs.data());
		std::vector<std::uint8_t> code(RabitqCodeBytes(dim));
		int above = 0;
		for (int trial = 0; trial < 4000; trial++) {
			std::vector<float> c = Gaussian(dim, &gen), q = Gaussian(dim, &gen);
			const double cn = std::sqrt(Dot(c.data(), c.data(), dim));
			for (float &v : c)
				v = static_cast<float>(v / cn);
			if (trial % 2 == 1) {
				// q orthogonal to c (up to float rounding).
				const double qc = Dot(q.data(), c.data(), dim);
				for (std::size_t i = 0; i < dim; i++)
					q[i] = static_cast<float>(q[i] - qc * c[i]);
			}
			RabitqEncode(c.data(), c.data(), dim, signs.data(), scratch.data(), code.data());
			for (Metric metric : {Metric::kL2, Metric::kInnerProduct}) {
				RabitqQuery query;
				RabitqPrepareQuery(q.data(), c.data(), dim, metric, signs.data(), rotated.data(),
				                   &query);
				const float exact = IvfDistance(metric, q.data(), c.data(), dim);
				above += RabitqBound(&query, code.data()) > exact;
			}
		}
		EXPECT_EQ(above, 0) << dim;
	}
}
