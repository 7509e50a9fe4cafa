// vector_build.so, the extension's second module: what only index builds need (FAISS, BLAS,
// LAPACK, OpenMP), loaded on a backend's first call of VectorBuildModule and kept for the
// backend's life. Backends that never build an index never map it, and vector.so itself links
// none of those libraries (build/build_api.h has the contract).
#pragma once

#include "pg/common/pg_headers.h"

#include "build/build_api.h"

// The module's table, loading the module on first use; ereports (ERROR) when the module is
// missing or of another ABI version. Call it before creating any C++ object in the frame.
const VectorBuildApi *VectorBuildModule(void);

// Reports a failed call of the module: a cancel (VECTOR_BUILD_CANCELLED) as PostgreSQL's own
// interrupt when one is pending, anything else as ERROR "<what> failed: <message>". Returns
// when result is VECTOR_BUILD_OK.
void VectorBuildCheck(const VectorBuildResult *result, const char *what);
