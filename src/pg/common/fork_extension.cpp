// Growing an index fork by many pages at once (see fork_extension.h).
#include "pg/common/pg_headers.h"

extern "C" {
#include "storage/smgr.h"
}

#include "pg/common/fork_extension.h"

BlockNumber ExtendForkBy(Relation rel, ForkNumber fork, BlockNumber count)
{
	const BlockNumber first = RelationGetNumberOfBlocksInFork(rel, fork);
	if (count == 0)
		return first;
	if (count > MaxBlockNumber - first)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("cannot extend index \"%s\" beyond %u blocks", RelationGetRelationName(rel),
		                       MaxBlockNumber)));
#if PG_VERSION_NUM >= 160000
	// Zero-extends in one call (fallocate beyond a few pages).
	smgrzeroextend(RelationGetSmgr(rel), fork, first, static_cast<int>(count), false);
#else
	// Writing the last page extends the file; the pages before it are a hole that reads as zeros,
	// as the hash index's bucket allocation does. md.c pads any segment it skips over.
	PGAlignedBlock zero;
	memset(zero.data, 0, BLCKSZ);
	smgrextend(RelationGetSmgr(rel), fork, first + count - 1, zero.data, false);
#endif
	return first;
}

Buffer NewPageBuffer(Relation rel, ForkNumber fork, BlockNumber block)
{
	return ReadBufferExtended(rel, fork, block, RBM_ZERO_AND_LOCK, nullptr);
}
