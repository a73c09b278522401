// Tokens from an identity service (Supabase Auth, Auth0, Keycloak, ...), signed
// with an asymmetric key (RS256, ES256 or EdDSA) and verified against the
// service's published keys, a JWKS document (RFC 7517) that an administrator
// registers. The server holds no secret of the service: only its public keys.
//
// The JWKS is passed in as text by the glue, and a token is checked against it
// alone: nothing here fetches keys from a URL, and the header parameters that
// point at keys ("jku", "jwk", "x5u", "x5c") are never followed, since a token
// that brings its own key proves nothing. Like context.hpp, this header does not
// expose nlohmann::json.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mycelium::core {

// A JWKS longer than this is refused before it is parsed. Real ones are a few
// kilobytes: a 4096-bit RSA key is about 700 bytes of JSON, and a service
// publishes two or three keys while it rotates them.
inline constexpr std::size_t kJwksMaxBytes = 65536;
// Keys in one JWKS, at most: each token may cost a look at every key.
inline constexpr std::size_t kJwksMaxKeys = 32;
// RS256 moduli below this are factorable with public effort (NIST SP 800-131A
// ends 1024-bit RSA); above the upper bound, verifying costs more than any
// service needs, so a larger one is an error of configuration or an attack.
inline constexpr int kRsaMinModulusBits = 2048;
inline constexpr int kRsaMaxModulusBits = 8192;

// Rules an administrator sets for an identity service.
struct ForeignTokenRules {
    // The required "iss" value; empty: not checked.
    std::string issuer;
    // "aud" (a string or an array) must contain one of these; empty: not checked.
    std::vector<std::string> audiences;
};

// What a verified token says. Which claims make a tenant context is the glue's
// to decide, so custom claims are handed over as the payload itself.
struct ForeignToken {
    std::string algorithm;        // "RS256", "ES256" or "EdDSA"
    std::string key_id;           // the kid of the key that verified it ("" if the key had none)
    std::string subject;          // "sub" ("" if absent)
    std::string email;            // "email" ("" if absent or not a string)
    bool email_verified = false;  // "email_verified" true (boolean true only)
    std::string issuer;           // "iss" ("" if absent)
    std::int64_t expires_at = 0;  // "exp", required
    std::optional<std::int64_t> issued_at;  // "iat"
    std::string token_id;                   // "jti" ("" if absent)
    std::string claims_json;                // the whole payload, as sent
};

// Checks a JWKS as an administrator registers it, so that a key that could never
// verify a token, or should not, is refused then rather than at the first sign-in.
//
// A JSON object (no key repeated at its top level) with a "keys" array of 1 to
// kJwksMaxKeys keys, at most kJwksMaxBytes in all. Each key must be usable:
//   kty "RSA": "n" and "e" (base64url, big-endian), the modulus odd and of
//     kRsaMinModulusBits to kRsaMaxModulusBits, the exponent odd, > 1 and at most
//     64 bits;
//   kty "EC": crv "P-256", "x" and "y" of 32 bytes each, a point on the curve;
//   kty "OKP": crv "Ed25519", "x" of 32 bytes.
// "alg", if present, must be the one algorithm of its kty (RS256, ES256, EdDSA),
// and "use", if present, "sig": a key published for encryption is not for
// signatures. A private key (with "d", or RSA's "p", "q", "dp", "dq", "qi", "oth",
// or a symmetric key's "k") is refused: it must never have been published, let
// alone stored here. "kid",
// if present, must be a non-empty string, and no two keys may share one.
// Other members ("x5c", "key_ops", ...) are ignored.
//
// Returns the number of keys. Throws Error(InvalidParameter) naming the key (as
// keys[i], with its kid) and what is wrong with it.
std::size_t check_jwks(std::string_view jwks_json);

// Verifies a token signed by an identity service, at time `now_unix`.
//
// The JWKS is checked first, as check_jwks checks it (Error(InvalidParameter) if
// it is invalid: that is the administrator's problem, not the caller's). Then, in
// this order: the token is at most kContextMaxInputBytes and three strict
// base64url parts (as for verify_jwt_hs256); its header a JSON object whose "alg"
// is RS256, ES256 or EdDSA -- HS256, "none" and every other algorithm are refused
// by name, so that no token is ever checked with a public key as an HMAC secret
// (algorithm confusion); "typ" "JWT" if present (case-insensitive), no "crit".
// The key: the one whose kid is the token's "kid" if it has one; otherwise the
// only key of the algorithm's kty, an error if there are none or several. The
// key's kty must be the algorithm's, and its "alg", if any, the token's. The
// signature: RSASSA-PKCS1-v1_5 with SHA-256 for RS256 (exactly the modulus's
// length), ECDSA P-256 with SHA-256 for ES256 (exactly the 64 bytes r || s of
// RFC 7518 section 3.4: a DER signature is refused), Ed25519 for EdDSA (64
// bytes). Only then is the payload read: a JSON object (no key repeated at its
// top level) with a numeric "exp" > now_unix - kJwtLeewaySeconds, "nbf" if present
// <= now_unix + leeway, "iat" if present numeric and <= now_unix + leeway;
// "iss", "sub" and "jti", if present, strings; then the rules: "iss" equal to
// rules.issuer, and "aud" (a string, or an array of strings) containing one of
// rules.audiences, when these are set.
//
// Throws Error(InvalidAuthorization) with a message "authenticate: token ..."
// naming the problem and a detail, as verify_jwt_hs256 does.
ForeignToken verify_jwt_jwks(std::string_view token, std::string_view jwks_json,
                             const ForeignTokenRules &rules, std::int64_t now_unix);

}  // namespace mycelium::core
