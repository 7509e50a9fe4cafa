// Per-module initialisation hooks that _PG_init (module.cpp) calls once per backend: each access
// method registers its GUCs and reloption kinds in its own handler file. Settings shared by all
// access methods live in module.cpp.
#pragma once

// Registers the hnsw.* GUCs and the hnsw reloptions (src/pg/hnsw/hnsw_handler.cpp).
void HnswInitModule(void);

// Installs the EXPLAIN hook that lists the search settings of vector index scans in
// EXPLAIN (VERBOSE) (src/pg/admin/explain.cpp).
void VectorExplainInit(void);

// Registers the ivfflat.* GUCs and the ivf/ivfflat reloptions (src/pg/ivf/ivf_handler.cpp).
void IvfInitModule(void);

// vector.build_threads: threads an index build may use (0 = one per online CPU).
extern int vector_build_threads;

// Threads a build uses now: vector.build_threads, or the online CPUs when it is 0, at least 1.
int VectorBuildThreads(void);
