// mycelium.set_context and mycelium.authenticate: the public entry points that
// set a tenant context. What they check is SECURITY DEFINER PL/pgSQL of the
// same names in mycelium_internal (10_context.sql); these run as the caller and
// then choose the database role the transaction acts as, which only code
// outside every SECURITY DEFINER function may do (PostgreSQL refuses SET ROLE
// there): mycelium_admin, mycelium_staff or mycelium_portal, whose policies
// are specialized for their kind of context (95_role_policies.sql); the
// portal's column privileges also leave out the agency's internal columns
// (docs/security.md, "Database roles").
#include "core/error.hpp"
#include "pg/boundary.hpp"
#include "pg/context.hpp"
#include "pg/text.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
}

namespace {

// Calls mycelium_internal.<name>(types) with the entry point's own arguments,
// as fmgr calls any function (its SECURITY DEFINER and pinned search_path
// included). By oid, so that no role needs USAGE on mycelium_internal or
// EXECUTE on the body: the caller may run the entry point, and that is the
// privilege that counts. Returns its result; *isnull says whether it is NULL.
template <int N>
Datum call_internal(FunctionCallInfo outer, const char *name, const Oid (&types)[N], bool *isnull) {
    return mycelium::pg::guard([&] {
        const Oid nsp = get_namespace_oid("mycelium_internal", false);
        oidvector *args = buildoidvector(types, N);
        const Oid fn = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid, CStringGetDatum(name),
                                       PointerGetDatum(args), ObjectIdGetDatum(nsp));
        if (!OidIsValid(fn))
            ereport(ERROR,
                    (errcode(ERRCODE_UNDEFINED_FUNCTION),
                     errmsg("mycelium: function mycelium_internal.%s is missing", name),
                     errhint("Run ALTER EXTENSION mycelium UPDATE."), mycelium::pg::errschema()));
        FmgrInfo flinfo;
        fmgr_info(fn, &flinfo);
        LOCAL_FCINFO(call, N);
        InitFunctionCallInfoData(*call, &flinfo, N, outer->fncollation, nullptr, nullptr);
        for (int i = 0; i < N; ++i) {
            call->args[i].value = i < outer->nargs ? outer->args[i].value : Datum(0);
            call->args[i].isnull = i < outer->nargs ? outer->args[i].isnull : true;
        }
        const Datum result = FunctionCallInvoke(call);
        *isnull = call->isnull;
        return result;
    });
}

// The setting "role" as it was when this transaction first switched to a
// context's role, so that a later context in the same transaction acts as
// another kind's role, or as the role the application had chosen when its
// kind has none to switch to. Plain data: the value is copied into it.
struct Switched {
    LocalTransactionId transaction = InvalidLocalTransactionId;
    char previous[NAMEDATALEN + 1] = "";
    Oid previous_role = InvalidOid;
};
Switched switched;

// The role a context of this application role acts as (95_role_policies.sql).
const char *role_for(const std::optional<mycelium::core::Context> &ctx) {
    if (!ctx) return nullptr;
    if (ctx->role == "ADMIN") return mycelium::pg::kAdminRole;
    if (ctx->role == "CLIENT") return mycelium::pg::kPortalRole;
    return mycelium::pg::kStaffRole;
}

bool is_context_role(Oid role) {
    for (const char *name :
         {mycelium::pg::kAdminRole, mycelium::pg::kStaffRole, mycelium::pg::kPortalRole})
        if (get_role_oid(name, true) == role) return true;
    return false;
}

void set_role(const char *name) {
    (void)set_config_option("role", name, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0,
                            false);
}

// Makes the rest of the transaction act as the role of the context just
// sealed: mycelium_admin, mycelium_staff or mycelium_portal, when the role the
// transaction acts as is a member of it (an application's role is; a
// reporting role, even one a superuser's session switched to, keeps its own,
// under the general policies, but cannot act for a portal user). A transaction already switched
// here moves to the new context's role, or back to the one it had; one switched to a context's role
// by hand (SET ROLE) keeps it, and may only set a context of that kind.
void act_for_context(const char *via) {
    const char *target = role_for(mycelium::pg::context_for_any_role());
    mycelium::pg::guard([&] {
        const Oid target_oid = target != nullptr ? get_role_oid(target, false) : InvalidOid;
        const Oid current = GetOuterUserId();
        const bool switched_here = is_context_role(current) && switched.transaction == MyProc->lxid;
        // The role whose rights count: the one the transaction had before it
        // was switched here.
        const Oid acting = switched_here ? switched.previous_role : current;
        const bool may = OidIsValid(target_oid) && is_member_of_role(acting, target_oid);
        if (target_oid == get_role_oid(mycelium::pg::kPortalRole, false) && !may)
            ereport(ERROR,
                    (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                     errmsg("%s: role \"%s\" may not act for portal users", via,
                            GetUserNameFromId(acting, false)),
                     errdetail("A portal user's context holds only under the role %s, of which "
                               "the session's role must be a member.",
                               mycelium::pg::kPortalRole),
                     errhint("SELECT mycelium.grant_access('%s', 'app');",
                             GetUserNameFromId(acting, false)),
                     mycelium::pg::errschema()));
        if (current == target_oid) return;
        if (is_context_role(current)) {
            if (!switched_here)
                ereport(ERROR,
                        (errcode(ERRCODE_INVALID_TRANSACTION_STATE),
                         errmsg("%s: this transaction acts as %s, set by hand", via,
                                GetUserNameFromId(current, false)),
                         errdetail("A context of another kind needs its own role."),
                         errhint("RESET ROLE first, or set the context in a new transaction."),
                         mycelium::pg::errschema()));
            set_role(may ? target : switched.previous);
            return;
        }
        if (!may) return;
        const char *previous = GetConfigOption("role", false, false);
        strlcpy(switched.previous, previous != nullptr ? previous : "none",
                sizeof switched.previous);
        switched.transaction = MyProc->lxid;
        switched.previous_role = current;
        set_role(target);
    });
}

}  // namespace

// set_context(organization_id, user_id, role, client_id, service_access)
MYCELIUM_FUNCTION(mycelium_set_context) {
    bool isnull;
    (void)call_internal(fcinfo, "set_context", {UUIDOID, UUIDOID, TEXTOID, UUIDOID, TEXTARRAYOID},
                        &isnull);
    act_for_context("set_context");
    PG_RETURN_VOID();
}

// authenticate(token) -> (organization_id, user_id, role, client_id, expires_at,
// must_change_password): the context it set, or the account of the session that
// may only change its password, and the token's expiry.
// A token this backend accepted before is accepted again without the checks'
// queries (mycelium::pg::accept_again), until a table they read changes: what a
// page load pays for authenticate is then the role switch and the seal.
MYCELIUM_FUNCTION(mycelium_authenticate) {
    // The token's bytes as given, to find it among those accepted before.
    std::string token;
    if (!PG_ARGISNULL(0)) {
        const text *t = mycelium::pg::guard([&] { return PG_GETARG_TEXT_PP(0); });
        if (VARSIZE_ANY_EXHDR(t) <= mycelium::pg::kAcceptedTokenMaxBytes)
            token.assign(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
    }
    bool no_expiry = false;
    Datum expires_at = Datum(0);
    const std::optional<std::int64_t> again =
        token.empty() ? std::nullopt : mycelium::pg::accept_again(token);
    if (again) {
        expires_at = TimestampTzGetDatum(time_t_to_timestamptz(static_cast<pg_time_t>(*again)));
    } else {
        const std::uint64_t changes = mycelium::pg::accepted_tokens_changes();
        expires_at = call_internal(fcinfo, "authenticate", {TEXTOID}, &no_expiry);
        if (!token.empty() && mycelium::pg::context_for_any_role())
            mycelium::pg::keep_accepted(token, mycelium::pg::text_arg_utf8(fcinfo, 0), changes);
    }
    act_for_context("authenticate");
    std::optional<mycelium::core::Context> ctx = mycelium::pg::context_for_any_role();
    const bool must_change_password = !ctx;
    if (!ctx) ctx = mycelium::pg::password_change_context();
    if (!ctx)
        throw mycelium::core::Error(mycelium::core::ErrorKind::Internal,
                                    "authenticate: no context after a token was accepted");
    const char *organization = ctx->organization_id.c_str(), *user = ctx->user_id.c_str(),
               *role = ctx->role.c_str(), *client = ctx->client_id.c_str();
    return mycelium::pg::guard([&] {
        TupleDesc shape;
        if (get_call_result_type(fcinfo, nullptr, &shape) != TYPEFUNC_COMPOSITE ||
            shape->natts != 6)
            ereport(ERROR,
                    (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                     errmsg("authenticate: its declared result is not the context's six columns"),
                     errhint("Run ALTER EXTENSION mycelium UPDATE."), mycelium::pg::errschema()));
        shape = BlessTupleDesc(shape);
        Datum values[6];
        bool nulls[6] = {false, false, false, client[0] == '\0', no_expiry, false};
        values[0] = DirectFunctionCall1(uuid_in, CStringGetDatum(organization));
        values[1] = DirectFunctionCall1(uuid_in, CStringGetDatum(user));
        values[2] = CStringGetTextDatum(role);
        values[3] = nulls[3] ? Datum(0) : DirectFunctionCall1(uuid_in, CStringGetDatum(client));
        values[4] = expires_at;
        values[5] = BoolGetDatum(must_change_password);
        return HeapTupleGetDatum(heap_form_tuple(shape, values, nulls));
    });
}
