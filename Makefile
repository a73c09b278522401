# PGXS build of the mycelium extension.
#   make                 build the library and the install script
#   make install         install both into the PostgreSQL found by PG_CONFIG
#   make installcheck    pg_regress suite (sql/, expected/) and the isolation specs
#                        (test/isolation/) against a running server
#   make                 also builds worker/mycelium-worker, the delivery worker,
#                        which make install puts in PostgreSQL's bindir
#   make WERROR=1        turn every warning in our own C++ into an error (scripts/test
#                        builds this way, so CI fails on a new warning)
# The GoogleTest suites of src/core build with CMake (see CMakeLists.txt);
# scripts/test runs everything.

EXTENSION   = mycelium
EXTVERSION  = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big  = mycelium
OBJS        = $(patsubst %.cpp,%.o,$(sort $(wildcard src/core/*.cpp src/pg/*.cpp)))

# The install script is generated from ordered parts, never edited: the native
# functions the tables use, the schema (types, tables, indexes), then the code
# (functions, triggers, views, policies, grants), which is written to be
# applied again over an older version. The update script from the last release
# is the hand-written schema changes (src/sql/updates/) followed by the same
# code. Released scripts are kept as they shipped (src/sql/released/).
PREVIOUS    = 0.1.0
SCHEMA_PARTS = $(sort $(wildcard src/sql/schema/*.sql))
CODE_PARTS  = $(sort $(wildcard src/sql/code/*.sql))
FIRST_CODE  = src/sql/code/00_native.sql
DATA_built  = $(EXTENSION)--$(EXTVERSION).sql $(EXTENSION)--$(PREVIOUS)--$(EXTVERSION).sql
DATA        = $(wildcard src/sql/released/$(EXTENSION)--*.sql)
EXTRA_CLEAN = $(DATA_built)

REGRESS      = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
# Every file runs alone too (make installcheck REGRESS=07_custom_fields ISOLATION=):
# pg_regress creates the extension, and each file includes sql/include/helpers.psql (\i, from the top directory).
REGRESS_OPTS = --inputdir=. --load-extension=mycelium
ISOLATION      = $(patsubst test/isolation/specs/%.spec,%,$(sort $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation

PG_CONFIG ?= pg_config

PG_CPPFLAGS = -Isrc
# -isystem: PostgreSQL's headers do not pass -Wextra; treat them as system headers
# so that warnings are about our code only.
PG_CXXFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server) -std=c++17 -fvisibility=hidden -fvisibility-inlines-hidden -Wall -Wextra -Wno-register
# Off by default: a newer compiler's new warning should not stop someone's
# `make install`, but it must stop CI.
WERROR ?= 0
ifeq ($(WERROR),1)
PG_CXXFLAGS += -Werror
endif
# Objects depend on the headers they include (g++ writes src/*/*.d beside each
# .o): a changed header such as src/core/error.hpp must rebuild every object that
# lays out its classes, or an incremental build links two layouts and crashes.
PG_CXXFLAGS += -MMD -MP
SHLIB_LINK += -licui18n -licuuc -licudata -lcrypto -largon2 -lcrypt -lstdc++

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PostgreSQL's headers use `register`, which C++17 rejects; the LLVM bitcode
# step compiles with clang and needs the same language flags as g++.
COMPILE.cxx.bc = $(CLANG) -xc++ -std=c++17 -Wno-register -Wno-ignored-attributes \
	$(BITCODE_CXXFLAGS) $(CPPFLAGS) -flto=thin -emit-llvm -c

$(EXTENSION)--$(EXTVERSION).sql: src/sql/install-header.sql $(FIRST_CODE) $(SCHEMA_PARTS) $(CODE_PARTS) $(EXTENSION).control
	cat src/sql/install-header.sql $(FIRST_CODE) $(SCHEMA_PARTS) $(filter-out $(FIRST_CODE),$(CODE_PARTS)) > $@

$(EXTENSION)--$(PREVIOUS)--$(EXTVERSION).sql: src/sql/update-header.sql src/sql/updates/$(PREVIOUS)--$(EXTVERSION).sql $(CODE_PARTS) $(EXTENSION).control
	cat src/sql/update-header.sql src/sql/updates/$(PREVIOUS)--$(EXTVERSION).sql $(CODE_PARTS) > $@

# make does not notice changed flags: without this, objects built before
# WERROR=1 would be kept, and the -Werror build would check nothing. The stamp
# holds the compile command and changes only when it does.
FLAGS_STAMP = .build-flags
$(FLAGS_STAMP): FORCE
	@echo '$(COMPILE.cc)' | cmp -s - $@ || echo '$(COMPILE.cc)' > $@
$(OBJS): $(FLAGS_STAMP)
.PHONY: FORCE
FORCE:
EXTRA_CLEAN += $(FLAGS_STAMP)
-include $(OBJS:.o=.d)
EXTRA_CLEAN += $(OBJS:.o=.d)

# mycelium-worker (worker/, docs/integrations.md "The worker"): a program of its
# own, linked with libpq and libcurl, never loaded into the server.
WORKER         = worker/mycelium-worker
# It shares the core's excerpt (src/core is pure C++), nothing of the extension.
WORKER_SOURCES = $(sort $(wildcard worker/*.cpp)) src/core/excerpt.cpp
WORKER_CXXFLAGS = -std=c++17 -O2 -g -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) \
	-Isrc -I$(shell $(PG_CONFIG) --includedir)
WORKER_LIBS    = -L$(shell $(PG_CONFIG) --libdir) -lpq -lcurl -lcrypto
all: $(WORKER)
$(WORKER): $(WORKER_SOURCES) $(wildcard worker/*.hpp) src/core/excerpt.hpp $(FLAGS_STAMP)
	$(CXX) $(WORKER_CXXFLAGS) -o $@ $(WORKER_SOURCES) $(WORKER_LIBS)
install: install-worker
install-worker: $(WORKER)
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) $(WORKER) '$(DESTDIR)$(bindir)/mycelium-worker'
uninstall: uninstall-worker
uninstall-worker:
	rm -f '$(DESTDIR)$(bindir)/mycelium-worker'
.PHONY: install-worker uninstall-worker
EXTRA_CLEAN += $(WORKER)
