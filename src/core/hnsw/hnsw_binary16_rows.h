// Binary16 copies of float rows for building an HNSW graph (hnsw_builder.cpp). At many dimensions
// a build spends most of its time in distances whose cost is reading the rows from memory: on
// 60,000 rows of 768 dimensions the graph built on binary16 copies took 9.3 s against 16.4 s, with
// the same recall at ef_search 40 / 80 / 160 (0.9696 / 0.9885 / 0.9965 against 0.9696 / 0.9886 /
// 0.9965; docs/benchmarks.md). The index still stores and searches the float rows: only the
// build's choice of neighbors sees the copies.
//
// A copy must rank neighbors as the floats do, so the rows are first moved to where binary16
// represents them well, by transformations that change no ranking of the metric:
//   - L2 and L1: the mean row is subtracted (distances do not change), so that a large offset
//     common to all rows (every component near 1,000, say) does not eat the 11 bits of
//     precision that the differences between rows need;
//   - L2, L1 and inner product: all rows are multiplied by one power of two, so that the largest
//     component is near 2^13 (no overflow past 65,504, no tiny rows in subnormal range); the
//     neighbor heuristic's rule compares distances by ratio for these metrics (HnswPruneRuleFor);
//   - a rule with a shift (cosine over normalised rows, compared as 1 + negative inner product)
//     compares on an absolute scale: those rows are copied as they are (they lie in [-1, 1]).
// Then the copies are checked: twice the largest error of a copied row (the L2 norm of the
// difference between a row and its copy, both transformed; L1 for L1) must stay below
// kHnswBinary16Tolerance times a near-neighbor distance of the data: the 10th percentile, over
// a sample of rows, of the distance to the nearest distinct row among a second sample of R rows,
// times (R / n)^(1/8) when the data has more rows (a nearest neighbor among n rows is closer than
// among R: by that factor for data of 8 intrinsic dimensions, by less for more). If not (rows
// that differ by less than the copies' rounding, an inner-product index of rows with a large
// common offset, rows below 1e-35), there is no copy and the build uses the floats.
#pragma once

#include <cstddef>
#include <vector>

#include "core/distance/half.h"
#include "core/distance/metric.h"

namespace vector_core
{

// The share of a near-neighbor distance that the copies' error may reach.
constexpr double kHnswBinary16Tolerance = 0.02;
// Rows sampled for the near-neighbor distance, and the rows each is compared with.
constexpr std::size_t kHnswBinary16Probes = 128;
constexpr std::size_t kHnswBinary16References = 4096;
// At most this many floats of reference rows (16 MB).
constexpr std::size_t kHnswBinary16ReferenceFloats = std::size_t{1} << 22;

// Reference rows of the check for n rows of dims dimensions.
std::size_t HnswBinary16ReferenceRows(std::size_t n, int dims);
// Bytes HnswBinary16Rows holds besides its copies, while it runs.
std::size_t HnswBinary16TemporaryBytes(std::size_t n, int dims);

// What HnswBinary16Rows found (for the build's log).
struct HnswBinary16Report {
	bool made = false;          // the copies were made and passed the check
	double scale = 1.0;         // the power of two the rows were multiplied by
	bool centered = false;      // the mean row was subtracted
	double max_error = 0.0;     // the largest error of a copied row, transformed
	double near_distance = 0.0; // the near-neighbor distance the error is compared with
	bool no_room = false;       // not tried: the copies would not fit in the build's memory
};

// Fills out with binary16 copies of rows[0..n) (dims floats each, n * dims halves) for a graph
// of metric (kL2, kInnerProduct or kL1: the metric the graph compares the rows with, see
// StoredRowMetric) whose rule has shift (HnswPruneRule::shift; not 0: no scaling). Returns whether
// the copies rank neighbors as the floats do (see the file comment); on false, out is empty.
// May throw std::bad_alloc.
bool HnswBinary16Rows(const float *rows, std::size_t n, int dims, Metric metric, float shift, std::vector<Half> *out,
                      HnswBinary16Report *report);

} // namespace vector_core
