// Growing an index fork by many pages at once, for builds that know how many pages they will
// write.
//
// ReadBuffer(P_NEW) extends a fork one zero-filled page at a time, a write() per page (PG15) that
// a build of tens of thousands of pages pays for again when its buffers reach the disk. A build
// that knows its page count instead extends the fork by all of them with one call, then takes each
// new page with NewPageBuffer, which zero-fills a buffer without reading the disk.
#pragma once

#include "pg/common/pg_headers.h"

// Extends fork of rel by count pages (zeros, or a hole the file system reads as zeros) and returns
// the first new block. The caller must be the fork's only extender (an index being built).
BlockNumber ExtendForkBy(Relation rel, ForkNumber fork, BlockNumber count);

// A block ExtendForkBy added, as a zero-filled buffer locked exclusively (no read from disk).
Buffer NewPageBuffer(Relation rel, ForkNumber fork, BlockNumber block);
