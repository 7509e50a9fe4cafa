// The on-disk numbers of the page formats (core/hnsw/hnsw_page_format.h,
// core/ivf/ivf_page_format.h): the metrics as existing indexes store them, both ways, and the
// neighbor-list sizes both the access method and the checker use.
#include <gtest/gtest.h>

#include <cstdint>

#include "core/distance/element_distance.h"
#include "core/distance/metric.h"
#include "core/hnsw/hnsw_page_format.h"
#include "core/ivf/ivf_page_format.h"

using namespace vector_core;

namespace
{

constexpr Metric kAllMetrics[] = {Metric::kL2, Metric::kInnerProduct, Metric::kCosine,
                                  Metric::kL1, Metric::kHamming,      Metric::kJaccard};

TEST(PageFormat, HnswMetricNumbersAreThoseOfExistingIndexes)
{
	EXPECT_EQ(HnswMetricToDisk(Metric::kL2), 1);
	EXPECT_EQ(HnswMetricToDisk(Metric::kInnerProduct), 2);
	EXPECT_EQ(HnswMetricToDisk(Metric::kCosine), 3);
	EXPECT_EQ(HnswMetricToDisk(Metric::kL1), 4);
	EXPECT_EQ(HnswMetricToDisk(Metric::kHamming), 5);
	EXPECT_EQ(HnswMetricToDisk(Metric::kJaccard), 6);
	for (Metric metric : kAllMetrics) {
		Metric back = Metric::kL2;
		ASSERT_TRUE(HnswMetricFromDisk(HnswMetricToDisk(metric), &back));
		EXPECT_EQ(back, metric);
	}
	Metric unused;
	EXPECT_FALSE(HnswMetricFromDisk(0, &unused));
	EXPECT_FALSE(HnswMetricFromDisk(7, &unused));
	EXPECT_FALSE(HnswMetricFromDisk(255, &unused));
}

TEST(PageFormat, IvfMetricNumbersAreThoseOfExistingIndexes)
{
	EXPECT_EQ(IvfMetricToDisk(Metric::kL2), 0);
	EXPECT_EQ(IvfMetricToDisk(Metric::kInnerProduct), 1);
	EXPECT_EQ(IvfMetricToDisk(Metric::kCosine), 2);
	EXPECT_EQ(IvfMetricToDisk(Metric::kL1), -1);
	EXPECT_EQ(IvfMetricToDisk(Metric::kHamming), -1);
	EXPECT_EQ(IvfMetricToDisk(Metric::kJaccard), -1);
	for (Metric metric : {Metric::kL2, Metric::kInnerProduct, Metric::kCosine}) {
		Metric back = Metric::kL1;
		ASSERT_TRUE(IvfMetricFromDisk(IvfMetricToDisk(metric), &back));
		EXPECT_EQ(back, metric);
	}
	Metric unused;
	EXPECT_FALSE(IvfMetricFromDisk(-1, &unused));
	EXPECT_FALSE(IvfMetricFromDisk(3, &unused));
}

TEST(PageFormat, StoredRowsCompareCosineByInnerProductExceptHalves)
{
	EXPECT_EQ(StoredRowMetric(ElementKind::kFloat, Metric::kCosine), Metric::kInnerProduct);
	EXPECT_EQ(StoredRowMetric(ElementKind::kSparse, Metric::kCosine), Metric::kInnerProduct);
	EXPECT_EQ(StoredRowMetric(ElementKind::kHalf, Metric::kCosine), Metric::kCosine);
	for (Metric metric : kAllMetrics) {
		if (metric != Metric::kCosine) {
			EXPECT_EQ(StoredRowMetric(ElementKind::kFloat, metric), metric);
		}
	}
}

TEST(PageFormat, NeighborListSizes)
{
	// m = 16: layer 0 holds 32 links, the others 16; a count and 6-byte item pointers each.
	EXPECT_EQ(HnswLayerCapacity(16, 0), 32);
	EXPECT_EQ(HnswLayerCapacity(16, 3), 16);
	EXPECT_EQ(HnswLayerOffset(16, 0), 0u);
	EXPECT_EQ(HnswLayerOffset(16, 1), 2u + 6u * 32u);
	EXPECT_EQ(HnswLayerOffset(16, 2), 2u + 6u * 32u + 2u + 6u * 16u);
	// Padded to 4 bytes.
	EXPECT_EQ(HnswListsSize(16, 0), 196u);
	EXPECT_EQ(HnswListsSize(16, 1), 292u);
	EXPECT_EQ(HnswListsSize(2, 0), 28u);
}

} // namespace
