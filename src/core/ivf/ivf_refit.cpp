// The IVF build's refit step (see ivf_refit.h).
#include "core/ivf/ivf_refit.h"

#include <cmath>
#include <limits>

namespace vector_core
{

void IvfAccumulateRows(const float *x, std::size_t n, std::size_t dim, const std::int32_t *lists, double *sums,
                       std::int64_t *counts) noexcept
{
	for (std::size_t i = 0; i < n; i++) {
		const float *row = x + i * dim;
		double *sum = sums + static_cast<std::size_t>(lists[i]) * dim;
		for (std::size_t j = 0; j < dim; j++)
			sum[j] += row[j];
		counts[lists[i]]++;
	}
}

void IvfRefitCentroids(const double *sums, const std::int64_t *counts, std::size_t k, std::size_t dim, bool spherical,
                       float *centroids) noexcept
{
	for (std::size_t l = 0; l < k; l++) {
		if (counts[l] <= 0)
			continue;
		const double *sum = sums + l * dim;
		double scale = 1.0 / static_cast<double>(counts[l]);
		if (spherical) {
			double norm = 0;
			for (std::size_t j = 0; j < dim; j++)
				norm += sum[j] * sum[j];
			norm = std::sqrt(norm);
			// Rows pointing every way at once: no direction to take, keep the trained one.
			if (!(norm > 0) || !std::isfinite(norm))
				continue;
			scale = 1.0 / norm;
		}
		float *centroid = centroids + l * dim;
		for (std::size_t j = 0; j < dim; j++)
			centroid[j] = static_cast<float>(sum[j] * scale);
	}
}

void IvfCentroidShifts(const float *before, const float *after, std::size_t k, std::size_t dim, float *shifts) noexcept
{
	for (std::size_t l = 0; l < k; l++) {
		double sum = 0;
		for (std::size_t j = 0; j < dim; j++) {
			const double d = static_cast<double>(after[l * dim + j]) - before[l * dim + j];
			sum += d * d;
		}
		const float shift = static_cast<float>(std::sqrt(sum));
		shifts[l] = std::nextafter(shift, std::numeric_limits<float>::infinity());
	}
}

} // namespace vector_core
