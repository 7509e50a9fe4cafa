// The distance metrics, one enumeration for the whole tree: the SQL operators, the in-memory
// HNSW graph, the IVF quantizers, both access methods and the page checker all name a metric
// with it. Distances are "smaller is closer".
//
// The numbers of this enum are stored nowhere. Index pages store their own numbers, fixed by the
// on-disk formats that existing indexes use (HnswMetricToDisk in core/hnsw/hnsw_page_format.h,
// IvfMetricToDisk in core/ivf/ivf_page_format.h); never cast a Metric to or from an integer.
#pragma once

#include <cstdint>

namespace vector_core
{

enum class Metric : std::uint8_t {
	kL2,           // squared Euclidean distance (<->, which returns its square root)
	kInnerProduct, // negative inner product (<#>)
	kCosine,       // cosine distance (<=>); indexes compare normalised rows by inner product
	kL1,           // taxicab distance (<+>)
	kHamming,      // differing bits (<~>)
	kJaccard,      // Jaccard distance of bit sets (<%>)
};

// The metric's name as vector_index_stats shows it.
constexpr const char *MetricName(Metric metric)
{
	switch (metric) {
	case Metric::kL2:
		return "l2";
	case Metric::kInnerProduct:
		return "inner_product";
	case Metric::kCosine:
		return "cosine";
	case Metric::kL1:
		return "l1";
	case Metric::kHamming:
		return "hamming";
	case Metric::kJaccard:
		return "jaccard";
	}
	return "unknown";
}

} // namespace vector_core
