// FAISS k-means' assignment index with Elkan's bounds (see bounded_assign_index.h).
#include "build/bounded_assign_index.h"

#include <stdexcept>

#include "build/ivf_bounded_assign.h"
#include "core/distance/float_distance.h"
#include "core/ivf/ivf_refit.h"

namespace vector_core
{

BoundedAssignIndex::BoundedAssignIndex(int dim, int threads) : faiss::Index(dim, faiss::METRIC_L2), threads_(threads)
{
	is_trained = true;
}

void BoundedAssignIndex::add(idx_t n, const float *x)
{
	centroids_.insert(centroids_.end(), x, x + static_cast<std::size_t>(n) * d);
	ntotal += n;
}

void BoundedAssignIndex::reset()
{
	// The bounds stay: they hold for bounded_centroids_, and the next search measures how far
	// the centroids added since have moved from those.
	centroids_.clear();
	ntotal = 0;
}

void BoundedAssignIndex::search(idx_t n, const float *x, idx_t k, float *distances, idx_t *labels,
                                [[maybe_unused]] const faiss::SearchParameters *params) const
{
	if (k != 1 || ntotal <= 0)
		throw std::invalid_argument("k-means assignment index: one neighbour among at least one centroid");
	const std::size_t rows = static_cast<std::size_t>(n), dim = static_cast<std::size_t>(d),
	                  lists = static_cast<std::size_t>(ntotal);
	Status status;
	if (x == rows_ && n == rows_n_ && bounded_centroids_.size() == centroids_.size()) {
		std::vector<float> shifts(lists);
		IvfCentroidShifts(bounded_centroids_.data(), centroids_.data(), lists, dim, shifts.data());
		status = IvfReassignBounded(x, rows, dim, centroids_.data(), lists, Metric::kL2, shifts.data(),
		                            threads_, lists_.data(), bounds_.data(), &computed_);
	} else {
		lists_.resize(rows);
		bounds_.resize(rows * lists);
		status = IvfAssignBounded(x, rows, dim, centroids_.data(), lists, Metric::kL2, threads_, lists_.data(),
		                          bounds_.data());
		rows_ = x;
		rows_n_ = n;
	}
	if (!status.ok()) {
		rows_ = nullptr; // the bounds are not to be trusted
		if (status.code() == Status::Code::kOutOfMemory)
			throw std::bad_alloc();
		throw std::runtime_error(status.message());
	}
	bounded_centroids_ = centroids_;
	for (std::size_t i = 0; i < rows; i++) {
		labels[i] = lists_[i];
		distances[i] = L2SquaredDistance(x + i * dim, centroids_.data() + lists_[i] * dim, dim);
	}
}

} // namespace vector_core
