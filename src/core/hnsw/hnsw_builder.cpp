// No-throw wrapper of the in-memory HNSW build; see hnsw_builder.h.
#include "core/hnsw/hnsw_builder.h"

#include <algorithm>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "core/distance/element_distance.h"
#include "core/hnsw/hnsw_binary16_rows.h"

namespace vector_core
{

struct HnswBuilder {
	HnswBuildParams params;
	std::vector<std::uint8_t> data;     // the rows, one after the other
	std::vector<std::uint64_t> offsets; // row starts and the end, for rows of varying size
	bool variable = false;              // rows of varying size
	std::size_t row_bytes = 0;          // bytes of a row when they are all alike
	std::size_t rows = 0;
	std::size_t memory_limit = 0;
	std::vector<Half> binary16; // the graph's rows, when it is built on binary16 copies
	HnswBinary16Report binary16_report;
	std::unique_ptr<HnswGraph> graph;
	// What the graph was made with: its parameters and rows (the appended ones or binary16 copies).
	HnswBuildParams graph_params;
	const void *graph_rows = nullptr;
};

namespace
{

// Runs body, turning any exception into a Status.
template <typename Body> Status Guarded(Body &&body) noexcept
{
	try {
		body();
		return Status::Ok();
	} catch (const std::bad_alloc &) {
		return Status::OutOfMemory();
	} catch (const HnswCancelled &) {
		return Status::Cancelled();
	} catch (const std::exception &e) {
		return Status::Error(e.what());
	} catch (...) {
		return Status::Error("unknown error");
	}
}

} // namespace

HnswBuilder *HnswBuilderCreate(const HnswBuildParams &params, std::size_t expected_rows,
                               std::size_t memory_limit) noexcept
{
	HnswBuilder *builder = new (std::nothrow) HnswBuilder;
	if (builder == nullptr)
		return nullptr;
	builder->params = params;
	builder->memory_limit = memory_limit;
	builder->variable = params.distance != nullptr && params.row_bytes == 0;
	builder->row_bytes = params.distance != nullptr
	                         ? params.row_bytes
	                         : static_cast<std::size_t>(std::max(params.dims, 0)) * sizeof(float);
	const std::size_t per_row = std::max<std::size_t>(
	    1, HnswGraph::EstimateMemoryBytesForData(1024, 1024 * builder->row_bytes, params.m, params.threads) / 1024);
	expected_rows = std::min(expected_rows, memory_limit / per_row);
	try {
		if (builder->variable) {
			builder->offsets.reserve(expected_rows + 1);
			builder->offsets.push_back(0);
		} else {
			builder->data.reserve(expected_rows * builder->row_bytes);
		}
	} catch (...) {
		// Grow as rows come instead.
	}
	if (builder->variable && builder->offsets.empty()) {
		delete builder;
		return nullptr;
	}
	return builder;
}

void HnswBuilderDestroy(HnswBuilder *builder) noexcept
{
	delete builder;
}

Status HnswBuilderAppend(HnswBuilder *builder, const float *vector) noexcept
{
	return HnswBuilderAppendRow(builder, vector, static_cast<std::size_t>(builder->params.dims) * sizeof(float));
}

Status HnswBuilderAppendRow(HnswBuilder *builder, const void *row, std::size_t bytes) noexcept
{
	return Guarded([&] {
		if (builder->graph)
			throw std::logic_error("hnsw build: append after the graph was started");
		if (!builder->variable && bytes != builder->row_bytes)
			throw std::invalid_argument("hnsw build: row of the wrong size");
		const auto *begin = static_cast<const std::uint8_t *>(row);
		builder->data.insert(builder->data.end(), begin, begin + bytes);
		if (builder->variable) {
			try {
				builder->offsets.push_back(builder->data.size());
			} catch (...) {
				builder->data.resize(builder->offsets.back());
				throw;
			}
		}
		builder->rows++;
	});
}

const void *HnswBuilderRow(const HnswBuilder *builder, std::size_t i, std::size_t *bytes) noexcept
{
	if (i >= builder->rows || builder->data.empty()) // (none left after HnswBuilderStartGraph's drop_rows)
		return nullptr;
	if (builder->variable) {
		*bytes = static_cast<std::size_t>(builder->offsets[i + 1] - builder->offsets[i]);
		return builder->data.data() + builder->offsets[i];
	}
	*bytes = builder->row_bytes;
	return builder->data.data() + i * builder->row_bytes;
}

std::size_t HnswBuilderRows(const HnswBuilder *builder) noexcept
{
	return builder->rows;
}

std::size_t HnswBuilderMemoryFor(const HnswBuilder *builder, std::size_t rows) noexcept
{
	// Rows of varying size: assume the next ones are like the average so far.
	std::size_t needed = rows * builder->row_bytes;
	if (builder->variable) {
		const std::size_t have = builder->rows;
		needed = have > 0 ? builder->data.size() / have * rows : 0;
		needed = std::max(needed, builder->data.size()) + builder->offsets.capacity() * sizeof(std::uint64_t);
	}
	// A vector that must grow for them doubles (libstdc++), unless the estimate reserved room.
	const std::size_t capacity = builder->data.capacity();
	const std::size_t allocated = needed > capacity ? std::max(needed, 2 * capacity) : capacity;
	return HnswGraph::EstimateMemoryBytesForData(rows, needed, builder->params.m, builder->params.threads) +
	       (allocated - needed);
}

Status HnswBuilderStartGraph(HnswBuilder *builder, std::size_t outside_bytes, bool drop_rows) noexcept
{
	return Guarded([&] {
		HnswBuildParams params = builder->params;
		const void *rows = builder->data.data();
		const std::size_t copy_bytes = builder->rows * static_cast<std::size_t>(params.dims) * sizeof(Half) +
		                               HnswBinary16TemporaryBytes(builder->rows, params.dims);
		const bool asked = params.binary16_graph && params.distance == nullptr && builder->rows > 0 &&
		                   (params.metric == Metric::kL2 || params.metric == Metric::kInnerProduct ||
		                    params.metric == Metric::kL1);
		const bool room =
		    HnswBuilderMemoryFor(builder, builder->rows) + copy_bytes + outside_bytes <= builder->memory_limit;
		builder->binary16_report.no_room = asked && !room;
		bool copies = false;
		if (asked && room &&
		    HnswBinary16Rows(reinterpret_cast<const float *>(builder->data.data()), builder->rows, params.dims,
		                     params.metric, params.prune.shift, &builder->binary16,
		                     &builder->binary16_report)) {
			params.distance = ElementDistance(ElementKind::kHalf, params.metric);
			params.row_bytes = static_cast<std::size_t>(params.dims) * sizeof(Half);
			rows = builder->binary16.data();
			copies = true;
		}
		builder->graph = std::make_unique<HnswGraph>(
		    params, rows, builder->variable ? builder->offsets.data() : nullptr, builder->rows);
		builder->graph_params = params;
		builder->graph_rows = rows;
		// (only once the graph exists: a start that failed leaves the builder as it was)
		if (copies && drop_rows)
			std::vector<std::uint8_t>().swap(builder->data);
	});
}

const HnswBinary16Report *HnswBuilderBinary16(const HnswBuilder *builder) noexcept
{
	return &builder->binary16_report;
}

Status HnswBuilderInsert(HnswBuilder *builder, std::size_t begin, std::size_t end) noexcept
{
	return Guarded([&] {
		if (!builder->graph)
			throw std::logic_error("hnsw build: graph not started");
		if (begin > end || end > builder->graph->size())
			throw std::invalid_argument("hnsw build: insert range out of bounds");
		// Runs of rows not inserted yet (all of them, unless a cancelled call is resumed).
		std::size_t i = begin;
		while (i < end) {
			while (i < end && builder->graph->IsInserted(static_cast<std::uint32_t>(i)))
				i++;
			std::size_t run_end = i;
			while (run_end < end && !builder->graph->IsInserted(static_cast<std::uint32_t>(run_end)))
				run_end++;
			if (i < run_end)
				builder->graph->InsertRange(i, run_end);
			i = run_end;
		}
	});
}

Status HnswBuilderFinish(HnswBuilder *builder, std::size_t *links_added) noexcept
{
	return Guarded([&] {
		if (!builder->graph)
			throw std::logic_error("hnsw build: graph not started");
		*links_added = builder->graph->Finish();
	});
}

const HnswGraph *HnswBuilderGraph(const HnswBuilder *builder) noexcept
{
	return builder->graph.get();
}

std::size_t HnswBuilderSubgraphBytes(const HnswBuilder *builder, std::size_t count, int capacity) noexcept
{
	const HnswBuildParams &params = builder->graph ? builder->graph_params : builder->params;
	const std::size_t row_bytes =
	    params.distance != nullptr ? params.row_bytes : static_cast<std::size_t>(params.dims) * sizeof(float);
	const std::size_t data = count * row_bytes;
	return HnswGraph::EstimateMemoryBytesForData(count, data, std::max(2, capacity / 2), params.threads) + data +
	       count * (1 + static_cast<std::size_t>(capacity)) * sizeof(std::uint32_t);
}

Status HnswBuilderSubgraph(HnswBuilder *builder, const std::uint32_t *nodes, std::size_t count, int capacity,
                           std::uint32_t *lists, std::uint32_t *seeds, int max_seeds, int *seed_count) noexcept
{
	return Guarded([&] {
		if (!builder->graph || builder->variable)
			throw std::logic_error("hnsw build: no graph of fixed-size rows to take a subgraph of");
		if (capacity < 2 || capacity % 2 != 0)
			throw std::invalid_argument("hnsw build: subgraph capacity must be even");
		HnswBuildParams params = builder->graph_params;
		params.m = std::max(2, capacity / 2); // (layer 0 holds 2 m)
		const std::size_t row_bytes = params.distance != nullptr
		                                  ? params.row_bytes
		                                  : static_cast<std::size_t>(params.dims) * sizeof(float);
		std::vector<std::uint8_t> rows(count * row_bytes);
		const auto *all = static_cast<const std::uint8_t *>(builder->graph_rows);
		for (std::size_t i = 0; i < count; i++) {
			if (nodes[i] >= builder->rows)
				throw std::invalid_argument("hnsw build: subgraph row out of range");
			std::copy_n(all + static_cast<std::size_t>(nodes[i]) * row_bytes, row_bytes,
			            rows.data() + i * row_bytes);
		}
		HnswGraph graph(params, rows.data(), nullptr, count);
		graph.InsertRange(0, count);
		graph.Finish();
		const std::size_t stride = 1 + static_cast<std::size_t>(capacity);
		for (std::size_t i = 0; i < count; i++) {
			auto links = graph.Neighbors(static_cast<std::uint32_t>(i), 0);
			const std::size_t kept = std::min(links.size(), static_cast<std::size_t>(capacity));
			lists[i * stride] = static_cast<std::uint32_t>(kept);
			for (std::size_t j = 0; j < kept; j++)
				lists[i * stride + 1 + j] = nodes[links[j]];
		}
		// The highest levels first, the entry point before the rest of its level.
		std::vector<std::uint32_t> order(count);
		for (std::size_t i = 0; i < count; i++)
			order[i] = static_cast<std::uint32_t>(i);
		const std::uint32_t entry = graph.EntryPoint();
		const std::size_t take = std::min(count, static_cast<std::size_t>(std::max(max_seeds, 0)));
		std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(take), order.end(),
		                  [&](std::uint32_t a, std::uint32_t b) {
			                  const int la = graph.Level(a), lb = graph.Level(b);
			                  if (la != lb)
				                  return la > lb;
			                  if ((a == entry) != (b == entry))
				                  return a == entry;
			                  return a < b;
		                  });
		for (std::size_t i = 0; i < take; i++)
			seeds[i] = nodes[order[i]];
		*seed_count = static_cast<int>(take);
	});
}

Status HnswBuilderLayoutOrder(HnswBuilder *builder, std::uint32_t *order) noexcept
{
	return Guarded([&] {
		const HnswGraph &graph = *builder->graph;
		const std::size_t n = graph.size();
		std::vector<std::uint8_t> placed(n, 0);
		std::size_t count = 0;
		const std::uint32_t entry = graph.EntryPoint();
		if (entry != kHnswNoNode) {
			order[count++] = entry;
			placed[entry] = 1;
			for (std::size_t head = 0; head < count; head++) {
				for (std::uint32_t next : graph.Neighbors(order[head], 0)) {
					if (!placed[next]) {
						placed[next] = 1;
						order[count++] = next;
					}
				}
			}
		}
		for (std::size_t i = 0; i < n; i++) {
			if (!placed[i] && graph.IsInserted(static_cast<std::uint32_t>(i)))
				order[count++] = static_cast<std::uint32_t>(i);
		}
		for (std::size_t i = count; i < n; i++)
			order[i] = kHnswNoNode;
	});
}

} // namespace vector_core
