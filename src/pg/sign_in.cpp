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
    // A temporary password: used_up when it has expired or already opened a session.
    bool must_change = false, temporary = false, used_up = false;
    int max_attempts = 5, timeout_hours = 24;
    std::int64_t session = 0;  // session_floors.generation: the sessions ended so far
};

// FOR UPDATE: concurrent attempts on one account take turns, so that each sees
// the others' count and the lock is set once.
constexpr char kStaffAccount[] =
    "SELECT u.id, u.role::text, u.status::text, "
    "       mycelium_internal.lock_holds(u.locked_at, u.login_attempts, "
    "                                    coalesce(s.max_login_attempts, 5)), c.password_hash, "
    "       coalesce(c.must_change_password, false), c.temporary_until IS NOT NULL, "
    "       coalesce(c.temporary_until <= now() OR c.temporary_used_at IS NOT NULL, false), "
    "       coalesce(s.max_login_attempts, 5), "
    "       coalesce(s.session_timeout_hours, 24), NULL, "
    "       (SELECT f.generation FROM mycelium_internal.session_floors f "
    "         WHERE f.organization_id = u.organization_id AND f.account_id = u.id) "
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
    "       coalesce(mycelium_internal.lock_holds(c.locked_at, c.failed_attempts, "
    "                                             coalesce(s.max_login_attempts, 5)), false), "
    "       c.password_hash, coalesce(c.must_change_password, false), "
    "       c.temporary_until IS NOT NULL, "
    "       coalesce(c.temporary_until <= now() OR c.temporary_used_at IS NOT NULL, false), "
    "       coalesce(s.max_login_attempts, 5), coalesce(s.session_timeout_hours, 24), "
    "       cu.client_id, "
    "       (SELECT f.generation FROM mycelium_internal.session_floors f "
    "         WHERE f.organization_id = cu.organization_id AND f.account_id = cu.id) "
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
    a.temporary = *rows.at(0, 6) == "t";
    a.used_up = *rows.at(0, 7) == "t";
    a.max_attempts = std::stoi(*rows.at(0, 8));
    a.timeout_hours = std::stoi(*rows.at(0, 9));
    if (rows.at(0, 10)) a.client_id = *rows.at(0, 10);
    if (rows.at(0, 11)) a.session = std::stoll(*rows.at(0, 11));
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

// 128 bits from the server's strong random source, in hex: a token's "jti".
std::string random_token_id() {
    unsigned char bytes[16];
    if (!pg_strong_random(bytes, sizeof bytes))
        throw Error(ErrorKind::Internal, "sign_in: the server gave no random bytes for a token id");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    for (const unsigned char b : bytes) {
        id += kHex[b >> 4];
        id += kHex[b & 0x0f];
    }
    return id;
}

// A token for mycelium.authenticate, signed with the 'jwt' key, valid for the
// given number of hours from now: what sign_in and sign_up return. It carries
// the count of the account's ended sessions ("mycelium_session"), so that the
// next end refuses it even within the same second, and an id of its own
// ("jti"), so that sign_out can end it alone.
struct Issued {
    std::string token;
    std::int64_t expires_at;
};
Issued issue_token(const std::string &key, const std::string &org, const std::string &user,
                   const std::string &role, const std::string &client_id, int lifetime_hours,
                   std::int64_t session) {
    const std::int64_t now = static_cast<std::int64_t>(time(nullptr));
    const std::int64_t expires = now + static_cast<std::int64_t>(lifetime_hours) * 3600;
    nlohmann::json claims = {{"organization_id", org},  {"sub", user},
                             {"app_role", role},        {"iat", now},
                             {"exp", expires},          {"mycelium_session", session},
                             {"jti", random_token_id()}};
    if (!client_id.empty()) claims["client_id"] = client_id;
    return Issued{mycelium::core::sign_jwt_hs256(claims.dump(), key), expires};
}

std::string jwt_key(const char *fn) {
    const std::string key = mycelium::pg::load_key("jwt");
    if (key.empty())
        throw Error(ErrorKind::ObjectNotInPrerequisiteState,
                    std::string(fn) + ": no token key is set",
                    "mycelium_internal.auth_keys has no 'jwt' row.",
                    "An administrator sets one with mycelium.set_jwt_secret(secret).");
    return key;
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
    const std::string key = jwt_key("sign_in");

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
    else if (account->used_up)
        reason = "temporary password expired or already used";

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
    record(org, portal, account, true, account->temporary ? "temporary password" : "password",
           email, new_hash);
    mycelium::pg::guard([] { SPI_finish(); });

    const Issued issued = issue_token(key, org, account->user_id, account->role, account->client_id,
                                      account->timeout_hours, account->session);
    const std::string &token = issued.token;
    const std::int64_t expires = issued.expires_at;
    const bool change_required = account->must_change;

    Datum result = mycelium::pg::guard([&] {
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                            errmsg("sign_in: declared without its output parameters"),
                            mycelium::pg::errschema()));
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

// mycelium_internal.issue_token(organization_id, user_id, role, client_id,
// lifetime_hours, session) -> (token, expires_at). Private: for sign_up,
// which has made the account it signs in.
MYCELIUM_FUNCTION(mycelium_issue_token) {
    using mycelium::pg::guard;
    for (int i : {0, 1, 2, 4})
        if (PG_ARGISNULL(i))
            throw Error(
                ErrorKind::InvalidParameter,
                "issue_token: organization_id, user_id, role and lifetime_hours are required");
    auto uuid_text = [&](int argno) {
        return std::string(guard([&] {
            return DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(argno)));
        }));
    };
    const int hours = guard([&] { return PG_GETARG_INT32(4); });
    if (hours <= 0)
        throw Error(ErrorKind::InvalidParameter, "issue_token: lifetime_hours must be positive");
    const std::int64_t session =
        guard([&] { return PG_ARGISNULL(5) ? std::int64_t{0} : PG_GETARG_INT64(5); });
    const Issued issued = issue_token(jwt_key("issue_token"), uuid_text(0), uuid_text(1),
                                      mycelium::pg::text_arg_utf8(fcinfo, 2),
                                      PG_ARGISNULL(3) ? "" : uuid_text(3), hours, session);
    return guard([&] {
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                            errmsg("issue_token: declared without its output parameters"),
                            mycelium::pg::errschema()));
        desc = BlessTupleDesc(desc);
        Datum values[2];
        bool nulls[2] = {false, false};
        values[0] =
            PointerGetDatum(cstring_to_text_with_len(issued.token.data(), issued.token.size()));
        values[1] =
            TimestampTzGetDatum(time_t_to_timestamptz(static_cast<pg_time_t>(issued.expires_at)));
        return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
    });
}
