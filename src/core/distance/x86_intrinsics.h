// The x86 intrinsics (<immintrin.h>) for the files that hold SIMD kernels, included in one way.
// GCC 12's AVX-512 reductions and extracts start from a self-initialised "undefined" vector that
// -W(maybe-)uninitialized flags (GCC bug 105593, fixed in 13); the headers are fine, so those two
// warnings are off while they are read. Include it inside #if defined(__x86_64__) ||
// defined(__i386__).
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#else
#include <immintrin.h>
#endif
