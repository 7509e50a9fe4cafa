// The type-support functions of pgvector's operator classes (hnsw_*_support as FUNCTION 3,
// ivfflat_*_support as FUNCTION 5). A database moved from pgvector keeps those classes, which
// name these symbols of the extension's library; our access methods read the type from the
// operator class instead and never call them, so each only says so if called.
#include "pg/common/pg_headers.h"

#include "pg/common/sql_function.h"

// Errors: the function exists for pgvector's catalog entries only.
static Datum UnusedSupport(const char *name)
{
	ereport(
	    ERROR,
	    (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
	     errmsg("%s is kept for operator classes created by pgvector and is not called by this extension", name)));
	PG_RETURN_VOID();
}

VECTOR_SQL_FUNCTION(hnsw_halfvec_support)
{
	return UnusedSupport("hnsw_halfvec_support");
}

VECTOR_SQL_FUNCTION(hnsw_sparsevec_support)
{
	return UnusedSupport("hnsw_sparsevec_support");
}

VECTOR_SQL_FUNCTION(hnsw_bit_support)
{
	return UnusedSupport("hnsw_bit_support");
}

VECTOR_SQL_FUNCTION(ivfflat_halfvec_support)
{
	return UnusedSupport("ivfflat_halfvec_support");
}

VECTOR_SQL_FUNCTION(ivfflat_bit_support)
{
	return UnusedSupport("ivfflat_bit_support");
}
