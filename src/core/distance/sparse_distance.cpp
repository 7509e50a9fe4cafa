// Merge-based sparse distance kernels; see sparse_distance.h.
//
// Each kernel walks both index lists once (O(an + bn)), adding one term per distinct index in
// ascending order. The data-dependent branches make SIMD unattractive; the non-zero counts are
// small (at most 16,000) and the walk is memory bound.
#include "core/distance/sparse_distance.h"

#include <cmath>

namespace vector_core
{

// Two-pointer merge: matched indices contribute (x - y)^2, unmatched ones their square.
float SparseL2SquaredDistance(const std::int32_t *ai, const float *av, int an, const std::int32_t *bi, const float *bv,
                              int bn)
{
	float distance = 0.0f;
	int i = 0;
	int j = 0;
	while (i < an && j < bn) {
		if (ai[i] == bi[j]) {
			float diff = av[i] - bv[j];
			distance += diff * diff;
			i++;
			j++;
		} else if (ai[i] < bi[j]) {
			distance += av[i] * av[i];
			i++;
		} else {
			distance += bv[j] * bv[j];
			j++;
		}
	}
	for (; i < an; i++)
		distance += av[i] * av[i];
	for (; j < bn; j++)
		distance += bv[j] * bv[j];
	return distance;
}

// Two-pointer merge adding products of matched indices only.
float SparseInnerProduct(const std::int32_t *ai, const float *av, int an, const std::int32_t *bi, const float *bv,
                         int bn)
{
	float distance = 0.0f;
	int i = 0;
	int j = 0;
	while (i < an && j < bn) {
		if (ai[i] == bi[j]) {
			distance += av[i] * bv[j];
			i++;
			j++;
		} else if (ai[i] < bi[j]) {
			i++;
		} else {
			j++;
		}
	}
	return distance;
}

// Two-pointer merge: matched indices contribute |x - y|, unmatched ones their magnitude.
float SparseL1Distance(const std::int32_t *ai, const float *av, int an, const std::int32_t *bi, const float *bv, int bn)
{
	float distance = 0.0f;
	int i = 0;
	int j = 0;
	while (i < an && j < bn) {
		if (ai[i] == bi[j]) {
			distance += std::fabs(av[i] - bv[j]);
			i++;
			j++;
		} else if (ai[i] < bi[j]) {
			distance += std::fabs(av[i]);
			i++;
		} else {
			distance += std::fabs(bv[j]);
			j++;
		}
	}
	for (; i < an; i++)
		distance += std::fabs(av[i]);
	for (; j < bn; j++)
		distance += std::fabs(bv[j]);
	return distance;
}

// Two-pointer merge: matched indices add to all three sums, unmatched ones to their side's norm.
CosineParts SparseCosineParts(const std::int32_t *ai, const float *av, int an, const std::int32_t *bi, const float *bv,
                              int bn)
{
	float dot = 0.0f;
	float norm_a = 0.0f;
	float norm_b = 0.0f;
	int i = 0;
	int j = 0;
	while (i < an && j < bn) {
		if (ai[i] == bi[j]) {
			dot += av[i] * bv[j];
			norm_a += av[i] * av[i];
			norm_b += bv[j] * bv[j];
			i++;
			j++;
		} else if (ai[i] < bi[j]) {
			norm_a += av[i] * av[i];
			i++;
		} else {
			norm_b += bv[j] * bv[j];
			j++;
		}
	}
	for (; i < an; i++)
		norm_a += av[i] * av[i];
	for (; j < bn; j++)
		norm_b += bv[j] * bv[j];
	return CosineParts{dot, norm_a, norm_b};
}

// Sum of squares in double: each float product is exact in double.
double SparseSquaredNorm(const float *v, int n)
{
	double norm = 0.0;
	for (int i = 0; i < n; i++)
		norm += static_cast<double>(v[i]) * static_cast<double>(v[i]);
	return norm;
}

// Sum of squares in float, in index order.
float SparseSquaredNormFloat(const float *v, int n)
{
	float norm = 0.0f;
	for (int i = 0; i < n; i++)
		norm += v[i] * v[i];
	return norm;
}

} // namespace vector_core
