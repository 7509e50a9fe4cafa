// The in-memory HNSW build behind a no-throw interface for the PostgreSQL glue: every function
// catches every exception and reports it as a Status (core/common/status.h), so that the caller
// can ereport with no C++ frame in between (see docs/ARCHITECTURE.md, the boundary rules).
//
// The builder owns the vectors (appended one by one while the heap is scanned) and the graph.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/common/status.h"
#include "core/hnsw/hnsw_binary16_rows.h"
#include "core/hnsw/hnsw_graph.h"

namespace vector_core
{

struct HnswBuilder;

// A builder for vectors of params.dims floats, or rows of another representation when
// params.distance is set (params.row_bytes each, or of varying size when row_bytes is 0);
// nullptr when out of memory. It reserves room for
// expected_rows vectors, or for as many as a build within memory_limit bytes can hold.
HnswBuilder *HnswBuilderCreate(const HnswBuildParams &params, std::size_t expected_rows,
                               std::size_t memory_limit) noexcept;
void HnswBuilderDestroy(HnswBuilder *builder) noexcept;

// Calls that fail return a Status: Cancelled when the cancel flag was raised (the call can be
// repeated: it resumes where it stopped), OutOfMemory, or Error with a message.

// Appends one vector (dims floats).
Status HnswBuilderAppend(HnswBuilder *builder, const float *vector) noexcept;
// Appends one row of bytes bytes (rows of another representation); an error when a fixed row
// size differs.
Status HnswBuilderAppendRow(HnswBuilder *builder, const void *row, std::size_t bytes) noexcept;
// Row i as appended (its bytes to *bytes), before or after the graph was started; nullptr when
// i is out of range or the rows were dropped (HnswBuilderStartGraph's drop_rows).
const void *HnswBuilderRow(const HnswBuilder *builder, std::size_t i, std::size_t *bytes) noexcept;
// Vectors appended so far.
std::size_t HnswBuilderRows(const HnswBuilder *builder) noexcept;
// Bytes a build of rows vectors will hold: the graph's estimate, with the vector array counted
// at its allocated size when that is larger.
std::size_t HnswBuilderMemoryFor(const HnswBuilder *builder, std::size_t rows) noexcept;

// Creates the graph over the appended vectors (no more appends afterwards): over binary16 copies
// of them when params.binary16_graph asks for it and they pass their check, and when the copies
// fit in memory_limit beside the builder's memory and outside_bytes (what the caller holds for
// the build besides the builder). HnswBuilderRow still gives the rows as appended, unless
// drop_rows: then the appended rows are freed once the graph runs on copies (the caller keeps
// its own, and no longer calls HnswBuilderRow; HnswBuilderBinary16(builder)->made says whether).
Status HnswBuilderStartGraph(HnswBuilder *builder, std::size_t outside_bytes = 0, bool drop_rows = false) noexcept;
// Whether the graph was built on binary16 copies, and what their check found.
const HnswBinary16Report *HnswBuilderBinary16(const HnswBuilder *builder) noexcept;
// Inserts the rows of [begin, end) not inserted yet, with the configured threads.
Status HnswBuilderInsert(HnswBuilder *builder, std::size_t begin, std::size_t end) noexcept;
// Repairs connectivity and sorts the neighbor lists; *links_added gets the repair's count.
Status HnswBuilderFinish(HnswBuilder *builder, std::size_t *links_added) noexcept;
// The graph (after HnswBuilderStartGraph), for reading.
const HnswGraph *HnswBuilderGraph(const HnswBuilder *builder) noexcept;

// Builds a graph of its own over the rows nodes[0..count) of the builder's graph (after
// HnswBuilderFinish; rows of a fixed size only), with the graph's parameters but a layer-0
// capacity of capacity links, and writes its layer-0 lists as row numbers of the builder:
// lists[i * (1 + capacity)] is the count of nodes[i]'s links, the links follow. seeds gets up to
// max_seeds rows of that graph's highest levels (where a walk of it may start), *seed_count
// their number.
Status HnswBuilderSubgraph(HnswBuilder *builder, const std::uint32_t *nodes, std::size_t count, int capacity,
                           std::uint32_t *lists, std::uint32_t *seeds, int max_seeds, int *seed_count) noexcept;

// Bytes HnswBuilderSubgraph holds at most for count rows (its copy of the rows, its graph and its lists).
std::size_t HnswBuilderSubgraphBytes(const HnswBuilder *builder, std::size_t count, int capacity) noexcept;

// Fills order[0..rows) with a page layout order of the inserted nodes: breadth-first from the
// entry point over layer 0 (so that neighbors tend to share pages), then anything unreached.
Status HnswBuilderLayoutOrder(HnswBuilder *builder, std::uint32_t *order) noexcept;

} // namespace vector_core
