// What the operator class of an index's column says, shared by hnsw and the IVF access methods:
// the representation of its input type (the element kind of the rows) and the metric of its
// distance function. Each access method then accepts what it supports and words its own errors.
#pragma once

#include "pg/common/pg_headers.h"

#include "core/distance/element_distance.h"
#include "core/distance/metric.h"

// The operator class of an index's (first) column.
struct OpclassMetric {
	Oid type;                      // the input type
	const char *type_name;         // its pg_type.typname (palloc'd), nullptr for bit and varbit
	bool kind_known;               // the type is vector, halfvec, sparsevec, bit or varbit
	vector_core::ElementKind kind; // when kind_known
	Oid distance_proc;             // FUNCTION 1, InvalidOid when the class has none
	const char *distance_name;     // its name, "" when there is none
	bool metric_known;             // the distance function is one we know, fitting the type
	vector_core::Metric metric;    // when metric_known
};

// Looks up the operator class of index's column. The type is known by name (our types have no
// fixed OIDs) or as bit / varbit. FUNCTION 1 names the metric, with the type prefix of the
// type-specific functions (vector_, halfvec_, sparsevec_) ignored: l2_squared_distance,
// negative_inner_product, cosine_distance, l1_distance, hamming_distance, jaccard_distance.
// The negative inner product with a FUNCTION 2 (a norm, by which vectors are normalised first)
// is cosine: so are pgvector's cosine classes, which databases moved from pgvector keep. Bit
// types go with the bit metrics (Hamming, Jaccard) only. Errors only if the catalog is broken.
void LookupOpclassMetric(Relation index, OpclassMetric *out);
