// Module entry points: the magic block PostgreSQL checks when loading vector.so,
// and _PG_init, which registers the GUCs and index options of every access method.
#include "pg/pg_headers.h"

#include "pg/module.h"

extern "C" {
PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);
}

// Runs once per backend when the library is loaded.
void _PG_init(void)
{
	HnswInitModule();
	IvfInitModule();
}
