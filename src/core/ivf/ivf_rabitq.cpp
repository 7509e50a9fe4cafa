// RaBitQ codes for IVF lists; see ivf_rabitq.h. The masked-sum kernel (the only per-entry work
// of a scan) has AVX-512 and AVX2 forms, picked once from the CPU, and a scalar reference.
#include "core/ivf/ivf_rabitq.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include "core/distance/x86_intrinsics.h"
#define VECTOR_RABITQ_X86 1
#endif

#include "core/common/thread_pool.h"

namespace vector_core
{

namespace
{

// splitmix64: the sign of each rotation coordinate.
std::uint64_t Mix(std::uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

// In-place Walsh-Hadamard transform of n (a power of two, at least 8) floats, unnormalised:
// the first three stages within blocks of 8 in registers, then one vectorised pass per stage.
inline void Hadamard(float *x, std::size_t n)
{
	for (std::size_t i = 0; i < n; i += 8) {
		float *v = x + i;
		const float b0 = v[0] + v[1], b1 = v[0] - v[1], b2 = v[2] + v[3], b3 = v[2] - v[3];
		const float b4 = v[4] + v[5], b5 = v[4] - v[5], b6 = v[6] + v[7], b7 = v[6] - v[7];
		const float c0 = b0 + b2, c2 = b0 - b2, c1 = b1 + b3, c3 = b1 - b3;
		const float c4 = b4 + b6, c6 = b4 - b6, c5 = b5 + b7, c7 = b5 - b7;
		v[0] = c0 + c4;
		v[4] = c0 - c4;
		v[1] = c1 + c5;
		v[5] = c1 - c5;
		v[2] = c2 + c6;
		v[6] = c2 - c6;
		v[3] = c3 + c7;
		v[7] = c3 - c7;
	}
	for (std::size_t h = 8; h < n; h *= 2) {
		for (std::size_t i = 0; i < n; i += 2 * h) {
			float *a = x + i;
			float *b = x + i + h;
#pragma omp simd
			for (std::size_t j = 0; j < h; j++) {
				const float u = a[j], v = b[j];
				a[j] = u + v;
				b[j] = u - v;
			}
		}
	}
}

#ifdef VECTOR_RABITQ_X86
__attribute__((target("avx512f"))) float MaskedSumAvx512(const float *u, const std::uint8_t *bits, std::size_t padded)
{
	__m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
	for (std::size_t i = 0; i < padded; i += 32) {
		std::uint16_t m0, m1;
		std::memcpy(&m0, bits + i / 8, sizeof(m0));
		std::memcpy(&m1, bits + i / 8 + 2, sizeof(m1));
		acc0 = _mm512_mask_add_ps(acc0, m0, acc0, _mm512_loadu_ps(u + i));
		acc1 = _mm512_mask_add_ps(acc1, m1, acc1, _mm512_loadu_ps(u + i + 16));
	}
	return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

__attribute__((target("avx2"))) float MaskedSumAvx2(const float *u, const std::uint8_t *bits, std::size_t padded)
{
	const __m256i lanes = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
	__m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
	for (std::size_t i = 0; i < padded; i += 16) {
		const __m256i b0 = _mm256_set1_epi32(bits[i / 8]);
		const __m256i b1 = _mm256_set1_epi32(bits[i / 8 + 1]);
		const __m256 m0 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(b0, lanes), lanes));
		const __m256 m1 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(b1, lanes), lanes));
		acc0 = _mm256_add_ps(acc0, _mm256_and_ps(m0, _mm256_loadu_ps(u + i)));
		acc1 = _mm256_add_ps(acc1, _mm256_and_ps(m1, _mm256_loadu_ps(u + i + 8)));
	}
	const __m256 acc = _mm256_add_ps(acc0, acc1);
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
	return _mm_cvtss_f32(s);
}
#endif

using MaskedSumFn = float (*)(const float *, const std::uint8_t *, std::size_t);

MaskedSumFn PickMaskedSum()
{
#ifdef VECTOR_RABITQ_X86
	__builtin_cpu_init(); // (this runs from a static initializer)
	if (__builtin_cpu_supports("avx512f"))
		return MaskedSumAvx512;
	if (__builtin_cpu_supports("avx2"))
		return MaskedSumAvx2;
#endif
	return RabitqMaskedSumScalar;
}

const MaskedSumFn g_masked_sum = PickMaskedSum();

} // namespace

void RabitqInitSigns(std::size_t padded, float *signs) noexcept
{
	for (std::size_t i = 0; i < 3 * padded; i++)
		signs[i] = (Mix(kRabitqRotationSeed + i) & 1) ? -1.0f : 1.0f;
}

#ifdef VECTOR_RABITQ_X86
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
void RabitqRotate(float *x, std::size_t padded, const float *signs) noexcept
{
	for (int round = 0; round < 3; round++) {
		const float *s = signs + static_cast<std::size_t>(round) * padded;
#pragma omp simd
		for (std::size_t i = 0; i < padded; i++)
			x[i] *= s[i];
		Hadamard(x, padded);
	}
	// Each transform scales by sqrt(padded): three of them by padded^1.5.
	const float scale =
	    static_cast<float>(1.0 / (static_cast<double>(padded) * std::sqrt(static_cast<double>(padded))));
#pragma omp simd
	for (std::size_t i = 0; i < padded; i++)
		x[i] *= scale;
}

namespace
{

// Writes x - c (dim floats) padded with zeros to padded floats into out; returns its squared norm.
double PaddedResidual(const float *x, const float *c, std::size_t dim, std::size_t padded, float *out)
{
	double norm2 = 0;
	for (std::size_t i = 0; i < dim; i++) {
		out[i] = x[i] - c[i];
		norm2 += static_cast<double>(out[i]) * out[i];
	}
	std::memset(out + dim, 0, sizeof(float) * (padded - dim));
	return norm2;
}

} // namespace

void RabitqEncode(const float *x, const float *c, std::size_t dim, const float *signs, float *scratch,
                  std::uint8_t *code) noexcept
{
	const std::size_t padded = RabitqPaddedDim(dim);
	const double norm2 = PaddedResidual(x, c, dim, padded, scratch);
	RabitqRotate(scratch, padded, signs);
	double sum_abs = 0;
	std::uint8_t *bits = code + 2 * sizeof(float);
	for (std::size_t j = 0; j < padded / 8; j++) {
		const float *v = scratch + 8 * j;
		unsigned byte = 0;
		float block = 0;
		for (unsigned k = 0; k < 8; k++) {
			byte |= static_cast<unsigned>(v[k] > 0) << k;
			block += std::fabs(v[k]);
		}
		bits[j] = static_cast<std::uint8_t>(byte);
		sum_abs += block;
	}
	const float n2 = static_cast<float>(norm2);
	const float f = sum_abs > 0 ? static_cast<float>(norm2 / sum_abs) : 0.0f;
	std::memcpy(code, &n2, sizeof(float));
	std::memcpy(code + sizeof(float), &f, sizeof(float));
}

Status RabitqEncodeRows(const float *x, std::size_t n, std::size_t dim, const float *centroids,
                        const std::int32_t *lists, const float *signs, int threads, std::uint8_t *codes) noexcept
{
	try {
		const std::size_t padded = RabitqPaddedDim(dim), code_bytes = RabitqCodeBytes(dim);
		threads = std::max(1, threads);
		std::vector<std::vector<float>> scratch(static_cast<std::size_t>(threads), std::vector<float>(padded));
		RunInBatches(
		    threads, 0, n, 256,
		    [&](std::size_t i, int thread) {
			    RabitqEncode(x + i * dim, centroids + static_cast<std::size_t>(lists[i]) * dim, dim, signs,
			                 scratch[static_cast<std::size_t>(thread)].data(), codes + i * code_bytes);
		    },
		    nullptr);
		return Status::Ok();
	} catch (const std::bad_alloc &) {
		return Status::OutOfMemory();
	} catch (const std::exception &e) {
		return Status::Error("rabitq encoding", e.what());
	} catch (...) {
		return Status::Error("rabitq encoding failed");
	}
}

void RabitqPrepareQuery(const float *q, const float *c, std::size_t dim, Metric metric, const float *signs,
                        float *rotated, RabitqQuery *query) noexcept
{
	const std::size_t padded = RabitqPaddedDim(dim);
	query->ip = metric != Metric::kL2;
	query->padded = padded;
	query->rotated = rotated;
	double base = 0;
	if (query->ip) {
		for (std::size_t i = 0; i < dim; i++) {
			rotated[i] = q[i];
			base += static_cast<double>(q[i]) * c[i];
		}
		std::memset(rotated + dim, 0, sizeof(float) * (padded - dim));
	} else {
		base = PaddedResidual(q, c, dim, padded, rotated);
	}
	RabitqRotate(rotated, padded, signs);
	double sum = 0;
	for (std::size_t i = 0; i < padded; i++)
		sum += rotated[i];
	query->sum = static_cast<float>(sum);
	query->base = static_cast<float>(base);
	double unorm2 = 0;
	if (query->ip) {
		for (std::size_t i = 0; i < dim; i++)
			unorm2 += static_cast<double>(q[i]) * q[i];
	} else {
		unorm2 = base;
	}
	query->unorm = static_cast<float>(std::sqrt(unorm2));
	double cnorm2 = 0;
	for (std::size_t i = 0; i < dim; i++)
		cnorm2 += static_cast<double>(c[i]) * c[i];
	query->cnorm = static_cast<float>(std::sqrt(cnorm2));
}

void RabitqMoveToList(const float *q, const float *c, std::size_t dim, RabitqQuery *query) noexcept
{
	double base = 0, cnorm2 = 0;
	for (std::size_t i = 0; i < dim; i++) {
		base += static_cast<double>(q[i]) * c[i];
		cnorm2 += static_cast<double>(c[i]) * c[i];
	}
	query->base = static_cast<float>(base);
	query->cnorm = static_cast<float>(std::sqrt(cnorm2));
}

float RabitqMaskedSumScalar(const float *u, const std::uint8_t *bits, std::size_t padded) noexcept
{
	float s = 0;
	for (std::size_t i = 0; i < padded; i++)
		s += ((bits[i / 8] >> (i % 8)) & 1) ? u[i] : 0.0f;
	return s;
}

float RabitqMaskedSum(const float *u, const std::uint8_t *bits, std::size_t padded) noexcept
{
	return g_masked_sum(u, bits, padded);
}

float RabitqBound(const RabitqQuery *query, const std::uint8_t *code) noexcept
{
	float norm2, f;
	std::memcpy(&norm2, code, sizeof(float));
	std::memcpy(&f, code + sizeof(float), sizeof(float));
	const double estimate = RabitqDistance(query, code);
	// Float rounding: the exact distance is a float sum of dim terms, whose error is at most about
	// dim * 6e-8 of the sum of their magnitudes: for L2 the distance itself, for the inner product
	// sum |q_i x_i| <= |q| (|c| + |r|) (a row at its centroid, a query orthogonal to it: the
	// distance is near 0, the error is not).
	const double magnitude =
	    std::fabs(estimate) + std::fabs(static_cast<double>(norm2)) + std::fabs(static_cast<double>(query->base)) +
	    static_cast<double>(query->unorm) * (static_cast<double>(query->cnorm) + std::sqrt(std::max(0.0f, norm2)));
	const double slack = 1e-4 * magnitude;
	double bound = estimate - slack;
	if (norm2 > 0 && f > 0) {
		const double r = std::sqrt(static_cast<double>(norm2));
		const double p = static_cast<double>(query->padded);
		// a = <o, r' / |r|> = sum |r'_i| / (|r| sqrt(P)) = |r| / (f sqrt(P)), at most 1.
		const double a = std::min(1.0, r / (static_cast<double>(f) * std::sqrt(p)));
		const double error = kRabitqBoundEpsilon * r * query->unorm * std::sqrt(std::max(0.0, 1.0 - a * a)) /
		                     (a * std::sqrt(p - 1.0));
		bound -= (query->ip ? 1.0 : 2.0) * error;
	}
	// Values too large for the estimate (an overflowed norm: NaN or infinity) bound nothing: the
	// row is re-ranked first, and a NaN never reaches the scan's heap.
	if (!std::isfinite(bound))
		return -std::numeric_limits<float>::infinity();
	return static_cast<float>(bound);
}

float RabitqDistance(const RabitqQuery *query, const std::uint8_t *code) noexcept
{
	float norm2, f;
	std::memcpy(&norm2, code, sizeof(float));
	std::memcpy(&f, code + sizeof(float), sizeof(float));
	const float s = g_masked_sum(query->rotated, code + 2 * sizeof(float), query->padded);
	const float estimate = f * (2.0f * s - query->sum); // <r, u>
	if (query->ip)
		return -(query->base + estimate);
	return norm2 + query->base - 2.0f * estimate;
}

} // namespace vector_core
