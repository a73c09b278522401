// The parts of verifying a compact JWS (RFC 7515) that do not depend on how it
// is signed: shared by the HS256 verifier (context.cpp) and the JWKS verifier
// (jwks.cpp), so that both read tokens with one set of strict rules and name the
// same problem with the same words.
//
// Internal to src/core: this header includes nlohmann/json.hpp (through
// core/json.hpp), which the glue must never see (see json.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/json.hpp"

namespace mycelium::core::jws {

using json = json_text::json;

// Attacker-chosen text quoted in an error: printable ASCII only, and short, so
// that a token cannot put control characters or kilobytes into the server log.
// (Not named `quoted`: argument-dependent lookup would pick std::quoted.) Longer
// than `max_chars`, it is cut and ends in "...": values that differ only at their
// end (issuers, key ids) are shown with a larger limit.
std::string shown(std::string_view text, std::size_t max_chars = 40);

// A JSON value as an error describes it: a string quoted as shown() quotes it,
// anything else by its type.
std::string description(const json &value);

// Unpadded base64url (RFC 4648 section 5), as JWS requires (RFC 7515 section 2).
// Throws Error(ProgramLimitExceeded) beyond what EVP_EncodeBlock can count.
std::string base64url_encode(std::string_view data);

// Strict: the base64url alphabet only (no padding, no whitespace, none of '+' and
// '/'), and the unused low bits of the last character zero, so that each byte
// string has exactly one encoding and a changed character always changes the bytes.
bool base64url_decode(std::string_view text, std::string &out);

// Standard base64 with padding (RFC 4648 section 4), as Standard Webhooks writes
// its secrets and signatures. Throws Error(ProgramLimitExceeded) as base64url_encode.
std::string base64_encode(std::string_view data);

// Strict: the standard alphabet, a length that is a multiple of 4 with the padding
// it needs and no other '=', no whitespace, and the unused low bits of the last
// character zero (one encoding per byte string).
bool base64_decode(std::string_view text, std::string &out);

// Parses `text` as a JSON object (the safety rules are json_text::parse's: no NUL
// byte, exceptions off, iterative, a key repeated at the top level refused, so that
// an issuer that checked one copy and this code reading the other could not
// disagree about who the caller is). On failure, `why` says what was wrong.
// Throws nothing but std::bad_alloc.
bool parse_object(std::string_view text, json &out, std::string &why);

// The member `name`, or nullptr when it is absent or JSON null: a claim set to
// null says nothing, so it is read as if it were not there.
const json *member(const json &object, const char *name);

// A NumericDate (RFC 7519 section 2): seconds since the epoch, possibly
// fractional, rounded down here (at worst, a token is taken to expire < 1 s early).
bool numeric_date(const json &value, std::int64_t &out);

// Error(InvalidAuthorization, "authenticate: token " + message): every refusal of
// a token reads so, whichever verifier refused it.
Error token_error(std::string message, std::string detail = {}, std::string hint = {});
// token_error("is malformed", detail).
Error malformed(std::string detail);

// The three parts of a compact JWS, as views into the token.
struct CompactParts {
    std::string_view header;         // base64url
    std::string_view payload;        // base64url
    std::string_view signature;      // base64url
    std::string_view signing_input;  // "header.payload", what the signature covers
};
// Refuses an empty token, one longer than kContextMaxInputBytes (before anything
// else is read, so that hostile input costs bounded time) and one that is not
// three parts separated by '.'.
CompactParts split_compact(std::string_view token);

// The header decoded and parsed as an object; malformed() otherwise.
json decode_header(std::string_view header_base64url);
// The header's "alg" string: which algorithms to accept is the caller's to say.
const std::string &header_algorithm(const json &header);
// Refuses a "typ" other than "JWT" (case-insensitive, as media types are) and any
// "crit": an extension this code does not know could change what the signature
// means (RFC 7515 section 4.1.11).
void check_type_and_crit(const json &header);

// The payload, once its signature has matched, parsed as an object; malformed()
// otherwise. Nothing of a payload is read before then.
json parse_payload(std::string_view payload_json);

// Whether an "iat" after the present (beyond the leeway) is refused. A token
// from the future was not issued by a correct clock; the HS256 verifier has not
// refused one, and keeps its behaviour.
enum class FutureIssuedAt { Accepted, Refused };

struct TokenTimes {
    std::int64_t expires_at;                // "exp"
    std::optional<std::int64_t> issued_at;  // "iat", if any
};
// Reads the times of `claims` at `now_unix`, allowing kJwtLeewaySeconds of
// clock skew (saturating, so that no caller-supplied clock overflows): a numeric
// "exp" is required and must be > now - leeway; "nbf", if present, numeric and
// <= now + leeway; "iat", if present, numeric (revocation compares it).
TokenTimes read_times(const json &claims, std::int64_t now_unix, FutureIssuedAt future_iat);

}  // namespace mycelium::core::jws
