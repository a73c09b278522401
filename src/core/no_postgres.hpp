// Included by every src/core header. The core is pure C++ so that it can be
// unit-tested in microseconds without a server; if a PostgreSQL header was
// included before it, this fails the build rather than letting the layering rot.
#pragma once

#ifdef PG_VERSION_NUM
static_assert(false, "src/core must not include PostgreSQL headers");
#endif
