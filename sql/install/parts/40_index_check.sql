
-- ---------------------------------------------------------------------------
-- Integrity check of hnsw, ivfflat and ivf indexes
-- ---------------------------------------------------------------------------

-- One row per problem found in the index's pages (severity 'error': corruption or a bug;
-- 'warning': legal but degraded, such as an hnsw element no link reaches), then one 'info'
-- row counting what was checked. With heapallindexed, every table row visible to the
-- transaction with an indexable value must be in the index.
CREATE FUNCTION vector_index_check(index regclass, heapallindexed boolean DEFAULT true,
	OUT severity text, OUT problem text, OUT blkno bigint, OUT offnum integer, OUT detail text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'vector_index_check' LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION vector_index_check(regclass, boolean) IS 'checks the structure of an hnsw, ivfflat or ivf index';
REVOKE ALL ON FUNCTION vector_index_check(regclass, boolean) FROM PUBLIC;
