// IVF training and bulk encoding for vector_build.so (see ivf_train.h): BLAS for the big products
// (list assignment directly, k-means and the quantizers through FAISS), OpenMP for the per-row loops.
#include "build/ivf_train.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <limits>
#include <vector>

#include <faiss/impl/ProductQuantizer.h>
#include <faiss/impl/ScalarQuantizer.h>

#include "build/blas_products.h"
#include "build/kmeans.h"
#include "build/omp_threads.h"
#include "core/distance/float_distance.h"
#include "core/ivf/ivf_quant.h"

namespace vector_core
{

namespace
{

// Large batches: the inner products of a block of rows with every centroid are one BLAS matrix
// product (blocks shared by threads), and each row's list follows from its products
// (NearestFromProducts).
void BlasAssign(const float *x, std::size_t n, std::size_t dim, const float *centroids, std::size_t k, bool l2,
                int threads, std::int32_t *lists)
{
	const std::vector<float> norms = CentroidSquaredNorms(centroids, k, dim);
	ForEachProductBlock(
	    x, n, dim, centroids, k, threads, [&](std::size_t first, std::size_t rows, const float *products) {
		    for (std::size_t i = 0; i < rows; i++)
			    lists[first + i] = NearestFromProducts(products + i * k, norms.data(), k, l2);
	    });
}

} // namespace

Status IvfAssign(const float *x, std::size_t n, std::size_t dim, const float *centroids, std::size_t k, Metric metric,
                 int threads, std::int32_t *lists) noexcept
{
	const Status sizes = CheckAssignmentSizes(dim, k);
	if (!sizes.ok())
		return sizes;
	try {
		if (n >= 256 && k >= 8) {
			BlasAssign(x, n, dim, centroids, k, metric == Metric::kL2, threads, lists);
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
