// IVF compute kernels and quantizers (see ivf_quant.h). The SQ8 and PQ scan kernels are
// compiled for several ISA levels (target_clones) and picked by the loader, like the kernels
// of float_distance.cpp are picked at start-up.
#include "core/ivf/ivf_quant.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <vector>

#include "core/distance/float_distance.h"

namespace vector_core
{

float IvfDistance(Metric metric, const float *a, const float *b, std::size_t dim) noexcept
{
	if (metric == Metric::kL2)
		return L2SquaredDistance(a, b, dim);
	return -InnerProduct(a, b, dim);
}

// ------------------------------------------------------------------------------------ SQ8

void Sq8Encode(const float *x, std::size_t dim, const float *vmin, const float *vdiff, std::uint8_t *code) noexcept
{
	for (std::size_t i = 0; i < dim; i++) {
		float t = vdiff[i] > 0 ? (x[i] - vmin[i]) / vdiff[i] : 0.0f;
		t = std::clamp(t, 0.0f, 1.0f);
		// Nearest of the 255 cells' midpoints (code + 0.5) / 255; 1.0 falls in the last one.
		int c = static_cast<int>(t * 255.0f);
		code[i] = static_cast<std::uint8_t>(std::min(c, 254 + (t >= 1.0f ? 1 : 0)));
	}
}

void Sq8Decode(const std::uint8_t *code, std::size_t dim, const float *vmin, const float *vdiff, float *x) noexcept
{
	for (std::size_t i = 0; i < dim; i++)
		x[i] = vmin[i] + vdiff[i] * (static_cast<float>(code[i]) + 0.5f) / 255.0f;
}

void Sq8PrepareQuery(const float *q, std::size_t dim, const float *vmin, const float *vdiff, Metric metric,
                     Sq8Query *query) noexcept
{
	query->ip = metric != Metric::kL2;
	float bias = 0;
	for (std::size_t i = 0; i < dim; i++) {
		float step = vdiff[i] / 255.0f;
		if (query->ip) {
			// -q.x = -(sum q (vmin + step/2)) - sum (q step) code
			bias -= q[i] * (vmin[i] + 0.5f * step);
			query->qprime[i] = -q[i] * step;
		} else if (step > 0) {
			// (q - x)^2 = step^2 (q' - code)^2 with q' = (q - vmin) / step - 0.5
			query->qprime[i] = (q[i] - vmin[i]) / step - 0.5f;
			query->weight[i] = step * step;
		} else {
			float d = q[i] - vmin[i];
			bias += d * d;
			query->qprime[i] = 0;
			query->weight[i] = 0;
		}
	}
	query->bias = bias;
}

namespace
{

// sum w_i (q_i - c_i)^2 over n bytes of code.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) float
WeightedL2U8(const float *q, const float *w, const std::uint8_t *c, std::size_t n)
{
	float s = 0;
#pragma omp simd reduction(+ : s)
	for (std::size_t i = 0; i < n; i++) {
		float d = q[i] - static_cast<float>(c[i]);
		s += w[i] * d * d;
	}
	return s;
}

// sum q_i c_i over n bytes of code.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) float
DotU8(const float *q, const std::uint8_t *c, std::size_t n)
{
	float s = 0;
#pragma omp simd reduction(+ : s)
	for (std::size_t i = 0; i < n; i++)
		s += q[i] * static_cast<float>(c[i]);
	return s;
}

// AVX2 + FMA: eight codes at a time widened to floats; one horizontal sum per code.
__attribute__((target("avx2,fma"))) inline float HorizontalSum(__m256 v)
{
	__m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
	lo = _mm_add_ps(lo, hi);
	lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
	lo = _mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 1));
	return _mm_cvtss_f32(lo);
}

__attribute__((target("avx2,fma"))) void Sq8BatchAvx2(const Sq8Query *query, const std::uint8_t *codes,
                                                      std::size_t count, std::size_t stride, std::size_t dim,
                                                      float *out)
{
	const std::size_t main = dim & ~static_cast<std::size_t>(7);
	const float *q = query->qprime, *w = query->weight;
	for (std::size_t i = 0; i < count; i++) {
		const std::uint8_t *c = codes + i * stride;
		__m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
		std::size_t j = 0;
		if (query->ip) {
			for (; j + 16 <= main; j += 16) {
				__m256 c0 = _mm256_cvtepi32_ps(
				    _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(c + j))));
				__m256 c1 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(
				    _mm_loadl_epi64(reinterpret_cast<const __m128i *>(c + j + 8))));
				acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + j), c0, acc0);
				acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + j + 8), c1, acc1);
			}
			for (; j < main; j += 8) {
				__m256 c0 = _mm256_cvtepi32_ps(
				    _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(c + j))));
				acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + j), c0, acc0);
			}
			float s = HorizontalSum(_mm256_add_ps(acc0, acc1));
			for (; j < dim; j++)
				s += q[j] * static_cast<float>(c[j]);
			out[i] = query->bias + s;
		} else {
			for (; j + 16 <= main; j += 16) {
				__m256 c0 = _mm256_cvtepi32_ps(
				    _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(c + j))));
				__m256 c1 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(
				    _mm_loadl_epi64(reinterpret_cast<const __m128i *>(c + j + 8))));
				__m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(q + j), c0);
				__m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(q + j + 8), c1);
				acc0 = _mm256_fmadd_ps(_mm256_mul_ps(d0, d0), _mm256_loadu_ps(w + j), acc0);
				acc1 = _mm256_fmadd_ps(_mm256_mul_ps(d1, d1), _mm256_loadu_ps(w + j + 8), acc1);
			}
			for (; j < main; j += 8) {
				__m256 c0 = _mm256_cvtepi32_ps(
				    _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(c + j))));
				__m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(q + j), c0);
				acc0 = _mm256_fmadd_ps(_mm256_mul_ps(d0, d0), _mm256_loadu_ps(w + j), acc0);
			}
			float s = HorizontalSum(_mm256_add_ps(acc0, acc1));
			for (; j < dim; j++) {
				float d = q[j] - static_cast<float>(c[j]);
				s += w[j] * d * d;
			}
			out[i] = query->bias + s;
		}
	}
}

} // namespace

void Sq8DistanceBatch(const Sq8Query *query, const std::uint8_t *codes, std::size_t count, std::size_t stride,
                      std::size_t dim, float *out) noexcept
{
	if (ActiveSimdLevel() != SimdLevel::kScalar) {
		Sq8BatchAvx2(query, codes, count, stride, dim, out);
		return;
	}
	for (std::size_t i = 0; i < count; i++)
		out[i] = Sq8Distance(query, codes + i * stride, dim);
}

float Sq8Distance(const Sq8Query *query, const std::uint8_t *code, std::size_t dim) noexcept
{
	if (query->ip)
		return query->bias + DotU8(query->qprime, code, dim);
	return query->bias + WeightedL2U8(query->qprime, query->weight, code, dim);
}

// ------------------------------------------------------------------------------------- PQ

int PqDefaultM(int dim) noexcept
{
	for (int m = std::max(1, dim / 4); m > 1; m--)
		if (dim % m == 0)
			return m;
	return 1;
}

void PqPrepareEncoder(const float *codebook, std::size_t dim, std::size_t m, float *book_t, float *norms) noexcept
{
	const std::size_t dsub = dim / m;
	for (std::size_t s = 0; s < m; s++) {
		const float *book = codebook + s * 256 * dsub;
		float *out = book_t + s * 256 * dsub;
		for (std::size_t j = 0; j < 256; j++) {
			float norm = 0;
			for (std::size_t t = 0; t < dsub; t++) {
				out[t * 256 + j] = book[j * dsub + t];
				norm += book[j * dsub + t] * book[j * dsub + t];
			}
			norms[s * 256 + j] = norm;
		}
	}
}

namespace
{

// Encodes one vector: for each sub-quantizer, |c|^2 - 2 x.c for its 256 centroids in one pass
// over the transposed codebook (vectorized over the centroids), then the smallest.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) void
PqEncodeOne(const float *row, std::size_t m, std::size_t dsub, const float *book_t, const float *norms,
            std::uint8_t *code)
{
	alignas(64) float acc[256];
	for (std::size_t s = 0; s < m; s++) {
		const float *bt = book_t + s * 256 * dsub;
		const float *cn = norms + s * 256;
		for (std::size_t j = 0; j < 256; j++)
			acc[j] = cn[j];
		for (std::size_t t = 0; t < dsub; t++) {
			const float xt = -2.0f * row[s * dsub + t];
			const float *col = bt + t * 256;
#pragma omp simd
			for (std::size_t j = 0; j < 256; j++)
				acc[j] += xt * col[j];
		}
		int best_j = 0;
		float best = acc[0];
		for (int j = 1; j < 256; j++) {
			if (acc[j] < best) {
				best = acc[j];
				best_j = j;
			}
		}
		code[s] = static_cast<std::uint8_t>(best_j);
	}
}

} // namespace

void PqEncode(const float *x, std::size_t n, std::size_t dim, std::size_t m, const float *book_t, const float *norms,
              std::uint8_t *codes) noexcept
{
	const std::size_t dsub = dim / m;
	for (std::size_t i = 0; i < n; i++)
		PqEncodeOne(x + i * dim, m, dsub, book_t, norms, codes + i * m);
}

void PqDistanceTable(const float *q, std::size_t dim, std::size_t m, const float *codebook, Metric metric,
                     float *table) noexcept
{
	const std::size_t dsub = dim / m;
	for (std::size_t s = 0; s < m; s++) {
		const float *sub = q + s * dsub;
		const float *book = codebook + s * 256 * dsub;
		for (std::size_t j = 0; j < 256; j++)
			table[s * 256 + j] = metric == Metric::kL2 || metric == Metric::kCosine
			                         ? L2SquaredDistance(sub, book + j * dsub, dsub)
			                         : -InnerProduct(sub, book + j * dsub, dsub);
	}
}

float PqDistance(const float *table, const std::uint8_t *code, std::size_t m) noexcept
{
	float s = 0;
	std::size_t i = 0;
	float s1 = 0, s2 = 0, s3 = 0;
	for (; i + 4 <= m; i += 4) {
		s += table[i * 256 + code[i]];
		s1 += table[(i + 1) * 256 + code[i + 1]];
		s2 += table[(i + 2) * 256 + code[i + 2]];
		s3 += table[(i + 3) * 256 + code[i + 3]];
	}
	for (; i < m; i++)
		s += table[i * 256 + code[i]];
	return (s + s1) + (s2 + s3);
}

} // namespace vector_core
