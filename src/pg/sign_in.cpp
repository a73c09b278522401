// CALL mycelium.sign_in(organization_id, email, password [, portal]): a staff
// member (or, with portal, a client's portal user) signs in with a password and
// gets a token for mycelium.authenticate.
//
// A procedure, not a function, because a failed attempt must count even though
// the caller gets an error: the attempt (its counter, the lock, the activity-log
// row) is committed, then 28P01 is raised. A function's writes would roll back
// with its error, and an attacker could then guess without ever being counted
// (or, in a statement of its own, learn the verdict from whether the statement
// failed). So sign_in runs only as a CALL outside a transaction block, and
// refuses, before looking at anything, to run where it could not commit.
//
// Every failure gives the same error and takes about the same time: an unknown
// e-mail is checked against a dummy hash of today's parameters; an inactive or
// locked account is checked against its own hash. The reason goes to the
// activity log (mycelium_internal.record_sign_in).
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/context.hpp"
#include "core/error.hpp"
#include "core/password.hpp"
#include "pg/boundary.hpp"
#include "pg/context.hpp"
#include "pg/password.hpp"
#include "pg/spi.hpp"
#include "pg/text.hpp"

extern "C" {
#include "access/htup_details.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
}

namespace {

using mycelium::core::Error;
using mycelium::core::ErrorKind;
using mycelium::pg::QueryParam;
using mycelium::pg::TextRows;

constexpr char kRefusal[] = "sign_in: the e-mail or the password is not right";

// What the database knows of the account an e-mail names in an organization.
struct Account {
    std::string user_id, role, status, client_id;
    bool locked = false;
    std::optional<std::string> hash;
    bool must_change = false, first_sign_in = false, require_change = false;
    int max_attempts = 5, timeout_hours = 24;
};

// FOR UPDATE: concurrent attempts on one account take turns, so that each sees
// the others' count and the lock is set once.
constexpr char kStaffAccount[] =
    "SELECT u.id, u.role::text, u.status::text, u.locked_at IS NOT NULL, c.password_hash, "
    "       coalesce(c.must_change_password, false), u.last_login_at IS NULL, "
    "       coalesce(s.require_password_change, true), coalesce(s.max_login_attempts, 5), "
    "       coalesce(s.session_timeout_hours, 24), NULL "
    "  FROM mycelium.users u "
    "  LEFT JOIN mycelium_internal.credentials c "
    "         ON c.organization_id = u.organization_id AND c.user_id = u.id "
    "  LEFT JOIN mycelium.organization_settings s ON s.organization_id = u.organization_id "
    " WHERE u.organization_id = $1 AND lower(u.email) = lower($2) "
    "   FOR UPDATE OF u";
// A portal user acts only while active, with the portal on and its client
// neither TERMINATED nor ARCHIVED (as mycelium_internal.check_member says); its
// failures count in its credentials row.
constexpr char kPortalAccount[] =
    "SELECT cu.id, 'CLIENT', "
    "       CASE WHEN NOT cu.is_active THEN 'INACTIVE' "
    "            WHEN NOT coalesce(s.enable_client_portal, true) THEN 'PORTAL OFF' "
    "            WHEN k.status IN ('TERMINATED', 'ARCHIVED') THEN 'CLIENT ' || k.status::text "
    "            ELSE 'ACTIVE' END, "
    "       c.locked_at IS NOT NULL, c.password_hash, coalesce(c.must_change_password, false), "
    "       cu.last_login_at IS NULL, coalesce(s.require_password_change, true), "
    "       coalesce(s.max_login_attempts, 5), coalesce(s.session_timeout_hours, 24), "
    "       cu.client_id "
    "  FROM mycelium.client_users cu "
    "  JOIN mycelium.clients k ON k.organization_id = cu.organization_id AND k.id = cu.client_id "
    "  LEFT JOIN mycelium_internal.credentials c "
    "         ON c.organization_id = cu.organization_id AND c.client_user_id = cu.id "
    "  LEFT JOIN mycelium.organization_settings s ON s.organization_id = cu.organization_id "
    " WHERE cu.organization_id = $1 AND lower(cu.email) = lower($2) "
    "   FOR UPDATE OF cu";

std::optional<Account> find_account(const std::string &org, const std::string &email, bool portal) {
    const TextRows rows = mycelium::pg::write_as_owner(
        portal ? kPortalAccount : kStaffAccount, {QueryParam::uuid(org), QueryParam::text(email)});
    if (rows.size() != 1) return std::nullopt;
    Account a;
    a.user_id = *rows.at(0, 0);
    a.role = *rows.at(0, 1);
    a.status = *rows.at(0, 2);
    a.locked = *rows.at(0, 3) == "t";
    a.hash = rows.at(0, 4);
    a.must_change = *rows.at(0, 5) == "t";
    a.first_sign_in = *rows.at(0, 6) == "t";
    a.require_change = *rows.at(0, 7) == "t";
    a.max_attempts = std::stoi(*rows.at(0, 8));
    a.timeout_hours = std::stoi(*rows.at(0, 9));
    if (rows.at(0, 10)) a.client_id = *rows.at(0, 10);
    return a;
}

// A hash that matches no password, made with the given parameters once per
// backend and parameters: what an unknown e-mail is checked against.
// Never destroyed, as the other per-backend state (context.cpp says why).
const std::string &dummy_hash(const mycelium::core::Argon2Params &p) {
    static std::string *hash = new std::string();
    static mycelium::core::Argon2Params made_with{0, 0, 0};
    if (hash->empty() || made_with.memory_kib != p.memory_kib ||
        made_with.iterations != p.iterations || made_with.parallelism != p.parallelism) {
        *hash = mycelium::core::hash_password("mycelium: no account has this password", p);
        made_with = p;
    }
    return *hash;
}

void record(const std::string &org, bool portal, const std::optional<Account> &account,
            bool succeeded, const std::string &reason, const std::string &email,
            const std::string &new_hash) {
    mycelium::pg::write_as_owner(
        "SELECT mycelium_internal.record_sign_in($1, $2, $3, $4, $5, $6, $7)",
        {QueryParam::uuid(org), QueryParam::of(BOOLOID, BoolGetDatum(portal)),
         account ? QueryParam::uuid(account->user_id) : QueryParam::of(UUIDOID, 0, true),
         QueryParam::of(BOOLOID, BoolGetDatum(succeeded)), QueryParam::text(reason),
         QueryParam::text(email),
         new_hash.empty() ? QueryParam::of(TEXTOID, 0, true) : QueryParam::text(new_hash)});
}

std::string arg(FunctionCallInfo fcinfo, int n, const char *name) {
    if (PG_ARGISNULL(n))
        throw Error(ErrorKind::InvalidParameter, std::string("sign_in: ") + name + " is required",
                    "CALL mycelium.sign_in(organization_id, email, password).");
    return mycelium::pg::text_arg_utf8(fcinfo, n);
}

}  // namespace

MYCELIUM_FUNCTION(mycelium_sign_in) {
    // A sign-in writes (its count, its log): on a standby it fails at once, as
    // every writing function does (mycelium.require_writable).
    mycelium::pg::guard([] {
        PreventCommandDuringRecovery("mycelium.sign_in()");
        PreventCommandIfReadOnly("mycelium.sign_in()");
    });
    // Only where the procedure may commit: a top-level CALL, outside BEGIN.
    const bool nonatomic = mycelium::pg::guard([&] {
        return fcinfo->context != nullptr && IsA(fcinfo->context, CallContext) &&
               !castNode(CallContext, fcinfo->context)->atomic;
    });
    if (!nonatomic)
        throw Error(ErrorKind::InvalidTransactionTermination,
                    "sign_in: must be run by CALL outside a transaction block",
                    "A failed sign-in is committed before its error, so that every attempt counts.",
                    "Run CALL mycelium.sign_in(...) on its own, not in BEGIN ... COMMIT or a "
                    "function.");
    if (PG_ARGISNULL(0))
        throw Error(ErrorKind::InvalidParameter, "sign_in: organization_id is required");
    const std::string org(mycelium::pg::guard(
        [&] { return DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(0))); }));
    const std::string email = arg(fcinfo, 1, "email");
    const std::string password = arg(fcinfo, 2, "password");
    const bool portal = mycelium::pg::guard([&] { return !PG_ARGISNULL(3) && PG_GETARG_BOOL(3); });

    // Before any account is looked at: without a key there is no token to give.
    const std::string key = mycelium::pg::load_key("jwt");
    if (key.empty())
        throw Error(ErrorKind::ObjectNotInPrerequisiteState, "sign_in: no token key is set",
                    "mycelium_internal.auth_keys has no 'jwt' row.",
                    "An administrator sets one with mycelium.set_jwt_secret(secret).");

    mycelium::pg::guard([] { SPI_connect_ext(SPI_OPT_NONATOMIC); });
    const mycelium::core::Argon2Params params = mycelium::pg::password_settings().argon2;
    const std::optional<Account> account = find_account(org, email, portal);
    const bool matches = mycelium::core::verify_password(
        password, account && account->hash ? *account->hash : dummy_hash(params));
    std::string reason;
    if (!account)
        reason = "unknown e-mail";
    else if (!account->hash)
        reason = "no password set";
    else if (!matches)
        reason = "wrong password";
    else if (account->status != "ACTIVE")
        reason = "account " + account->status;
    else if (account->locked)
        reason = "account locked";

    if (!reason.empty()) {
        record(org, portal, account, false, reason, email, std::string());
        mycelium::pg::guard([] {
            SPI_commit();
            SPI_finish();
        });
        throw Error(ErrorKind::InvalidPassword, kRefusal);
    }

    const std::string new_hash = mycelium::core::needs_rehash(*account->hash, params)
                                     ? mycelium::core::hash_password(password, params)
                                     : std::string();
    record(org, portal, account, true, "password", email, new_hash);
    mycelium::pg::guard([] { SPI_finish(); });

    const std::int64_t now = static_cast<std::int64_t>(time(nullptr));
    const std::int64_t expires = now + static_cast<std::int64_t>(account->timeout_hours) * 3600;
    nlohmann::json claims = {{"organization_id", org},
                             {"sub", account->user_id},
                             {"app_role", account->role},
                             {"iat", now},
                             {"exp", expires}};
    if (!account->client_id.empty()) claims["client_id"] = account->client_id;
    const std::string token = mycelium::core::sign_jwt_hs256(claims.dump(), key);
    const bool change_required =
        account->must_change || (account->require_change && account->first_sign_in);

    Datum result = mycelium::pg::guard([&] {
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                            errmsg("sign_in: declared without its output parameters")));
        desc = BlessTupleDesc(desc);
        Datum values[5];
        bool nulls[5] = {false, false, false, false, false};
        values[0] = PointerGetDatum(cstring_to_text_with_len(token.data(), token.size()));
        values[1] = DirectFunctionCall1(uuid_in, CStringGetDatum(account->user_id.c_str()));
        values[2] = PointerGetDatum(cstring_to_text(account->role.c_str()));
        values[3] = TimestampTzGetDatum(time_t_to_timestamptz(static_cast<pg_time_t>(expires)));
        values[4] = BoolGetDatum(change_required);
        return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
    });
    return result;
}
