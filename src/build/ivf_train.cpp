// IVF training and bulk encoding for vector_build.so (see ivf_train.h): FAISS over BLAS for
// the big products, OpenMP for the per-row loops.
#include "build/ivf_train.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <limits>
#include <vector>

#include <faiss/IndexFlat.h>
#include <faiss/impl/ProductQuantizer.h>
#include <faiss/impl/ScalarQuantizer.h>

#include "build/kmeans.h"
#include "build/omp_threads.h"
#include "core/ivf/ivf_quant.h"

namespace vector_core
{

namespace
{

} // namespace

Status IvfAssign(const float *x, std::size_t n, std::size_t dim, const float *centroids, std::size_t k, Metric metric,
                 int threads, std::int32_t *lists) noexcept
{
	if (k == 0 || dim == 0) {
		return Status::Error("list assignment: no lists");
	}
	try {
		if (n >= 256 && k >= 8) {
			// Large batches: FAISS's exhaustive search turns the distances into one BLAS matrix
			// product per block (BLAS owns the cores; FAISS's own loops run on one thread).
			faiss::IndexFlat index(static_cast<faiss::Index::idx_t>(dim),
			                       metric == Metric::kL2 ? faiss::METRIC_L2 : faiss::METRIC_INNER_PRODUCT);
			index.add(static_cast<faiss::Index::idx_t>(k), centroids);
			std::vector<float> distances(n);
			std::vector<faiss::Index::idx_t> labels(n);
			{
				OmpThreadsScope one_thread(1);
				index.search(static_cast<faiss::Index::idx_t>(n), x, 1, distances.data(),
				             labels.data());
			}
			for (std::size_t i = 0; i < n; i++) {
				// A NaN distance leaves no label: fall back to list 0.
				faiss::Index::idx_t label = labels[i];
				lists[i] = label >= 0 && static_cast<std::size_t>(label) < k
				               ? static_cast<std::int32_t>(label)
				               : 0;
			}
			return Status::Ok();
		}
	} catch (const std::exception &e) {
		return Status::Error("list assignment failed", e.what());
	} catch (...) {
		return Status::Error("list assignment failed");
	}
	const long long count = static_cast<long long>(n);
#pragma omp parallel for num_threads(std::max(1, threads)) schedule(static)
	for (long long i = 0; i < count; i++) {
		const float *row = x + static_cast<std::size_t>(i) * dim;
		float best = std::numeric_limits<float>::infinity();
		std::int32_t best_list = 0;
		for (std::size_t j = 0; j < k; j++) {
			float d = IvfDistance(metric, row, centroids + j * dim, dim);
			if (d < best) {
				best = d;
				best_list = static_cast<std::int32_t>(j);
			}
		}
		lists[i] = best_list;
	}
	return Status::Ok();
}

Status Sq8Train(const float *x, std::size_t n, std::size_t dim, float *vmin, float *vdiff) noexcept
{
	try {
		if (n == 0) {
			std::fill(vmin, vmin + dim, 0.0f);
			std::fill(vdiff, vdiff + dim, 0.0f);
			return Status::Ok();
		}
		faiss::ScalarQuantizer sq(dim, faiss::ScalarQuantizer::QT_8bit);
		sq.rangestat = faiss::ScalarQuantizer::RS_minmax;
		sq.rangestat_arg = 0;
		sq.train(n, x);
		if (sq.trained.size() != 2 * dim)
			return Status::Error("SQ8 training: FAISS returned unexpected parameters");
		std::memcpy(vmin, sq.trained.data(), sizeof(float) * dim);
		std::memcpy(vdiff, sq.trained.data() + dim, sizeof(float) * dim);
		return Status::Ok();
	} catch (const std::exception &e) {
		return Status::Error("SQ8 training failed", e.what());
	} catch (...) {
		return Status::Error("SQ8 training failed");
	}
}

Status PqTrain(const float *x, std::size_t n, std::size_t dim, std::size_t m, float *codebook) noexcept
{
	try {
		if (m == 0 || dim % m != 0)
			return Status::Error("PQ training: the number of sub-quantizers must divide the dimensions");
		const std::size_t ksub = 256;
		if (n == 0) {
			std::fill(codebook, codebook + ksub * dim, 0.0f);
			return Status::Ok();
		}
		std::vector<float> repeated;
		if (n < ksub) {
			// FAISS's k-means needs at least as many points as centroids.
			repeated.resize(ksub * dim);
			for (std::size_t i = 0; i < ksub; i++)
				std::memcpy(repeated.data() + i * dim, x + (i % n) * dim, sizeof(float) * dim);
			x = repeated.data();
			n = ksub;
		}
		// Rows too long for FAISS's float distances: train on them scaled (build/kmeans.h).
		std::vector<float> scaled;
		int exponent = 0;
		x = TrainingRows(x, n, dim, &scaled, &exponent);
		// FAISS's k-means loops on one thread: its BLAS products own the cores (OpenMP and
		// OpenBLAS threads spinning against each other on two cores ran ~20x slower).
		OmpThreadsScope one_thread(1);
		faiss::ProductQuantizer pq(dim, m, 8);
		pq.cp.min_points_per_centroid = 1;
		pq.cp.max_points_per_centroid = 1 << 30;
		pq.cp.niter = 10;
		pq.verbose = false;
		pq.train(static_cast<faiss::Index::idx_t>(n), x);
		if (pq.centroids.size() != ksub * dim)
			return Status::Error("PQ training: FAISS returned an unexpected codebook");
		std::memcpy(codebook, pq.centroids.data(), sizeof(float) * ksub * dim);
		if (exponent != 0)
			ScaleRows(codebook, ksub * dim, exponent);
		return Status::Ok();
	} catch (const std::exception &e) {
		return Status::Error("PQ training failed", e.what());
	} catch (...) {
		return Status::Error("PQ training failed");
	}
}

void PqEncodeParallel(const float *x, std::size_t n, std::size_t dim, std::size_t m, const float *book_t,
                      const float *norms, int threads, std::uint8_t *codes) noexcept
{
	// Blocks of 64 rows: one call of the serial encoder each.
	constexpr std::size_t kBlock = 64;
	const long long blocks = static_cast<long long>((n + kBlock - 1) / kBlock);
#pragma omp parallel for num_threads(std::max(1, threads)) schedule(static) if (n > 256)
	for (long long b = 0; b < blocks; b++) {
		const std::size_t first = static_cast<std::size_t>(b) * kBlock;
		const std::size_t count = std::min(kBlock, n - first);
		PqEncode(x + first * dim, count, dim, m, book_t, norms, codes + first * m);
	}
}

} // namespace vector_core
