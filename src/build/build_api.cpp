// The exported table of vector_build.so (build/build_api.h): each entry calls the C++ function
// of src/build behind it and copies its Status into the caller's VectorBuildResult. Those
// functions are noexcept and catch everything themselves; nothing here throws either, so no
// exception reaches vector.so.
#include "build/build_api.h"

#include <cstdio>

#include "build/ivf_bounded_assign.h"
#include "build/ivf_train.h"
#include "build/kmeans.h"
#include "core/common/status.h"
#include "core/distance/metric.h"

namespace
{

using vector_core::Status;

void SetResult(const Status &status, VectorBuildResult *result) noexcept
{
	switch (status.code()) {
	case Status::Code::kOk:
		result->code = VECTOR_BUILD_OK;
		break;
	case Status::Code::kOutOfMemory:
		result->code = VECTOR_BUILD_OUT_OF_MEMORY;
		break;
	case Status::Code::kCancelled:
		result->code = VECTOR_BUILD_CANCELLED;
		break;
	case Status::Code::kError:
	default:
		result->code = VECTOR_BUILD_ERROR;
		break;
	}
	std::snprintf(result->message, sizeof(result->message), "%s", status.message());
}

void KmeansTrainEntry(const float *x, std::size_t n, std::size_t dim, std::size_t k, bool spherical, std::int32_t niter,
                      std::int32_t threads, std::uint32_t seed, bool (*should_stop)(void), std::size_t bounds_bytes,
                      float *centroids, VectorBuildResult *result)
{
	SetResult(vector_core::KmeansTrain(x, n, dim, k, spherical, niter, threads, seed, should_stop, bounds_bytes,
	                                   centroids),
	          result);
}

// The core metric of a VECTOR_BUILD_METRIC_*; false (and the result set) for an unknown one.
bool AssignMetric(std::int32_t metric, vector_core::Metric *out, VectorBuildResult *result)
{
	if (metric != VECTOR_BUILD_METRIC_L2 && metric != VECTOR_BUILD_METRIC_INNER_PRODUCT) {
		SetResult(Status::Error("list assignment: unknown metric"), result);
		return false;
	}
	*out = metric == VECTOR_BUILD_METRIC_L2 ? vector_core::Metric::kL2 : vector_core::Metric::kInnerProduct;
	return true;
}

void IvfAssignEntry(const float *x, std::size_t n, std::size_t dim, const float *centroids, std::size_t k,
                    std::int32_t metric, std::int32_t threads, std::int32_t *lists, VectorBuildResult *result)
{
	vector_core::Metric m;
	if (AssignMetric(metric, &m, result))
		SetResult(vector_core::IvfAssign(x, n, dim, centroids, k, m, threads, lists), result);
}

void IvfAssignBoundedEntry(const float *x, std::size_t n, std::size_t dim, const float *centroids, std::size_t k,
                           std::int32_t metric, std::int32_t threads, std::int32_t *lists, float *bounds,
                           VectorBuildResult *result)
{
	vector_core::Metric m;
	if (AssignMetric(metric, &m, result))
		SetResult(vector_core::IvfAssignBounded(x, n, dim, centroids, k, m, threads, lists, bounds), result);
}

void IvfReassignEntry(const float *x, std::size_t n, std::size_t dim, const float *centroids, std::size_t k,
                      std::int32_t metric, const float *shifts, std::int32_t threads, std::int32_t *lists,
                      float *bounds, std::int64_t *computed, VectorBuildResult *result)
{
	vector_core::Metric m;
	if (AssignMetric(metric, &m, result))
		SetResult(vector_core::IvfReassignBounded(x, n, dim, centroids, k, m, shifts, threads, lists, bounds,
		                                          computed),
		          result);
}

void Sq8TrainEntry(const float *x, std::size_t n, std::size_t dim, float *vmin, float *vdiff, VectorBuildResult *result)
{
	SetResult(vector_core::Sq8Train(x, n, dim, vmin, vdiff), result);
}

void PqTrainEntry(const float *x, std::size_t n, std::size_t dim, std::size_t m, float *codebook,
                  VectorBuildResult *result)
{
	SetResult(vector_core::PqTrain(x, n, dim, m, codebook), result);
}

void PqEncodeEntry(const float *x, std::size_t n, std::size_t dim, std::size_t m, const float *book_t,
                   const float *norms, std::int32_t threads, std::uint8_t *codes, VectorBuildResult *result)
{
	if (m == 0 || dim % m != 0) {
		SetResult(Status::Error("PQ encoding: the number of sub-quantizers must divide the dimensions"),
		          result);
		return;
	}
	vector_core::PqEncodeParallel(x, n, dim, m, book_t, norms, threads, codes);
	SetResult(Status::Ok(), result);
}

constexpr VectorBuildApi kApi = {
    VECTOR_BUILD_ABI_VERSION,
    sizeof(VectorBuildApi),
    KmeansTrainEntry,
    IvfAssignEntry,
    Sq8TrainEntry,
    PqTrainEntry,
    PqEncodeEntry,
    IvfAssignBoundedEntry,
    IvfReassignEntry,
};

} // namespace

extern "C" const VectorBuildApi *vector_build_api(void)
{
	return &kApi;
}
