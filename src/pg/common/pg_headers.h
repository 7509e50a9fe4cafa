// The one way C++ code in src/pg includes PostgreSQL's C headers.
//
// PostgreSQL headers are C: they need extern "C" linkage, and port.h turns printf-family names
// into macros that would break <cstdio> and friends. Every src/pg file, header or source,
// includes this header first, before any other: it brings postgres.h, which PostgreSQL requires
// before anything else, and undoes those macros, so C++ standard headers may follow it. Further
// PostgreSQL headers come next, inside extern "C" { }, then system and library headers, then
// the project's (the include order of .clang-format and docs/ARCHITECTURE.md).
#pragma once

// C++17 removed the `register` storage class that s_lock.h still uses.
#define register

extern "C" {
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/varbit.h"

// Index access methods (hnsw, ivf): AM API, pages, WAL, locks, planner, progress.
#include "access/amapi.h"
#include "access/genam.h"
#include "access/generic_xlog.h"
#include "access/reloptions.h"
#include "access/relscan.h"
#include "access/tableam.h"
#include "access/xloginsert.h"
#include "catalog/index.h"
#include "commands/progress.h"
#include "commands/vacuum.h"
#include "nodes/pathnodes.h"
#include "optimizer/optimizer.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "storage/bufpage.h"
#include "storage/freespace.h"
#include "storage/indexfsm.h"
#include "storage/lmgr.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/selfuncs.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
}

#undef register

// port.h maps these to PostgreSQL's own implementations; C++ code uses the
// standard ones.
#undef printf
#undef fprintf
#undef sprintf
#undef snprintf
#undef vsnprintf
#undef vfprintf
#undef vsprintf
#undef vprintf
#undef strerror
#undef strerror_r
#undef gettext
#undef dgettext
#undef ngettext
#undef dngettext

// Differences between the PostgreSQL versions the extension compiles against (15 to 18).

// vacuum_delay_point() of VACUUM (PostgreSQL 18 added the is_analyze argument).
inline void VectorVacuumDelayPoint()
{
#if PG_VERSION_NUM >= 180000
	vacuum_delay_point(false);
#else
	vacuum_delay_point();
#endif
}

// An entry of a relopt_parse_elt table (PostgreSQL 18 added isset_offset, 0 = not tracked).
#if PG_VERSION_NUM >= 180000
#define VECTOR_RELOPT_PARSE_ELT(name, type, offset)                                                                    \
	{                                                                                                              \
		name, type, offset, 0                                                                                  \
	}
#else
#define VECTOR_RELOPT_PARSE_ELT(name, type, offset)                                                                    \
	{                                                                                                              \
		name, type, offset                                                                                     \
	}
#endif
