// The tenant context: the settings mycelium.context and
// mycelium.require_signed_context, the read functions behind every policy,
// sealing (set_context, authenticate) and token verification.
//
// A policy calls the read functions once per statement (inside a scalar
// sub-select), and each call costs a string comparison in steady state: the
// result for the last sealed value and for the last request.jwt.claims value is
// cached, and the seal is verified only when the value changes.
#include "pg/context.hpp"

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/context.hpp"
#include "core/error.hpp"
#include "core/token_route.hpp"
#include "pg/boundary.hpp"
#include "pg/invalidation.hpp"
#include "pg/spi.hpp"
#include "pg/text.hpp"

extern "C" {
#include "access/htup_details.h"
#include "commands/trigger.h"
#include "access/parallel.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/backendid.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/inval.h"
#include "utils/syscache.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
}

namespace {

using mycelium::core::Error;
using mycelium::core::ErrorKind;

// GUC variables: plain C data owned by the GUC machinery.
char *sealed_setting = nullptr;
char *password_change_setting = nullptr;
char *request_ip_setting = nullptr;
char *request_user_agent_setting = nullptr;
char *request_session_setting = nullptr;
bool require_signed = false;

// Per-backend state, created on first use and deliberately never destroyed (a
// backend's static destructors would run after PostgreSQL has torn down).
struct State {
    std::string context_key;  // empty = not loaded
    std::string jwt_key;      // empty = not loaded
    Oid keys_relid = InvalidOid;
    std::uint64_t keys_changes = 0;  // invalidations seen, so a load racing one is not kept

    std::optional<bool> signed_by_table;  // mycelium_internal.settings' require_signed_context
    Oid settings_relid = InvalidOid;
    std::uint64_t settings_changes = 0;  // invalidations seen, so a load racing one is not kept

    std::string sealed_value;                      // the mycelium.context value last verified...
    std::optional<mycelium::core::Sealed> sealed;  // ...and what it held

    std::string claims_value;                       // the request.jwt.claims value last checked...
    std::int64_t claims_checked_in = -1;            // ...in this (leader's) transaction...
    std::optional<mycelium::core::Context> claims;  // ...and the member it names, if any
    bool checking_claims = false;                   // the membership query is running

    // The token authenticate accepted last, and in which (leader's) transaction:
    // what sign_out ends when it ends one session.
    std::string token_organization, token_id;
    std::int64_t token_expires_at = 0, token_accepted_in = -1;

    // The HS256 tokens authenticate accepted, by their exact text, with what it
    // sealed for them: accepted again without a query until any table that decides
    // acceptance changes (announced as session_floors, or the keys or settings
    // themselves) or the session ends. Bounded: emptied when full.
    std::unordered_map<std::string, mycelium::pg::AcceptedToken> accepted;
    Oid access_relids[3] = {InvalidOid, InvalidOid, InvalidOid};
    std::uint64_t access_changes = 0;  // invalidations seen, so a fill racing one is not kept
};

State &state() {
    static State *s = std::make_unique<State>().release();
    return *s;
}

void forget_keys(Datum, Oid relid) {
    State &s = state();
    if (relid == InvalidOid || relid == s.keys_relid) {
        s.context_key.clear();
        s.jwt_key.clear();
        ++s.keys_changes;
    }
    if (relid == InvalidOid || relid == s.settings_relid) {
        s.signed_by_table.reset();
        ++s.settings_changes;
    }
    bool access = relid == InvalidOid;
    for (Oid watched : s.access_relids)
        access = access || (watched != InvalidOid && relid == watched);
    if (access) {
        s.accepted.clear();
        ++s.access_changes;
    }
}

// The portal role's OID, kept until pg_authid changes (a role dropped and made
// again gets another): a portal user's every context read asks for it.
Oid portal_role = InvalidOid;

void forget_portal_role(Datum, int, uint32) { portal_role = InvalidOid; }

// Whether mycelium_internal.settings turns require_signed_context on: the switch that a
// dump carries (docs/operations.md, "Settings"). Read as the owner, as the keys are.
bool signed_required_by_table() {
    State &s = state();
    if (s.signed_by_table) return *s.signed_by_table;
    const mycelium::pg::InternalTable settings = mycelium::pg::internal_table("settings");
    // None while the extension is being made, or before 0.1.0's SQL is updated.
    if (settings.relid == InvalidOid) return false;
    s.settings_relid = settings.relid;
    const std::uint64_t changes = s.settings_changes;
    const mycelium::pg::TextRows rows = mycelium::pg::query_as_owner(
        ("SELECT s.value FROM " + settings.qualified + " s WHERE s.name = 'require_signed_context'")
            .c_str(),
        {});
    const bool on = rows.size() == 1 && rows.at(0, 0) && *rows.at(0, 0) == "on";
    if (changes == s.settings_changes) s.signed_by_table = on;
    return on;
}

// The switch as the server (mycelium.require_signed_context) or the data says it.
bool signed_context_required() { return require_signed || signed_required_by_table(); }

// The backend and transaction a sealed context is bound to. A parallel worker
// answers for its leader: the leader's backend id, and the transaction start time
// that PostgreSQL hands to every worker.
mycelium::core::Binding current_binding(std::int64_t expires_at) {
    mycelium::core::Binding b{};
    b.backend_id =
        ParallelLeaderBackendId != InvalidBackendId ? ParallelLeaderBackendId : MyBackendId;
    b.transaction_start = GetCurrentTransactionStartTimestamp();
    // A parallel worker belongs to its leader's lock group; the leader is in the
    // transaction for as long as the worker runs.
    const PGPROC *leader = MyProc->lockGroupLeader != nullptr ? MyProc->lockGroupLeader : MyProc;
    b.local_xid = leader->lxid;
    b.expires_at = expires_at;
    return b;
}

std::int64_t unix_now() { return static_cast<std::int64_t>(time(nullptr)); }

// Whether a seal's binding names this backend and transaction and has not
// expired: a sealed value holds only where and while it was made for.
bool holds_here(const mycelium::core::Binding &b) {
    const mycelium::core::Binding now = current_binding(0);
    return b.backend_id == now.backend_id && b.transaction_start == now.transaction_start &&
           b.local_xid == now.local_xid && b.expires_at > unix_now();
}

// Whether request.jwt.claims holds a value set for this transaction only (SET
// LOCAL, set_config(..., true), or a function's SET clause), which is how
// PostgREST-style servers set it. A session-level value would outlive the
// request and reach the next client of a pooled connection: it grants nothing.
bool claims_set_for_this_transaction() {
    return mycelium::pg::guard([] {
        struct config_generic **vars = get_guc_variables();
        const int n = GetNumConfigOptions();
        // The array is kept sorted by name, case-insensitively.
        int low = 0, high = n - 1;
        while (low <= high) {
            const int mid = low + (high - low) / 2;
            const int c = pg_strcasecmp(vars[mid]->name, "request.jwt.claims");
            if (c == 0) {
                const GucStack *top = vars[mid]->stack;
                return top != nullptr && (top->state == GUC_LOCAL || top->state == GUC_SET_LOCAL ||
                                          top->state == GUC_SAVE);
            }
            if (c < 0)
                low = mid + 1;
            else
                high = mid - 1;
        }
        return false;
    });
}

// The member a set of claims names, checked as set_context and authenticate
// check it (mycelium_internal.check_member: exists in that organization, active, has that
// role; a portal user's client comes from its row), and whose session has not
// ended (mycelium_internal.token_revoked, by the claims' stamp), or none.
std::optional<mycelium::core::Context> checked_member(mycelium::core::Context ctx,
                                                      const mycelium::core::Stamp &stamp) {
    using mycelium::pg::QueryParam;
    const QueryParam issued_at =
        stamp.issued_at
            ? QueryParam::of(TIMESTAMPTZOID, TimestampTzGetDatum(time_t_to_timestamptz(
                                                 static_cast<pg_time_t>(*stamp.issued_at))))
            : QueryParam::of(TIMESTAMPTZOID, 0, true);
    const QueryParam session = stamp.session
                                   ? QueryParam::of(INT8OID, Int64GetDatum(*stamp.session))
                                   : QueryParam::of(INT8OID, 0, true);
    const QueryParam token_id =
        stamp.token_id ? QueryParam::text(*stamp.token_id) : QueryParam::of(TEXTOID, 0, true);
    const mycelium::pg::TextRows rows = mycelium::pg::query_as_owner(
        "SELECT m.client_id, m.problem, pg_catalog.array_to_string(m.service_access, ',') "
        "  FROM mycelium_internal.check_member($1, $2, $3) m "
        " WHERE NOT mycelium_internal.token_revoked($1, $2, $4, $5, $6)",
        {QueryParam::uuid(ctx.organization_id), QueryParam::uuid(ctx.user_id),
         QueryParam::text(ctx.role), issued_at, session, token_id});
    if (rows.size() != 1 || rows.at(0, 1)) return std::nullopt;
    // A CUSTOM user's services are its row's, whatever the claims say.
    ctx.service_access.clear();
    if (rows.at(0, 2) && !rows.at(0, 2)->empty()) {
        const std::string &services = *rows.at(0, 2);
        std::string::size_type start = 0;
        while (true) {
            const std::string::size_type comma = services.find(',', start);
            ctx.service_access.push_back(services.substr(start, comma - start));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    if (ctx.role == "CLIENT") {
        if (!rows.at(0, 0)) return std::nullopt;
        if (!ctx.client_id.empty() && ctx.client_id != *rows.at(0, 0)) return std::nullopt;
        ctx.client_id = *rows.at(0, 0);
    }
    return ctx;
}

}  // namespace

namespace mycelium::pg {

using mycelium::pg::QueryParam;
using mycelium::pg::TextRows;

void define_context_settings() {
    DefineCustomStringVariable(
        "mycelium.context", "The sealed tenant context of the current transaction.",
        "Set by mycelium.authenticate() and mycelium.set_context(); a value written by hand is "
        "ignored.",
        &sealed_setting, "", PGC_USERSET,
        GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE, nullptr, nullptr, nullptr);
    DefineCustomStringVariable(
        "mycelium.password_change_context",
        "The sealed account of a session that may only change its password.",
        "Set by mycelium.authenticate() and mycelium.set_context() for an account that must change "
        "its password; no policy reads it.",
        &password_change_setting, "", PGC_USERSET,
        GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE, nullptr, nullptr, nullptr);
    // Where this transaction's request came from, for the activity log
    // (mycelium.set_request_info); what the application says, unchecked.
    DefineCustomStringVariable("mycelium.request_ip", "The client address of the current request.",
                               "Set by mycelium.set_request_info(); copied into activity_logs.",
                               &request_ip_setting, "", PGC_USERSET,
                               GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("mycelium.request_user_agent",
                               "The User-Agent of the current request.",
                               "Set by mycelium.set_request_info(); copied into activity_logs.",
                               &request_user_agent_setting, "", PGC_USERSET,
                               GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE, nullptr, nullptr, nullptr);
    DefineCustomStringVariable(
        "mycelium.request_session", "The application's session id of the current request.",
        "Set by mycelium.set_request_info(); copied into activity_logs.", &request_session_setting,
        "", PGC_USERSET, GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable(
        "mycelium.require_signed_context",
        "Accept only contexts sealed by mycelium.authenticate() (or set_context by a superuser).",
        "When on, the request.jwt.claims setting and set_context() by other roles grant nothing.",
        &require_signed, false, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    CacheRegisterRelcacheCallback(forget_keys, 0);
    CacheRegisterSyscacheCallback(AUTHOID, forget_portal_role, 0);
}

// Keys are read as the owner: no application role may read
// mycelium_internal.auth_keys, but every role's policies need the context key.
// The token key is kept for the backend, as the context key is (context_key()),
// until announce_change reports a change of the table: authenticate runs once
// per request, and the query cost more than verifying the token.
std::string load_key(const char *purpose) {
    State &s = state();
    const bool jwt = std::strcmp(purpose, "jwt") == 0;
    if (jwt && !s.jwt_key.empty()) return s.jwt_key;
    const InternalTable keys = internal_table("auth_keys");
    if (keys.relid == InvalidOid) return std::string();
    s.keys_relid = keys.relid;
    const std::uint64_t changes = s.keys_changes;
    const std::string sql = "SELECT pg_catalog.encode(k.secret, 'hex') FROM " + keys.qualified +
                            " k WHERE k.purpose = $1";
    const TextRows rows = query_as_owner(sql.c_str(), {QueryParam::text(purpose)});
    if (rows.size() != 1 || !rows.at(0, 0)) return std::string();
    const std::string &hex = *rows.at(0, 0);
    std::string key(hex.size() / 2, '\0');
    for (size_t i = 0; i < key.size(); ++i)
        key[i] = static_cast<char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    if (jwt && changes == s.keys_changes) s.jwt_key = key;
    return key;
}

const std::string &context_key() {
    State &s = state();
    if (s.context_key.empty()) {
        s.context_key = load_key("context");
        if (s.context_key.empty())
            throw Error(ErrorKind::Internal, "mycelium: the context key is missing",
                        "mycelium_internal.auth_keys has no 'context' row.",
                        "Reinstall the extension, or insert a key of 32 random bytes.");
    }
    return s.context_key;
}

namespace {

// The context for any role, without a copy: valid until the next read of the
// context, which may replace what it points to. nullptr: none.
const core::Context *context_view_for_any_role() {
    State &s = state();
    const char *sealed = sealed_setting;
    if (sealed != nullptr && sealed[0] != '\0') {
        if (s.sealed_value != sealed) {
            // Opened before the cache changes: a throw (no key) leaves it whole.
            std::optional<core::Sealed> opened = core::open_context(sealed, context_key());
            s.sealed_value.clear();
            s.sealed = std::move(opened);
            s.sealed_value = sealed;
        }
        if (s.sealed && holds_here(s.sealed->binding)) return &s.sealed->context;
        return nullptr;
    }
    if (s.checking_claims || signed_context_required()) return nullptr;
    const char *claims = guard([] { return GetConfigOption("request.jwt.claims", true, false); });
    if (claims == nullptr || claims[0] == '\0') return nullptr;
    // A parallel worker cannot see how its leader set the value (workers receive
    // values, not the setting's history); the leader checked it.
    if (!IsParallelWorker() && !claims_set_for_this_transaction()) return nullptr;
    const std::int64_t transaction = current_binding(0).local_xid;
    if (s.claims_value != claims || s.claims_checked_in != transaction) {
        s.claims_value = claims;
        s.claims_checked_in = -1;
        core::Stamp stamp;
        s.claims = core::context_from_claims(s.claims_value, &stamp);
        if (s.claims) {
            s.checking_claims = true;
            try {
                s.claims = checked_member(*s.claims, stamp);
            } catch (...) {
                s.checking_claims = false;
                s.claims.reset();
                throw;
            }
            s.checking_claims = false;
        }
        s.claims_checked_in = transaction;
    }
    return s.claims ? &*s.claims : nullptr;
}
}  // namespace

std::optional<core::Context> context_for_any_role() {
    const core::Context *ctx = context_view_for_any_role();
    if (ctx == nullptr) return std::nullopt;
    return *ctx;
}

bool acting_as_portal() {
    return guard([] {
        if (!OidIsValid(portal_role)) portal_role = get_role_oid(kPortalRole, true);
        return OidIsValid(portal_role) && GetOuterUserId() == portal_role;
    });
}

const core::Context *current_context_view() {
    const core::Context *ctx = context_view_for_any_role();
    // A portal user's context holds only while the transaction acts as the
    // portal role, whose column privileges keep the agency's internal columns
    // away from it: under any other role (an application's, which reads every
    // column) it is no context at all.
    if (ctx != nullptr && ctx->role == "CLIENT" && !acting_as_portal()) return nullptr;
    return ctx;
}

std::optional<core::Context> current_context() {
    const core::Context *ctx = current_context_view();
    if (ctx == nullptr) return std::nullopt;
    return *ctx;
}

}  // namespace mycelium::pg

namespace {

// A canonical UUID's text (as every context holds its ids) as a uuid Datum,
// without uuid_in's general parser: the policies call these once per scan, or
// per row where the planner puts them in a filter.
Datum uuid_datum(const std::string &text) {
    if (!mycelium::core::is_uuid(text))
        throw Error(ErrorKind::Internal, "mycelium: a context holds an id that is not a UUID");
    const auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    pg_uuid_t bytes;
    for (std::size_t i = 0, at = 0; at < UUID_LEN; i += 2) {
        if (text[i] == '-') ++i;
        bytes.data[at++] = static_cast<unsigned char>(nibble(text[i]) << 4 | nibble(text[i + 1]));
    }
    return mycelium::pg::guard([&] {
        auto *out = static_cast<pg_uuid_t *>(palloc(sizeof(pg_uuid_t)));
        *out = bytes;
        return UUIDPGetDatum(out);
    });
}

// The kind a policy specialization names: "admin", "staff" or "portal".
enum class Kind { Admin, Staff, Portal };

Kind kind_arg(FunctionCallInfo fcinfo) {
    const text *t = mycelium::pg::guard([&] { return PG_GETARG_TEXT_PP(0); });
    const std::string_view kind(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
    if (kind == "admin") return Kind::Admin;
    if (kind == "staff") return Kind::Staff;
    if (kind == "portal") return Kind::Portal;
    throw Error(ErrorKind::InvalidParameter,
                "current_organization_id_for: kind must be admin, staff or portal");
}

}  // namespace

MYCELIUM_FUNCTION(mycelium_current_organization_id) {
    const mycelium::core::Context *ctx = mycelium::pg::current_context_view();
    if (ctx == nullptr) PG_RETURN_NULL();
    return uuid_datum(ctx->organization_id);
}

// current_organization_id_for(kind): the organization of the current context
// when its role is of that kind ('admin': ADMIN, 'portal': CLIENT, 'staff':
// any other), else NULL: the one test of a policy specialized for a kind of
// context (95_role_policies.sql), compared with the index key, so that it is
// computed once per scan and a context of another kind matches no row.
MYCELIUM_FUNCTION(mycelium_current_organization_id_for) {
    const Kind kind = kind_arg(fcinfo);
    const mycelium::core::Context *ctx = mycelium::pg::current_context_view();
    if (ctx == nullptr) PG_RETURN_NULL();
    const bool admin = ctx->role == "ADMIN", portal = ctx->role == "CLIENT";
    const bool match = kind == Kind::Admin    ? admin
                       : kind == Kind::Portal ? portal
                                              : !admin && !portal;
    if (!match) PG_RETURN_NULL();
    return uuid_datum(ctx->organization_id);
}

MYCELIUM_FUNCTION(mycelium_current_app_user_id) {
    const mycelium::core::Context *ctx = mycelium::pg::current_context_view();
    if (ctx == nullptr) PG_RETURN_NULL();
    return uuid_datum(ctx->user_id);
}

MYCELIUM_FUNCTION(mycelium_current_app_role) {
    const mycelium::core::Context *ctx = mycelium::pg::current_context_view();
    if (ctx == nullptr) PG_RETURN_NULL();
    PG_RETURN_TEXT_P(mycelium::pg::utf8_to_text(ctx->role));
}

MYCELIUM_FUNCTION(mycelium_current_client_id) {
    const mycelium::core::Context *ctx = mycelium::pg::current_context_view();
    if (ctx == nullptr || ctx->client_id.empty()) PG_RETURN_NULL();
    return uuid_datum(ctx->client_id);
}

MYCELIUM_FUNCTION(mycelium_current_service_access) {
    const mycelium::core::Context *ctx = mycelium::pg::current_context_view();
    std::vector<std::string> slugs;
    if (ctx != nullptr) slugs = ctx->service_access;
    ArrayType *arr = mycelium::pg::guard([&] {
        Datum *elems = static_cast<Datum *>(palloc(sizeof(Datum) * (slugs.size() + 1)));
        for (size_t i = 0; i < slugs.size(); ++i)
            elems[i] = PointerGetDatum(cstring_to_text_with_len(slugs[i].data(), slugs[i].size()));
        return construct_array(elems, static_cast<int>(slugs.size()), TEXTOID, -1, false,
                               TYPALIGN_INT);
    });
    PG_RETURN_ARRAYTYPE_P(arr);
}

// mycelium.signed_context_required(): the switch as this library defines it. Read
// here, not with current_setting() in SQL: before the library is loaded in a
// backend the name is a placeholder that any role may SET, and PostgreSQL drops
// such a value only when the library defines the setting, which calling this
// function does first.
MYCELIUM_FUNCTION(mycelium_signed_context_required) { PG_RETURN_BOOL(signed_context_required()); }

namespace {

// A password-change session is sealed as a context is, under a key of its own:
// a value from one setting never opens as the other, so a session that may only
// change its password can never pass for a tenant context.
std::string password_change_key() {
    return mycelium::pg::context_key() + std::string("\0mycelium password change", 25);
}

// The context the arguments of seal_context describe: organization_id, user_id,
// role, client_id, service_access (absent from seal_password_change).
mycelium::core::Context context_arguments(FunctionCallInfo fcinfo, bool with_services) {
    using mycelium::pg::guard;
    auto uuid_text = [&](int argno) {
        return std::string(guard([&] {
            return DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(argno)));
        }));
    };
    mycelium::core::Context ctx;
    ctx.organization_id = uuid_text(0);
    ctx.user_id = uuid_text(1);
    ctx.role = mycelium::pg::text_arg_utf8(fcinfo, 2);
    if (!PG_ARGISNULL(3)) ctx.client_id = uuid_text(3);
    if (with_services && !PG_ARGISNULL(4)) {
        ArrayType *arr = guard([&] { return PG_GETARG_ARRAYTYPE_P(4); });
        Datum *elems = nullptr;
        bool *nulls = nullptr;
        int n = 0;
        guard(
            [&] { deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n); });
        for (int i = 0; i < n; ++i) {
            if (nulls[i])
                throw Error(ErrorKind::InvalidParameter,
                            "seal_context: service_access holds a NULL");
            text *t = DatumGetTextPP(elems[i]);
            ctx.service_access.emplace_back(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
        }
    }
    return ctx;
}

void seal_into(const char *setting, const mycelium::core::Context &ctx, TimestampTz expires,
               const std::string &key) {
    const std::int64_t expires_unix = static_cast<std::int64_t>(timestamptz_to_time_t(expires));
    mycelium::core::Sealed kept{};
    const std::string sealed =
        mycelium::core::seal_context(ctx, current_binding(expires_unix), key, &kept);
    mycelium::pg::guard([&] {
        (void)set_config_option(setting, sealed.c_str(), PGC_USERSET, PGC_S_SESSION,
                                GUC_ACTION_LOCAL, true, 0, false);
    });
    // The context just sealed is taken as opened: the policies' first read of
    // it in this transaction need not verify what this backend signed a moment
    // ago. Keyed by the exact value, as every read compares it.
    if (std::strcmp(setting, "mycelium.context") == 0) {
        // In this order, so that a failed copy leaves a value no read matches.
        State &s = state();
        s.sealed_value.clear();
        s.sealed = std::move(kept);
        s.sealed_value = sealed;
    }
}

// What a sealed value holds, if it is valid in this transaction now.
std::optional<mycelium::core::Context> open_here(const char *value, const std::string &key) {
    if (value == nullptr || value[0] == '\0') return std::nullopt;
    const std::optional<mycelium::core::Sealed> opened = mycelium::core::open_context(value, key);
    if (opened && holds_here(opened->binding)) return opened->context;
    return std::nullopt;
}

}  // namespace

std::optional<mycelium::core::Context> mycelium::pg::password_change_context() {
    return open_here(password_change_setting, password_change_key());
}

// seal_context(organization_id, user_id, role, client_id, service_access, expires_at)
MYCELIUM_FUNCTION(mycelium_seal_context) {
    for (int i : {0, 1, 2, 5})
        if (PG_ARGISNULL(i))
            throw Error(ErrorKind::InvalidParameter,
                        "seal_context: organization_id, user_id, role and expires_at are required");
    seal_into("mycelium.context", context_arguments(fcinfo, true), PG_GETARG_TIMESTAMPTZ(5),
              mycelium::pg::context_key());
    PG_RETURN_VOID();
}

// seal_password_change(organization_id, user_id, role, client_id, expires_at)
MYCELIUM_FUNCTION(mycelium_seal_password_change) {
    for (int i : {0, 1, 2, 4})
        if (PG_ARGISNULL(i))
            throw Error(ErrorKind::InvalidParameter,
                        "seal_password_change: organization_id, user_id, role and expires_at are "
                        "required");
    seal_into("mycelium.password_change_context", context_arguments(fcinfo, false),
              PG_GETARG_TIMESTAMPTZ(4), password_change_key());
    PG_RETURN_VOID();
}

// password_change_account() -> (organization_id, user_id): the account of this
// transaction's password-change session, or NULLs.
MYCELIUM_FUNCTION(mycelium_password_change_account) {
    using mycelium::pg::guard;
    const std::optional<mycelium::core::Context> ctx =
        open_here(password_change_setting, password_change_key());
    HeapTuple tuple = guard([&] {
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                            errmsg("password_change_account: must return a record"),
                            mycelium::pg::errschema()));
        desc = BlessTupleDesc(desc);
        Datum values[2] = {0, 0};
        bool nulls[2] = {!ctx, !ctx};
        if (ctx) {
            values[0] = DirectFunctionCall1(uuid_in, CStringGetDatum(ctx->organization_id.c_str()));
            values[1] = DirectFunctionCall1(uuid_in, CStringGetDatum(ctx->user_id.c_str()));
        }
        return heap_form_tuple(desc, values, nulls);
    });
    return HeapTupleGetDatum(tuple);
}

// verify_token(token) -> (organization_id, user_id, role, client_id, service_access, expires_at)
MYCELIUM_FUNCTION(mycelium_verify_token) {
    using mycelium::pg::guard;
    const std::string token = mycelium::pg::text_arg_utf8(fcinfo, 0);
    const std::string key = mycelium::pg::load_key("jwt");
    if (key.empty())
        throw Error(ErrorKind::ObjectNotInPrerequisiteState, "authenticate: no token key is set",
                    "mycelium_internal.auth_keys has no 'jwt' row.",
                    "An administrator sets one with mycelium.set_jwt_secret(secret).");
    const mycelium::core::VerifiedToken verified =
        mycelium::core::verify_jwt_hs256(token, key, unix_now());
    const mycelium::core::Context &ctx = verified.context;

    HeapTuple tuple = guard([&] {
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            ereport(ERROR,
                    (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                     errmsg("verify_token: must return a record"), mycelium::pg::errschema()));
        desc = BlessTupleDesc(desc);
        Datum values[9];
        bool nulls[9] = {false,
                         false,
                         false,
                         ctx.client_id.empty(),
                         false,
                         false,
                         !verified.issued_at.has_value(),
                         !verified.session.has_value(),
                         !verified.token_id.has_value()};
        values[0] = DirectFunctionCall1(uuid_in, CStringGetDatum(ctx.organization_id.c_str()));
        values[1] = DirectFunctionCall1(uuid_in, CStringGetDatum(ctx.user_id.c_str()));
        values[2] = PointerGetDatum(cstring_to_text_with_len(ctx.role.data(), ctx.role.size()));
        values[3] = ctx.client_id.empty()
                        ? Datum(0)
                        : DirectFunctionCall1(uuid_in, CStringGetDatum(ctx.client_id.c_str()));
        Datum *slugs =
            static_cast<Datum *>(palloc(sizeof(Datum) * (ctx.service_access.size() + 1)));
        for (size_t i = 0; i < ctx.service_access.size(); ++i)
            slugs[i] = PointerGetDatum(cstring_to_text_with_len(ctx.service_access[i].data(),
                                                                ctx.service_access[i].size()));
        values[4] = PointerGetDatum(construct_array(
            slugs, static_cast<int>(ctx.service_access.size()), TEXTOID, -1, false, TYPALIGN_INT));
        values[5] =
            TimestampTzGetDatum(time_t_to_timestamptz(static_cast<pg_time_t>(verified.expires_at)));
        values[6] = verified.issued_at ? TimestampTzGetDatum(time_t_to_timestamptz(
                                             static_cast<pg_time_t>(*verified.issued_at)))
                                       : Datum(0);
        values[7] = verified.session ? Int64GetDatum(*verified.session) : Datum(0);
        values[8] = verified.token_id ? PointerGetDatum(cstring_to_text_with_len(
                                            verified.token_id->data(), verified.token_id->size()))
                                      : Datum(0);
        return heap_form_tuple(desc, values, nulls);
    });
    return HeapTupleGetDatum(tuple);
}

// remember_token(organization_id, token_id, expires_at): authenticate's note of
// the token it accepted, for sign_out in the same transaction. Private.
MYCELIUM_FUNCTION(mycelium_remember_token) {
    State &s = state();
    s.token_accepted_in = -1;
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2)) PG_RETURN_VOID();
    s.token_organization = mycelium::pg::guard(
        [&] { return DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(0))); });
    s.token_id = mycelium::pg::text_arg_utf8(fcinfo, 1);
    s.token_expires_at = static_cast<std::int64_t>(timestamptz_to_time_t(PG_GETARG_TIMESTAMPTZ(2)));
    s.token_accepted_in = current_binding(0).local_xid;
    PG_RETURN_VOID();
}

// current_token() -> (organization_id, token_id, expires_at): the token
// authenticate accepted in this transaction, or NULLs. Private.
MYCELIUM_FUNCTION(mycelium_current_token) {
    const State &s = state();
    const bool known =
        s.token_accepted_in >= 0 && s.token_accepted_in == current_binding(0).local_xid;
    HeapTuple tuple = mycelium::pg::guard([&] {
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            ereport(ERROR,
                    (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                     errmsg("current_token: must return a record"), mycelium::pg::errschema()));
        desc = BlessTupleDesc(desc);
        Datum values[3] = {0, 0, 0};
        bool nulls[3] = {!known, !known, !known};
        if (known) {
            values[0] = DirectFunctionCall1(uuid_in, CStringGetDatum(s.token_organization.c_str()));
            values[1] =
                PointerGetDatum(cstring_to_text_with_len(s.token_id.data(), s.token_id.size()));
            values[2] = TimestampTzGetDatum(
                time_t_to_timestamptz(static_cast<pg_time_t>(s.token_expires_at)));
        }
        return heap_form_tuple(desc, values, nulls);
    });
    return HeapTupleGetDatum(tuple);
}

namespace mycelium::pg {

namespace {

// At most this many tokens are kept per backend; a full cache is emptied.
constexpr std::size_t kAcceptedTokensMax = 1024;

// The tables whose changes drop the accepted tokens: session_floors (which the
// other tables that decide acceptance announce themselves as), the keys and
// the settings. Looked up again before every fill, so that a table made anew
// (an update, a re-created extension) is the one watched.
void watch_access_tables() {
    State &s = state();
    s.access_relids[0] = internal_table("session_floors").relid;
    s.access_relids[1] = internal_table("auth_keys").relid;
    s.access_relids[2] = internal_table("settings").relid;
}

}  // namespace

std::uint64_t accepted_tokens_changes() {
    watch_access_tables();
    guard([] { AcceptInvalidationMessages(); });
    return state().access_changes;
}

std::optional<std::int64_t> accept_again(const std::string &token) {
    State &s = state();
    if (s.accepted.empty()) return std::nullopt;
    // A change committed before this call is seen, as a query now would see it.
    guard([] { AcceptInvalidationMessages(); });
    const auto found = s.accepted.find(token);
    if (found == s.accepted.end()) return std::nullopt;
    const AcceptedToken accepted = found->second;
    if (accepted.ends <= unix_now()) {
        s.accepted.erase(found);
        return std::nullopt;
    }
    // As establish_context and remember_token do: a context and a
    // password-change session never stand together.
    guard([] {
        (void)set_config_option("mycelium.password_change_context", "", PGC_USERSET, PGC_S_SESSION,
                                GUC_ACTION_LOCAL, true, 0, false);
    });
    seal_into("mycelium.context", accepted.context,
              time_t_to_timestamptz(static_cast<pg_time_t>(accepted.ends)), context_key());
    s.token_accepted_in = -1;
    if (accepted.token_id) {
        s.token_organization = accepted.context.organization_id;
        s.token_id = *accepted.token_id;
        s.token_expires_at = accepted.ends;
        s.token_accepted_in = current_binding(0).local_xid;
    }
    return accepted.expires_at;
}

void keep_accepted(const std::string &token, const std::string &token_utf8,
                   std::uint64_t changes_before) {
    State &s = state();
    if (token.size() > kAcceptedTokenMaxBytes || s.access_changes != changes_before ||
        s.access_relids[0] == InvalidOid)
        return;
    // What authenticate sealed: the value just set, opened by context_for_any_role.
    const char *sealed = sealed_setting;
    if (sealed == nullptr || s.sealed_value != sealed || !s.sealed ||
        !holds_here(s.sealed->binding))
        return;
    std::optional<core::VerifiedToken> verified;
    try {
        if (core::route_token(token_utf8).algorithm != "HS256") return;
        const std::string key = load_key("jwt");
        if (key.empty()) return;
        verified = core::verify_jwt_hs256(token_utf8, key, unix_now());
    } catch (const core::Error &) {
        return;  // expired since, or a key changed: checked the long way next time
    }
    if (!verified->issued_at || s.access_changes != changes_before) return;
    if (s.accepted.size() >= kAcceptedTokensMax) s.accepted.clear();
    s.accepted[token] = AcceptedToken{s.sealed->context, s.sealed->binding.expires_at,
                                      verified->expires_at, verified->token_id};
}

}  // namespace mycelium::pg
