// Micro-benchmark of the distance kernels: each SIMD level the CPU supports, at common
// embedding sizes, on one pair of vectors that stays in L1 cache (pure kernel cost).
//
//   build/distance_bench [--benchmark_filter=l2]
#include <benchmark/benchmark.h>

#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "core/distance/float_distance.h"

namespace
{

using vector_core::CosineParts;
using vector_core::SimdLevel;

using PairKernel = float (*)(const float *, const float *, std::size_t);
using CosineKernel = CosineParts (*)(const float *, const float *, std::size_t);
using NormKernel = double (*)(const float *, std::size_t);

// The kernels of one level.
struct LevelKernels {
	SimdLevel level;
	PairKernel l2;
	PairKernel ip;
	PairKernel l1;
	CosineKernel cosine;
	NormKernel norm;
};

// Two random vectors of n floats, the second one misaligned by one float like tuples on a page.
struct Inputs {
	std::vector<float> a;
	std::vector<float> b;
	explicit Inputs(std::size_t n) : a(n), b(n + 1)
	{
		std::mt19937 rng(42);
		std::uniform_real_distribution<float> value(-1.0f, 1.0f);
		for (float &x : a)
			x = value(rng);
		for (float &x : b)
			x = value(rng);
	}
};

// Times a two-vector kernel returning float.
void BenchPair(benchmark::State &state, PairKernel kernel, std::size_t n)
{
	Inputs in(n);
	for (auto _ : state)
		benchmark::DoNotOptimize(kernel(in.a.data(), in.b.data() + 1, n));
	state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}

// Times the cosine kernel.
void BenchCosine(benchmark::State &state, CosineKernel kernel, std::size_t n)
{
	Inputs in(n);
	for (auto _ : state)
		benchmark::DoNotOptimize(kernel(in.a.data(), in.b.data() + 1, n));
	state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}

// Times the double squared norm.
void BenchNorm(benchmark::State &state, NormKernel kernel, std::size_t n)
{
	Inputs in(n);
	for (auto _ : state)
		benchmark::DoNotOptimize(kernel(in.a.data(), n));
	state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}

} // namespace

// Registers every kernel x supported level x dimension, then runs the benchmarks.
int main(int argc, char **argv)
{
	namespace vc = vector_core;
	const LevelKernels levels[] = {
	    {SimdLevel::kScalar, vc::scalar::L2SquaredDistance, vc::scalar::InnerProduct, vc::scalar::L1Distance,
	     vc::scalar::CosineDistanceParts, vc::scalar::SquaredNormDouble},
	    {SimdLevel::kAvx2, vc::avx2::L2SquaredDistance, vc::avx2::InnerProduct, vc::avx2::L1Distance,
	     vc::avx2::CosineDistanceParts, vc::avx2::SquaredNormDouble},
	    {SimdLevel::kAvx512, vc::avx512::L2SquaredDistance, vc::avx512::InnerProduct, vc::avx512::L1Distance,
	     vc::avx512::CosineDistanceParts, vc::avx512::SquaredNormDouble},
	};
	const std::size_t dims[] = {100, 768, 1536, 3072};
	for (const LevelKernels &k : levels) {
		if (static_cast<int>(k.level) > static_cast<int>(vc::DetectedSimdLevel()))
			continue;
		std::string level = vc::SimdLevelName(k.level);
		for (std::size_t n : dims) {
			std::string suffix = "/" + level + "/" + std::to_string(n);
			benchmark::RegisterBenchmark(("l2" + suffix).c_str(), BenchPair, k.l2, n);
			benchmark::RegisterBenchmark(("ip" + suffix).c_str(), BenchPair, k.ip, n);
			benchmark::RegisterBenchmark(("l1" + suffix).c_str(), BenchPair, k.l1, n);
			benchmark::RegisterBenchmark(("cosine" + suffix).c_str(), BenchCosine, k.cosine, n);
			benchmark::RegisterBenchmark(("norm" + suffix).c_str(), BenchNorm, k.norm, n);
		}
	}
	for (std::size_t n : dims)
		benchmark::RegisterBenchmark(("l2/dispatched/" + std::to_string(n)).c_str(), BenchPair,
		                             static_cast<PairKernel>(vc::L2SquaredDistance), n);
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
