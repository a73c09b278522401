// Included last by every src/core .cpp file. The core is pure C++ so that it can
// be unit-tested in microseconds without a server; if a core header ever pulls in
// a PostgreSQL header, the core's own translation units stop compiling, rather
// than letting the layering rot. (The glue in src/pg includes core headers after
// postgres.h, which is why the check lives in the core's .cpp files, not headers.)
#pragma once

#ifdef PG_VERSION_NUM
static_assert(false, "src/core must not include PostgreSQL headers");
#endif
