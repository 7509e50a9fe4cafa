// The fmgr glue of the project: how a SQL-callable function is declared.
#pragma once

#include "pg/common/pg_headers.h"

// Declares a SQL-callable V1 function with C linkage (and its pg_finfo_ record, which
// PostgreSQL looks up to learn the calling convention).
#define VECTOR_SQL_FUNCTION(name)                                                                                      \
	extern "C" {                                                                                                   \
	PG_FUNCTION_INFO_V1(name);                                                                                     \
	}                                                                                                              \
	extern "C" Datum name(PG_FUNCTION_ARGS)
