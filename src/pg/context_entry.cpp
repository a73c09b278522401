// mycelium.set_context and mycelium.authenticate: the public entry points that
// set a tenant context. What they check is SECURITY DEFINER PL/pgSQL of the
// same names in mycelium_internal (10_context.sql); these run as the caller and
// then choose the database role the transaction acts as, which only code
// outside every SECURITY DEFINER function may do (PostgreSQL refuses SET ROLE
// there). A portal user's context acts as mycelium_portal, whose column
// privileges leave out the agency's internal columns (docs/security.md, "What a
// portal user sees"); a staff context keeps the caller's role.
#include "pg/boundary.hpp"
#include "pg/context.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/syscache.h"
}

namespace {

// Calls mycelium_internal.<name>(types) with the entry point's own arguments,
// as fmgr calls any function (its SECURITY DEFINER and pinned search_path
// included). By oid, so that no role needs USAGE on mycelium_internal or
// EXECUTE on the body: the caller may run the entry point, and that is the
// privilege that counts.
template <int N>
void call_internal(FunctionCallInfo outer, const char *name, const Oid (&types)[N]) {
    mycelium::pg::guard([&] {
        const Oid nsp = get_namespace_oid("mycelium_internal", false);
        oidvector *args = buildoidvector(types, N);
        const Oid fn = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid, CStringGetDatum(name),
                                       PointerGetDatum(args), ObjectIdGetDatum(nsp));
        if (!OidIsValid(fn))
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_FUNCTION),
                            errmsg("mycelium: function mycelium_internal.%s is missing", name),
                            errhint("Run ALTER EXTENSION mycelium UPDATE.")));
        FmgrInfo flinfo;
        fmgr_info(fn, &flinfo);
        LOCAL_FCINFO(call, N);
        InitFunctionCallInfoData(*call, &flinfo, N, outer->fncollation, nullptr, nullptr);
        for (int i = 0; i < N; ++i) {
            call->args[i].value = i < outer->nargs ? outer->args[i].value : Datum(0);
            call->args[i].isnull = i < outer->nargs ? outer->args[i].isnull : true;
        }
        (void)FunctionCallInvoke(call);
    });
}

// The setting "role" as it was when this transaction switched to the portal
// role, so that a staff context set later in the same transaction acts as the
// role the application had chosen. Plain data: the value is copied into it.
struct Switched {
    LocalTransactionId transaction = InvalidLocalTransactionId;
    char previous[NAMEDATALEN + 1] = "";
};
Switched switched;

// Makes the rest of the transaction act as the portal role when the context
// just sealed is a portal user's, and as the role it acted as before when a
// staff context follows one. A transaction that acts as the portal role
// without having switched here (SET ROLE by hand) keeps it: the role to go
// back to is the application's to say.
void act_for_context(const char *via) {
    const std::optional<mycelium::core::Context> ctx = mycelium::pg::context_for_any_role();
    const bool portal = ctx && ctx->role == "CLIENT";
    mycelium::pg::guard([&] {
        const Oid role = get_role_oid(mycelium::pg::kPortalRole, false);
        if (GetOuterUserId() == role) {
            if (portal) return;
            if (switched.transaction != MyProc->lxid)
                ereport(ERROR,
                        (errcode(ERRCODE_INVALID_TRANSACTION_STATE),
                         errmsg("%s: this transaction acts as a portal user", via),
                         errdetail("It was switched to %s by hand; a staff context needs the "
                                   "application's role.",
                                   mycelium::pg::kPortalRole),
                         errhint("RESET ROLE first, or set the context in a new transaction.")));
            (void)set_config_option("role", switched.previous, PGC_USERSET, PGC_S_SESSION,
                                    GUC_ACTION_LOCAL, true, 0, false);
            return;
        }
        if (!portal) return;
        if (!is_member_of_role(GetSessionUserId(), role))
            ereport(ERROR,
                    (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                     errmsg("%s: role \"%s\" may not act for portal users", via,
                            GetUserNameFromId(GetSessionUserId(), false)),
                     errdetail("A portal user's context holds only under the role %s, of which "
                               "the session's role must be a member.",
                               mycelium::pg::kPortalRole),
                     errhint("SELECT mycelium.grant_access('%s', 'app');",
                             GetUserNameFromId(GetSessionUserId(), false))));
        const char *previous = GetConfigOption("role", false, false);
        strlcpy(switched.previous, previous != nullptr ? previous : "none",
                sizeof switched.previous);
        switched.transaction = MyProc->lxid;
        (void)set_config_option("role", mycelium::pg::kPortalRole, PGC_USERSET, PGC_S_SESSION,
                                GUC_ACTION_LOCAL, true, 0, false);
    });
}

}  // namespace

// set_context(organization_id, user_id, role, client_id, service_access)
MYCELIUM_FUNCTION(mycelium_set_context) {
    call_internal(fcinfo, "set_context", {UUIDOID, UUIDOID, TEXTOID, UUIDOID, TEXTARRAYOID});
    act_for_context("set_context");
    PG_RETURN_VOID();
}

// authenticate(token)
MYCELIUM_FUNCTION(mycelium_authenticate) {
    call_internal(fcinfo, "authenticate", {TEXTOID});
    act_for_context("authenticate");
    PG_RETURN_VOID();
}
