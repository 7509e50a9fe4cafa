# PGXS build of vector.so from the C++20 sources in src/core (pure C++) and
# src/pg (PostgreSQL glue). Unit tests of src/core are built by CMakeLists.txt.

EXTENSION = vector
EXTVERSION = 0.9.0

MODULE_big = vector
CORE_SRCS := $(sort $(wildcard src/core/*.cpp))
PG_SRCS := $(sort $(wildcard src/pg/*.cpp))
OBJS = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)
# The install script is the concatenation of sql/install/parts/*.sql in name order: one part per
# responsibility (the vector type, each access method), so that they can change independently.
INSTALL_PARTS := $(sort $(wildcard sql/install/parts/*.sql))

# Versions and update paths (see "Upgrading" in README.md):
# - 0.8.6, our previous release: its install script is frozen in sql/install/frozen/.
# - 0.8.6 -> 0.9.0: the hand-written changes to objects that 0.8.6 had (sql/install/updates/),
#   then the parts new since 0.8.6, listed here (a part not yet present is skipped). A new part
#   must be added to this list, or databases updated from 0.8.6 miss its objects: the update test
#   (test/t/303_update.pl) compares an updated database with a fresh install and fails then.
# - pgvector 0.8.0 .. 0.8.5 have the objects of pgvector 0.8.6, whose version name is ours too:
#   empty steps lead them to 0.8.6, and the 0.8.6 -> 0.9.0 script tolerates objects that exist
#   already (scripts/sql-update-script.pl says why).
PARTS_SINCE_0_8_6 := $(sort $(wildcard $(addprefix sql/install/parts/,01_*.sql 02_*.sql 03_*.sql 11_*.sql 21_*.sql 40_*.sql 41_*.sql)))
PGVECTOR_0_8_VERSIONS := 0.8.0 0.8.1 0.8.2 0.8.3 0.8.4 0.8.5
DATA = sql/install/frozen/$(EXTENSION)--0.8.6.sql
DATA_built = sql/install/$(EXTENSION)--$(EXTVERSION).sql sql/install/$(EXTENSION)--0.8.6--$(EXTVERSION).sql \
	$(foreach v,$(PGVECTOR_0_8_VERSIONS),sql/install/$(EXTENSION)--$(v)--0.8.6.sql)

# pg_regress: every sql/NAME.sql with its expected/NAME.out (the install script
# lives apart, in sql/install/).
REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=$(EXTENSION)

# Debian's PGXS would also compile every source to LLVM bitcode with clang,
# without PG_CXXFLAGS (so without -std=c++20). JIT inlining of our C++ buys
# nothing, so turn it off.
override with_llvm := no

# Kernels pick their SIMD level at run time (src/core/distance*.cpp), so the
# module itself is built for the baseline x86-64 ISA and runs on any CPU.
PG_CXXFLAGS += -std=c++20 -O3 -fno-math-errno -fopenmp -Wall -Wextra -Wno-unused-parameter \
	-Wno-missing-field-initializers -Wno-cast-function-type -Wno-register -Wno-volatile $(VECTOR_EXTRA_CXXFLAGS)
PG_CPPFLAGS += -I$(srcdir)/src
FAISS_LIB ?= /usr/lib/x86_64-linux-gnu/libfaiss.a
SHLIB_LINK += $(FAISS_LIB) -fopenmp -lblas -llapack -lstdc++ -lm $(VECTOR_EXTRA_LDFLAGS)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# C++ objects depend on every header of the project (cheap and always right).
$(OBJS): $(wildcard src/core/*.h src/pg/*.h)

# The install script, built from its parts.
sql/install/$(EXTENSION)--$(EXTVERSION).sql: $(INSTALL_PARTS)
	cat $^ > $@

# The update script from 0.8.6.
sql/install/$(EXTENSION)--0.8.6--$(EXTVERSION).sql: sql/install/updates/$(EXTENSION)--0.8.6--$(EXTVERSION).sql \
		$(PARTS_SINCE_0_8_6) scripts/sql-update-script.pl Makefile
	perl scripts/sql-update-script.pl --head $< $(PARTS_SINCE_0_8_6) > $@

# The empty steps from pgvector's 0.8.x version names to 0.8.6.
sql/install/$(EXTENSION)--%--0.8.6.sql:
	printf '%s\n' '-- pgvector $* has the objects of pgvector 0.8.6: nothing to change.' \
		'\echo Use "ALTER EXTENSION vector UPDATE" to load this file. \quit' > $@
