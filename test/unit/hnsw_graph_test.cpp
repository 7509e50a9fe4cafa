// Unit tests of the in-memory HNSW graph (core/hnsw/hnsw_graph.h) and its no-throw build interface
// (core/hnsw/hnsw_builder.h): recall against brute force, reachability after Finish, serial and
// threaded builds, the neighbor-selection heuristic, levels, and argument checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/distance/float_distance.h"
#include "core/hnsw/hnsw_builder.h"
#include "core/hnsw/hnsw_graph.h"

namespace vector_core
{
namespace
{

// Clustered random data: centers plus noise, the hard case for graph connectivity; rows take the
// clusters in turn.
std::vector<float> ClusteredData(std::size_t n, int dims, int clusters, std::uint32_t seed)
{
	std::mt19937 rng(seed);
	std::normal_distribution<float> noise(0.0f, 0.05f);
	std::uniform_real_distribution<float> center(-1.0f, 1.0f);
	std::vector<float> centers(static_cast<std::size_t>(clusters) * dims);
	for (float &c : centers)
		c = center(rng);
	std::vector<float> data(n * dims);
	for (std::size_t i = 0; i < n; i++) {
		const float *c = centers.data() + (i % clusters) * dims;
		for (int j = 0; j < dims; j++)
			data[i * dims + j] = c[j] + noise(rng);
	}
	return data;
}

// Exact k nearest ids of query under squared L2.
std::vector<std::uint32_t> BruteForce(const std::vector<float> &data, int dims, const float *query, int k)
{
	const std::size_t n = data.size() / dims;
	std::vector<std::pair<float, std::uint32_t>> all(n);
	for (std::size_t i = 0; i < n; i++) {
		float d = 0;
		for (int j = 0; j < dims; j++) {
			float t = data[i * dims + j] - query[j];
			d += t * t;
		}
		all[i] = {d, static_cast<std::uint32_t>(i)};
	}
	std::partial_sort(all.begin(), all.begin() + k, all.end());
	std::vector<std::uint32_t> ids(k);
	for (int i = 0; i < k; i++)
		ids[i] = all[i].second;
	return ids;
}

// Recall@k of the graph over queries taken from perturbed data rows.
double Recall(const HnswGraph &graph, const std::vector<float> &data, int dims, int queries, int k, int ef)
{
	std::mt19937 rng(7);
	std::normal_distribution<float> noise(0.0f, 0.02f);
	const std::size_t n = data.size() / dims;
	int hits = 0;
	for (int q = 0; q < queries; q++) {
		std::vector<float> query(data.begin() + (q * 7919 % n) * dims,
		                         data.begin() + (q * 7919 % n + 1) * dims);
		for (float &v : query)
			v += noise(rng);
		auto truth = BruteForce(data, dims, query.data(), k);
		auto found = graph.Search(query.data(), k, ef);
		std::set<std::uint32_t> got;
		for (const auto &c : found)
			got.insert(c.id);
		for (auto id : truth)
			hits += got.count(id) ? 1 : 0;
	}
	return static_cast<double>(hits) / (queries * k);
}

HnswBuildParams Params(int dims, int threads)
{
	HnswBuildParams p;
	p.dims = dims;
	p.metric = Metric::kL2;
	p.m = 8;
	p.ef_construction = 40;
	p.threads = threads;
	p.prune = HnswPruneRuleFor(ElementKind::kFloat, Metric::kL2); // what an index on L2 uses
	return p;
}

TEST(HnswGraph, SerialBuildFindsNeighborsAndIsConnected)
{
	const int dims = 16;
	auto data = ClusteredData(3000, dims, 30, 1);
	HnswGraph graph(Params(dims, 1), data.data(), 3000);
	graph.InsertRange(0, 3000);
	graph.Finish();
	for (int layer = 0; layer <= graph.MaxLevel(); layer++)
		EXPECT_EQ(graph.CountUnreachable(layer), 0u) << "layer " << layer;
	EXPECT_GE(Recall(graph, data, dims, 100, 10, 64), 0.95);
}

TEST(HnswGraph, ThreadedBuildMatchesSerialRecallAndIsConnected)
{
	const int dims = 16;
	auto data = ClusteredData(4000, dims, 40, 2);
	HnswGraph serial(Params(dims, 1), data.data(), 4000);
	serial.InsertRange(0, 4000);
	serial.Finish();
	HnswGraph threaded(Params(dims, 4), data.data(), 4000);
	for (std::size_t b = 0; b < 4000; b += 500)
		threaded.InsertRange(b, b + 500);
	threaded.Finish();
	for (int layer = 0; layer <= threaded.MaxLevel(); layer++)
		EXPECT_EQ(threaded.CountUnreachable(layer), 0u) << "layer " << layer;
	double r1 = Recall(serial, data, dims, 100, 10, 64);
	double r4 = Recall(threaded, data, dims, 100, 10, 64);
	EXPECT_GE(r4, 0.95);
	EXPECT_GE(r4, r1 - 0.02);
}

TEST(HnswGraph, EveryNodeFindsItselfFirst)
{
	const int dims = 8;
	auto data = ClusteredData(1500, dims, 15, 3);
	HnswGraph graph(Params(dims, 2), data.data(), 1500);
	graph.InsertRange(0, 1500);
	graph.Finish();
	int misses = 0;
	for (std::uint32_t i = 0; i < 1500; i++) {
		auto found = graph.Search(graph.Vector(i), 1, 64);
		ASSERT_EQ(found.size(), 1u);
		if (found[0].distance != 0.0f)
			misses++;
	}
	// HNSW search is approximate: a threaded build may leave a rare node that a greedy search
	// misses although it is reachable (reachability itself is tested exactly above).
	EXPECT_LE(misses, 3);
}

// Rows of the extension's setup (full lists, the L2 rule) found by their own vector. With the
// plain rule, 15-30% of such builds missed 6-90 rows of 1,500 (a region cut off; see
// HnswPruneRule). Rows grouped by cluster (all of one, then the next) still leave whole clusters
// hard to find, with or without the slack, as in hnswlib; not tested here.
TEST(HnswGraph, ClustersStayJoinedWithFullLists)
{
	const int dims = 8;
	const std::size_t n = 1500;
	for (std::uint32_t seed = 3; seed < 15; seed++) {
		auto data = ClusteredData(n, dims, 15, seed);
		auto params = Params(dims, 2);
		params.keep_pruned = true;
		HnswGraph graph(params, data.data(), n);
		for (std::size_t b = 0; b < n; b += 500)
			graph.InsertRange(b, b + 500);
		graph.Finish();
		int misses = 0;
		for (std::uint32_t i = 0; i < n; i++) {
			auto found = graph.Search(graph.Vector(i), 1, 64);
			misses += (found.empty() || found[0].distance != 0.0f) ? 1 : 0;
		}
		EXPECT_LE(misses, 3) << "seed " << seed;
	}
}

TEST(HnswGraph, NeighborListsAreSortedAndWithinCapacity)
{
	const int dims = 8;
	auto data = ClusteredData(800, dims, 8, 4);
	HnswGraph graph(Params(dims, 2), data.data(), 800);
	graph.InsertRange(0, 800);
	graph.Finish();
	for (std::uint32_t i = 0; i < 800; i++) {
		for (int layer = 0; layer <= graph.Level(i); layer++) {
			auto list = graph.Neighbors(i, layer);
			EXPECT_LE(list.size(), static_cast<std::size_t>(graph.LayerCapacity(layer)));
			for (std::size_t j = 0; j < list.size(); j++) {
				EXPECT_NE(list[j], i);
				EXPECT_GE(graph.Level(list[j]), layer);
				if (j > 0) {
					EXPECT_LE(graph.NodeDistance(i, list[j - 1]), graph.NodeDistance(i, list[j]));
				}
			}
		}
	}
}

TEST(HnswGraph, DuplicatesDoNotBreakTheGraph)
{
	const int dims = 4;
	std::vector<float> data(2000 * dims, 0.5f); // 1000 identical rows, then distinct ones
	std::mt19937 rng(5);
	std::uniform_real_distribution<float> u(0, 1);
	for (std::size_t i = 1000 * dims; i < data.size(); i++)
		data[i] = u(rng);
	HnswGraph graph(Params(dims, 2), data.data(), 2000);
	graph.InsertRange(0, 2000);
	graph.Finish();
	EXPECT_EQ(graph.CountUnreachable(0), 0u);
	int misses = 0;
	for (std::uint32_t i = 1000; i < 2000; i++) {
		auto found = graph.Search(graph.Vector(i), 1, 40);
		misses += (found.empty() || found[0].distance != 0.0f) ? 1 : 0;
	}
	EXPECT_LE(misses, 3); // approximate search; reachability is exact (above)
}

TEST(HnswGraph, MaxLevelCapsLevels)
{
	auto params = Params(4, 1);
	params.m = 2;
	params.max_level = 1;
	std::vector<float> data(5000 * 4, 1.0f);
	HnswGraph graph(params, data.data(), 5000);
	for (std::uint32_t i = 0; i < 5000; i++)
		EXPECT_LE(graph.Level(i), 1);
}

TEST(HnswGraph, RejectsBadArguments)
{
	std::vector<float> data(16, 0.0f);
	auto p = Params(4, 1);
	p.m = 1;
	EXPECT_THROW(HnswGraph(p, data.data(), 4), std::invalid_argument);
	p = Params(0, 1);
	EXPECT_THROW(HnswGraph(p, data.data(), 4), std::invalid_argument);
	p = Params(4, 1);
	HnswGraph graph(p, data.data(), 4);
	graph.InsertRange(0, 2);
	EXPECT_THROW(graph.InsertRange(1, 3), std::invalid_argument);
	EXPECT_THROW(graph.InsertRange(3, 9), std::invalid_argument);
}

// The rule of each metric (HnswPruneRuleFor) and what its slack changes.
TEST(HnswPruneRule, SlackKeepsLinksThatAreBarelyCovered)
{
	const HnswPruneRule l2 = HnswPruneRuleFor(ElementKind::kFloat, Metric::kL2);
	EXPECT_FLOAT_EQ(l2.slack, 1.1f);
	EXPECT_FLOAT_EQ(l2.shift, 0.0f);
	EXPECT_FLOAT_EQ(HnswPruneRuleFor(ElementKind::kFloat, Metric::kCosine).shift, 1.0f);
	EXPECT_FLOAT_EQ(HnswPruneRuleFor(ElementKind::kSparse, Metric::kCosine).shift, 1.0f);
	EXPECT_FLOAT_EQ(HnswPruneRuleFor(ElementKind::kHalf, Metric::kCosine).shift, 0.0f);
	EXPECT_NEAR(HnswPruneRuleFor(ElementKind::kFloat, Metric::kL1).slack, std::sqrt(1.1f), 1e-6);
	EXPECT_NEAR(HnswPruneRuleFor(ElementKind::kBit, Metric::kHamming).slack, std::sqrt(1.1f), 1e-6);
	const HnswPruneRule ip = HnswPruneRuleFor(ElementKind::kFloat, Metric::kInnerProduct);
	EXPECT_EQ(ip.slack, 1.0f);
	EXPECT_EQ(ip.shift, 0.0f);

	// A candidate 1.0 from the base and 0.95 from a kept one: covered by the plain rule, kept
	// with slack 1.1 (0.95 * 1.1 > 1.0); at 0.85 from it, covered by both.
	EXPECT_TRUE(HnswCovered(1.0f, 0.5f, 0.95f));
	EXPECT_FALSE(HnswCovered(1.0f, 0.5f, 0.95f, l2));
	EXPECT_TRUE(HnswCovered(1.0f, 0.5f, 0.85f, l2));
	// Exact duplicates are covered under every rule.
	EXPECT_TRUE(HnswCovered(0.7f, 0.7f, 0.7f, l2));
	// Cosine over normalised rows: -cos 0.2 from the base, -0.15 from a kept one: 1 - cos 0.8
	// against 0.85 * 1.1, kept; -0.4 from it, covered.
	const HnswPruneRule cosine = HnswPruneRuleFor(ElementKind::kFloat, Metric::kCosine);
	EXPECT_FALSE(HnswCovered(-0.2f, -0.9f, -0.15f, cosine));
	EXPECT_TRUE(HnswCovered(-0.2f, -0.9f, -0.4f, cosine));

	// Three candidates 1.0, 1.1 and 2.0 from the base; the second is 1.0 from the first, the
	// third 3.0 from both.
	HnswCandidate c[] = {{1.0f, 0}, {1.1f, 1}, {2.0f, 2}};
	auto between = [](int i, int j) { return i + j == 1 ? 1.0f : 3.0f; };
	int selected[3];
	ASSERT_EQ(HnswSelectNeighbors(c, 3, 3, false, between, selected), 2); // 1.0 < 1.1: covered
	EXPECT_EQ(selected[1], 2);
	const HnswPruneRule slack = {0.0f, 1.2f};
	ASSERT_EQ(HnswSelectNeighbors(c, 3, 3, false, between, selected, slack), 3); // 1.2 > 1.1: kept
}

TEST(HnswSelectNeighbors, KeepsDiverseCandidates)
{
	// Base at 0 on a line; candidates at 1, 1.1 (close to 1) and -2 (other side).
	const float pos[] = {1.0f, 1.1f, -2.0f};
	HnswCandidate c[] = {{1.0f, 0}, {1.1f, 1}, {2.0f, 2}};
	int selected[3];
	int kept = HnswSelectNeighbors(
	    c, 3, 3, false, [&](int i, int j) { return std::fabs(pos[i] - pos[j]); }, selected);
	ASSERT_EQ(kept, 2);
	EXPECT_EQ(selected[0], 0);
	EXPECT_EQ(selected[1], 2);
	kept = HnswSelectNeighbors(
	    c, 3, 3, true, [&](int i, int j) { return std::fabs(pos[i] - pos[j]); }, selected);
	ASSERT_EQ(kept, 3);
	EXPECT_EQ(selected[0], 0);
	EXPECT_EQ(selected[1], 1);
	EXPECT_EQ(selected[2], 2);
}

// A full list taking newcomers one by one through HnswFullListLeftOut (verdicts kept between
// steps) ends up, at every step, exactly as HnswSelectNeighbors with keep_pruned over the list
// plus the newcomer: random 2-d points (and points on a grid, for ties), lists of 4 to 32.
TEST(HnswFullListLeftOut, MatchesTheHeuristicStepByStep)
{
	std::mt19937_64 rng(17);
	for (int round = 0; round < 60; round++) {
		const bool grid = round % 3 == 0;
		// Every other round with the rule of an L2 index (slack 1.1).
		const HnswPruneRule rule =
		    round % 2 == 0 ? HnswPruneRule{} : HnswPruneRuleFor(ElementKind::kFloat, Metric::kL2);
		const int capacity = 4 + static_cast<int>(rng() % 29);
		const int points = capacity + 200;
		std::vector<float> x(points), y(points);
		std::uniform_real_distribution<float> u(-1.0f, 1.0f);
		for (int i = 0; i < points; i++) {
			x[i] = grid ? std::round(u(rng) * 4.0f) : u(rng);
			y[i] = grid ? std::round(u(rng) * 4.0f) : u(rng);
		}
		// The base is point 0; distances are squared L2.
		auto dist = [&](int a, int b) { return (x[a] - x[b]) * (x[a] - x[b]) + (y[a] - y[b]) * (y[a] - y[b]); };
		std::vector<HnswCandidate> list;
		for (int i = 1; i <= capacity; i++)
			list.push_back({dist(0, i), static_cast<std::uint32_t>(i)});
		std::sort(list.begin(), list.end(), HnswByDistanceThenId);
		std::vector<int> verdict(capacity, -1);
		for (int next = capacity + 1; next < points; next++) {
			const HnswCandidate added = {dist(0, next), static_cast<std::uint32_t>(next)};
			std::vector<HnswCandidate> cands = list;
			int position = 0;
			while (position < capacity && HnswByDistanceThenId(cands[position], added))
				position++;
			cands.insert(cands.begin() + position, added);
			std::vector<int> v = verdict;
			v.insert(v.begin() + position, -1);
			std::vector<int> kept(capacity + 1);
			const HnswCandidate *c = cands.data();
			const int out = HnswFullListLeftOut(
			    c, capacity + 1, position, v.data(), kept.data(),
			    [&](int i, int j) { return dist(static_cast<int>(c[i].id), static_cast<int>(c[j].id)); },
			    rule);

			std::vector<int> selected(capacity + 1);
			const int n = HnswSelectNeighbors(
			    c, capacity + 1, capacity, true,
			    [&](int i, int j) { return dist(static_cast<int>(c[i].id), static_cast<int>(c[j].id)); },
			    selected.data(), rule);
			ASSERT_EQ(n, capacity);
			std::set<std::uint32_t> expected, got;
			for (int i = 0; i < n; i++)
				expected.insert(c[selected[i]].id);
			list.clear();
			verdict.clear();
			for (int e = 0; e <= capacity; e++) {
				if (e == out)
					continue;
				got.insert(c[e].id);
				list.push_back(c[e]);
				verdict.push_back(v[e]);
			}
			ASSERT_EQ(got, expected) << "round " << round << " newcomer " << next;
		}
	}
}

// With a pruned candidate the heuristic's choice stands; with all kept the farthest of the farther
// half whose target does not count the list's node among its nearest gives way, and the farthest
// when all of that half do.
TEST(HnswLeftOutSparingNear, SparesLinksTheirTargetsRelyOn)
{
	const int some_pruned[6] = {1, 1, 0, 1, 1, 1};
	int asked = 0;
	EXPECT_EQ(HnswLeftOutSparingNear(some_pruned, 6, 2,
	                                 [&](int) {
		                                 asked++;
		                                 return false;
	                                 }),
	          2);
	EXPECT_EQ(asked, 0); // the targets are not even asked
	const int all_kept[6] = {1, 1, 1, 1, 1, 1};
	const bool holds[6] = {true, false, false, false, true, true};
	EXPECT_EQ(HnswLeftOutSparingNear(all_kept, 6, 5, [&](int e) { return holds[e]; }), 3);
	const bool near_half_only[6] = {false, false, false, true, true, true};
	EXPECT_EQ(HnswLeftOutSparingNear(all_kept, 6, 5, [&](int e) { return near_half_only[e]; }), 5);
	EXPECT_EQ(HnswLeftOutSparingNear(all_kept, 6, 5, [](int) { return false; }), 5);
	EXPECT_EQ(HnswLeftOutSparingNear(all_kept, 6, 5, [](int) { return true; }), 5);
}

TEST(HnswLevels, DistributionFollowsMultiplier)
{
	EXPECT_EQ(HnswLevelFromUniform(0.0, 16), 0);
	EXPECT_EQ(HnswLevelFromUniform(0.999999999999, 16), 9);
	EXPECT_EQ(HnswLevelFromUniform(1.0 - 1e-300, 2), kHnswGraphMaxLevel);
	std::mt19937_64 rng(9);
	std::uniform_real_distribution<double> u(0, 1);
	int above = 0;
	for (int i = 0; i < 100000; i++)
		above += HnswLevelFromUniform(u(rng), 16) > 0;
	// P(level > 0) = 1/m.
	EXPECT_NEAR(above / 100000.0, 1.0 / 16, 0.005);
}

TEST(HnswBuilder, ReportsErrorsWithoutThrowing)
{
	HnswBuildParams p = Params(4, 2);
	HnswBuilder *builder = HnswBuilderCreate(p, 10, 1 << 20);
	ASSERT_NE(builder, nullptr);
	const float v[4] = {1, 2, 3, 4};
	for (int i = 0; i < 50; i++)
		ASSERT_TRUE(HnswBuilderAppend(builder, v).ok());
	EXPECT_EQ(HnswBuilderRows(builder), 50u);
	const Status not_started = HnswBuilderInsert(builder, 0, 10); // graph not started
	EXPECT_FALSE(not_started.ok());
	EXPECT_STRNE(not_started.message(), "");
	ASSERT_TRUE(HnswBuilderStartGraph(builder).ok());
	EXPECT_FALSE(HnswBuilderAppend(builder, v).ok());
	ASSERT_TRUE(HnswBuilderInsert(builder, 0, 50).ok());
	EXPECT_TRUE(HnswBuilderInsert(builder, 0, 1).ok());   // inserted already: nothing to do
	EXPECT_FALSE(HnswBuilderInsert(builder, 0, 51).ok()); // out of range
	std::size_t added = 0;
	ASSERT_TRUE(HnswBuilderFinish(builder, &added).ok());
	std::vector<std::uint32_t> order(50);
	ASSERT_TRUE(HnswBuilderLayoutOrder(builder, order.data()).ok());
	std::vector<std::uint32_t> sorted(order);
	std::sort(sorted.begin(), sorted.end());
	for (std::uint32_t i = 0; i < 50; i++)
		EXPECT_EQ(sorted[i], i);
	EXPECT_EQ(order[0], HnswBuilderGraph(builder)->EntryPoint());
	HnswBuilderDestroy(builder);
}

// The graph of a subset (a label graph of the hnsw access method): its lists link rows of the
// subset only, within capacity, never the row itself; its seeds are rows of the subset; and a row's
// nearest neighbor within the subset is among its links for nearly every row.
TEST(HnswBuilder, SubgraphLinksItsOwnRows)
{
	const int dims = 16;
	const std::size_t n = 3000;
	const std::vector<float> data = ClusteredData(n, dims, 12, 5);
	HnswBuildParams p = Params(dims, 2);
	HnswBuilder *builder = HnswBuilderCreate(p, n, std::size_t{1} << 30);
	ASSERT_NE(builder, nullptr);
	for (std::size_t i = 0; i < n; i++)
		ASSERT_TRUE(HnswBuilderAppend(builder, data.data() + i * dims).ok());
	const int capacity = 2 * p.m;
	std::vector<std::uint32_t> nodes;
	for (std::uint32_t i = 1; i < n; i += 3)
		nodes.push_back(i);
	std::vector<std::uint32_t> lists(nodes.size() * (1 + capacity));
	std::uint32_t seeds[8];
	int seed_count = -1;
	// Not before the graph exists.
	EXPECT_FALSE(
	    HnswBuilderSubgraph(builder, nodes.data(), nodes.size(), capacity, lists.data(), seeds, 8, &seed_count)
	        .ok());
	ASSERT_TRUE(HnswBuilderStartGraph(builder).ok());
	ASSERT_TRUE(HnswBuilderInsert(builder, 0, n).ok());
	std::size_t added = 0;
	ASSERT_TRUE(HnswBuilderFinish(builder, &added).ok());
	EXPECT_FALSE(HnswBuilderSubgraph(builder, nodes.data(), nodes.size(), capacity + 1, lists.data(), seeds, 8,
	                                 &seed_count)
	                 .ok()); // odd capacity
	const std::uint32_t out_of_range = n;
	EXPECT_FALSE(
	    HnswBuilderSubgraph(builder, &out_of_range, 1, capacity, lists.data(), seeds, 8, &seed_count).ok());
	EXPECT_GT(HnswBuilderSubgraphBytes(builder, nodes.size(), capacity), nodes.size() * dims * sizeof(float));
	ASSERT_TRUE(
	    HnswBuilderSubgraph(builder, nodes.data(), nodes.size(), capacity, lists.data(), seeds, 8, &seed_count)
	        .ok());

	const std::set<std::uint32_t> subset(nodes.begin(), nodes.end());
	ASSERT_GE(seed_count, 1);
	ASSERT_LE(seed_count, 8);
	for (int s = 0; s < seed_count; s++)
		EXPECT_TRUE(subset.count(seeds[s]));
	std::vector<float> sub_data;
	for (std::uint32_t node : nodes)
		sub_data.insert(sub_data.end(), data.begin() + node * dims, data.begin() + (node + 1) * dims);
	std::size_t nearest_linked = 0;
	for (std::size_t i = 0; i < nodes.size(); i++) {
		const std::uint32_t *list = lists.data() + i * (1 + capacity);
		ASSERT_LE(list[0], static_cast<std::uint32_t>(capacity));
		EXPECT_GT(list[0], 0u);
		for (std::uint32_t j = 0; j < list[0]; j++) {
			EXPECT_TRUE(subset.count(list[1 + j])) << "row " << nodes[i] << " links " << list[1 + j];
			EXPECT_NE(list[1 + j], nodes[i]);
		}
		// (The row itself is its nearest: take the second.)
		const auto two = BruteForce(sub_data, dims, data.data() + nodes[i] * dims, 2);
		const std::uint32_t nearest = nodes[two[0] == i ? two[1] : two[0]];
		nearest_linked += std::count(list + 1, list + 1 + list[0], nearest) > 0;
	}
	EXPECT_GE(nearest_linked, nodes.size() * 95 / 100);
	HnswBuilderDestroy(builder);
}

// Reads rows [first, first + count) of an fvecs file of the shared datasets beside the checkout
// (../shared/datasets, or $VECTOR_DATASETS_SRC as scripts/test.sh sets it; the TAP tests read them
// too) into data; returns the dimensions (0 when the file cannot be read or is short).
int ReadSharedRows(const std::string &relative, std::size_t first, std::size_t count, std::vector<float> *data)
{
	const char *datasets = std::getenv("VECTOR_DATASETS_SRC");
	const std::string path =
	    (datasets != nullptr ? std::string(datasets) : std::string(VECTOR_SOURCE_DIR) + "/../shared/datasets") +
	    "/" + relative;
	std::ifstream in(path, std::ios::binary);
	std::int32_t d = 0;
	if (!in.read(reinterpret_cast<char *>(&d), 4) || d <= 0)
		return 0;
	const std::streamoff row = 4 + 4 * static_cast<std::streamoff>(d);
	in.seekg(row * static_cast<std::streamoff>(first));
	data->resize(count * static_cast<std::size_t>(d));
	for (std::size_t i = 0; i < count; i++) {
		std::int32_t rd = 0;
		if (!in.read(reinterpret_cast<char *>(&rd), 4) || rd != d ||
		    !in.read(reinterpret_cast<char *>(data->data() + i * static_cast<std::size_t>(d)),
		             4 * static_cast<std::streamsize>(d)))
			return 0;
	}
	return d;
}

// An index's build setup (m 16, ef_construction 64, lists filled with pruned candidates, the rule
// of its metric) with one thread and the given level seed.
HnswBuildParams IndexSetup(int dims, Metric metric, std::uint64_t seed)
{
	HnswBuildParams params = Params(dims, 1);
	params.metric = StoredRowMetric(ElementKind::kFloat, metric);
	params.prune = HnswPruneRuleFor(ElementKind::kFloat, metric);
	params.m = 16;
	params.ef_construction = 64;
	params.keep_pruned = true;
	params.seed = seed;
	return params;
}

// siftsmall inserted in file order with the extension's setup (m 16, ef_construction 64, lists
// filled with pruned candidates, the L2 rule): few rows are not found by their own vector at
// ef_search 40, over thirteen draws of the levels. Seeds 174, 245 and 257 are the worst of 200
// for a greedy descent through the upper layers (106, 88 and 84 rows; seeds 1-10: 155 in all,
// 48 at worst): it stopped on an upper layer far from its target, for searches and inserts alike
// (kHnswDescentBeam). With the beam: 8, 5, 3 and 29 in all for seeds 1-10 (45 in all, 8 at worst;
// the bounds leave room for other floating-point rounding, the greedy descent is 4x over them). The
// data is the shared siftsmall set beside the checkout (../shared/datasets, or
// $VECTOR_DATASETS_SRC), which the TAP tests read too.
TEST(HnswGraph, SiftsmallRowsFindThemselvesOverLevelDraws)
{
	std::vector<float> data;
	const int dims = ReadSharedRows("siftsmall/siftsmall_base.fvecs", 0, 10000, &data);
	ASSERT_EQ(dims, 128) << "cannot read siftsmall (10,000 rows of 128 dims) from the shared datasets";
	const std::size_t n = 10000;
	int total = 0;
	int worst = 0;
	for (const std::uint64_t seed : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 174, 245, 257}) {
		HnswGraph graph(IndexSetup(dims, Metric::kL2, seed), data.data(), n);
		graph.InsertRange(0, n);
		graph.Finish();
		int misses = 0;
		for (std::uint32_t i = 0; i < n; i++) {
			auto found = graph.Search(graph.Vector(i), 1, 40);
			misses += (found.empty() || found[0].distance != 0.0f) ? 1 : 0;
		}
		total += misses;
		worst = std::max(worst, misses);
	}
	EXPECT_LE(total, 100) << "rows not found by their own vector, over thirteen level draws";
	EXPECT_LE(worst, 25) << "rows not found by their own vector, worst level draw";
}

// GloVe rows 100,000-139,999 (rare words: far from one another and from everything) under cosine,
// with the extension's setup: rows not found among the 10 nearest of their own vector at
// ef_search 40. A full list whose links are all kept used to give up its farthest, often the link
// from a row that a search for the rare one ends at (98-117 rows missed for level seeds 1-4);
// sparing links their targets count among their nearest (HnswLeftOutSparingNear): 18-33.
TEST(HnswGraph, RareGloveRowsFindThemselves)
{
	std::vector<float> data;
	const std::size_t n = 40000;
	const int dims = ReadSharedRows("glove-100/glove100_base.fvecs", 100000, n, &data);
	ASSERT_EQ(dims, 100) << "cannot read GloVe rows 100,000-139,999 from the shared datasets";
	for (std::size_t i = 0; i < n; i++) {
		float *row = data.data() + i * 100;
		const double norm = std::sqrt(SquaredNormDouble(row, 100));
		for (int j = 0; j < 100 && norm > 0; j++)
			row[j] = static_cast<float>(row[j] / norm);
	}
	for (const std::uint64_t seed : {1, 2}) {
		HnswGraph graph(IndexSetup(dims, Metric::kCosine, seed), data.data(), n);
		graph.InsertRange(0, n);
		graph.Finish();
		int misses = 0;
		for (std::uint32_t i = 0; i < n; i++) {
			bool hit = false;
			for (const HnswCandidate &c : graph.Search(graph.Vector(i), 10, 40))
				hit = hit || c.id == i;
			misses += hit ? 0 : 1;
		}
		EXPECT_LE(misses, 60) << "level seed " << seed << ": rare rows not found by their own vector";
	}
}

// The 10 rows of largest inner product with each query (exact, in double).
std::vector<std::vector<std::uint32_t>> InnerProductTop10(const std::vector<float> &data, int n,
                                                          const std::vector<float> &queries, int nq, int dims)
{
	std::vector<std::vector<std::uint32_t>> truth(nq);
	for (int q = 0; q < nq; q++) {
		std::vector<std::pair<double, std::uint32_t>> all;
		for (int i = 0; i < n; i++) {
			double d = 0;
			for (int j = 0; j < dims; j++)
				d -= static_cast<double>(queries[static_cast<std::size_t>(q) * dims + j]) *
				     data[static_cast<std::size_t>(i) * dims + j];
			all.push_back({d, static_cast<std::uint32_t>(i)});
		}
		std::partial_sort(all.begin(), all.begin() + 10, all.end());
		for (int k = 0; k < 10; k++)
			truth[q].push_back(all[k].second);
	}
	return truth;
}

} // namespace
// Copies of one row with full lists, as an index build makes them (keep_pruned): 4,000 identical
// nodes (what 40,000 equal rows make in elements of ten) among distinct ones. Every copy is a tie
// for every other; before LinkCopies most of them had no link in (3,874 of 4,000 unreachable at
// m = 16), and an index scan returned a sixth of the equal rows.
TEST(HnswGraph, CopiesOfOneRowAreAllReachable)
{
	const int dims = 3;
	for (int copies : {1000, 4000})
		for (int m : {8, 16})
			for (int threads : {1, 2}) {
				const int n = copies + 2000;
				std::vector<float> data(static_cast<std::size_t>(n) * dims, 0.0f);
				for (int i = 0; i < copies; i++) {
					data[i * dims] = 1.0f;
					data[i * dims + 1] = 2.0f;
					data[i * dims + 2] = 3.0f;
				}
				std::mt19937 rng(5);
				std::uniform_real_distribution<float> u(0, 1);
				for (std::size_t i = static_cast<std::size_t>(copies) * dims; i < data.size(); i++)
					data[i] = u(rng);
				auto p = Params(dims, threads);
				p.m = m;
				p.ef_construction = 64;
				p.keep_pruned = true;
				HnswGraph graph(p, data.data(), n);
				graph.InsertRange(0, n);
				graph.Finish();
				for (int layer = 0; layer <= graph.MaxLevel(); layer++)
					EXPECT_EQ(graph.CountUnreachable(layer), 0u)
					    << copies << " copies, m " << m << ", threads " << threads << ", layer "
					    << layer;
				// The distinct rows are still found by their own vectors.
				int misses = 0;
				for (int i = copies; i < n; i++) {
					const auto found =
					    graph.Search(graph.Vector(static_cast<std::uint32_t>(i)), 1, 40);
					misses += found.empty() || found[0].distance != 0.0f;
				}
				EXPECT_LE(misses, 2) << copies << " copies, m " << m << ", threads " << threads;
			}
}

// Inner product over rows of mixed scales (32-d, norms over four orders of magnitude), lists kept
// full as an index build keeps them. Sparing the links whose targets count the node among their
// nearest gave those links to the large-norm rows everyone counts so (HnswSpareNearFor):
// recall@10 at ef_search 40 was 0.954 with it, 0.962 without (pgvector 0.8.6: 0.962).
TEST(HnswGraph, InnerProductOverMixedScales)
{
	const int dims = 32, n = 20000, nq = 200;
	std::mt19937 rng(42);
	std::uniform_real_distribution<float> u(-0.5f, 0.5f);
	std::vector<float> data(static_cast<std::size_t>(n) * dims), queries(static_cast<std::size_t>(nq) * dims);
	for (int i = 0; i < n; i++) {
		const float scale = std::pow(10.0f, static_cast<float>(i % 5 - 2));
		for (int j = 0; j < dims; j++)
			data[static_cast<std::size_t>(i) * dims + j] = u(rng) * scale;
	}
	for (float &x : queries)
		x = u(rng);
	const std::vector<std::vector<std::uint32_t>> truth = InnerProductTop10(data, n, queries, nq, dims);
	auto recall = [&](bool spare_near) {
		auto p = Params(dims, 1);
		p.m = 16;
		p.ef_construction = 64;
		p.keep_pruned = true;
		p.spare_near = spare_near;
		p.metric = Metric::kInnerProduct;
		p.prune = HnswPruneRuleFor(ElementKind::kFloat, Metric::kInnerProduct);
		HnswGraph graph(p, data.data(), n);
		graph.InsertRange(0, n);
		graph.Finish();
		int hits = 0;
		for (int q = 0; q < nq; q++)
			for (const HnswCandidate &c :
			     graph.Search(queries.data() + static_cast<std::size_t>(q) * dims, 10, 40))
				hits += static_cast<int>(std::count(truth[q].begin(), truth[q].end(), c.id));
		return hits / (10.0 * nq);
	};
	EXPECT_FALSE(HnswSpareNearFor(Metric::kInnerProduct));
	EXPECT_TRUE(HnswSpareNearFor(Metric::kCosine));
	EXPECT_TRUE(HnswSpareNearFor(Metric::kL2));
	const double with = recall(true), without = recall(false);
	EXPECT_GE(without, 0.96);
	EXPECT_GT(without, with);
}

// Rows around 20 centres with norms over two orders of magnitude, under the inner product, and
// queries near the centres, over six level draws at ef_search 20: with HnswSearchBeamsFor's beam
// on layer 1, mean recall@10 0.997 and 2 queries of the 600 that find none of their rows (over
// twelve draws, 3 of 1,200; distances differ a little by SIMD level, and graphs with them). With
// the beam of 2 of other metrics: mean 0.968, three draws at 0.96 or below, 19 queries that find
// none.
TEST(HnswGraph, InnerProductClustersFoundOnEveryLevelDraw)
{
	const int dims = 64, n = 10000, nq = 100, centres = 20;
	std::mt19937 rng(7);
	std::normal_distribution<float> wide(0.0f, 3.0f), unit(0.0f, 1.0f);
	std::uniform_real_distribution<float> exponent(-1.0f, 1.0f);
	std::vector<float> centre(static_cast<std::size_t>(centres) * dims);
	for (float &x : centre)
		x = wide(rng);
	std::vector<float> data(static_cast<std::size_t>(n) * dims), queries(static_cast<std::size_t>(nq) * dims);
	for (int i = 0; i < n; i++) {
		const float scale = std::pow(10.0f, exponent(rng));
		for (int j = 0; j < dims; j++)
			data[static_cast<std::size_t>(i) * dims + j] =
			    (centre[static_cast<std::size_t>(i % centres) * dims + j] + unit(rng)) * scale;
	}
	for (int q = 0; q < nq; q++) {
		const int c = static_cast<int>(rng() % centres);
		for (int j = 0; j < dims; j++)
			queries[static_cast<std::size_t>(q) * dims + j] =
			    centre[static_cast<std::size_t>(c) * dims + j] + unit(rng);
	}
	const std::vector<std::vector<std::uint32_t>> truth = InnerProductTop10(data, n, queries, nq, dims);
	const HnswSearchBeams beams = HnswSearchBeamsFor(Metric::kInnerProduct);
	EXPECT_GT(beams.last, kHnswSearchLastLayerBeam);
	EXPECT_EQ(HnswSearchBeamsFor(Metric::kL2).last, kHnswSearchLastLayerBeam);
	double recall_sum = 0;
	int missed = 0;
	for (std::uint64_t seed : {1, 2, 3, 4, 5, 6}) {
		auto p = Params(dims, 1);
		p.m = 16;
		p.ef_construction = 64;
		p.keep_pruned = true;
		p.spare_near = HnswSpareNearFor(Metric::kInnerProduct);
		p.metric = Metric::kInnerProduct;
		p.prune = HnswPruneRuleFor(ElementKind::kFloat, Metric::kInnerProduct);
		p.search_beams = beams;
		p.seed = seed;
		HnswGraph graph(p, data.data(), n);
		graph.InsertRange(0, n);
		graph.Finish();
		int hits = 0;
		for (int q = 0; q < nq; q++) {
			int found = 0;
			for (const HnswCandidate &c :
			     graph.Search(queries.data() + static_cast<std::size_t>(q) * dims, 10, 20))
				found += static_cast<int>(std::count(truth[q].begin(), truth[q].end(), c.id));
			hits += found;
			missed += found == 0;
		}
		recall_sum += hits / (10.0 * nq);
	}
	EXPECT_GE(recall_sum / 6, 0.99);
	EXPECT_LE(missed, 6);
}

} // namespace vector_core
