
-- ---------------------------------------------------------------------------
-- hnsw filter columns
-- ---------------------------------------------------------------------------
-- CREATE INDEX ... USING hnsw (embedding vector_l2_ops, category_id, tenant_id): the columns after
-- the vector column are filter columns, stored in every element, and the scan evaluates quals on
-- them while it walks the graph (src/pg/common/filter_columns.h). Their operator classes are the
-- default ones of their types for hnsw, with btree's strategy numbers (1 <, 2 <=, 3 =, 4 >=,
-- 5 >) and no support function (text: = only; integer arrays: = 3, && 6, @> 7, <@ 8); the integers share one family, each class bringing the
-- cross-type operators of its type on the left, so that bigint_column = 5 is a qual of the index
-- too. (Inside the classes rather than in an ALTER OPERATOR FAMILY: the update script runs each
-- CREATE tolerant of an existing object, see scripts/sql-update-script.pl.)

CREATE OPERATOR FAMILY integer_filter_ops USING hnsw;

CREATE OPERATOR CLASS int2_filter_ops
	DEFAULT FOR TYPE int2 USING hnsw FAMILY integer_filter_ops AS
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
	DEFAULT FOR TYPE int4 USING hnsw FAMILY integer_filter_ops AS
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
	DEFAULT FOR TYPE int8 USING hnsw FAMILY integer_filter_ops AS
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
	DEFAULT FOR TYPE bool USING hnsw AS
	OPERATOR 1 < (bool, bool),
	OPERATOR 2 <= (bool, bool),
	OPERATOR 3 = (bool, bool),
	OPERATOR 4 >= (bool, bool),
	OPERATOR 5 > (bool, bool);

CREATE OPERATOR CLASS date_filter_ops
	DEFAULT FOR TYPE date USING hnsw AS
	OPERATOR 1 < (date, date),
	OPERATOR 2 <= (date, date),
	OPERATOR 3 = (date, date),
	OPERATOR 4 >= (date, date),
	OPERATOR 5 > (date, date);

CREATE OPERATOR CLASS timestamp_filter_ops
	DEFAULT FOR TYPE timestamp USING hnsw AS
	OPERATOR 1 < (timestamp, timestamp),
	OPERATOR 2 <= (timestamp, timestamp),
	OPERATOR 3 = (timestamp, timestamp),
	OPERATOR 4 >= (timestamp, timestamp),
	OPERATOR 5 > (timestamp, timestamp);

CREATE OPERATOR CLASS timestamptz_filter_ops
	DEFAULT FOR TYPE timestamptz USING hnsw AS
	OPERATOR 1 < (timestamptz, timestamptz),
	OPERATOR 2 <= (timestamptz, timestamptz),
	OPERATOR 3 = (timestamptz, timestamptz),
	OPERATOR 4 >= (timestamptz, timestamptz),
	OPERATOR 5 > (timestamptz, timestamptz);

-- Text columns store a hash of the value (the executor rechecks the rows): equality only.
CREATE OPERATOR CLASS text_filter_ops
	DEFAULT FOR TYPE text USING hnsw AS
	OPERATOR 3 = (text, text);

-- Arrays of smallint, integer or bigint (tags) store a 64-bit signature of their elements (the
-- executor rechecks the rows); other element types are refused by CREATE INDEX.
CREATE OPERATOR CLASS int_array_filter_ops
	DEFAULT FOR TYPE anyarray USING hnsw AS
	OPERATOR 3 = (anyarray, anyarray),
	OPERATOR 6 && (anyarray, anyarray),
	OPERATOR 7 @> (anyarray, anyarray),
	OPERATOR 8 <@ (anyarray, anyarray);
