// Growing an index fork by many pages at once, for builds that know how many pages they will
// write.
//
// ReadBuffer(P_NEW) extends a fork one page at a time, each with the buffer manager's work for a
// new block on top of its write of zeros. A build that knows its page count instead adds all of
// them with one call (one fallocate on PG16+, a write of zeros per page on PG15: either way the
// disk space is taken now, so that a full disk fails the build), then takes each new page with
// NewPageBuffer, which zero-fills a buffer without reading the disk.
#pragma once

#include "pg/common/pg_headers.h"

// Extends fork of rel by count zero pages and returns the first new block. The caller must be the fork's only extender
// (an index being built).
BlockNumber ExtendForkBy(Relation rel, ForkNumber fork, BlockNumber count);

// A block ExtendForkBy added, as a zero-filled buffer locked exclusively (no read from disk).
Buffer NewPageBuffer(Relation rel, ForkNumber fork, BlockNumber block);
