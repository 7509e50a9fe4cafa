// Scalar distance kernels and the run-time dispatch to the best SIMD level; see float_distance.h.
//
// The scalar kernels accumulate in float in index order, exactly like pgvector's C loops, so
// that on a CPU without AVX2 the results are pgvector's. The compiler does not vectorise them
// (that would reorder the float sums), which keeps them a faithful reference.
//
// Dispatch: g_active points to a constant table of kernel pointers. It is constant-initialised
// to the scalar table (so callers in other static initialisers are safe) and switched to the
// detected level by a dynamic initialiser of this file; each call then costs one relaxed load
// and an indirect jump.
#include "core/distance/float_distance.h"

#include <atomic>
#include <cmath>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace vector_core
{

namespace scalar
{

// Sum of (a[i] - b[i])^2 in index order.
float L2SquaredDistance(const float *a, const float *b, std::size_t n)
{
	float distance = 0.0f;
	for (std::size_t i = 0; i < n; i++) {
		float diff = a[i] - b[i];
		distance += diff * diff;
	}
	return distance;
}

// Sum of a[i] * b[i] in index order.
float InnerProduct(const float *a, const float *b, std::size_t n)
{
	float distance = 0.0f;
	for (std::size_t i = 0; i < n; i++)
		distance += a[i] * b[i];
	return distance;
}

// Sum of |a[i] - b[i]| in index order.
float L1Distance(const float *a, const float *b, std::size_t n)
{
	float distance = 0.0f;
	for (std::size_t i = 0; i < n; i++)
		distance += std::fabs(a[i] - b[i]);
	return distance;
}

// dot(a, b), |a|^2 and |b|^2 in one pass, each in index order.
CosineParts CosineDistanceParts(const float *a, const float *b, std::size_t n)
{
	float dot = 0.0f;
	float norm_a = 0.0f;
	float norm_b = 0.0f;
	for (std::size_t i = 0; i < n; i++) {
		dot += a[i] * b[i];
		norm_a += a[i] * a[i];
		norm_b += b[i] * b[i];
	}
	return CosineParts{dot, norm_a, norm_b};
}

// Sum of a[i]^2 in double (each product is exact) in index order.
double SquaredNormDouble(const float *a, std::size_t n)
{
	double norm = 0.0;
	for (std::size_t i = 0; i < n; i++)
		norm += static_cast<double>(a[i]) * static_cast<double>(a[i]);
	return norm;
}

} // namespace scalar

namespace
{

// The kernels of one SIMD level.
struct KernelTable {
	SimdLevel level;
	float (*l2_squared)(const float *, const float *, std::size_t);
	float (*inner_product)(const float *, const float *, std::size_t);
	float (*l1)(const float *, const float *, std::size_t);
	CosineParts (*cosine_parts)(const float *, const float *, std::size_t);
	double (*squared_norm_double)(const float *, std::size_t);
};

constexpr KernelTable kScalarKernels{SimdLevel::kScalar, scalar::L2SquaredDistance,   scalar::InnerProduct,
                                     scalar::L1Distance, scalar::CosineDistanceParts, scalar::SquaredNormDouble};
constexpr KernelTable kAvx2Kernels{SimdLevel::kAvx2, avx2::L2SquaredDistance,   avx2::InnerProduct,
                                   avx2::L1Distance, avx2::CosineDistanceParts, avx2::SquaredNormDouble};
constexpr KernelTable kAvx512Kernels{SimdLevel::kAvx512, avx512::L2SquaredDistance,   avx512::InnerProduct,
                                     avx512::L1Distance, avx512::CosineDistanceParts, avx512::SquaredNormDouble};

// The table the dispatched functions use; constant-initialised, so valid before any dynamic init.
std::atomic<const KernelTable *> g_active{&kScalarKernels};

// Asks the CPU (once per call) for the best level; see DetectedSimdLevel for the cached value.
SimdLevel ProbeSimdLevel()
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_cpu_init();
	// F16C (half conversions, half.h) ships with every AVX2 CPU but is checked, not assumed:
	// CPUID leaf 1, ECX bit 29 (read directly: clang 14's __builtin_cpu_supports lacks "f16c").
	unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
	const bool has_f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & (1u << 29)) != 0;
	bool has_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && has_f16c;
	bool has_avx512 = has_avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
	                  __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
	if (has_avx512)
		return SimdLevel::kAvx512;
	if (has_avx2)
		return SimdLevel::kAvx2;
#endif
	return SimdLevel::kScalar;
}

// The kernel table of level, or nullptr for a value outside the enum.
const KernelTable *KernelsFor(SimdLevel level)
{
	switch (level) {
	case SimdLevel::kScalar:
		return &kScalarKernels;
	case SimdLevel::kAvx2:
		return &kAvx2Kernels;
	case SimdLevel::kAvx512:
		return &kAvx512Kernels;
	}
	return nullptr;
}

// The active table; relaxed is enough because the tables are constants.
inline const KernelTable *Active()
{
	return g_active.load(std::memory_order_relaxed);
}

// Switches to the detected level when this file's static initialisers run.
[[maybe_unused]] const bool g_dispatch_initialised = [] {
	g_active.store(KernelsFor(DetectedSimdLevel()), std::memory_order_relaxed);
	return true;
}();

} // namespace

// Dispatches to the active level's L2 squared distance.
float L2SquaredDistance(const float *a, const float *b, std::size_t n)
{
	return Active()->l2_squared(a, b, n);
}

// Dispatches to the active level's inner product.
float InnerProduct(const float *a, const float *b, std::size_t n)
{
	return Active()->inner_product(a, b, n);
}

// Dispatches to the active level's L1 distance.
float L1Distance(const float *a, const float *b, std::size_t n)
{
	return Active()->l1(a, b, n);
}

// Dispatches to the active level's cosine sums.
CosineParts CosineDistanceParts(const float *a, const float *b, std::size_t n)
{
	return Active()->cosine_parts(a, b, n);
}

// Dispatches to the active level's double squared norm.
double SquaredNormDouble(const float *a, std::size_t n)
{
	return Active()->squared_norm_double(a, n);
}

// Probes the CPU on first use and caches the answer (thread-safe local static).
SimdLevel DetectedSimdLevel()
{
	static const SimdLevel detected = ProbeSimdLevel();
	return detected;
}

// Level of the table in use.
SimdLevel ActiveSimdLevel()
{
	return Active()->level;
}

// Lower-case name of level, as shown in benchmarks and settings.
const char *SimdLevelName(SimdLevel level)
{
	switch (level) {
	case SimdLevel::kScalar:
		return "scalar";
	case SimdLevel::kAvx2:
		return "avx2";
	case SimdLevel::kAvx512:
		return "avx512";
	}
	return "unknown";
}

// Switches the dispatched functions to level if the CPU supports it.
bool SetSimdLevel(SimdLevel level)
{
	const KernelTable *kernels = KernelsFor(level);
	if (kernels == nullptr || static_cast<int>(level) > static_cast<int>(DetectedSimdLevel()))
		return false;
	g_active.store(kernels, std::memory_order_relaxed);
	return true;
}

} // namespace vector_core
