// For fuzz targets that link half.cpp without float_distance.cpp (whose CPU detection clang-14 does
// not compile): the SIMD level is always scalar, the reference code path.
#pragma once

#include "core/distance/float_distance.h"

namespace vector_core
{
SimdLevel DetectedSimdLevel()
{
	return SimdLevel::kScalar;
}
SimdLevel ActiveSimdLevel()
{
	return SimdLevel::kScalar;
}
const char *SimdLevelName(SimdLevel)
{
	return "scalar";
}
bool SetSimdLevel(SimdLevel level)
{
	return level == SimdLevel::kScalar;
}
} // namespace vector_core
