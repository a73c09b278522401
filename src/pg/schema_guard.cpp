// mycelium_internal.in_extension_script(): whether the statement running is part of
// Mycelium's own install or update script, the only place allowed to change
// Mycelium's tables (mycelium_internal.guard_schema, src/sql/code/85_schema_guard.sql).
// PostgreSQL knows it (creating_extension) but does not show it to SQL.
#include "pg/boundary.hpp"

extern "C" {
#include "commands/extension.h"
}

MYCELIUM_FUNCTION(mycelium_in_extension_script) {
    const bool ours = mycelium::pg::guard([] {
        return creating_extension && CurrentExtensionObject == get_extension_oid("mycelium", true);
    });
    PG_RETURN_BOOL(ours);
}
