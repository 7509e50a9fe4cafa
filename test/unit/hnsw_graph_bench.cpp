// Build-time and recall benchmark of the in-memory HNSW graph (core/hnsw/hnsw_graph.h) on an .fvecs
// dataset. Not a test: a tool to run by hand.
//
//   hnsw_graph_bench --base B.fvecs --query Q.fvecs [--gt G.ivecs] [--metric l2|ip|cosine|l1]
//                    [--threads 2] [--m 16] [--efc 64] [--chunk 2000] [--nq 1000] [--limit N]
//                    [--keep-pruned] [--ef 10,20,40,80,160] [--k 10]
//
// With --limit (first N base rows) or without --gt, exact neighbors are computed by brute force.
// Cosine normalises base and queries and builds with the inner-product metric.
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

#include "core/distance/float_distance.h"
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

} // namespace

int main(int argc, char **argv)
{
	std::string base_path, query_path, gt_path, metric_name = "l2", ef_list = "10,20,40,80,160";
	int threads = 2, m = 16, efc = 64, k = 10;
	std::size_t chunk = 2000, nq = 1000, limit = SIZE_MAX;
	bool keep_pruned = false;
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		auto next = [&]() -> std::string {
			if (i + 1 >= argc)
				throw std::runtime_error("missing value for " + a);
			return argv[++i];
		};
		if (a == "--base")
			base_path = next();
		else if (a == "--query")
			query_path = next();
		else if (a == "--gt")
			gt_path = next();
		else if (a == "--metric")
			metric_name = next();
		else if (a == "--threads")
			threads = std::stoi(next());
		else if (a == "--m")
			m = std::stoi(next());
		else if (a == "--efc")
			efc = std::stoi(next());
		else if (a == "--chunk")
			chunk = std::stoul(next());
		else if (a == "--nq")
			nq = std::stoul(next());
		else if (a == "--limit")
			limit = std::stoul(next());
		else if (a == "--k")
			k = std::stoi(next());
		else if (a == "--ef")
			ef_list = next();
		else if (a == "--keep-pruned")
			keep_pruned = true;
		else {
			std::fprintf(stderr, "unknown argument %s\n", a.c_str());
			return 2;
		}
	}
	if (base_path.empty() || query_path.empty()) {
		std::fprintf(stderr, "usage: %s --base B.fvecs --query Q.fvecs [--gt G.ivecs] ...\n", argv[0]);
		return 2;
	}

	int dims = 0, qdims = 0, gdims = 0;
	std::vector<float> base, queries;
	std::size_t n = ReadVecs(base_path, &base, &dims, limit);
	nq = ReadVecs(query_path, &queries, &qdims, nq);
	if (qdims != dims)
		throw std::runtime_error("query dims differ");
	Metric metric = Metric::kL2;
	if (metric_name == "ip" || metric_name == "cosine")
		metric = Metric::kInnerProduct;
	else if (metric_name == "l1")
		metric = Metric::kL1;
	if (metric_name == "cosine") {
		Normalise(&base, dims);
		Normalise(&queries, dims);
	}

	vector_core::HnswBuildParams params;
	params.dims = dims;
	params.metric = metric;
	params.m = m;
	params.ef_construction = efc;
	params.threads = threads;
	params.keep_pruned = keep_pruned;
	std::printf("n=%zu dims=%d metric=%s m=%d efc=%d threads=%d keep_pruned=%d simd=%s estimate=%.1f MiB\n", n,
	            dims, metric_name.c_str(), m, efc, threads, keep_pruned ? 1 : 0,
	            vector_core::SimdLevelName(vector_core::ActiveSimdLevel()),
	            HnswGraph::EstimateMemoryBytes(n, dims, m, threads) / 1048576.0);

	auto t0 = std::chrono::steady_clock::now();
	HnswGraph graph(params, base.data(), n);
	for (std::size_t b = 0; b < n; b += chunk)
		graph.InsertRange(b, std::min(n, b + chunk));
	double insert_s = Seconds(t0);
	auto t1 = std::chrono::steady_clock::now();
	std::size_t repaired = graph.EnsureConnected();
	double repair_s = Seconds(t1);
	auto t2 = std::chrono::steady_clock::now();
	std::size_t filled = keep_pruned ? 0 : graph.FillNeighborLists();
	std::printf("fill: %zu links added\n", filled);
	graph.SortNeighborLists();
	double sort_s = Seconds(t2);
	std::printf("build %.2f s (insert %.2f, connect %.3f with %zu links added, sort %.3f); memory %.1f MiB; "
	            "max level %d; unreachable after: %zu\n",
	            Seconds(t0), insert_s, repair_s, repaired, sort_s, graph.MemoryBytes() / 1048576.0,
	            graph.MaxLevel(), graph.CountUnreachable(0));
	std::size_t degree = 0;
	for (std::size_t i = 0; i < n; i++)
		degree += graph.Neighbors(static_cast<std::uint32_t>(i), 0).size();
	std::printf("mean layer-0 degree %.2f\n", static_cast<double>(degree) / static_cast<double>(n));

	// Ground truth: the file when it applies, else brute force.
	std::vector<std::int32_t> gt;
	std::size_t gt_stride = 0;
	if (!gt_path.empty() && limit == SIZE_MAX) {
		ReadVecs(gt_path, &gt, &gdims, nq);
		gt_stride = static_cast<std::size_t>(gdims);
	} else {
		gt_stride = static_cast<std::size_t>(k);
		gt.resize(nq * gt_stride);
		std::vector<HnswCandidate> all(n);
		for (std::size_t q = 0; q < nq; q++) {
			for (std::size_t i = 0; i < n; i++)
				all[i] = {graph.Distance(queries.data() + q * dims, base.data() + i * dims),
				          static_cast<std::uint32_t>(i)};
			std::partial_sort(
			    all.begin(), all.begin() + k, all.end(),
			    [](const HnswCandidate &a, const HnswCandidate &b) { return a.distance < b.distance; });
			for (int j = 0; j < k; j++)
				gt[q * gt_stride + static_cast<std::size_t>(j)] =
				    static_cast<std::int32_t>(all[static_cast<std::size_t>(j)].id);
		}
	}

	std::stringstream efs(ef_list);
	std::string item;
	vector_core::HnswSearchScratch scratch;
	while (std::getline(efs, item, ',')) {
		int ef = std::stoi(item);
		std::size_t hits = 0, zero = 0;
		auto ts = std::chrono::steady_clock::now();
		for (std::size_t q = 0; q < nq; q++) {
			auto found = graph.Search(queries.data() + q * dims, k, ef, scratch);
			std::size_t h = 0;
			for (const HnswCandidate &c : found)
				for (int j = 0; j < k; j++)
					if (gt[q * gt_stride + static_cast<std::size_t>(j)] ==
					    static_cast<std::int32_t>(c.id))
						h++;
			hits += h;
			zero += h == 0;
		}
		double s = Seconds(ts);
		std::printf("ef_search %4d: recall@%d %.4f  queries with 0 hits %zu  %.0f q/s\n", ef, k,
		            static_cast<double>(hits) / static_cast<double>(nq * static_cast<std::size_t>(k)), zero,
		            static_cast<double>(nq) / s);
	}
	return 0;
}
