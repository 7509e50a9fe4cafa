// Build-time and recall benchmark of the in-memory HNSW graph (core/hnsw/hnsw_graph.h) on an .fvecs
// dataset. Not a test: a tool to run by hand (built by CMake as hnsw_graph_bench).
//
//   hnsw_graph_bench --base B.fvecs --query Q.fvecs [--gt G.ivecs] [--metric l2|ip|cosine|l1]
//                    [--threads 2] [--m 16] [--efc 64] [--chunk 2000] [--nq 1000] [--limit N]
//                    [--keep-pruned] [--ef 10,20,40,80,160] [--k 10]
//                    [--rule index|plain|SLACK] [--seeds default,1,2,...] [--self N] [--self-ef 40]
//                    [--half]
//
// --half builds and searches the graph on binary16 copies of the rows and queries, as they are
// (the experiment behind core/hnsw/hnsw_binary16_rows.h, without its centering, scaling and check).
//
// With --limit (first N base rows) or without --gt, exact neighbors are computed by brute force.
// Cosine normalises base and queries and builds with the inner-product metric.
//
// --rule picks the neighbor heuristic's pruning rule (HnswPruneRule): "index" (default) is the one
// an index of that metric uses (HnswPruneRuleFor), "plain" the HNSW paper's, a number that slack
// with the index rule's shift. --keep-pruned fills the lists as an index build does.
//
// --seeds builds one graph per level seed ("default" is HnswBuildParams' own, which every index
// build uses) and ends with the mean over the seeds: one seed is one draw of the levels, and two
// rules compared on one draw differ by as much as the draw itself moves the recall.
//
// --self N searches each of the first N rows with its own vector (k results at --self-ef) and
// counts the rows not among them: reachable is not findable.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/distance/element_distance.h"
#include "core/distance/float_distance.h"
#include "core/distance/half.h"
#include "core/hnsw/hnsw_graph.h"

namespace
{

using vector_core::HnswCandidate;
using vector_core::HnswGraph;
using vector_core::Metric;

// Reads an .fvecs/.ivecs file (int32 dim, then dim 4-byte values per row); returns rows.
template <typename T>
std::size_t ReadVecs(const std::string &path, std::vector<T> *out, int *dims, std::size_t max_rows)
{
	std::ifstream in(path, std::ios::binary);
	if (!in)
		throw std::runtime_error("cannot open " + path);
	std::size_t rows = 0;
	out->clear();
	std::int32_t d = 0;
	while (rows < max_rows && in.read(reinterpret_cast<char *>(&d), 4)) {
		if (rows == 0)
			*dims = d;
		else if (d != *dims)
			throw std::runtime_error("ragged file " + path);
		std::size_t old = out->size();
		out->resize(old + static_cast<std::size_t>(d));
		in.read(reinterpret_cast<char *>(out->data() + old), 4 * static_cast<std::streamsize>(d));
		rows++;
	}
	return rows;
}

// Scales every row to unit length.
void Normalise(std::vector<float> *data, int dims)
{
	for (std::size_t off = 0; off < data->size(); off += static_cast<std::size_t>(dims)) {
		double norm =
		    std::sqrt(vector_core::SquaredNormDouble(data->data() + off, static_cast<std::size_t>(dims)));
		if (norm > 0)
			for (int j = 0; j < dims; j++)
				(*data)[off + static_cast<std::size_t>(j)] =
				    static_cast<float>((*data)[off + static_cast<std::size_t>(j)] / norm);
	}
}

double Seconds(std::chrono::steady_clock::time_point since)
{
	return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

struct Options {
	std::string base_path, query_path, gt_path, metric_name = "l2", ef_list = "10,20,40,80,160";
	std::string rule = "index", seeds = "default";
	int threads = 2, m = 16, efc = 64, k = 10, self_ef = 40;
	std::size_t chunk = 2000, nq = 1000, limit = SIZE_MAX, self = 0;
	bool keep_pruned = false;
	bool half = false; // build and search on binary16 copies of the rows (an experiment)
};

std::vector<std::string> SplitList(const std::string &list)
{
	std::vector<std::string> items;
	std::stringstream in(list);
	std::string item;
	while (std::getline(in, item, ','))
		if (!item.empty())
			items.push_back(item);
	return items;
}

// The metric named on the command line (what an index's operator class compares).
Metric MetricNamed(const std::string &name)
{
	if (name == "l2")
		return Metric::kL2;
	if (name == "ip")
		return Metric::kInnerProduct;
	if (name == "cosine")
		return Metric::kCosine;
	if (name == "l1")
		return Metric::kL1;
	throw std::runtime_error("unknown metric " + name);
}

vector_core::HnswPruneRule RuleFor(const std::string &rule, Metric metric)
{
	vector_core::HnswPruneRule index_rule = vector_core::HnswPruneRuleFor(vector_core::ElementKind::kFloat, metric);
	if (rule == "index")
		return index_rule;
	if (rule == "plain")
		return {};
	index_rule.slack = std::stof(rule);
	return index_rule;
}

// Recall@k of the graph at each ef of the list (appended to recall), printed one line each.
void MeasureRecall(const HnswGraph &graph, const Options &o, const std::vector<float> &queries, int dims,
                   std::size_t nq, const std::vector<std::int32_t> &gt, std::size_t gt_stride,
                   std::vector<double> *recall, const std::vector<vector_core::Half> *half_queries = nullptr)
{
	vector_core::HnswSearchScratch scratch;
	for (const std::string &item : SplitList(o.ef_list)) {
		int ef = std::stoi(item);
		std::size_t hits = 0, zero = 0;
		auto ts = std::chrono::steady_clock::now();
		for (std::size_t q = 0; q < nq; q++) {
			const void *query =
			    half_queries != nullptr
			        ? static_cast<const void *>(half_queries->data() + q * static_cast<std::size_t>(dims))
			        : static_cast<const void *>(queries.data() + q * static_cast<std::size_t>(dims));
			auto found = graph.Search(query, o.k, ef, scratch);
			std::size_t h = 0;
			for (const HnswCandidate &c : found)
				for (int j = 0; j < o.k; j++)
					if (gt[q * gt_stride + static_cast<std::size_t>(j)] ==
					    static_cast<std::int32_t>(c.id))
						h++;
			hits += h;
			zero += h == 0;
		}
		double s = Seconds(ts);
		double r = static_cast<double>(hits) / static_cast<double>(nq * static_cast<std::size_t>(o.k));
		recall->push_back(r);
		std::printf("ef_search %4d: recall@%d %.4f  queries with 0 hits %zu  %.0f q/s\n", ef, o.k, r, zero,
		            static_cast<double>(nq) / s);
	}
}

// Rows among the first o.self not returned by a search for their own vector.
std::size_t CountSelfMisses(const HnswGraph &graph, const Options &o, const std::vector<float> &base, int dims,
                            std::size_t n)
{
	vector_core::HnswSearchScratch scratch;
	std::size_t misses = 0;
	for (std::size_t i = 0; i < std::min(o.self, n); i++) {
		auto found = graph.Search(base.data() + i * static_cast<std::size_t>(dims), o.k, o.self_ef, scratch);
		bool hit = false;
		for (const HnswCandidate &c : found)
			hit = hit || c.id == i;
		misses += hit ? 0 : 1;
	}
	return misses;
}

int Run(const Options &o)
{
	int dims = 0, qdims = 0, gdims = 0;
	std::vector<float> base, queries;
	std::size_t n = ReadVecs(o.base_path, &base, &dims, o.limit);
	std::size_t nq = ReadVecs(o.query_path, &queries, &qdims, o.nq);
	if (qdims != dims)
		throw std::runtime_error("query dims differ");
	const Metric metric = MetricNamed(o.metric_name);
	if (metric == Metric::kCosine) {
		Normalise(&base, dims);
		Normalise(&queries, dims);
	}

	vector_core::HnswBuildParams params;
	params.dims = dims;
	params.metric = vector_core::StoredRowMetric(vector_core::ElementKind::kFloat, metric);
	params.m = o.m;
	params.ef_construction = o.efc;
	params.threads = o.threads;
	params.keep_pruned = o.keep_pruned;
	params.spare_near = vector_core::HnswSpareNearFor(metric);     // as an index build sets it
	params.search_beams = vector_core::HnswSearchBeamsFor(metric); // as an index scan descends
	params.prune = RuleFor(o.rule, metric);
	std::vector<vector_core::Half> half_base, half_queries;
	if (o.half) {
		half_base.resize(base.size());
		half_queries.resize(queries.size());
		vector_core::FloatToHalfArray(base.data(), half_base.data(), base.size());
		vector_core::FloatToHalfArray(queries.data(), half_queries.data(), queries.size());
		params.distance = vector_core::ElementDistance(
		    vector_core::ElementKind::kHalf,
		    vector_core::StoredRowMetric(vector_core::ElementKind::kFloat, metric));
		params.row_bytes = sizeof(vector_core::Half) * static_cast<std::size_t>(dims);
	}
	const void *data =
	    o.half ? static_cast<const void *>(half_base.data()) : static_cast<const void *>(base.data());
	std::printf("n=%zu dims=%d metric=%s m=%d efc=%d threads=%d keep_pruned=%d rule=%s (shift %g, slack %g) "
	            "simd=%s estimate=%.1f MiB\n",
	            n, dims, o.metric_name.c_str(), o.m, o.efc, o.threads, o.keep_pruned ? 1 : 0, o.rule.c_str(),
	            static_cast<double>(params.prune.shift), static_cast<double>(params.prune.slack),
	            vector_core::SimdLevelName(vector_core::ActiveSimdLevel()),
	            HnswGraph::EstimateMemoryBytes(n, dims, o.m, o.threads) / 1048576.0);

	std::vector<std::int32_t> gt;
	std::size_t gt_stride = 0;
	std::vector<std::string> seeds = SplitList(o.seeds);
	std::vector<double> recall_sum;
	double self_sum = 0;
	for (const std::string &seed : seeds) {
		if (seed != "default")
			params.seed = std::stoull(seed, nullptr, 0);
		auto t0 = std::chrono::steady_clock::now();
		HnswGraph graph(params, data, n);
		for (std::size_t b = 0; b < n; b += o.chunk)
			graph.InsertRange(b, std::min(n, b + o.chunk));
		double insert_s = Seconds(t0);
		auto t1 = std::chrono::steady_clock::now();
		std::size_t repaired = graph.EnsureConnected();
		double repair_s = Seconds(t1);
		auto t2 = std::chrono::steady_clock::now();
		std::size_t filled = o.keep_pruned ? 0 : graph.FillNeighborLists();
		graph.SortNeighborLists();
		double sort_s = Seconds(t2);
		std::size_t degree = 0;
		for (std::size_t i = 0; i < n; i++)
			degree += graph.Neighbors(static_cast<std::uint32_t>(i), 0).size();
		std::printf("seed %s: build %.2f s (insert %.2f, connect %.3f with %zu links added, fill %zu links, "
		            "sort %.3f); memory %.1f MiB; max level %d; unreachable after: %zu; mean layer-0 degree "
		            "%.2f\n",
		            seed.c_str(), Seconds(t0), insert_s, repair_s, repaired, filled, sort_s,
		            graph.MemoryBytes() / 1048576.0, graph.MaxLevel(), graph.CountUnreachable(0),
		            static_cast<double>(degree) / static_cast<double>(n));

		// Ground truth, once: the file when it applies, else brute force.
		if (gt.empty() && !o.gt_path.empty() && o.limit == SIZE_MAX) {
			ReadVecs(o.gt_path, &gt, &gdims, nq);
			gt_stride = static_cast<std::size_t>(gdims);
		} else if (gt.empty()) {
			gt_stride = static_cast<std::size_t>(o.k);
			gt.resize(nq * gt_stride);
			std::vector<HnswCandidate> all(n);
			for (std::size_t q = 0; q < nq; q++) {
				for (std::size_t i = 0; i < n; i++)
					all[i] = {graph.Distance(queries.data() + q * static_cast<std::size_t>(dims),
					                         base.data() + i * static_cast<std::size_t>(dims)),
					          static_cast<std::uint32_t>(i)};
				std::partial_sort(all.begin(), all.begin() + o.k, all.end(),
				                  [](const HnswCandidate &a, const HnswCandidate &b) {
					                  return a.distance < b.distance;
				                  });
				for (int j = 0; j < o.k; j++)
					gt[q * gt_stride + static_cast<std::size_t>(j)] =
					    static_cast<std::int32_t>(all[static_cast<std::size_t>(j)].id);
			}
		}

		std::vector<double> recall;
		MeasureRecall(graph, o, queries, dims, nq, gt, gt_stride, &recall, o.half ? &half_queries : nullptr);
		recall_sum.resize(recall.size(), 0.0);
		for (std::size_t i = 0; i < recall.size(); i++)
			recall_sum[i] += recall[i];
		if (o.self > 0) {
			std::size_t misses = CountSelfMisses(graph, o, base, dims, n);
			self_sum += static_cast<double>(misses);
			std::printf(
			    "self-find: %zu of the first %zu rows not found by their own vector at ef_search %d\n",
			    misses, std::min(o.self, n), o.self_ef);
		}
		std::fflush(stdout);
	}
	if (seeds.size() > 1) {
		std::printf("mean over %zu seeds, rule %s:", seeds.size(), o.rule.c_str());
		std::vector<std::string> efs = SplitList(o.ef_list);
		for (std::size_t i = 0; i < recall_sum.size(); i++)
			std::printf(" ef %s %.4f", efs[i].c_str(), recall_sum[i] / static_cast<double>(seeds.size()));
		if (o.self > 0)
			std::printf("; self-find misses %.1f", self_sum / static_cast<double>(seeds.size()));
		std::printf("\n");
	}
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	Options o;
	try {
		for (int i = 1; i < argc; i++) {
			std::string a = argv[i];
			auto next = [&]() -> std::string {
				if (i + 1 >= argc)
					throw std::runtime_error("missing value for " + a);
				return argv[++i];
			};
			if (a == "--base")
				o.base_path = next();
			else if (a == "--query")
				o.query_path = next();
			else if (a == "--gt")
				o.gt_path = next();
			else if (a == "--metric")
				o.metric_name = next();
			else if (a == "--threads")
				o.threads = std::stoi(next());
			else if (a == "--m")
				o.m = std::stoi(next());
			else if (a == "--efc")
				o.efc = std::stoi(next());
			else if (a == "--chunk")
				o.chunk = std::stoul(next());
			else if (a == "--nq")
				o.nq = std::stoul(next());
			else if (a == "--limit")
				o.limit = std::stoul(next());
			else if (a == "--k")
				o.k = std::stoi(next());
			else if (a == "--ef")
				o.ef_list = next();
			else if (a == "--half")
				o.half = true;
			else if (a == "--keep-pruned")
				o.keep_pruned = true;
			else if (a == "--rule")
				o.rule = next();
			else if (a == "--seeds")
				o.seeds = next();
			else if (a == "--self")
				o.self = std::stoul(next());
			else if (a == "--self-ef")
				o.self_ef = std::stoi(next());
			else {
				std::fprintf(stderr, "unknown argument %s\n", a.c_str());
				return 2;
			}
		}
		if (o.base_path.empty() || o.query_path.empty()) {
			std::fprintf(stderr, "usage: %s --base B.fvecs --query Q.fvecs [--gt G.ivecs] ...\n", argv[0]);
			return 2;
		}
		return Run(o);
	} catch (const std::exception &e) {
		std::fprintf(stderr, "hnsw_graph_bench: %s\n", e.what());
		return 1;
	}
}
