// Module registration: the magic block and _PG_init.
#include "pg/boundary.hpp"
#include "pg/context.hpp"

extern "C" {
#include "utils/guc.h"
}

_Pragma("GCC visibility push(default)") extern "C" {
    PG_MODULE_MAGIC;

    MYCELIUM_EXPORT void _PG_init(void);
}
_Pragma("GCC visibility pop")

    void _PG_init(void) {
    // Settings of this extension live under mycelium.*; reserving the prefix
    // turns a typo such as SET mycelium.contxt into an error instead of a
    // silently ignored placeholder.
    mycelium::pg::define_context_settings();
    MarkGUCPrefixReserved("mycelium");
}
