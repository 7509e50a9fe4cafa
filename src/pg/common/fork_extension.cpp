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
		// Every page is allocated on disk now, so that a full disk fails the build and not, after its
		// commit, the checkpoints that write its pages out. (A hole up to the last page, as the hash
		// index's bucket allocation leaves, would defer that for the whole index.)
#if PG_VERSION_NUM >= 160000
	// fallocate beyond a few pages, in steps an int counts.
	for (BlockNumber done = 0; done < count;) {
		const BlockNumber step = Min(count - done, static_cast<BlockNumber>(PG_INT32_MAX));
		smgrzeroextend(RelationGetSmgr(rel), fork, first + done, static_cast<int>(step), false);
		done += step;
	}
#else
	// A write of zeros per page, without the buffer manager's work per page that P_NEW adds.
	PGAlignedBlock zero;
	memset(zero.data, 0, BLCKSZ);
	for (BlockNumber block = first; block < first + count; block++)
		smgrextend(RelationGetSmgr(rel), fork, block, zero.data, false);
#endif
	return first;
}

Buffer NewPageBuffer(Relation rel, ForkNumber fork, BlockNumber block)
{
	return ReadBufferExtended(rel, fork, block, RBM_ZERO_AND_LOCK, nullptr);
}
