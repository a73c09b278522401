// mycelium.caller_bypasses_rls(): whether the role that called into Mycelium is
// one that row-level security does not apply to (a superuser or a BYPASSRLS
// role). A SECURITY DEFINER function runs as the extension's owner, so
// current_user there is always the owner; GetOuterUserId is the role the session
// had before entering any SECURITY DEFINER function (SET ROLE included), which is
// the one whose rights cross-tenant work must check.
#include "pg/boundary.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/acl.h"
}

MYCELIUM_FUNCTION(mycelium_caller_bypasses_rls) {
    const bool bypasses = mycelium::pg::guard([] {
        const Oid caller = GetOuterUserId();
        return superuser_arg(caller) || has_bypassrls_privilege(caller);
    });
    PG_RETURN_BOOL(bypasses);
}
