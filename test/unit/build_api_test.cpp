// Unit tests of vector_build.so's C interface (build/build_api.h): the table, results passed
// back as codes and messages (never as exceptions), and calls through the table giving what
// the C++ functions behind them give.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "build/build_api.h"
#include "build/kmeans.h"
#include "core/ivf/ivf_quant.h"

namespace
{

std::vector<float> RandomPoints(std::size_t n, std::size_t dim, unsigned seed)
{
	std::mt19937 gen(seed);
	std::normal_distribution<float> normal(0.0f, 1.0f);
	std::vector<float> x(n * dim);
	for (float &v : x)
		v = normal(gen);
	return x;
}

bool AlwaysStop(void)
{
	return true;
}

VectorBuildResult Dirty()
{
	VectorBuildResult result;
	result.code = -1;
	std::strcpy(result.message, "untouched");
	return result;
}

} // namespace

TEST(BuildApi, TableIsComplete)
{
	const VectorBuildApi *api = vector_build_api();
	ASSERT_NE(api, nullptr);
	EXPECT_EQ(api->abi_version, static_cast<std::uint32_t>(VECTOR_BUILD_ABI_VERSION));
	EXPECT_EQ(api->size, sizeof(VectorBuildApi));
	EXPECT_NE(api->kmeans_train, nullptr);
	EXPECT_NE(api->ivf_assign, nullptr);
	EXPECT_NE(api->sq8_train, nullptr);
	EXPECT_NE(api->pq_train, nullptr);
	EXPECT_NE(api->pq_encode, nullptr);
}

TEST(BuildApi, KmeansThroughTheTableMatchesTheDirectCall)
{
	const std::size_t n = 500, dim = 8, k = 10;
	auto x = RandomPoints(n, dim, 3);
	std::vector<float> direct(k * dim), via(k * dim);
	ASSERT_TRUE(vector_core::KmeansTrain(x.data(), n, dim, k, false, 5, 1, 9, nullptr, 0, direct.data()).ok());
	VectorBuildResult result = Dirty();
	vector_build_api()->kmeans_train(x.data(), n, dim, k, false, 5, 1, 9, nullptr, 0, via.data(), &result);
	EXPECT_EQ(result.code, VECTOR_BUILD_OK);
	EXPECT_STREQ(result.message, "");
	EXPECT_EQ(direct, via);
}

TEST(BuildApi, FailuresComeBackAsCodesAndMessages)
{
	const VectorBuildApi *api = vector_build_api();
	const std::size_t n = 300, dim = 12;
	auto x = RandomPoints(n, dim, 4);

	// Invalid arguments: an error with a message, no exception, no abort.
	std::vector<float> c(4 * dim);
	VectorBuildResult result = Dirty();
	api->kmeans_train(x.data(), n, 0, 4, false, 5, 1, 1, nullptr, 0, c.data(), &result);
	EXPECT_EQ(result.code, VECTOR_BUILD_ERROR);
	EXPECT_NE(std::string(result.message).find("k-means"), std::string::npos) << result.message;

	// A raised cancel flag.
	std::vector<float> big(40 * dim);
	result = Dirty();
	api->kmeans_train(x.data(), n, dim, 40, false, 5, 1, 1, AlwaysStop, 1 << 24, big.data(), &result);
	EXPECT_EQ(result.code, VECTOR_BUILD_CANCELLED);

	// PQ with a number of sub-quantizers that does not divide the dimensions.
	std::vector<float> book(256 * dim);
	result = Dirty();
	api->pq_train(x.data(), n, dim, 5, book.data(), &result);
	EXPECT_EQ(result.code, VECTOR_BUILD_ERROR);
	EXPECT_NE(std::string(result.message).find("divide"), std::string::npos) << result.message;
	std::vector<std::uint8_t> codes(n * 5);
	result = Dirty();
	api->pq_encode(x.data(), n, dim, 5, book.data(), book.data(), 1, codes.data(), &result);
	EXPECT_EQ(result.code, VECTOR_BUILD_ERROR);

	// An unknown metric number.
	std::vector<std::int32_t> lists(n);
	result = Dirty();
	api->ivf_assign(x.data(), n, dim, c.data(), 4, 7, 1, lists.data(), &result);
	EXPECT_EQ(result.code, VECTOR_BUILD_ERROR);
}

TEST(BuildApi, QuantizersThroughTheTable)
{
	const VectorBuildApi *api = vector_build_api();
	const std::size_t n = 600, dim = 16, m = 4, k = 9;
	auto x = RandomPoints(n, dim, 5);

	std::vector<float> centroids(k * dim);
	VectorBuildResult result = Dirty();
	api->kmeans_train(x.data(), n, dim, k, false, 5, 1, 2, nullptr, 1 << 24, centroids.data(), &result);
	ASSERT_EQ(result.code, VECTOR_BUILD_OK) << result.message;
	// Every row goes to its nearest centroid, whichever metric number.
	for (std::int32_t metric : {VECTOR_BUILD_METRIC_L2, VECTOR_BUILD_METRIC_INNER_PRODUCT}) {
		const vector_core::Metric core_metric =
		    metric == VECTOR_BUILD_METRIC_L2 ? vector_core::Metric::kL2 : vector_core::Metric::kInnerProduct;
		std::vector<std::int32_t> lists(n);
		result = Dirty();
		api->ivf_assign(x.data(), n, dim, centroids.data(), k, metric, 2, lists.data(), &result);
		ASSERT_EQ(result.code, VECTOR_BUILD_OK) << result.message;
		for (std::size_t i = 0; i < n; i += 7) {
			const float chosen = vector_core::IvfDistance(core_metric, x.data() + i * dim,
			                                              centroids.data() + lists[i] * dim, dim);
			for (std::size_t j = 0; j < k; j++)
				ASSERT_LE(chosen, vector_core::IvfDistance(core_metric, x.data() + i * dim,
				                                           centroids.data() + j * dim, dim) +
				                      1e-3f);
		}
	}

	std::vector<float> vmin(dim), vdiff(dim);
	result = Dirty();
	api->sq8_train(x.data(), n, dim, vmin.data(), vdiff.data(), &result);
	ASSERT_EQ(result.code, VECTOR_BUILD_OK) << result.message;
	for (std::size_t j = 0; j < dim; j++)
		EXPECT_GT(vdiff[j], 0.0f);

	std::vector<float> book(256 * dim), book_t(256 * dim), norms(256 * m);
	result = Dirty();
	api->pq_train(x.data(), n, dim, m, book.data(), &result);
	ASSERT_EQ(result.code, VECTOR_BUILD_OK) << result.message;
	vector_core::PqPrepareEncoder(book.data(), dim, m, book_t.data(), norms.data());
	std::vector<std::uint8_t> serial(n * m), parallel(n * m);
	vector_core::PqEncode(x.data(), n, dim, m, book_t.data(), norms.data(), serial.data());
	result = Dirty();
	api->pq_encode(x.data(), n, dim, m, book_t.data(), norms.data(), 2, parallel.data(), &result);
	ASSERT_EQ(result.code, VECTOR_BUILD_OK) << result.message;
	EXPECT_EQ(serial, parallel);
}
