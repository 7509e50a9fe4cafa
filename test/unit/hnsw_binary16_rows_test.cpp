// Unit tests of the binary16 copies an HNSW build may compare instead of the float rows
// (core/hnsw/hnsw_binary16_rows.h): the transformations keep distances (up to the one scale), the
// check refuses copies that would not rank neighbors as the floats do, and a graph built on the
// copies, searched with the float rows as an index is, finds what a graph of the floats finds.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <vector>

#include "core/distance/float_distance.h"
#include "core/distance/half.h"
#include "core/hnsw/hnsw_binary16_rows.h"
#include "core/hnsw/hnsw_builder.h"

namespace vector_core
{
namespace
{

std::vector<float> Gaussian(std::size_t n, int dims, float offset, float sigma, std::uint32_t seed)
{
	std::mt19937 rng(seed);
	std::normal_distribution<float> g(0.0f, sigma);
	std::vector<float> rows(n * static_cast<std::size_t>(dims));
	for (float &x : rows)
		x = offset + g(rng);
	return rows;
}

// The largest relative difference between the L2 distance of two rows and that of their copies
// (divided by the scale), over pairs (i, i + 1).
double WorstL2Ratio(const std::vector<float> &rows, const std::vector<Half> &copies, std::size_t n, int dims,
                    double scale)
{
	const std::size_t d = static_cast<std::size_t>(dims);
	double worst = 0.0;
	for (std::size_t i = 0; i + 1 < n; i++) {
		const double exact = std::sqrt(L2SquaredDistance(&rows[i * d], &rows[(i + 1) * d], d));
		const double copied = std::sqrt(HalfL2SquaredDistance(&copies[i * d], &copies[(i + 1) * d], d)) / scale;
		worst = std::max(worst, std::fabs(copied - exact) / exact);
	}
	return worst;
}

// The copies of rows[0..n) and what their check found.
struct Copied {
	bool made = false;
	std::vector<Half> copies;
	HnswBinary16Report report;
};
Copied Copy(const std::vector<float> &rows, std::size_t n, int dims, Metric metric, float shift = 0.0f)
{
	Copied c;
	c.made = HnswBinary16Rows(rows.data(), n, dims, metric, shift, &c.copies, &c.report);
	return c;
}

bool AllFinite(const std::vector<Half> &copies)
{
	return std::none_of(copies.begin(), copies.end(), [](Half h) { return HalfIsInf(h) || HalfIsNaN(h); });
}

TEST(HnswBinary16Rows, GaussianRowsAreCopiedFaithfully)
{
	const std::size_t n = 2000;
	const int dims = 64;
	auto rows = Gaussian(n, dims, 0.0f, 1.0f, 1);
	const Copied c = Copy(rows, n, dims, Metric::kL2);
	ASSERT_TRUE(c.made);
	EXPECT_TRUE(c.report.made);
	EXPECT_TRUE(c.report.centered);
	EXPECT_EQ(std::ldexp(1.0, std::ilogb(c.report.scale)), c.report.scale) << "a power of two";
	ASSERT_EQ(c.copies.size(), n * dims);
	EXPECT_LT(WorstL2Ratio(rows, c.copies, n, dims, c.report.scale), 0.002);
	EXPECT_TRUE(AllFinite(c.copies));
}

// Every component near 1,000, the rows differing by hundredths: binary16 spaces its values 0.5
// apart there, but the centered rows keep their differences.
TEST(HnswBinary16Rows, CommonOffsetIsRemovedForL2)
{
	const std::size_t n = 1000;
	const int dims = 32;
	auto rows = Gaussian(n, dims, 1000.0f, 0.01f, 2);
	const Copied c = Copy(rows, n, dims, Metric::kL2);
	ASSERT_TRUE(c.made);
	EXPECT_LT(WorstL2Ratio(rows, c.copies, n, dims, c.report.scale), 0.002);
	EXPECT_TRUE(Copy(rows, n, dims, Metric::kL1).made); // (L1 too)
}

// The inner product changes under a translation: the same rows are refused, not copied badly.
TEST(HnswBinary16Rows, CommonOffsetIsRefusedForInnerProduct)
{
	const std::size_t n = 1000;
	const int dims = 32;
	auto rows = Gaussian(n, dims, 1000.0f, 0.01f, 2);
	const Copied c = Copy(rows, n, dims, Metric::kInnerProduct);
	EXPECT_FALSE(c.made);
	EXPECT_FALSE(c.report.made);
	EXPECT_TRUE(c.copies.empty());
	EXPECT_GT(2 * c.report.max_error, kHnswBinary16Tolerance * c.report.near_distance);
}

// Rows so tiny that no float scale brings them to binary16's range are refused (the scale would
// be infinite and every copy NaN).
TEST(HnswBinary16Rows, RowsBeyondAnyScaleAreRefused)
{
	const std::size_t n = 1000;
	const int dims = 16;
	for (float sigma : {1e-36f, 1e-38f}) {
		auto rows = Gaussian(n, dims, 0.0f, sigma, 3);
		for (Metric metric : {Metric::kL2, Metric::kInnerProduct, Metric::kL1}) {
			const Copied c = Copy(rows, n, dims, metric);
			EXPECT_FALSE(c.made) << sigma;
			EXPECT_TRUE(c.copies.empty());
		}
	}
}

// Values beyond binary16's range and values in its subnormal range are scaled into it.
TEST(HnswBinary16Rows, HugeAndTinyRowsAreScaled)
{
	const std::size_t n = 1000;
	const int dims = 16;
	for (float sigma : {1e6f, 1e-7f, 1e-30f}) {
		auto rows = Gaussian(n, dims, 0.0f, sigma, 3);
		for (Metric metric : {Metric::kL2, Metric::kInnerProduct}) {
			const Copied c = Copy(rows, n, dims, metric);
			ASSERT_TRUE(c.made) << sigma;
			EXPECT_NE(c.report.scale, 1.0);
			EXPECT_TRUE(AllFinite(c.copies));
			// (at 1e-30 the float distances themselves underflow to 0: nothing to compare with)
			if (metric == Metric::kL2 && sigma > 1e-20f) {
				EXPECT_LT(WorstL2Ratio(rows, c.copies, n, dims, c.report.scale), 0.002) << sigma;
			}
		}
	}
}

// A rule with a shift (cosine over normalised rows) compares on an absolute scale: no scaling, no
// centering.
TEST(HnswBinary16Rows, ShiftedRuleKeepsTheScale)
{
	const std::size_t n = 1000;
	const int dims = 48;
	auto rows = Gaussian(n, dims, 0.0f, 1.0f, 4);
	for (std::size_t i = 0; i < n; i++) {
		float *row = &rows[i * dims];
		const float norm = std::sqrt(InnerProduct(row, row, dims));
		for (int j = 0; j < dims; j++)
			row[j] /= norm;
	}
	const Copied c = Copy(rows, n, dims, Metric::kInnerProduct, 1.0f);
	ASSERT_TRUE(c.made);
	EXPECT_EQ(c.report.scale, 1.0);
	EXPECT_FALSE(c.report.centered);
	for (std::size_t i = 0; i < n * dims; i++)
		ASSERT_NEAR(HalfToFloat(c.copies[i]), rows[i], 1e-3);
}

// Rows that differ by less than the copies' rounding (near-duplicates around a common row, for
// the inner product, which cannot be centered) are refused.
TEST(HnswBinary16Rows, NearDuplicatesAreRefused)
{
	const std::size_t n = 500;
	const int dims = 32;
	auto base = Gaussian(1, dims, 0.0f, 1.0f, 5);
	auto noise = Gaussian(n, dims, 0.0f, 1e-5f, 6);
	std::vector<float> rows(n * dims);
	for (std::size_t i = 0; i < n; i++)
		for (int j = 0; j < dims; j++)
			rows[i * dims + j] = base[j] + noise[i * dims + j];
	EXPECT_FALSE(Copy(rows, n, dims, Metric::kInnerProduct).made);
	// Centered (L2), the noise is all that is left, and it is copied well.
	EXPECT_TRUE(Copy(rows, n, dims, Metric::kL2).made);
}

// Beam search of layer 0 from the descent's result, with float distances over the graph's links:
// what an index does with the graph a build wrote.
std::vector<std::uint32_t> SearchFloats(const HnswGraph &graph, const float *rows, int dims, const float *query, int ef,
                                        int k)
{
	const std::size_t d = static_cast<std::size_t>(dims);
	auto dist = [&](std::uint32_t id) { return L2SquaredDistance(query, rows + id * d, d); };
	std::uint32_t current = graph.EntryPoint();
	float current_d = dist(current);
	for (int layer = graph.MaxLevel(); layer > 0; layer--) {
		for (bool moved = true; moved;) {
			moved = false;
			for (std::uint32_t next : graph.Neighbors(current, layer)) {
				const float nd = dist(next);
				if (nd < current_d) {
					current = next;
					current_d = nd;
					moved = true;
				}
			}
		}
	}
	using Item = std::pair<float, std::uint32_t>;
	std::set<std::uint32_t> visited{current};
	std::vector<Item> candidates{{current_d, current}}, results{{current_d, current}};
	auto farther = [](const Item &a, const Item &b) { return a.first > b.first; };
	auto closer = [](const Item &a, const Item &b) { return a.first < b.first; };
	while (!candidates.empty()) {
		std::pop_heap(candidates.begin(), candidates.end(), farther);
		const Item best = candidates.back();
		candidates.pop_back();
		if (static_cast<int>(results.size()) >= ef && best.first > results.front().first)
			break;
		for (std::uint32_t next : graph.Neighbors(best.second, 0)) {
			if (!visited.insert(next).second)
				continue;
			const float nd = dist(next);
			if (static_cast<int>(results.size()) < ef || nd < results.front().first) {
				candidates.push_back({nd, next});
				std::push_heap(candidates.begin(), candidates.end(), farther);
				results.push_back({nd, next});
				std::push_heap(results.begin(), results.end(), closer);
				if (static_cast<int>(results.size()) > ef) {
					std::pop_heap(results.begin(), results.end(), closer);
					results.pop_back();
				}
			}
		}
	}
	std::sort(results.begin(), results.end(), closer);
	std::vector<std::uint32_t> ids;
	for (int i = 0; i < k && i < static_cast<int>(results.size()); i++)
		ids.push_back(results[static_cast<std::size_t>(i)].second);
	return ids;
}

// Recall@10 of a graph built through the builder, searched with floats; with drop_rows the builder
// frees the appended rows once the graph runs on copies (as halfvec builds ask).
double BuilderRecall(bool binary16, const std::vector<float> &rows, std::size_t n, int dims,
                     const std::vector<float> &queries, std::size_t nq, bool *made, bool drop_rows = false)
{
	HnswBuildParams params;
	params.dims = dims;
	params.metric = Metric::kL2;
	params.m = 16;
	params.ef_construction = 64;
	params.keep_pruned = true;
	params.binary16_graph = binary16;
	HnswBuilder *builder = HnswBuilderCreate(params, n, std::size_t{1} << 30);
	for (std::size_t i = 0; i < n; i++)
		EXPECT_TRUE(HnswBuilderAppend(builder, &rows[i * dims]).ok());
	EXPECT_TRUE(HnswBuilderStartGraph(builder, 0, drop_rows).ok());
	EXPECT_TRUE(HnswBuilderInsert(builder, 0, n).ok());
	std::size_t added = 0;
	EXPECT_TRUE(HnswBuilderFinish(builder, &added).ok());
	*made = HnswBuilderBinary16(builder)->made;
	// The rows as appended, whatever the graph compared (none once dropped).
	for (std::size_t i = 0; i < n; i += 97) {
		std::size_t bytes = 0;
		const void *row = HnswBuilderRow(builder, i, &bytes);
		if (drop_rows && *made) {
			EXPECT_EQ(row, nullptr);
			continue;
		}
		EXPECT_EQ(bytes, sizeof(float) * dims);
		EXPECT_EQ(0, std::memcmp(row, &rows[i * dims], bytes));
	}
	const HnswGraph &graph = *HnswBuilderGraph(builder);
	std::size_t hits = 0;
	for (std::size_t q = 0; q < nq; q++) {
		const float *query = &queries[q * dims];
		std::vector<std::pair<float, std::uint32_t>> all(n);
		for (std::size_t i = 0; i < n; i++)
			all[i] = {L2SquaredDistance(query, &rows[i * dims], dims), static_cast<std::uint32_t>(i)};
		std::partial_sort(all.begin(), all.begin() + 10, all.end());
		std::set<std::uint32_t> truth;
		for (int j = 0; j < 10; j++)
			truth.insert(all[static_cast<std::size_t>(j)].second);
		for (std::uint32_t id : SearchFloats(graph, rows.data(), dims, query, 40, 10))
			hits += truth.count(id);
	}
	HnswBuilderDestroy(builder);
	return static_cast<double>(hits) / static_cast<double>(nq * 10);
}

TEST(HnswBinary16Rows, GraphOfCopiesFindsWhatTheFloatGraphFinds)
{
	const std::size_t n = 4000, nq = 100;
	const int dims = 16;
	// Clustered rows far from the origin (a common offset of 50); the queries are rows moved a
	// little.
	auto rows = Gaussian(n, dims, 50.0f, 0.3f, 7);
	auto centers = Gaussian(20, dims, 0.0f, 3.0f, 8);
	for (std::size_t i = 0; i < n; i++)
		for (int j = 0; j < dims; j++)
			rows[i * dims + j] += centers[(i % 20) * dims + j];
	auto queries = Gaussian(nq, dims, 0.0f, 0.1f, 9);
	for (std::size_t q = 0; q < nq; q++)
		for (int j = 0; j < dims; j++)
			queries[q * dims + j] += rows[(q * 37) * dims + j];
	bool made = false;
	const double floats = BuilderRecall(false, rows, n, dims, queries, nq, &made);
	EXPECT_FALSE(made);
	const double copies = BuilderRecall(true, rows, n, dims, queries, nq, &made);
	EXPECT_TRUE(made);
	EXPECT_GE(floats, 0.9);
	EXPECT_GE(copies, floats - 0.01) << "floats " << floats;
	// The graph does not need the appended rows once it runs on copies.
	const double dropped = BuilderRecall(true, rows, n, dims, queries, nq, &made, true);
	EXPECT_TRUE(made);
	EXPECT_GE(dropped, floats - 0.01) << "floats " << floats;
}

} // namespace
} // namespace vector_core
