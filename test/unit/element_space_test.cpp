// Element representations of the indexes (core/distance/element_distance.h): each kind's distance against a
// direct computation, and HNSW graphs built over half, bit and sparse rows (fixed-size rows and
// rows of varying size through the builder) finding their nearest neighbours.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/distance/element_distance.h"
#include "core/distance/half.h"
#include "core/hnsw/hnsw_builder.h"
#include "core/hnsw/hnsw_graph.h"

using namespace vector_core;

namespace
{

// A sparse row (nnz, indices, values) of the non-zero components of dense.
std::vector<std::uint8_t> SparseRowOf(const std::vector<float> &dense)
{
	std::vector<std::int32_t> idx;
	std::vector<float> val;
	for (std::size_t i = 0; i < dense.size(); i++)
		if (dense[i] != 0.0f) {
			idx.push_back(static_cast<std::int32_t>(i));
			val.push_back(dense[i]);
		}
	std::vector<std::uint8_t> row(SparseElementBytes(idx.size()));
	const std::int32_t nnz = static_cast<std::int32_t>(idx.size());
	std::memcpy(row.data(), &nnz, 4);
	std::memcpy(row.data() + 4, idx.data(), 4 * idx.size());
	std::memcpy(row.data() + 4 + 4 * idx.size(), val.data(), 4 * val.size());
	return row;
}

// Bits of dense (> 0 is 1), most significant bit first.
std::vector<std::uint8_t> BitRowOf(const std::vector<float> &dense)
{
	std::vector<std::uint8_t> row((dense.size() + 7) / 8, 0);
	for (std::size_t i = 0; i < dense.size(); i++)
		if (dense[i] > 0)
			row[i / 8] |= static_cast<std::uint8_t>(0x80 >> (i % 8));
	return row;
}

std::vector<std::vector<float>> RandomDense(std::size_t n, int dims, double zero_share, std::uint32_t seed)
{
	std::mt19937 rng(seed);
	std::normal_distribution<float> value(0.0f, 1.0f);
	std::uniform_real_distribution<double> u(0, 1);
	std::vector<std::vector<float>> out(n, std::vector<float>(dims));
	for (auto &v : out)
		for (auto &x : v)
			x = u(rng) < zero_share ? 0.0f : value(rng);
	return out;
}

} // namespace

TEST(ElementSpace, DistancesMatchDirectComputation)
{
	auto rows = RandomDense(2, 37, 0.6, 7);
	const auto &a = rows[0], &b = rows[1];
	double l2 = 0, ip = 0, l1 = 0;
	for (int i = 0; i < 37; i++) {
		l2 += (a[i] - b[i]) * (a[i] - b[i]);
		ip += a[i] * b[i];
		l1 += std::fabs(a[i] - b[i]);
	}
	EXPECT_NEAR(ElementDistance(ElementKind::kFloat, Metric::kL2)(a.data(), b.data(), 37), l2, 1e-4);
	EXPECT_NEAR(ElementDistance(ElementKind::kFloat, Metric::kInnerProduct)(a.data(), b.data(), 37), -ip, 1e-4);
	auto sa = SparseRowOf(a), sb = SparseRowOf(b);
	EXPECT_NEAR(ElementDistance(ElementKind::kSparse, Metric::kL2)(sa.data(), sb.data(), 37), l2, 1e-4);
	EXPECT_NEAR(ElementDistance(ElementKind::kSparse, Metric::kInnerProduct)(sa.data(), sb.data(), 37), -ip, 1e-4);
	EXPECT_NEAR(ElementDistance(ElementKind::kSparse, Metric::kL1)(sa.data(), sb.data(), 37), l1, 1e-4);
	EXPECT_EQ(ElementRowBytes(ElementKind::kSparse, 37, sa.data()), sa.size());

	std::vector<Half> ha(37), hb(37);
	FloatToHalfArray(a.data(), ha.data(), 37);
	FloatToHalfArray(b.data(), hb.data(), 37);
	double hl2 = 0;
	for (int i = 0; i < 37; i++) {
		double d = HalfToFloat(ha[i]) - HalfToFloat(hb[i]);
		hl2 += d * d;
	}
	EXPECT_NEAR(ElementDistance(ElementKind::kHalf, Metric::kL2)(ha.data(), hb.data(), 37), hl2, 1e-3);
	EXPECT_EQ(ElementFixedBytes(ElementKind::kHalf, 37), 74u);
	EXPECT_EQ(ElementStoredBytes(74), 76u);

	auto ba = BitRowOf(a), bb = BitRowOf(b);
	int hamming = 0, both = 0, either = 0;
	for (int i = 0; i < 37; i++) {
		hamming += (a[i] > 0) != (b[i] > 0);
		both += (a[i] > 0) && (b[i] > 0);
		either += (a[i] > 0) || (b[i] > 0);
	}
	EXPECT_EQ(ElementDistance(ElementKind::kBit, Metric::kHamming)(ba.data(), bb.data(), 37), hamming);
	EXPECT_NEAR(ElementDistance(ElementKind::kBit, Metric::kJaccard)(ba.data(), bb.data(), 37),
	            1.0 - static_cast<double>(both) / either, 1e-6);
	EXPECT_EQ(ElementFixedBytes(ElementKind::kBit, 37), 5u);

	// Pairs no index supports.
	EXPECT_EQ(ElementDistance(ElementKind::kBit, Metric::kL2), nullptr);
	EXPECT_EQ(ElementDistance(ElementKind::kFloat, Metric::kHamming), nullptr);
}

// Recall@10 of a graph over rows against brute force with the same distance.
static double GraphRecall(const HnswGraph &graph, ElementDistanceFn distance, int dims, int queries)
{
	const std::size_t n = graph.size();
	double hits = 0;
	for (int q = 0; q < queries; q++) {
		const void *query = graph.Vector(static_cast<std::uint32_t>((q * 7919) % n));
		std::vector<std::pair<float, std::uint32_t>> all;
		for (std::uint32_t i = 0; i < n; i++)
			all.push_back({distance(query, graph.Vector(i), dims), i});
		std::sort(all.begin(), all.end());
		const float kth = all[9].first;
		auto found = graph.Search(query, 10, 64);
		for (const auto &c : found)
			hits += c.distance <= kth ? 1 : 0; // ties count
	}
	return hits / (10.0 * queries);
}

TEST(ElementSpace, GraphOverHalfRows)
{
	const int dims = 24;
	auto dense = RandomDense(3000, dims, 0.0, 11);
	std::vector<Half> rows(dense.size() * dims);
	for (std::size_t i = 0; i < dense.size(); i++)
		FloatToHalfArray(dense[i].data(), rows.data() + i * dims, dims);
	HnswBuildParams p;
	p.dims = dims;
	p.threads = 2;
	p.distance = ElementDistance(ElementKind::kHalf, Metric::kL2);
	p.row_bytes = dims * sizeof(Half);
	HnswGraph graph(p, rows.data(), dense.size());
	graph.InsertRange(0, dense.size());
	graph.Finish();
	EXPECT_EQ(graph.CountUnreachable(0), 0u);
	EXPECT_GE(GraphRecall(graph, p.distance, dims, 50), 0.95);
}

TEST(ElementSpace, GraphOverBitRows)
{
	const int dims = 64;
	auto dense = RandomDense(3000, dims, 0.0, 12);
	std::vector<std::uint8_t> rows;
	for (const auto &v : dense) {
		auto r = BitRowOf(v);
		rows.insert(rows.end(), r.begin(), r.end());
	}
	for (Metric metric : {Metric::kHamming, Metric::kJaccard}) {
		HnswBuildParams p;
		p.dims = dims;
		p.threads = 2;
		p.distance = ElementDistance(ElementKind::kBit, metric);
		p.row_bytes = dims / 8;
		HnswGraph graph(p, rows.data(), dense.size());
		graph.InsertRange(0, dense.size());
		graph.Finish();
		EXPECT_EQ(graph.CountUnreachable(0), 0u);
		EXPECT_GE(GraphRecall(graph, p.distance, dims, 50), 0.9);
	}
}

TEST(ElementSpace, BuilderOverSparseRowsOfVaryingSize)
{
	const int dims = 200;
	auto dense = RandomDense(2000, dims, 0.9, 13);
	HnswBuildParams p;
	p.dims = dims;
	p.threads = 2;
	p.distance = ElementDistance(ElementKind::kSparse, Metric::kL2);
	p.row_bytes = 0; // rows of varying size
	HnswBuilder *builder = HnswBuilderCreate(p, dense.size(), std::size_t{1} << 30);
	ASSERT_NE(builder, nullptr);
	std::size_t largest = 0, smallest = SIZE_MAX;
	for (const auto &v : dense) {
		auto row = SparseRowOf(v);
		largest = std::max(largest, row.size());
		smallest = std::min(smallest, row.size());
		ASSERT_TRUE(HnswBuilderAppendRow(builder, row.data(), row.size()).ok());
	}
	EXPECT_LT(smallest, largest);
	ASSERT_TRUE(HnswBuilderStartGraph(builder).ok());
	ASSERT_TRUE(HnswBuilderInsert(builder, 0, dense.size()).ok());
	std::size_t added = 0;
	ASSERT_TRUE(HnswBuilderFinish(builder, &added).ok());
	const HnswGraph &graph = *HnswBuilderGraph(builder);
	// Rows come back as appended.
	for (std::size_t i = 0; i < dense.size(); i += 97) {
		auto row = SparseRowOf(dense[i]);
		ASSERT_EQ(ElementRowBytes(ElementKind::kSparse, dims, graph.Vector(static_cast<std::uint32_t>(i))),
		          row.size());
		EXPECT_EQ(std::memcmp(graph.Vector(static_cast<std::uint32_t>(i)), row.data(), row.size()), 0);
	}
	EXPECT_EQ(graph.CountUnreachable(0), 0u);
	EXPECT_GE(GraphRecall(graph, p.distance, dims, 50), 0.9);
	HnswBuilderDestroy(builder);
}

TEST(ElementSpace, FixedRowsOfTheWrongSizeAreRefused)
{
	HnswBuildParams p;
	p.dims = 16;
	p.distance = ElementDistance(ElementKind::kHalf, Metric::kL2);
	p.row_bytes = 32;
	HnswBuilder *builder = HnswBuilderCreate(p, 4, 1 << 20);
	ASSERT_NE(builder, nullptr);
	std::uint8_t row[40] = {};
	EXPECT_TRUE(HnswBuilderAppendRow(builder, row, 32).ok());
	EXPECT_FALSE(HnswBuilderAppendRow(builder, row, 40).ok());
	EXPECT_EQ(HnswBuilderRows(builder), 1u);
	HnswBuilderDestroy(builder);
}
