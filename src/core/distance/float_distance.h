// Distance kernels over float arrays, without PostgreSQL: L2 squared, inner product, L1,
// the three sums of cosine distance in one pass, and the double-precision squared norm.
//
// Each kernel exists once per SIMD level (scalar, AVX2+FMA, AVX-512) in its own namespace.
// The unqualified functions dispatch through a table of function pointers chosen once, at
// static initialisation, for the best level the CPU supports (no per-call cpuid); until then
// (for callers in other static initialisers) they use the scalar kernels.
//
// Accumulation is in float like pgvector; the SIMD levels sum in several lanes and
// accumulators, so their results differ from the scalar ones only by rounding.
// Arguments: n floats each, any alignment, n may be 0.
#pragma once

#include <cstddef>

namespace vector_core
{

// dot(a, b), |a|^2 and |b|^2, computed in one pass for cosine distance.
struct CosineParts {
	float dot;
	float norm_a;
	float norm_b;
};

// Sum of (a[i] - b[i])^2.
float L2SquaredDistance(const float *a, const float *b, std::size_t n);
// Sum of a[i] * b[i].
float InnerProduct(const float *a, const float *b, std::size_t n);
// Sum of |a[i] - b[i]|.
float L1Distance(const float *a, const float *b, std::size_t n);
// dot(a, b), |a|^2 and |b|^2 in one pass.
CosineParts CosineDistanceParts(const float *a, const float *b, std::size_t n);
// Sum of a[i] * a[i] accumulated in double (vector_norm, l2_normalize).
double SquaredNormDouble(const float *a, std::size_t n);

// Instruction-set levels, ordered: a CPU that supports one supports those before it.
enum class SimdLevel { kScalar, kAvx2, kAvx512 };

// Best level this CPU (and OS) supports.
SimdLevel DetectedSimdLevel();
// Level the dispatched functions use now.
SimdLevel ActiveSimdLevel();
// "scalar", "avx2" or "avx512" ("unknown" for a value outside the enum).
const char *SimdLevelName(SimdLevel level);
// Switches the dispatched functions to level (tests, benchmarks); false and no change if the
// CPU lacks it. Not meant to race with running kernels' callers, though it is memory-safe.
bool SetSimdLevel(SimdLevel level);

// Per-level entry points, so tests and benchmarks can compare each with the scalar one.
// Calling avx2:: or avx512:: on a CPU without that level raises SIGILL.
namespace scalar
{
float L2SquaredDistance(const float *a, const float *b, std::size_t n);
float InnerProduct(const float *a, const float *b, std::size_t n);
float L1Distance(const float *a, const float *b, std::size_t n);
CosineParts CosineDistanceParts(const float *a, const float *b, std::size_t n);
double SquaredNormDouble(const float *a, std::size_t n);
} // namespace scalar

// AVX2 + FMA (detection also requires F16C for half.h): 4 accumulators of 8 lanes, masked tail.
namespace avx2
{
float L2SquaredDistance(const float *a, const float *b, std::size_t n);
float InnerProduct(const float *a, const float *b, std::size_t n);
float L1Distance(const float *a, const float *b, std::size_t n);
CosineParts CosineDistanceParts(const float *a, const float *b, std::size_t n);
double SquaredNormDouble(const float *a, std::size_t n);
} // namespace avx2

// AVX-512 (F, DQ, BW, VL): 4 accumulators of 16 lanes, masked tail.
namespace avx512
{
float L2SquaredDistance(const float *a, const float *b, std::size_t n);
float InnerProduct(const float *a, const float *b, std::size_t n);
float L1Distance(const float *a, const float *b, std::size_t n);
CosineParts CosineDistanceParts(const float *a, const float *b, std::size_t n);
double SquaredNormDouble(const float *a, std::size_t n);
} // namespace avx512

} // namespace vector_core
