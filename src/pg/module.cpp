// Module entry points: the magic block PostgreSQL checks when loading vector.so,
// and _PG_init, which registers the shared GUCs and those of every access method.
#include "pg/common/pg_headers.h"

#include <unistd.h>

#include "pg/common/module.h"

extern "C" {
PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);
}

int vector_build_threads = 0;

// Runs once per backend when the library is loaded.
void _PG_init(void)
{
	DefineCustomIntVariable("vector.build_threads",
	                        "Sets the number of threads an index build uses (0: one per CPU).",
	                        "Threads compute on the vectors in memory; PostgreSQL work stays on the backend.",
	                        &vector_build_threads, 0, 0, 256, PGC_USERSET, 0, nullptr, nullptr, nullptr);
	HnswInitModule();
	IvfInitModule();
	VectorExplainInit();
}

// The configured thread count, or the online CPUs (capped at 64).
int VectorBuildThreads(void)
{
	if (vector_build_threads > 0)
		return vector_build_threads;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus < 1)
		cpus = 1;
	return static_cast<int>(Min(cpus, 64L));
}
