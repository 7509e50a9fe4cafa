// The assignment index FAISS's k-means searches (faiss::Clustering::train takes any faiss::Index):
// each Lloyd iteration asks it for every sample row's nearest centroid. FAISS's IndexFlatL2
// answers with a full matrix product every time; this one keeps Elkan's bounds between the
// iterations (ivf_bounded_assign.h), so that once the centroids settle an iteration computes a
// few distances per row. FAISS still drives k-means: seeding aside, the iterations, the centroid
// updates, the splitting of empty clusters and the spherical normalisation are its own.
//
// Only for what Clustering does with it: L2, one neighbour per query, the same rows at every
// search. A search of other rows (another pointer or count) starts over with a full assignment.
//
// Part of vector_build.so: pure C++, no PostgreSQL header. Throws on failure (FAISS's way); the
// caller (KmeansTrain) catches.
#pragma once

#include <cstdint>
#include <vector>

#include <faiss/Index.h>

namespace vector_core
{

class BoundedAssignIndex : public faiss::Index
{
public:
	// threads: OpenMP threads of the reassignments.
	BoundedAssignIndex(int dim, int threads);

	void add(idx_t n, const float *x) override;
	void reset() override;
	void search(idx_t n, const float *x, idx_t k, float *distances, idx_t *labels,
	            const faiss::SearchParameters *params = nullptr) const override;

	// Distances computed by the searches after the first (a full one is ntotal per row).
	std::int64_t reassigned_distances() const
	{
		return computed_;
	}

private:
	int threads_;
	std::vector<float> centroids_;
	// The rows' state between searches: which rows, the centroids the bounds hold for, each row's
	// list and its bounds (rows x centroids).
	mutable const float *rows_ = nullptr;
	mutable idx_t rows_n_ = 0;
	mutable std::vector<float> bounded_centroids_;
	mutable std::vector<std::int32_t> lists_;
	mutable std::vector<float> bounds_;
	mutable std::int64_t computed_ = 0;
};

} // namespace vector_core
