// The tenant context of a request (organization, user, role, client, service
// access) and the three ways it reaches the server: the PostgREST/Supabase
// request.jwt.claims setting, an HS256 JWT verified here, and the sealed value
// that carries a verified context in a transaction-local setting.
//
// Keys are the server's secrets, passed in by the glue. This header deliberately
// does not expose nlohmann::json: the glue includes core headers after
// postgres.h, whose `#define snprintf pg_snprintf` breaks the JSON header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mycelium::core {

// A token, a claims string or a sealed value longer than this is refused before
// it is parsed, so hostile input costs bounded time and memory. Real claims are a
// few hundred bytes; Supabase's, with their metadata, a few kilobytes.
inline constexpr std::size_t kContextMaxInputBytes = 16384;

// HS256 keys must be at least as long as the hash output (RFC 7518 §3.2): a
// shorter key is refused by every function here that signs or verifies.
inline constexpr std::size_t kMinKeyBytes = 32;

// Clock skew tolerated between the token issuer and the database server.
inline constexpr std::int64_t kJwtLeewaySeconds = 30;

// As the service_types.slug check constraint allows.
inline constexpr std::size_t kServiceSlugMaxLength = 100;

// The tenant context of a request. Ids are canonical lower-case UUID text (8-4-4-4-12).
struct Context {
    std::string organization_id;  // required
    std::string user_id;          // required: users.id for staff, client_users.id for CLIENT
    std::string role;             // a label of the enum mycelium.user_role (ADMIN, ..., CLIENT)
    std::string client_id;        // empty unless role == CLIENT (sealed: always its row's)
    std::vector<std::string> service_access;  // service type slugs, sorted, distinct
};

bool operator==(const Context &a, const Context &b);
inline bool operator!=(const Context &a, const Context &b) { return !(a == b); }

// Accepts upper- and lower-case hex, in the canonical hyphenated form only.
bool is_uuid(std::string_view text);
// Lower-cases. Precondition: is_uuid(text).
std::string canonical_uuid(std::string_view text);
// The form of a role name: 1 to 63 of A-Z and '_', starting with a letter, as
// the labels of the enum mycelium.user_role are. Which roles exist is the enum's
// to say, checked in SQL, so that the list has one source.
bool is_role_name(std::string_view text);
// [a-z0-9]+(-[a-z0-9]+)*, at most kServiceSlugMaxLength characters.
bool is_service_slug(std::string_view text);

// The context in canonical form: ids lower-cased, service_access sorted and
// without duplicates. For the glue of set_context(), and used by seal_context().
// Throws Error(InvalidParameter) naming the first field that is wrong: an id that
// is not a UUID, an unknown role, a CLIENT without client_id or another role with
// one, a service slug that is not a slug.
Context normalized_context(Context context);

// PostgREST/Supabase convention: the request.jwt.claims setting, a JSON object
// with organization_id, sub, app_role, client_id (optional), service_access
// (optional: a JSON array of slugs or a comma-separated string). Anything missing,
// malformed, of the wrong type or hostile gives std::nullopt: no context, not an
// error. Throws nothing but std::bad_alloc.
//
// Stricter than the JSON grammar: a key repeated at the top level is refused
// (parsers disagree on which copy wins, so an issuer and this code could read
// different claims). JSON null counts as absent. client_id may be absent when
// app_role is CLIENT (the database takes a portal user's client from its row and
// refuses a claim that names another); it is refused (the whole context, not just the claim) when
// it is present and non-null with any other role: a token that says both is
// contradictory, so it gets no context rather than a guess. A comma-separated
// service_access may have spaces around its items but no empty item; "" is none.
//
// With `stamp`, also what tells whether the session the claims stand for has
// ended (Stamp, below), read as the token verifier reads it: a stamp claim
// present but malformed gives std::nullopt as well.
struct Stamp;
std::optional<Context> context_from_claims(std::string_view json, Stamp *stamp = nullptr);

// What a token carries that says whether its session has ended: "iat"; the
// count of ended sessions it was issued under, "mycelium_session" (an integer
// >= 0, which Mycelium's own tokens carry); and its id, "jti" (a string of 1 to
// 200 characters). Each optional, none checked here.
struct Stamp {
    std::optional<std::int64_t> issued_at;
    std::optional<std::int64_t> session;
    std::optional<std::string> token_id;
};

// An HS256 JWT (RFC 7519) verified against `key` at time `now_unix`.
//
// Checks, in this order: at most kContextMaxInputBytes; three base64url parts
// (RFC 7515 alphabet, no padding, canonical final character); a header that is a
// JSON object with "alg" "HS256" ("none" and every other algorithm refused), "typ"
// "JWT" if present (case-insensitive, as media types are) and no "crit"; the
// HMAC-SHA256 of "header.payload", compared in constant time; only then is the
// payload parsed: a JSON object with a numeric "exp" > now_unix - leeway and, if
// present, a numeric "nbf" <= now_unix + leeway (kJwtLeewaySeconds; fractional
// times are rounded down); then the claims as context_from_claims reads them,
// except that here a missing or malformed claim is an error. "iat", if present,
// must be numeric and is returned (revocation compares it); "iss", "aud" and
// "mycelium_session" and "jti", if present, must be as Stamp says and are
// returned; every other claim is ignored: the key is what identifies the issuer.
//
// Throws Error(InvalidAuthorization) with a message naming the problem
// ("authenticate: token signature does not match", "authenticate: token has
// expired", "authenticate: token lacks claim \"organization_id\"", ...) and a
// detail; Error(InvalidParameter) if the key is shorter than kMinKeyBytes.
struct VerifiedToken {
    Context context;
    std::int64_t expires_at;                // the "exp" claim, unix time
    std::optional<std::int64_t> issued_at;  // the "iat" claim, if any
    std::optional<std::int64_t> session;    // the "mycelium_session" claim, if any
    std::optional<std::string> token_id;    // the "jti" claim, if any
};
VerifiedToken verify_jwt_hs256(std::string_view token, std::string_view key, std::int64_t now_unix);

// Builds a token with header {"alg":"HS256","typ":"JWT"} and `claims_json`
// as the payload, byte for byte and unchecked, so that tests can sign anything.
// For tests and documentation examples. Throws Error(InvalidParameter) if the key
// is shorter than kMinKeyBytes.
std::string sign_jwt_hs256(std::string_view claims_json, std::string_view key);

// The sealed context: a printable ASCII value, carried in a transaction-local
// setting, that plain SQL cannot forge. It binds the context to one backend and
// one transaction (a value copied into another transaction or session is refused
// by the caller's comparison) and to an expiry, under an HMAC-SHA256 with a key
// derived from the server's key (so a sealed value can never pass as a JWT
// signature or the other way round, even with one secret).
//
//   v2.<org>.<user>.<role>.<client>.<services>.<backend>.<xact_start>.<lxid>.<expires>.<mac>
//
// org, user, client: the 32 lower-case hex digits of the UUID (client empty
// unless CLIENT); role: its name; services: the slugs joined by ',' (empty for
// none); backend, xact_start, lxid, expires: canonical decimal (no '+', no leading
// zero, no "-0"); mac: unpadded base64url of the 32-byte HMAC of everything before
// its '.'. No field's alphabet contains '.', so the split is unambiguous.
//
// The binding names the backend and transaction by what a parallel worker can
// also see of its leader (the leader's backend id and local transaction id, the
// transaction start time that PostgreSQL hands to every worker), not by process
// id, which differs in a worker: otherwise a parallel scan would see no context.
// The start time alone does not name one transaction: the transactions of one
// simple-query message share it. The local transaction id does; a backend slot
// keeps counting it across the backends that use the slot.
struct Binding {
    std::int32_t backend_id;         // the (leader's) BackendId
    std::int64_t transaction_start;  // GetCurrentTransactionStartTimestamp(), a TimestampTz
    std::int64_t local_xid;          // the (leader's) LocalTransactionId
    std::int64_t expires_at;         // unix time
};
bool operator==(const Binding &a, const Binding &b);
inline bool operator!=(const Binding &a, const Binding &b) { return !(a == b); }

struct Sealed {
    Context context;
    Binding binding;
};

// Seals normalized_context(context). Throws Error(InvalidParameter) for an
// invalid context or a key shorter than kMinKeyBytes, and
// Error(ProgramLimitExceeded) if the value would exceed kContextMaxInputBytes.
// With as_opened, also stores there what open_context will find in the value
// (the normalized context and the binding), so that the caller who sealed it
// need not open it again.
std::string seal_context(const Context &context, const Binding &binding, std::string_view key,
                         Sealed *as_opened = nullptr);
// Verifies the MAC (constant time) and the format; std::nullopt for anything else
// (wrong MAC, truncated, extra fields, bad version, non-canonical fields, invalid
// ids, a short key). Throws nothing but std::bad_alloc. It does not compare the
// binding with the current backend and transaction, or the expiry with the
// clock: the caller does.
std::optional<Sealed> open_context(std::string_view sealed, std::string_view key);

// The LISTEN channel of one account's in-app notifications: "mycelium_" and the
// hex of the first kListenChannelMacBytes bytes of HMAC-SHA256 under the server's
// key of the organization, the kind of account (staff user or portal user) and its
// id. Nobody without the key can tell another account's channel from its ids; 57
// characters, within PostgreSQL's 63-byte identifiers.
inline constexpr std::size_t kListenChannelMacBytes = 24;
std::string listen_channel(std::string_view key, std::string_view organization_id, bool portal,
                           std::string_view account_id);

}  // namespace mycelium::core
