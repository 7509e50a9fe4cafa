// K-means for IVF list training: FAISS's Lloyd iterations over BLAS, wrapped so that no
// exception and no FAISS assert can reach the caller.
#include "build/kmeans.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <random>
#include <vector>

#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>
#include <faiss/impl/AuxIndexStructures.h>

#include "build/bounded_assign_index.h"
#include "build/omp_threads.h"
#include "core/distance/float_distance.h"

namespace vector_core
{

namespace
{

// Points per centroid that k-means++ seeding draws from (see KmeansTrain).
constexpr std::size_t kSeedPointsPerCentroid = 16;

// k-means++ seeding: each next centroid is a sample point drawn with probability proportional
// to its squared distance to the nearest centroid chosen so far (threads parallelize the
// distance updates over the points).
bool KmeansPlusPlus(const float *x, std::size_t n, std::size_t dim, std::size_t k, std::uint32_t seed, int threads,
                    bool (*should_stop)(), float *centroids)
{
	std::mt19937_64 gen(seed);
	std::vector<float> nearest(n, std::numeric_limits<float>::infinity());
	std::size_t pick = std::uniform_int_distribution<std::size_t>(0, n - 1)(gen);
	const long long count = static_cast<long long>(n);
	for (std::size_t c = 0; c < k; c++) {
		std::memcpy(centroids + c * dim, x + pick * dim, sizeof(float) * dim);
		if (c + 1 == k)
			break;
		if (should_stop != nullptr && (c & 15) == 15 && should_stop())
			return false;
		const float *centroid = centroids + c * dim;
		double total = 0;
#pragma omp parallel for num_threads(std::max(1, threads)) schedule(static) reduction(+ : total) if (count > 4096)
		for (long long i = 0; i < count; i++) {
			float d = L2SquaredDistance(x + static_cast<std::size_t>(i) * dim, centroid, dim);
			if (d < nearest[i])
				nearest[i] = d;
			total += nearest[i];
		}
		if (!(total > 0)) {
			pick = std::uniform_int_distribution<std::size_t>(0, n - 1)(gen);
			continue;
		}
		double target = std::uniform_real_distribution<double>(0.0, total)(gen);
		pick = n - 1;
		for (std::size_t i = 0; i < n; i++) {
			target -= nearest[i];
			if (target <= 0) {
				pick = i;
				break;
			}
		}
	}
	return true;
}

// FAISS's interrupt hook, answering from the caller's flag.
class StopCallback : public faiss::InterruptCallback
{
public:
	explicit StopCallback(bool (*should_stop)()) : should_stop_(should_stop)
	{
	}
	bool want_interrupt() override
	{
		return should_stop_();
	}

private:
	bool (*should_stop_)();
};

// Installs a StopCallback for a scope (FAISS keeps one process-wide instance).
class StopCallbackScope
{
public:
	explicit StopCallbackScope(bool (*should_stop)())
	{
		if (should_stop != nullptr) {
			faiss::InterruptCallback::instance.reset(new StopCallback(should_stop));
			installed_ = true;
		}
	}
	~StopCallbackScope()
	{
		if (installed_)
			faiss::InterruptCallback::clear_instance();
	}
	StopCallbackScope(const StopCallbackScope &) = delete;
	StopCallbackScope &operator=(const StopCallbackScope &) = delete;

private:
	bool installed_ = false;
};

} // namespace

void NormalizeRows(float *x, std::size_t n, std::size_t dim) noexcept
{
	for (std::size_t i = 0; i < n; i++) {
		float *row = x + i * dim;
		double norm = std::sqrt(SquaredNormDouble(row, dim));
		if (norm > 0) {
			float inv = static_cast<float>(1.0 / norm);
			for (std::size_t j = 0; j < dim; j++)
				row[j] *= inv;
		}
	}
}

int TrainingScaleExponent(const float *x, std::size_t n, std::size_t dim) noexcept
{
	double max_squared = 0;
	for (std::size_t i = 0; i < n; i++)
		max_squared = std::max(max_squared, SquaredNormDouble(x + i * dim, dim));
	if (!(max_squared > 0x1p100))
		return 0;
	int exponent = 0;
	std::frexp(std::sqrt(max_squared), &exponent); // the largest norm is below 2^exponent
	return exponent - 50;
}

void ScaleRows(float *x, std::size_t count, int scale) noexcept
{
	for (std::size_t i = 0; i < count; i++)
		x[i] = std::ldexp(x[i], scale);
}

const float *TrainingRows(const float *x, std::size_t n, std::size_t dim, std::vector<float> *copy, int *exponent)
{
	*exponent = TrainingScaleExponent(x, n, dim);
	if (*exponent == 0)
		return x;
	copy->assign(x, x + n * dim);
	ScaleRows(copy->data(), copy->size(), -*exponent);
	return copy->data();
}

Status KmeansTrain(const float *x, std::size_t n, std::size_t dim, std::size_t k, bool spherical, int niter,
                   int threads, std::uint32_t seed, bool (*should_stop)(), std::size_t bounds_bytes,
                   float *centroids) noexcept
{
	try {
		if (dim == 0 || k == 0 || centroids == nullptr || (n > 0 && x == nullptr))
			return Status::Error("k-means: invalid arguments");
		if (n < k) {
			// Too few points for k-means: take them as they are, and random vectors for the
			// lists no point can fill (those lists start empty).
			if (n > 0)
				std::memcpy(centroids, x, sizeof(float) * n * dim);
			std::mt19937 gen(seed);
			std::normal_distribution<float> normal(0.0f, 1.0f);
			for (std::size_t i = n * dim; i < k * dim; i++)
				centroids[i] = normal(gen);
			if (spherical)
				NormalizeRows(centroids, k, dim);
			return Status::Ok();
		}
		// FAISS's own OpenMP loops on one thread: its BLAS products own the cores, and OpenMP
		// threads spinning against BLAS's on two cores ran ~20x slower. Ours (the seeding and the
		// bounded assignment, between the products) take threads.
		OmpThreadsScope one_thread(1);
		std::vector<float> scaled;
		int exponent = 0;
		x = TrainingRows(x, n, dim, &scaled, &exponent);
		faiss::ClusteringParameters params;
		params.niter = std::max(1, niter);
		params.spherical = spherical;
		params.seed = static_cast<int>(seed & 0x7fffffff);
		params.min_points_per_centroid = 1;       // no warnings on stderr for small samples
		params.max_points_per_centroid = 1 << 30; // the caller has sampled already
		params.verbose = false;
		faiss::Clustering clustering(static_cast<int>(dim), k, params);
		// FAISS starts from the centroids it is given: k-means++ seeds them.
		clustering.centroids.resize(k * dim);
		// The seeds come from a random subset of kSeedPointsPerCentroid points per centroid: the
		// seeding reads every point once per centroid, memory-bound on a large sample (0.4 s of
		// a 1.1 s training at 16,000 x 768, 250 centroids), and the Lloyd iterations that follow
		// run on the whole sample (same inertia measured with 16 per centroid as with 64).
		std::vector<float> subset;
		const float *seed_points = x;
		std::size_t seed_n = n;
		if (n > k * kSeedPointsPerCentroid) {
			seed_n = k * kSeedPointsPerCentroid;
			subset.resize(seed_n * dim);
			// A partial Fisher-Yates shuffle of the indices: a uniform subset, whatever the order
			// of the sample (a sample smaller than its capacity is in table order).
			std::vector<std::uint32_t> index(n);
			for (std::size_t i = 0; i < n; i++)
				index[i] = static_cast<std::uint32_t>(i);
			std::mt19937_64 gen(seed ^ 0x5EEDu);
			for (std::size_t i = 0; i < seed_n; i++) {
				std::size_t j = std::uniform_int_distribution<std::size_t>(i, n - 1)(gen);
				std::swap(index[i], index[j]);
				std::memcpy(subset.data() + i * dim, x + static_cast<std::size_t>(index[i]) * dim,
				            sizeof(float) * dim);
			}
			seed_points = subset.data();
		}
		if (!KmeansPlusPlus(seed_points, seed_n, dim, k, seed, threads, should_stop,
		                    clustering.centroids.data()))
			return Status::Cancelled("k-means interrupted");
		if (spherical)
			NormalizeRows(clustering.centroids.data(), k, dim);
		// FAISS's iterations search the sample for each row's nearest centroid: with bounds when
		// they fit in bounds_bytes (a float per row and centroid), else by a full product each.
		StopCallbackScope stop(should_stop);
		if (n <= bounds_bytes / sizeof(float) / k) {
			BoundedAssignIndex index(static_cast<int>(dim), threads);
			clustering.train(static_cast<faiss::Index::idx_t>(n), x, index);
		} else {
			faiss::IndexFlatL2 index(static_cast<faiss::Index::idx_t>(dim));
			clustering.train(static_cast<faiss::Index::idx_t>(n), x, index);
		}
		if (clustering.centroids.size() != k * dim)
			return Status::Error("k-means: FAISS returned an unexpected number of centroids");
		std::memcpy(centroids, clustering.centroids.data(), sizeof(float) * k * dim);
		// Means of scaled rows, back to the rows' scale (unit centroids stay unit).
		if (exponent != 0 && !spherical)
			ScaleRows(centroids, k * dim, exponent);
		return Status::Ok();
	} catch (const std::exception &e) {
		if (should_stop != nullptr && should_stop())
			return Status::Cancelled("k-means interrupted");
		return Status::Error("k-means failed", e.what());
	} catch (...) {
		return Status::Error("k-means failed: unknown exception");
	}
}

} // namespace vector_core
