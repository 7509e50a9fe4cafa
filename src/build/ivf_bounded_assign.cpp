// List assignment with Elkan's bounds (see ivf_bounded_assign.h).
#include "build/ivf_bounded_assign.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <vector>

#include "build/blas_products.h"
#include "core/distance/float_distance.h"

namespace vector_core
{

namespace
{

// What float rounding can take off a squared distance computed as |a|^2 + |b|^2 - 2 a.b with
// dim-term float sums (the products of a BLAS kernel or of ours): (dim + 8) units of 2^-22 of
// |a|^2 + |b|^2, a generous margin. A bound lowered by it stays below the exact distance, so a
// list that the exact distances would change is never kept for a rounding.
float SquaredRoundingMargin(std::size_t dim, float squares)
{
	return static_cast<float>(dim + 8) * 0x1p-22f * squares;
}

// A lower bound of the distance whose computed square is d2.
float LowerBound(float d2, float margin)
{
	return std::sqrt(std::max(0.0f, d2 - margin));
}

// One row's view of the bounded space: for inner product the row scaled to unit length.
struct RowPoint {
	float squared_norm; // |x|^2 in the bounded space (1 or 0 for inner product)
	float ip_scale;     // what a row-centroid inner product is multiplied by there
};

RowPoint PointOf(const float *row, std::size_t dim, bool l2)
{
	const float xx = InnerProduct(row, row, dim);
	if (l2)
		return {xx, 1.0f};
	if (!(xx > 0) || !std::isfinite(xx))
		return {0.0f, 0.0f};
	return {1.0f, static_cast<float>(1.0 / std::sqrt(static_cast<double>(xx)))};
}

// The squared distance, in the bounded space, between a row and a centroid of squared norm cc
// with which the row has inner product ip.
float SquaredDistance(const RowPoint &p, float cc, float ip)
{
	return p.squared_norm + cc - 2.0f * ip * p.ip_scale;
}

// What decides between lists, as IvfAssign's scores do: the distance under L2, -x.c / |x| under
// the inner product (the largest inner product wins; centroids of slightly different norms, as
// binary16 rounding makes them, rank by it, not by distance to the unit row).
float Key(const RowPoint &p, float cc, float ip, bool l2)
{
	if (l2)
		return std::sqrt(std::max(0.0f, SquaredDistance(p, cc, ip)));
	return -ip * p.ip_scale;
}

// A lower bound of the key of a centroid of squared norm cc whose distance is at least bound:
// under the inner product -x.c / |x| = (d^2 - |x|^2 - |c|^2) / 2 in the bounded space.
float KeyBound(const RowPoint &p, float cc, float bound, bool l2)
{
	if (l2)
		return bound;
	const float b = std::max(0.0f, bound);
	return 0.5f * (b * b - p.squared_norm - cc);
}

Status CheckArguments(std::size_t dim, std::size_t k, Metric metric)
{
	if (metric != Metric::kL2 && metric != Metric::kInnerProduct)
		return Status::Error("list assignment: unknown metric");
	return CheckAssignmentSizes(dim, k);
}

// Runs work, turning what it throws into a Status.
template <typename Work> Status Guarded(Work &&work) noexcept
{
	try {
		work();
		return Status::Ok();
	} catch (const std::bad_alloc &) {
		return Status::OutOfMemory();
	} catch (const std::exception &e) {
		return Status::Error("list assignment failed", e.what());
	} catch (...) {
		return Status::Error("list assignment failed");
	}
}

// A row's list and bounds from its inner products ip with every centroid: the list a full
// assignment gives (NearestFromProducts, as IvfAssign, so that a first pass agrees with it
// exactly), and each distance lowered by its rounding margin.
void FinishRow(const RowPoint &p, const float *ip, const float *cc, std::size_t k, std::size_t dim, bool l2,
               std::int32_t *list, float *bound)
{
	*list = NearestFromProducts(ip, cc, k, l2);
#pragma omp simd
	for (std::size_t j = 0; j < k; j++)
		bound[j] =
		    LowerBound(SquaredDistance(p, cc[j], ip[j]), SquaredRoundingMargin(dim, p.squared_norm + cc[j]));
}

// Rows a reassignment recomputes in full: gathered this many at a time for the BLAS products.
constexpr std::size_t kGatherRows = 4096;

// Rows a reassignment looks at first, to tell whether a full assignment would be cheaper.
constexpr std::size_t kPredictRows = 256;

// FinishRow for the given rows of x, from BLAS products (rows gathered into a contiguous copy).
void AssignRowsFully(const float *x, const std::vector<std::size_t> &rows, std::size_t dim, const float *centroids,
                     std::size_t k, bool l2, const float *cc, int threads, std::int32_t *lists, float *bounds)
{
	std::vector<float> gathered(std::min(rows.size(), kGatherRows) * dim);
	for (std::size_t g = 0; g < rows.size(); g += kGatherRows) {
		const std::size_t m = std::min(kGatherRows, rows.size() - g);
		for (std::size_t i = 0; i < m; i++)
			std::copy(x + rows[g + i] * dim, x + (rows[g + i] + 1) * dim, gathered.begin() + i * dim);
		ForEachProductBlock(gathered.data(), m, dim, centroids, k, threads,
		                    [&](std::size_t first, std::size_t count, const float *products) {
			                    for (std::size_t i = 0; i < count; i++) {
				                    const std::size_t r = rows[g + first + i];
				                    FinishRow(PointOf(x + r * dim, dim, l2), products + i * k, cc, k,
				                              dim, l2, &lists[r], bounds + r * k);
			                    }
		                    });
	}
}

} // namespace

Status IvfAssignBounded(const float *x, std::size_t n, std::size_t dim, const float *centroids, std::size_t k,
                        Metric metric, int threads, std::int32_t *lists, float *bounds) noexcept
{
	Status status = CheckArguments(dim, k, metric);
	if (!status.ok())
		return status;
	const bool l2 = metric == Metric::kL2;
	return Guarded([&] {
		const std::vector<float> cc = CentroidSquaredNorms(centroids, k, dim);
		// Block by block while the products are in cache.
		ForEachProductBlock(x, n, dim, centroids, k, threads,
		                    [&](std::size_t first, std::size_t rows, const float *products) {
			                    for (std::size_t i = 0; i < rows; i++) {
				                    const std::size_t r = first + i;
				                    FinishRow(PointOf(x + r * dim, dim, l2), products + i * k,
				                              cc.data(), k, dim, l2, &lists[r], bounds + r * k);
			                    }
		                    });
	});
}

Status IvfReassignBounded(const float *x, std::size_t n, std::size_t dim, const float *centroids, std::size_t k,
                          Metric metric, const float *shifts, int threads, std::int32_t *lists, float *bounds,
                          std::int64_t *computed) noexcept
{
	Status status = CheckArguments(dim, k, metric);
	if (!status.ok())
		return status;
	const bool l2 = metric == Metric::kL2;
	std::vector<float> cc;
	std::vector<unsigned char> full;
	status = Guarded([&] {
		cc = CentroidSquaredNorms(centroids, k, dim);
		full.assign(n, 0);
	});
	if (!status.ok())
		return status;
	// A row with more candidates than this (centroids whose bound is below its distance to its
	// own) is recomputed in full: one distance at a time costs about four times what a BLAS
	// product does per distance.
	const std::size_t most_candidates = std::max<std::size_t>(4, k / 5);
	// Centroids that moved far (k-means' first iterations) leave most rows with many candidates:
	// when most of a spread of rows would, one full assignment of every row is cheaper than
	// looking first. The looked-at rows' bounds are not changed.
	if (n >= kPredictRows * 4) {
		std::size_t would_go_full = 0;
		for (std::size_t t = 0; t < kPredictRows; t++) {
			const std::size_t r = t * (n / kPredictRows);
			const float *row = x + r * dim;
			const RowPoint p = PointOf(row, dim, l2);
			const float *bound = bounds + r * k;
			const std::size_t own = static_cast<std::size_t>(lists[r]);
			const float own_key = Key(p, cc[own], InnerProduct(row, centroids + own * dim, dim), l2);
			std::size_t candidates = 0;
			for (std::size_t j = 0; j < k; j++)
				candidates += KeyBound(p, cc[j], bound[j] - shifts[j], l2) < own_key;
			would_go_full += candidates > most_candidates;
		}
		if (would_go_full * 2 > kPredictRows) {
			*computed += static_cast<std::int64_t>(n * k);
			return IvfAssignBounded(x, n, dim, centroids, k, metric, threads, lists, bounds);
		}
	}
	std::int64_t distances = 0;
	const long long count = static_cast<long long>(n);
#pragma omp parallel for num_threads(std::max(1, threads)) schedule(dynamic, 256) reduction(+ : distances)
	for (long long r = 0; r < count; r++) {
		const float *row = x + static_cast<std::size_t>(r) * dim;
		const RowPoint p = PointOf(row, dim, l2);
		float *bound = bounds + static_cast<std::size_t>(r) * k;
#pragma omp simd
		for (std::size_t j = 0; j < k; j++)
			bound[j] -= shifts[j];
		// A centroid's key (Key), its bound renewed from the distance.
		auto key = [&](std::size_t j) {
			const float ip = InnerProduct(row, centroids + j * dim, dim);
			bound[j] = LowerBound(SquaredDistance(p, cc[j], ip),
			                      SquaredRoundingMargin(dim, p.squared_norm + cc[j]));
			return Key(p, cc[j], ip, l2);
		};
		std::size_t best_list = static_cast<std::size_t>(lists[r]);
		float best = key(best_list);
		distances++;
		// (a NaN bound or key compares false: such a row keeps its list, as a NaN row does in
		// IvfAssign)
		std::size_t candidates = 0;
		for (std::size_t j = 0; j < k; j++)
			candidates += KeyBound(p, cc[j], bound[j], l2) < best;
		if (candidates > most_candidates) {
			full[static_cast<std::size_t>(r)] = 1;
			continue;
		}
		for (std::size_t j = 0; j < k; j++) {
			if (j == best_list || !(KeyBound(p, cc[j], bound[j], l2) < best))
				continue;
			const float d = key(j);
			distances++;
			if (d < best) {
				best = d;
				best_list = j;
			}
		}
		lists[r] = static_cast<std::int32_t>(best_list);
	}
	status = Guarded([&] {
		std::vector<std::size_t> rows;
		for (std::size_t r = 0; r < n; r++)
			if (full[r])
				rows.push_back(r);
		AssignRowsFully(x, rows, dim, centroids, k, l2, cc.data(), threads, lists, bounds);
		distances += static_cast<std::int64_t>(rows.size() * k);
	});
	if (status.ok())
		*computed += distances;
	return status;
}

} // namespace vector_core
