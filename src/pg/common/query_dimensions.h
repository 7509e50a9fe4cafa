// The dimension check of an index scan's query value, shared by hnsw and the IVF family.
#pragma once

#include "pg/common/pg_headers.h"

#include "core/distance/element_distance.h"

// Errors (22000) like the distance operator of a sequential scan would when the query's
// dimensions (bits for bit) differ from the index's dims.
void CheckQueryDimensions(vector_core::ElementKind kind, int dims, Datum value);
