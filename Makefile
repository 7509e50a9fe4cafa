# PGXS build of vector.so from the C++20 sources in src/core (pure C++) and
# src/pg (PostgreSQL glue). Unit tests of src/core are built by CMakeLists.txt.

EXTENSION = vector
EXTVERSION = 0.8.6

MODULE_big = vector
CORE_SRCS := $(sort $(wildcard src/core/*.cpp))
PG_SRCS := $(sort $(wildcard src/pg/*.cpp))
OBJS = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)
# The install script is the concatenation of sql/install/parts/*.sql in name order: one part per
# responsibility (the vector type, each access method), so that they can change independently.
INSTALL_PARTS := $(sort $(wildcard sql/install/parts/*.sql))
DATA_built = sql/install/$(EXTENSION)--$(EXTVERSION).sql

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
