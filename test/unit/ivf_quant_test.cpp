// Unit tests of the IVF compute layer: k-means, list assignment, SQ8 and PQ quantizers (the
// training and bulk parts from src/build, the encoders and scan kernels from src/core).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "build/ivf_train.h"
#include "build/kmeans.h"
#include "core/distance/float_distance.h"
#include "core/ivf/ivf_quant.h"

using namespace vector_core;

namespace
{

// Memory for k-means' bounds: every test sample's fit (build/bounded_assign_index.h).
constexpr std::size_t kBoundsBytes = std::size_t{1} << 28;

// n x dim points around `clusters` well-separated centres (centre c at coordinate 10 * c).
std::vector<float> ClusteredPoints(std::size_t n, std::size_t dim, std::size_t clusters, unsigned seed)
{
	std::mt19937 gen(seed);
	std::normal_distribution<float> noise(0.0f, 0.1f);
	std::vector<float> x(n * dim);
	for (std::size_t i = 0; i < n; i++)
		for (std::size_t j = 0; j < dim; j++)
			x[i * dim + j] = noise(gen) + (j == 0 ? 10.0f * static_cast<float>(i % clusters) : 0.0f);
	return x;
}

// Every true centre of ClusteredPoints has one of the k centroids c within 0.5.
void ExpectCentroidAtEveryCentre(const std::vector<float> &c, std::size_t k, std::size_t dim)
{
	for (std::size_t t = 0; t < k; t++) {
		float best = 1e30f;
		for (std::size_t j = 0; j < k; j++) {
			std::vector<float> centre(dim, 0.0f);
			centre[0] = 10.0f * static_cast<float>(t);
			best = std::min(best, L2SquaredDistance(centre.data(), c.data() + j * dim, dim));
		}
		EXPECT_LT(best, 0.25f) << "centre " << t;
	}
}

} // namespace

TEST(Kmeans, FindsSeparatedClusters)
{
	const std::size_t n = 2000, dim = 8, k = 4;
	auto x = ClusteredPoints(n, dim, k, 1);
	std::vector<float> c(k * dim);
	Status status = KmeansTrain(x.data(), n, dim, k, false, 10, 1, 42, nullptr, kBoundsBytes, c.data());
	ASSERT_TRUE(status.ok()) << status.message();
	ExpectCentroidAtEveryCentre(c, k, dim);
	// Assignment puts points of one true cluster into one list.
	std::vector<std::int32_t> lists(n);
	ASSERT_TRUE(IvfAssign(x.data(), n, dim, c.data(), k, Metric::kL2, 2, lists.data()).ok());
	for (std::size_t i = k; i < n; i++)
		EXPECT_EQ(lists[i], lists[i % k]);
}

// The bounded assignment index changes how FAISS's iterations find each row's nearest centroid,
// not which one: the centroids are those of the full products, for L2 and for spherical k-means
// on unit rows, over many lists and rows that move between them for several iterations.
TEST(Kmeans, BoundedIterationsGiveTheSameCentroids)
{
	const std::size_t n = 6000, dim = 32, k = 60;
	std::mt19937 gen(17);
	std::normal_distribution<float> normal(0.0f, 1.0f);
	std::vector<float> x(n * dim);
	for (float &v : x)
		v = normal(gen);
	for (bool spherical : {false, true}) {
		std::vector<float> rows = x;
		if (spherical)
			NormalizeRows(rows.data(), n, dim);
		std::vector<float> bounded(k * dim), full(k * dim);
		ASSERT_TRUE(
		    KmeansTrain(rows.data(), n, dim, k, spherical, 10, 1, 3, nullptr, kBoundsBytes, bounded.data())
		        .ok());
		ASSERT_TRUE(KmeansTrain(rows.data(), n, dim, k, spherical, 10, 1, 3, nullptr, 0, full.data()).ok());
		for (std::size_t i = 0; i < k * dim; i++)
			ASSERT_NEAR(bounded[i], full[i], 1e-4f) << "spherical " << spherical << " value " << i;
	}
}

// The seeds come from a subset of the sample (16 points per centroid); a sample in table order
// (a table smaller than the sample's capacity) may hold its clusters one after another, and a
// subset taken from its start would seed every centroid in the first cluster, which one Lloyd
// iteration cannot undo.
TEST(Kmeans, SeedsFromTheWholeSample)
{
	const std::size_t n = 4000, dim = 8, k = 8;
	auto mixed = ClusteredPoints(n, dim, k, 3);
	std::vector<float> x(n * dim);
	// Point i of cluster c (every k-th point of ClusteredPoints) goes to block c.
	for (std::size_t i = 0; i < n; i++) {
		const std::size_t to = (i % k) * (n / k) + i / k;
		std::copy(mixed.begin() + i * dim, mixed.begin() + (i + 1) * dim, x.begin() + to * dim);
	}
	std::vector<float> c(k * dim);
	Status status = KmeansTrain(x.data(), n, dim, k, false, 1, 1, 5, nullptr, kBoundsBytes, c.data());
	ASSERT_TRUE(status.ok()) << status.message();
	ExpectCentroidAtEveryCentre(c, k, dim);
}

TEST(Kmeans, TinyAndEmptySamples)
{
	const std::size_t dim = 4, k = 10;
	std::vector<float> c(k * dim);
	Status status = KmeansTrain(nullptr, 0, dim, k, true, 10, 1, 1, nullptr, kBoundsBytes, c.data());
	ASSERT_TRUE(status.ok()) << status.message();
	for (std::size_t j = 0; j < k; j++)
		EXPECT_NEAR(SquaredNormDouble(c.data() + j * dim, dim), 1.0, 1e-5);
	std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8};
	status = KmeansTrain(x.data(), 2, dim, k, false, 10, 1, 1, nullptr, kBoundsBytes, c.data());
	ASSERT_TRUE(status.ok()) << status.message();
	EXPECT_EQ(std::memcmp(c.data(), x.data(), sizeof(float) * 8), 0);
	status = KmeansTrain(x.data(), 2, 0, k, false, 10, 1, 1, nullptr, kBoundsBytes, c.data());
	EXPECT_FALSE(status.ok());
	EXPECT_NE(std::string(status.message()), "");
}

namespace
{
int stop_polls = 0;
// Asks to stop from the third poll on.
bool StopAfterTwoPolls()
{
	return ++stop_polls > 2;
}
bool AlwaysStop()
{
	return true;
}
} // namespace

TEST(Kmeans, StopsWhenAsked)
{
	const std::size_t n = 3000, dim = 8, k = 64;
	auto x = ClusteredPoints(n, dim, 4, 9);
	std::vector<float> c(k * dim);
	// During k-means++ seeding.
	Status status = KmeansTrain(x.data(), n, dim, k, false, 10, 1, 7, AlwaysStop, kBoundsBytes, c.data());
	EXPECT_FALSE(status.ok());
	EXPECT_EQ(status.code(), Status::Code::kCancelled);
	// During FAISS's iterations (seeding polls k / 16 = 4 times... the third poll stops there, so
	// allow either phase; what matters is the clean, flagged stop).
	stop_polls = 0;
	status = KmeansTrain(x.data(), n, dim, k, false, 10, 1, 7, StopAfterTwoPolls, kBoundsBytes, c.data());
	EXPECT_FALSE(status.ok());
	EXPECT_EQ(status.code(), Status::Code::kCancelled);
	// The callback is removed afterwards: training without one succeeds.
	status = KmeansTrain(x.data(), n, dim, k, false, 10, 1, 7, nullptr, kBoundsBytes, c.data());
	EXPECT_TRUE(status.ok()) << status.message();
}

TEST(Sq8, RoundTripWithinOneStep)
{
	const std::size_t n = 500, dim = 16;
	auto x = ClusteredPoints(n, dim, 3, 2);
	std::vector<float> vmin(dim), vdiff(dim), y(dim);
	std::vector<std::uint8_t> code(dim);
	const Status trained = Sq8Train(x.data(), n, dim, vmin.data(), vdiff.data());
	ASSERT_TRUE(trained.ok()) << trained.message();
	for (std::size_t i = 0; i < n; i++) {
		Sq8Encode(x.data() + i * dim, dim, vmin.data(), vdiff.data(), code.data());
		Sq8Decode(code.data(), dim, vmin.data(), vdiff.data(), y.data());
		for (std::size_t j = 0; j < dim; j++)
			ASSERT_LE(std::fabs(y[j] - x[i * dim + j]), vdiff[j] / 255.0f * 0.51f + 1e-5f);
	}
}

TEST(Sq8, PreparedDistanceEqualsDecodedDistance)
{
	const std::size_t n = 300, dim = 13;
	auto x = ClusteredPoints(n, dim, 3, 3);
	std::vector<float> vmin(dim), vdiff(dim), y(dim), qp(dim), w(dim);
	std::vector<std::uint8_t> code(dim);
	const Status trained = Sq8Train(x.data(), n, dim, vmin.data(), vdiff.data());
	ASSERT_TRUE(trained.ok()) << trained.message();
	vdiff[5] = 0; // a constant dimension
	const float *q = x.data() + 7 * dim;
	for (Metric metric : {Metric::kL2, Metric::kInnerProduct}) {
		Sq8Query query{false, 0, qp.data(), w.data()};
		Sq8PrepareQuery(q, dim, vmin.data(), vdiff.data(), metric, &query);
		for (std::size_t i = 0; i < n; i += 17) {
			Sq8Encode(x.data() + i * dim, dim, vmin.data(), vdiff.data(), code.data());
			Sq8Decode(code.data(), dim, vmin.data(), vdiff.data(), y.data());
			float expect = IvfDistance(metric, q, y.data(), dim);
			EXPECT_NEAR(Sq8Distance(&query, code.data(), dim), expect, 1e-3f * (1 + std::fabs(expect)));
		}
		// The batch kernel (SIMD when the CPU has it) agrees with the one-code kernel.
		std::vector<std::uint8_t> codes(n * (dim + 3));
		for (std::size_t i = 0; i < n; i++)
			Sq8Encode(x.data() + i * dim, dim, vmin.data(), vdiff.data(), codes.data() + i * (dim + 3) + 3);
		std::vector<float> batch(n);
		Sq8DistanceBatch(&query, codes.data() + 3, n, dim + 3, dim, batch.data());
		for (std::size_t i = 0; i < n; i++) {
			float one = Sq8Distance(&query, codes.data() + i * (dim + 3) + 3, dim);
			ASSERT_NEAR(batch[i], one, 1e-4f * (1 + std::fabs(one)));
		}
	}
}

TEST(Pq, TableDistanceEqualsReconstructedDistance)
{
	const std::size_t n = 1000, dim = 16, m = PqDefaultM(16);
	EXPECT_EQ(m, 4u);
	EXPECT_EQ(PqDefaultM(100), 25);
	EXPECT_EQ(PqDefaultM(7), 1);
	auto x = ClusteredPoints(n, dim, 5, 4);
	std::vector<float> book(256 * dim), table(m * 256), y(dim);
	std::vector<std::uint8_t> codes(n * m);
	Status trained = PqTrain(x.data(), n, dim, m, book.data());
	ASSERT_TRUE(trained.ok()) << trained.message();
	std::vector<float> book_t(256 * dim), norms(256 * m);
	PqPrepareEncoder(book.data(), dim, m, book_t.data(), norms.data());
	PqEncode(x.data(), n, dim, m, book_t.data(), norms.data(), codes.data());
	// The build module's parallel encoder gives the same codes.
	std::vector<std::uint8_t> parallel_codes(n * m);
	PqEncodeParallel(x.data(), n, dim, m, book_t.data(), norms.data(), 2, parallel_codes.data());
	EXPECT_EQ(parallel_codes, codes);
	// Each code is the nearest sub-centroid (brute force check).
	for (std::size_t i = 0; i < n; i += 53)
		for (std::size_t s = 0; s < m; s++) {
			float chosen =
			    L2SquaredDistance(x.data() + i * dim + s * (dim / m),
			                      book.data() + (s * 256 + codes[i * m + s]) * (dim / m), dim / m);
			for (std::size_t j = 0; j < 256; j++)
				ASSERT_LE(chosen, L2SquaredDistance(x.data() + i * dim + s * (dim / m),
				                                    book.data() + (s * 256 + j) * (dim / m), dim / m) +
				                      1e-4f);
		}
	const float *q = x.data() + 3 * dim;
	const std::size_t dsub = dim / m;
	double err_sum = 0, norm_sum = 0;
	for (Metric metric : {Metric::kL2, Metric::kInnerProduct}) {
		PqDistanceTable(q, dim, m, book.data(), metric, table.data());
		for (std::size_t i = 0; i < n; i += 37) {
			for (std::size_t s = 0; s < m; s++)
				std::memcpy(y.data() + s * dsub, book.data() + (s * 256 + codes[i * m + s]) * dsub,
				            sizeof(float) * dsub);
			float expect = IvfDistance(metric, q, y.data(), dim);
			EXPECT_NEAR(PqDistance(table.data(), codes.data() + i * m, m), expect,
			            1e-3f * (1 + std::fabs(expect)));
			if (metric == Metric::kL2) {
				err_sum += L2SquaredDistance(x.data() + i * dim, y.data(), dim);
				norm_sum += SquaredNormDouble(x.data() + i * dim, dim);
			}
		}
	}
	// Reconstruction is much closer than the vectors' own size.
	EXPECT_LT(err_sum, 0.05 * norm_sum);
	// Tiny and bad inputs.
	trained = PqTrain(x.data(), 10, dim, m, book.data());
	ASSERT_TRUE(trained.ok()) << trained.message();
	EXPECT_FALSE(PqTrain(x.data(), 10, dim, 3, book.data()).ok());
}

TEST(IvfAssign, BlasPathMatchesBruteForce)
{
	const std::size_t n = 1000, dim = 24, k = 37;
	auto x = ClusteredPoints(n, dim, 7, 5);
	auto c = ClusteredPoints(k, dim, 5, 6);
	std::vector<std::int32_t> lists(n);
	for (Metric metric : {Metric::kL2, Metric::kInnerProduct, Metric::kCosine}) {
		const Status assigned = IvfAssign(x.data(), n, dim, c.data(), k, metric, 2, lists.data());
		ASSERT_TRUE(assigned.ok()) << assigned.message();
		for (std::size_t i = 0; i < n; i++) {
			float best = 1e30f;
			for (std::size_t j = 0; j < k; j++)
				best = std::min(best, IvfDistance(metric, x.data() + i * dim, c.data() + j * dim, dim));
			float chosen = IvfDistance(metric, x.data() + i * dim, c.data() + lists[i] * dim, dim);
			ASSERT_LE(chosen, best + 1e-4f * (1 + std::fabs(best))) << "row " << i;
		}
	}
}

// More rows than one BLAS block (4,096 rows, fewer with many lists: 2,796 with 1,500), and rows
// of NaNs, which go to list 0.
TEST(IvfAssign, BlasPathOverSeveralBlocks)
{
	const std::size_t n = 9000, dim = 12;
	auto x = ClusteredPoints(n, dim, 9, 7);
	for (std::size_t t = 0; t < dim; t++)
		x[4100 * dim + t] = std::numeric_limits<float>::quiet_NaN();
	std::vector<std::int32_t> lists(n);
	for (std::size_t k : {std::size_t{16}, std::size_t{1500}})
		for (Metric metric : {Metric::kL2, Metric::kInnerProduct}) {
			auto c = ClusteredPoints(k, dim, 4, 8);
			std::fill(lists.begin(), lists.end(), -1);
			const Status assigned = IvfAssign(x.data(), n, dim, c.data(), k, metric, 2, lists.data());
			ASSERT_TRUE(assigned.ok()) << assigned.message();
			EXPECT_EQ(lists[4100], 0);
			for (std::size_t i = 0; i < n; i++) {
				if (i == 4100)
					continue;
				ASSERT_GE(lists[i], 0);
				ASSERT_LT(lists[i], static_cast<std::int32_t>(k));
				float best = 1e30f;
				for (std::size_t j = 0; j < k; j++)
					best = std::min(
					    best, IvfDistance(metric, x.data() + i * dim, c.data() + j * dim, dim));
				float chosen = IvfDistance(metric, x.data() + i * dim, c.data() + lists[i] * dim, dim);
				// The products' rounding, relative to the squared norms they expand (|x|^2 + |c|^2 -
				// 2 x.c): 1,500 lists make near ties between centroids.
				float scale = 1.0f;
				for (std::size_t t = 0; t < dim; t++)
					scale += x[i * dim + t] * x[i * dim + t] +
					         c[lists[i] * dim + t] * c[lists[i] * dim + t];
				ASSERT_LE(chosen, best + 1e-5f * scale) << "row " << i;
			}
		}
}

// Points whose squared norms overflow a float (FAISS's k-means used to abort on them): training
// scales them and returns centroids at the points' own scale.
TEST(Kmeans, HugeValuesTrainAtTheirOwnScale)
{
	const std::size_t n = 400, dim = 4, k = 4;
	std::vector<float> x = ClusteredPoints(n, dim, k, 7);
	for (float &v : x)
		v *= 1e30f;
	EXPECT_GT(TrainingScaleExponent(x.data(), n, dim), 0);
	std::vector<float> c(k * dim);
	ASSERT_TRUE(KmeansTrain(x.data(), n, dim, k, false, 10, 1, 1234, nullptr, kBoundsBytes, c.data()).ok());
	for (float &v : c) {
		ASSERT_TRUE(std::isfinite(v));
		v /= 1e30f;
	}
	ExpectCentroidAtEveryCentre(c, k, dim);
	std::vector<float> book(256 * dim);
	ASSERT_TRUE(PqTrain(x.data(), n, dim, 2, book.data()).ok());
	for (float v : book)
		ASSERT_TRUE(std::isfinite(v));
	// Ordinary values are left as they are.
	EXPECT_EQ(TrainingScaleExponent(ClusteredPoints(n, dim, k, 7).data(), n, dim), 0);
}
