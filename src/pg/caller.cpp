// mycelium.calling_role(): the role that called into Mycelium. A SECURITY
// DEFINER function runs as the extension's owner, so current_user there is always
// the owner; GetOuterUserId is the role the session had before entering any
// SECURITY DEFINER function (SET ROLE included), which is the one whose rights
// cross-tenant work must check.
#include "pg/boundary.hpp"

extern "C" {
#include "miscadmin.h"
}

MYCELIUM_FUNCTION(mycelium_calling_role) {
    const Oid caller = mycelium::pg::guard([] { return GetOuterUserId(); });
    PG_RETURN_OID(caller);
}
