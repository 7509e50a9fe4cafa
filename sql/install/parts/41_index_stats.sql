-- ---------------------------------------------------------------------------
-- Index statistics (README "Tune"): what an hnsw, ivfflat or ivf index holds
-- ---------------------------------------------------------------------------

CREATE FUNCTION vector_index_stats(index regclass,
	OUT access_method text, OUT dimensions integer, OUT metric text,
	OUT elements bigint, OUT dead_tuples bigint, OUT bytes bigint, OUT pages bigint,
	OUT m integer, OUT ef_construction integer, OUT levels integer, OUT level_counts bigint[],
	OUT quantizer text, OUT lists integer, OUT empty_lists integer,
	OUT min_list_size bigint, OUT max_list_size bigint, OUT avg_list_size double precision,
	OUT list_size_cv double precision)
	AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION vector_index_stats(regclass) IS
	'elements, dead tuples, size, levels (hnsw) or list balance (ivfflat, ivf) of a vector index';
