// Binary16 copies of float rows for building an HNSW graph; see hnsw_binary16_rows.h.
#include "core/hnsw/hnsw_binary16_rows.h"

#include <algorithm>
#include <cmath>

#include "core/distance/float_distance.h"

namespace vector_core
{

namespace
{

// The distance the check compares errors with: L1 for an L1 graph, else L2 (not squared).
double CheckDistance(Metric metric, const float *a, const float *b, std::size_t dims)
{
	if (metric == Metric::kL1)
		return static_cast<double>(L1Distance(a, b, dims));
	return std::sqrt(static_cast<double>(L2SquaredDistance(a, b, dims)));
}

} // namespace

std::size_t HnswBinary16ReferenceRows(std::size_t n, int dims)
{
	const std::size_t d = static_cast<std::size_t>(std::max(dims, 1));
	return std::min({n, kHnswBinary16References, std::max<std::size_t>(2, kHnswBinary16ReferenceFloats / d)});
}

std::size_t HnswBinary16TemporaryBytes(std::size_t n, int dims)
{
	const std::size_t d = static_cast<std::size_t>(std::max(dims, 1));
	// the reference rows, the mean, its double sums, two rows of scratch
	return sizeof(float) * HnswBinary16ReferenceRows(n, dims) * d + (sizeof(double) + 3 * sizeof(float)) * d;
}

bool HnswBinary16Rows(const float *rows, std::size_t n, int dims, Metric metric, float shift, std::vector<Half> *out,
                      HnswBinary16Report *report)
{
	*report = HnswBinary16Report{};
	std::vector<Half>().swap(*out); // (the memory goes back)
	const std::size_t d = static_cast<std::size_t>(std::max(dims, 0));
	if (n == 0 || d == 0)
		return false;
	const bool translation_free = metric == Metric::kL2 || metric == Metric::kL1;
	const bool may_scale = shift == 0.0f && (translation_free || metric == Metric::kInnerProduct);

	// The mean row (L2, L1), then the largest component of the rows less it.
	std::vector<float> mean(d, 0.0f);
	if (translation_free) {
		std::vector<double> sum(d, 0.0);
		for (std::size_t i = 0; i < n; i++) {
			const float *row = rows + i * d;
			for (std::size_t j = 0; j < d; j++)
				sum[j] += row[j];
		}
		for (std::size_t j = 0; j < d; j++)
			mean[j] = static_cast<float>(sum[j] / static_cast<double>(n));
		report->centered = true;
	}
	double max_abs = 0.0;
	for (std::size_t i = 0; i < n; i++) {
		const float *row = rows + i * d;
		for (std::size_t j = 0; j < d; j++)
			max_abs = std::max(max_abs, std::fabs(static_cast<double>(row[j]) - mean[j]));
	}
	if (!std::isfinite(max_abs))
		return false;
	float scale = 1.0f;
	if (may_scale && max_abs > 0.0) {
		// max in [2^12, 2^13); rows so tiny that the scale would pass a float's range are left to
		// the floats (below 2^-115, about 1e-35)
		const int exponent = 12 - std::ilogb(max_abs);
		if (exponent > 127)
			return false;
		scale = static_cast<float>(std::ldexp(1.0, exponent));
	} else if (max_abs * scale > static_cast<double>(kHalfMax) / 2) {
		return false; // (rows of an absolute scale that binary16 cannot hold)
	}
	report->scale = scale;

	// The copies, and the largest error of one.
	out->resize(n * d);
	std::vector<float> moved(d), back(d);
	double max_error = 0.0;
	for (std::size_t i = 0; i < n; i++) {
		const float *row = rows + i * d;
		for (std::size_t j = 0; j < d; j++)
			moved[j] = (row[j] - mean[j]) * scale;
		Half *copy = out->data() + i * d;
		FloatToHalfArray(moved.data(), copy, d);
		HalfToFloatArray(copy, back.data(), d);
		const double error = CheckDistance(metric, moved.data(), back.data(), d);
		if (!(error <= max_error)) // (a NaN error too)
			max_error = std::isnan(error) ? HUGE_VAL : error;
	}
	report->max_error = max_error;
	if (!std::isfinite(max_error)) {
		std::vector<Half>().swap(*out); // (the memory goes back)
		return false;
	}

	// A near-neighbor distance of the data: for a sample of rows, the distance to the nearest
	// distinct row among a second sample, its 10th percentile, shrunk for the rows the sample
	// leaves out (see the header).
	const std::size_t references = HnswBinary16ReferenceRows(n, dims);
	std::vector<float> reference(references * d);
	for (std::size_t r = 0; r < references; r++) {
		const float *row = rows + (r * n / references) * d;
		for (std::size_t j = 0; j < d; j++)
			reference[r * d + j] = (row[j] - mean[j]) * scale;
	}
	const std::size_t probes = std::min(n, kHnswBinary16Probes);
	std::vector<double> nearest;
	for (std::size_t p = 0; p < probes; p++) {
		const float *row = rows + (p * n / probes + n / probes / 2) * d;
		for (std::size_t j = 0; j < d; j++)
			moved[j] = (row[j] - mean[j]) * scale;
		double best = HUGE_VAL;
		for (std::size_t r = 0; r < references; r++) {
			const double dist = CheckDistance(metric, moved.data(), reference.data() + r * d, d);
			if (dist > 0.0)
				best = std::min(best, dist);
		}
		if (best < HUGE_VAL)
			nearest.push_back(best);
	}
	if (!nearest.empty()) {
		const std::size_t at = nearest.size() / 10;
		std::nth_element(nearest.begin(), nearest.begin() + static_cast<std::ptrdiff_t>(at), nearest.end());
		report->near_distance = nearest[at];
		if (n > references)
			report->near_distance *=
			    std::pow(static_cast<double>(references) / static_cast<double>(n), 0.125);
		if (!(2.0 * max_error <= kHnswBinary16Tolerance * report->near_distance)) {
			std::vector<Half>().swap(*out); // (the memory goes back)
			return false;
		}
	}
	report->made = true;
	return true;
}

} // namespace vector_core
