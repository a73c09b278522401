// Whether the current statement is loading a dump (docs/operations.md, "Backups
// and restore"). Mycelium's tables have triggers that add rows (the activity log,
// notifications) or check a row against others (custom fields, references, the
// foreign keys), and CREATE EXTENSION makes them before a restore loads any data:
// a restore's statements run as a replica's would, so that the dump's rows load
// once, as they were, in whatever order the restore takes the tables.
#include "pg/boundary.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/rls.h"
}

// mycelium.restoring(): true when row_security is off, as pg_dump's scripts and
// pg_restore set it, and the session's login role is a superuser, as a restore of
// an extension that only a superuser can create is. The session user, not the
// current user, is asked, so that a SECURITY DEFINER function owned by a
// superuser does not make its caller's statements a restore.
MYCELIUM_FUNCTION(mycelium_restoring) {
    if (row_security) PG_RETURN_BOOL(false);
    const Oid login = GetSessionUserId();
    PG_RETURN_BOOL(mycelium::pg::guard([&] { return superuser_arg(login); }));
}
