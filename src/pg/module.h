// Per-module initialisation hooks that _PG_init (module.cpp) calls once per backend: each access
// method registers its GUCs and reloption kinds in its own handler file.
#pragma once

// Registers the hnsw.* GUCs and the hnsw reloptions (src/pg/hnsw_handler.cpp).
void HnswInitModule(void);

// Registers the ivfflat.* GUCs and the ivf/ivfflat reloptions (src/pg/ivf_handler.cpp).
void IvfInitModule(void);
