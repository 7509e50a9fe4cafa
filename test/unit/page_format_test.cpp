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

TEST(PageFormat, LabelListAfterTheLayers)
{
	// Indexes with label lists are of version 3, the others stay 2; both are read.
	EXPECT_EQ(kHnswVersionLabelLists, 3u);
	EXPECT_TRUE(HnswVersionKnown(2) && HnswVersionKnown(3) && !HnswVersionKnown(1) && !HnswVersionKnown(4));
	// The label list holds 2 m links, as layer 0, after the padded lists of the layers; an index
	// without label lists has none.
	EXPECT_EQ(HnswLayerCapacity(16, kHnswLabelLayer), 32);
	EXPECT_EQ(HnswLabelListSize(16), 196u);
	EXPECT_EQ(HnswListOffset(16, 1, kHnswLabelLayer), HnswListsSize(16, 1));
	EXPECT_EQ(HnswListOffset(16, 1, 1), HnswLayerOffset(16, 1));
	EXPECT_EQ(HnswElementListsSize(16, 1, true), 292u + 196u);
	EXPECT_EQ(HnswElementListsSize(16, 1, false), 292u);
	EXPECT_EQ(HnswLabelListSize(3) % 4, 0u);
	// The directory fits the metapage after the metapage's fields.
	EXPECT_GE(kHnswMetaLabelDirectoryOffset, kHnswMetaLabelListsOffset + 1);
	EXPECT_LE(kHnswMetaLabelDirectoryOffset + 8 + kHnswLabelEntrySize * kHnswMaxLabels, 8192u - 24u - 8u);
}

TEST(PageFormat, ElementHeaderOfVersion2)
{
	EXPECT_EQ(vector_core::kHnswVersion, 2u);
	// The heap TIDs follow the 22-byte fixed part; the body starts at the next multiple of 4
	// after the attribute area.
	EXPECT_EQ(vector_core::kHnswElementHeapTidsOffset, vector_core::kHnswElementHeaderSize);
	EXPECT_EQ(vector_core::HnswElementTidsEnd(1), 28u);
	EXPECT_EQ(vector_core::HnswElementTidsEnd(10), 82u);
	EXPECT_EQ(vector_core::HnswElementBodyOffset(28, 0), 28u); // a unique row: 4 bytes more than version 1
	EXPECT_EQ(vector_core::HnswElementBodyOffset(82, 0), 84u);
	EXPECT_EQ(vector_core::HnswElementBodyOffset(28, 5), 36u);
	EXPECT_LE(vector_core::kHnswBuildGroupTids, vector_core::kHnswMaxHeapTids);
	EXPECT_LE(vector_core::kHnswInsertGroupTids, vector_core::kHnswMaxHeapTids);
	// The fields do not overlap.
	EXPECT_LT(vector_core::kHnswElementTidCapacityOffset, vector_core::kHnswElementAttrOffsetOffset);
	EXPECT_EQ(vector_core::kHnswElementAttrLengthOffset + 2, vector_core::kHnswElementListsOffset);
	EXPECT_EQ(vector_core::kHnswElementListsOffset + vector_core::kHnswTidBytes,
	          vector_core::kHnswElementVectorOffset);
	EXPECT_EQ(vector_core::kHnswElementVectorOffset + vector_core::kHnswTidBytes,
	          vector_core::kHnswElementHeapTidsOffset);
}

// The attribute area of the filter columns: a null bitmap, then 8 bytes per column; the metapage
// keeps their number in its former spare byte, 0 in the indexes written before.
TEST(PageFormat, AttributeAreaOfFilterColumns)
{
	EXPECT_EQ(vector_core::kHnswMetaFilterColumnsOffset, vector_core::kHnswMetaElementKindOffset + 1);
	EXPECT_EQ(vector_core::FilterAttrAreaLength(0), 0u);
	EXPECT_EQ(vector_core::FilterAttrAreaLength(1), 9u);
	EXPECT_EQ(vector_core::FilterAttrAreaLength(2), 17u);
	EXPECT_EQ(vector_core::FilterAttrAreaLength(8), 65u);
	EXPECT_EQ(vector_core::FilterAttrAreaLength(9), 74u);
	EXPECT_EQ(vector_core::FilterAttrAreaLength(vector_core::kMaxFilterColumns), 252u);
	// IVF list entries: the payload after the attribute area, at a multiple of 4; entries of
	// indexes of one column as they always were.
	EXPECT_EQ(vector_core::IvfEntryHead(true, 0), 8u);
	EXPECT_EQ(vector_core::IvfEntryHead(false, 0), 6u);
	EXPECT_EQ(vector_core::IvfEntryHead(true, 1), 20u);
	EXPECT_EQ(vector_core::IvfEntryHead(false, 2), 28u);
	EXPECT_EQ(vector_core::IvfEntryHead(true, vector_core::kMaxFilterColumns), 260u);
	// One filter column on a unique row: the body moves from 28 to 40.
	EXPECT_EQ(vector_core::HnswElementBodyOffset(vector_core::HnswElementTidsEnd(1),
	                                             vector_core::FilterAttrAreaLength(1)),
	          40u);
}

} // namespace
