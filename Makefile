# PGXS build of the extension's two modules (unit tests of src/core and src/build are built by
# CMakeLists.txt):
# - vector.so, from the C++20 sources in src/core (pure C++) and src/pg (PostgreSQL glue): what
#   every backend that touches a vector loads. It links no BLAS, LAPACK or OpenMP, so that a
#   backend that never builds an index maps none of them and starts no thread.
# - vector_build.so, from src/build and the few core kernels it uses: FAISS (static), BLAS,
#   LAPACK and OpenMP for index builds (k-means, quantizer training, list assignment). vector.so
#   opens it from $libdir on a backend's first build and calls it through a table of C function
#   pointers (src/build/build_api.h). It is installed next to vector.so.

EXTENSION = vector
EXTVERSION = 0.9.0

MODULE_big = vector
# Every .cpp below src/core and src/pg, whatever the folder (docs/ARCHITECTURE.md maps them).
CORE_SRCS := $(sort $(shell find src/core -name '*.cpp'))
PG_SRCS := $(sort $(shell find src/pg -name '*.cpp'))
OBJS = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)
# vector_build.so: every .cpp below src/build, and the core kernels those call (the float
# distances, the IVF encoders and the refit step); the same objects as vector.so's, linked a second time.
BUILD_MODULE = vector_build
BUILD_SRCS := $(sort $(shell find src/build -name '*.cpp'))
BUILD_OBJS = $(BUILD_SRCS:.cpp=.o)
BUILD_CORE_OBJS = $(patsubst %.cpp,%.o,$(sort $(wildcard src/core/distance/float_distance*.cpp))) \
	src/core/ivf/ivf_quant.o src/core/ivf/ivf_refit.o
# The install script is the concatenation of sql/install/parts/*.sql in name order: one part per
# responsibility (the vector type, each access method), so that they can change independently.
# 22_ivf_filters.sql is made from 12_hnsw_filters.sql: the filter-column operator classes of hnsw,
# once for ivfflat and once for ivf (one definition of the classes; $(sort) drops the duplicate
# name once the file exists).
IVF_FILTERS_PART := sql/install/parts/22_ivf_filters.sql
INSTALL_PARTS := $(sort $(wildcard sql/install/parts/*.sql) $(IVF_FILTERS_PART))

# Versions and update paths (see "Upgrade" in README.md):
# - 0.8.6, our previous release: its install script is frozen in sql/install/frozen/.
# - 0.8.6 -> 0.9.0: the hand-written changes to objects that 0.8.6 had (sql/install/updates/),
#   then every install part with each CREATE made tolerant of an existing object
#   (scripts/sql-update-script.pl): objects new since 0.8.6 are created, existing ones are kept.
#   The version name 0.8.6 is also pgvector's, whose databases lack some of our 0.8.6 objects (the
#   ivf access method) and have others: the same script brings both to 0.9.0. An object whose
#   definition changed needs a hand-written step: the update test (test/t/303_update.pl) compares
#   an updated database with a fresh install and fails until it is there.
# - pgvector 0.8.0 .. 0.8.5 have the objects of pgvector 0.8.6: empty steps lead them to 0.8.6.
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

# Kernels pick their SIMD level at run time (src/core/distance/*.cpp), so the
# module itself is built for the baseline x86-64 ISA and runs on any CPU.
# -fopenmp-simd: the kernels' `#pragma omp simd` hints, without the OpenMP runtime (only
# vector_build.so's objects get -fopenmp, below).
PG_CXXFLAGS += -std=c++20 -O3 -fno-math-errno -fopenmp-simd -Wall -Wextra $(VECTOR_EXTRA_CXXFLAGS)
# Warnings are ours to fix. PostgreSQL's headers are included as system headers, so that the
# warnings of their own code (unused parameters of inline functions, ++ on a volatile in
# START_CRIT_SECTION) do not drown ours. The test suite builds with VECTOR_WERROR=1, which makes
# every warning an error; a plain `make` only reports them.
PG_CPPFLAGS += -I$(srcdir)/src -isystem $(includedir_server) -isystem $(includedir_internal)
ifeq ($(VECTOR_WERROR),1)
PG_CXXFLAGS += -Werror
endif
# Header dependencies: the compiler writes each object's list of headers next to it (.d).
PG_CXXFLAGS += -MMD -MP
EXTRA_CLEAN += $(IVF_FILTERS_PART) $(OBJS:.o=.d) $(BUILD_OBJS) $(BUILD_OBJS:.o=.d) $(BUILD_MODULE)$(DLSUFFIX)
SHLIB_LINK += -lstdc++ -lm $(VECTOR_EXTRA_LDFLAGS)
FAISS_LIB ?= /usr/lib/x86_64-linux-gnu/libfaiss.a
# Only the table function is exported (src/build/exports.map); --no-undefined makes a missing
# core object a link error here rather than a failed load in a backend.
BUILD_MODULE_LINK = $(FAISS_LIB) -fopenmp -lblas -llapack -lstdc++ -lm $(VECTOR_EXTRA_LDFLAGS) \
	-Wl,--version-script=$(srcdir)/src/build/exports.map -Wl,--no-undefined

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Each object depends on the headers it included when it was last compiled.
-include $(OBJS:.o=.d) $(BUILD_OBJS:.o=.d)

# vector_build.so: built by `all`, installed by `install` next to vector.so (pkglibdir, which
# is PostgreSQL's $libdir).
src/build/%.o: override CXXFLAGS += -fopenmp
all: $(BUILD_MODULE)$(DLSUFFIX)
$(BUILD_MODULE)$(DLSUFFIX): $(BUILD_OBJS) $(BUILD_CORE_OBJS) src/build/exports.map
	$(CXX) $(CXXFLAGS) $(LDFLAGS) $(LDFLAGS_SL) -shared -o $@ $(BUILD_OBJS) $(BUILD_CORE_OBJS) $(BUILD_MODULE_LINK)
install: install-build-module
install-build-module: $(BUILD_MODULE)$(DLSUFFIX) installdirs
	$(INSTALL_SHLIB) $(BUILD_MODULE)$(DLSUFFIX) '$(DESTDIR)$(pkglibdir)/$(BUILD_MODULE)$(DLSUFFIX)'
uninstall: uninstall-build-module
uninstall-build-module:
	rm -f '$(DESTDIR)$(pkglibdir)/$(BUILD_MODULE)$(DLSUFFIX)'
.PHONY: install-build-module uninstall-build-module

# The filter-column operator classes of ivfflat and ivf (see INSTALL_PARTS).
$(IVF_FILTERS_PART): sql/install/parts/12_hnsw_filters.sql
	{ printf '%s\n' '' \
		'-- ---------------------------------------------------------------------------' \
		'-- ivfflat and ivf filter columns (made by the Makefile from 12_hnsw_filters.sql)' \
		'-- ---------------------------------------------------------------------------' \
		'-- CREATE INDEX ... USING ivfflat (embedding vector_l2_ops, category_id), and the same with ivf:' \
		'-- the operator classes of hnsw filter columns for each access method; the scan checks the quals' \
		'-- on every list entry before its distance (src/pg/common/filter_columns.h, src/pg/ivf/ivf_scan.cpp).'; \
	  for am in ivfflat ivf; do printf '\n-- %s\n\n' "$$am"; \
		sed -n '/^CREATE OPERATOR FAMILY/,$$p' $< | sed "s/USING hnsw/USING $$am/"; done; } > $@

# The install script, built from its parts.
sql/install/$(EXTENSION)--$(EXTVERSION).sql: $(INSTALL_PARTS)
	cat $^ > $@

# The update script from 0.8.6.
sql/install/$(EXTENSION)--0.8.6--$(EXTVERSION).sql: sql/install/updates/$(EXTENSION)--0.8.6--$(EXTVERSION).sql \
		$(INSTALL_PARTS) scripts/sql-update-script.pl Makefile
	perl scripts/sql-update-script.pl --head $< $(INSTALL_PARTS) > $@

# The empty steps from pgvector's 0.8.x version names to 0.8.6.
sql/install/$(EXTENSION)--%--0.8.6.sql:
	printf '%s\n' '-- pgvector $* has the objects of pgvector 0.8.6: nothing to change.' \
		'\echo Use "ALTER EXTENSION vector UPDATE" to load this file. \quit' > $@
