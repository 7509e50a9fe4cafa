
-- ---------------------------------------------------------------------------
-- ivfflat and ivf filter columns
-- ---------------------------------------------------------------------------
-- CREATE INDEX ... USING ivfflat (embedding vector_l2_ops, category_id, tenant_id), and the same
-- with ivf: the columns after the vector column are filter columns, stored in every list entry,
-- and the scan evaluates quals on them before an entry's distance (src/pg/common/filter_columns.h,
-- src/pg/ivf/ivf_scan.cpp). The operator classes are those of hnsw (12_hnsw_filters.sql) for
-- each of the two access methods: btree's strategy numbers, no support function, the integers one
-- family with the cross-type operators inside the classes.

-- ivfflat

CREATE OPERATOR FAMILY integer_filter_ops USING ivfflat;

CREATE OPERATOR CLASS int2_filter_ops
	DEFAULT FOR TYPE int2 USING ivfflat FAMILY integer_filter_ops AS
	OPERATOR 1 < (int2, int2),
	OPERATOR 2 <= (int2, int2),
	OPERATOR 3 = (int2, int2),
	OPERATOR 4 >= (int2, int2),
	OPERATOR 5 > (int2, int2),
	OPERATOR 1 < (int2, int4),
	OPERATOR 2 <= (int2, int4),
	OPERATOR 3 = (int2, int4),
	OPERATOR 4 >= (int2, int4),
	OPERATOR 5 > (int2, int4),
	OPERATOR 1 < (int2, int8),
	OPERATOR 2 <= (int2, int8),
	OPERATOR 3 = (int2, int8),
	OPERATOR 4 >= (int2, int8),
	OPERATOR 5 > (int2, int8);

CREATE OPERATOR CLASS int4_filter_ops
	DEFAULT FOR TYPE int4 USING ivfflat FAMILY integer_filter_ops AS
	OPERATOR 1 < (int4, int4),
	OPERATOR 2 <= (int4, int4),
	OPERATOR 3 = (int4, int4),
	OPERATOR 4 >= (int4, int4),
	OPERATOR 5 > (int4, int4),
	OPERATOR 1 < (int4, int2),
	OPERATOR 2 <= (int4, int2),
	OPERATOR 3 = (int4, int2),
	OPERATOR 4 >= (int4, int2),
	OPERATOR 5 > (int4, int2),
	OPERATOR 1 < (int4, int8),
	OPERATOR 2 <= (int4, int8),
	OPERATOR 3 = (int4, int8),
	OPERATOR 4 >= (int4, int8),
	OPERATOR 5 > (int4, int8);

CREATE OPERATOR CLASS int8_filter_ops
	DEFAULT FOR TYPE int8 USING ivfflat FAMILY integer_filter_ops AS
	OPERATOR 1 < (int8, int8),
	OPERATOR 2 <= (int8, int8),
	OPERATOR 3 = (int8, int8),
	OPERATOR 4 >= (int8, int8),
	OPERATOR 5 > (int8, int8),
	OPERATOR 1 < (int8, int2),
	OPERATOR 2 <= (int8, int2),
	OPERATOR 3 = (int8, int2),
	OPERATOR 4 >= (int8, int2),
	OPERATOR 5 > (int8, int2),
	OPERATOR 1 < (int8, int4),
	OPERATOR 2 <= (int8, int4),
	OPERATOR 3 = (int8, int4),
	OPERATOR 4 >= (int8, int4),
	OPERATOR 5 > (int8, int4);

CREATE OPERATOR CLASS bool_filter_ops
	DEFAULT FOR TYPE bool USING ivfflat AS
	OPERATOR 1 < (bool, bool),
	OPERATOR 2 <= (bool, bool),
	OPERATOR 3 = (bool, bool),
	OPERATOR 4 >= (bool, bool),
	OPERATOR 5 > (bool, bool);

CREATE OPERATOR CLASS date_filter_ops
	DEFAULT FOR TYPE date USING ivfflat AS
	OPERATOR 1 < (date, date),
	OPERATOR 2 <= (date, date),
	OPERATOR 3 = (date, date),
	OPERATOR 4 >= (date, date),
	OPERATOR 5 > (date, date);

CREATE OPERATOR CLASS timestamp_filter_ops
	DEFAULT FOR TYPE timestamp USING ivfflat AS
	OPERATOR 1 < (timestamp, timestamp),
	OPERATOR 2 <= (timestamp, timestamp),
	OPERATOR 3 = (timestamp, timestamp),
	OPERATOR 4 >= (timestamp, timestamp),
	OPERATOR 5 > (timestamp, timestamp);

CREATE OPERATOR CLASS timestamptz_filter_ops
	DEFAULT FOR TYPE timestamptz USING ivfflat AS
	OPERATOR 1 < (timestamptz, timestamptz),
	OPERATOR 2 <= (timestamptz, timestamptz),
	OPERATOR 3 = (timestamptz, timestamptz),
	OPERATOR 4 >= (timestamptz, timestamptz),
	OPERATOR 5 > (timestamptz, timestamptz);

-- ivf

CREATE OPERATOR FAMILY integer_filter_ops USING ivf;

CREATE OPERATOR CLASS int2_filter_ops
	DEFAULT FOR TYPE int2 USING ivf FAMILY integer_filter_ops AS
	OPERATOR 1 < (int2, int2),
	OPERATOR 2 <= (int2, int2),
	OPERATOR 3 = (int2, int2),
	OPERATOR 4 >= (int2, int2),
	OPERATOR 5 > (int2, int2),
	OPERATOR 1 < (int2, int4),
	OPERATOR 2 <= (int2, int4),
	OPERATOR 3 = (int2, int4),
	OPERATOR 4 >= (int2, int4),
	OPERATOR 5 > (int2, int4),
	OPERATOR 1 < (int2, int8),
	OPERATOR 2 <= (int2, int8),
	OPERATOR 3 = (int2, int8),
	OPERATOR 4 >= (int2, int8),
	OPERATOR 5 > (int2, int8);

CREATE OPERATOR CLASS int4_filter_ops
	DEFAULT FOR TYPE int4 USING ivf FAMILY integer_filter_ops AS
	OPERATOR 1 < (int4, int4),
	OPERATOR 2 <= (int4, int4),
	OPERATOR 3 = (int4, int4),
	OPERATOR 4 >= (int4, int4),
	OPERATOR 5 > (int4, int4),
	OPERATOR 1 < (int4, int2),
	OPERATOR 2 <= (int4, int2),
	OPERATOR 3 = (int4, int2),
	OPERATOR 4 >= (int4, int2),
	OPERATOR 5 > (int4, int2),
	OPERATOR 1 < (int4, int8),
	OPERATOR 2 <= (int4, int8),
	OPERATOR 3 = (int4, int8),
	OPERATOR 4 >= (int4, int8),
	OPERATOR 5 > (int4, int8);

CREATE OPERATOR CLASS int8_filter_ops
	DEFAULT FOR TYPE int8 USING ivf FAMILY integer_filter_ops AS
	OPERATOR 1 < (int8, int8),
	OPERATOR 2 <= (int8, int8),
	OPERATOR 3 = (int8, int8),
	OPERATOR 4 >= (int8, int8),
	OPERATOR 5 > (int8, int8),
	OPERATOR 1 < (int8, int2),
	OPERATOR 2 <= (int8, int2),
	OPERATOR 3 = (int8, int2),
	OPERATOR 4 >= (int8, int2),
	OPERATOR 5 > (int8, int2),
	OPERATOR 1 < (int8, int4),
	OPERATOR 2 <= (int8, int4),
	OPERATOR 3 = (int8, int4),
	OPERATOR 4 >= (int8, int4),
	OPERATOR 5 > (int8, int4);

CREATE OPERATOR CLASS bool_filter_ops
	DEFAULT FOR TYPE bool USING ivf AS
	OPERATOR 1 < (bool, bool),
	OPERATOR 2 <= (bool, bool),
	OPERATOR 3 = (bool, bool),
	OPERATOR 4 >= (bool, bool),
	OPERATOR 5 > (bool, bool);

CREATE OPERATOR CLASS date_filter_ops
	DEFAULT FOR TYPE date USING ivf AS
	OPERATOR 1 < (date, date),
	OPERATOR 2 <= (date, date),
	OPERATOR 3 = (date, date),
	OPERATOR 4 >= (date, date),
	OPERATOR 5 > (date, date);

CREATE OPERATOR CLASS timestamp_filter_ops
	DEFAULT FOR TYPE timestamp USING ivf AS
	OPERATOR 1 < (timestamp, timestamp),
	OPERATOR 2 <= (timestamp, timestamp),
	OPERATOR 3 = (timestamp, timestamp),
	OPERATOR 4 >= (timestamp, timestamp),
	OPERATOR 5 > (timestamp, timestamp);

CREATE OPERATOR CLASS timestamptz_filter_ops
	DEFAULT FOR TYPE timestamptz USING ivf AS
	OPERATOR 1 < (timestamptz, timestamptz),
	OPERATOR 2 <= (timestamptz, timestamptz),
	OPERATOR 3 = (timestamptz, timestamptz),
	OPERATOR 4 >= (timestamptz, timestamptz),
	OPERATOR 5 > (timestamptz, timestamptz);
