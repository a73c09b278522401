#include "core/context.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cmath>
#include <string>
#include <system_error>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/no_postgres.hpp"

namespace mycelium::core {
namespace {

using json = json_text::json;
using Mac = std::array<unsigned char, 32>;

// Which roles exist is the enum mycelium.user_role's to say, checked in SQL
// (mycelium_internal.check_member, establish_context); the core checks the form.
constexpr std::size_t kRoleNameMaxLength = 63;
constexpr char kRoleNameForm[] = "an upper-case role name such as ADMIN or CLIENT";

// The sealing key is derived from the server's key under this label, so that one
// secret can serve both as the JWT key and for sealing without a MAC of one kind
// ever being valid as the other.
constexpr std::string_view kSealKeyLabel = "mycelium sealed tenant context v1";
constexpr std::string_view kSealVersion = "v2";
constexpr std::size_t kSealFields = 10;  // version .. expires, before the MAC

// An HS256 signature and the sealed MAC, both 32 bytes, in unpadded base64url.
constexpr std::size_t kMacBase64Chars = 43;

// ---------------------------------------------------------------------------
// Characters and small values

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool is_hex(char c) { return is_lower_hex(c) || (c >= 'A' && c <= 'F'); }

bool is_hyphen_position(std::size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

// Attacker-chosen text quoted in an error: printable ASCII only, and short, so
// that a token cannot put control characters or kilobytes into the server log.
// (Not named `quoted`: argument-dependent lookup would pick std::quoted.)
std::string shown(std::string_view text) {
    constexpr std::size_t kMaxQuoted = 40;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size() && i < kMaxQuoted; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0x0f];
        }
    }
    if (text.size() > kMaxQuoted) out += "...";
    out += '"';
    return out;
}

// Canonical decimal only: what std::to_string would print, so that one value has
// one spelling (no '+', no leading zeros, no "-0").
template <typename T>
bool parse_canonical_decimal(std::string_view text, T &out) {
    T value{};
    const char *end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || text.empty()) return false;
    if (std::to_string(value) != text) return false;
    out = value;
    return true;
}

// ---------------------------------------------------------------------------
// OpenSSL: HMAC-SHA256 and base64url

void require_key(std::string_view key, const char *who) {
    if (key.size() < kMinKeyBytes)
        throw Error(
            ErrorKind::InvalidParameter, std::string(who) + ": the server's key is too short",
            "HS256 needs a key of at least " + std::to_string(kMinKeyBytes) +
                " bytes (RFC 7518, section 3.2); this one has " + std::to_string(key.size()) + ".");
}

// False only if OpenSSL fails, which for HMAC means it ran out of memory.
bool hmac_sha256(std::string_view key, std::string_view data, Mac &out) {
    if (key.size() > static_cast<std::size_t>(INT_MAX)) return false;
    unsigned int length = 0;
    const unsigned char *result = HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                                       reinterpret_cast<const unsigned char *>(data.data()),
                                       data.size(), out.data(), &length);
    return result != nullptr && length == out.size();
}

bool sealing_mac(std::string_view key, std::string_view body, Mac &out) {
    Mac derived{};
    const bool ok = hmac_sha256(key, kSealKeyLabel, derived) &&
                    hmac_sha256(std::string_view(reinterpret_cast<const char *>(derived.data()),
                                                 derived.size()),
                                body, out);
    OPENSSL_cleanse(derived.data(), derived.size());
    return ok;
}

// Unpadded base64url (RFC 4648 section 5), as JWS requires (RFC 7515 section 2).
std::string base64url_encode(std::string_view data) {
    if (data.size() > static_cast<std::size_t>(INT_MAX / 2))
        throw Error(ErrorKind::ProgramLimitExceeded, "base64url: input is too long");
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');  // + the NUL it writes
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                        reinterpret_cast<const unsigned char *>(data.data()),
                                        static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(written));
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char &c : out) {
        if (c == '+')
            c = '-';
        else if (c == '/')
            c = '_';
    }
    return out;
}

int base64url_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

// Strict: the base64url alphabet only (no padding, no whitespace, none of '+' and
// '/'), and the unused low bits of the last character zero, so that each byte
// string has exactly one encoding and a changed character always changes the bytes.
bool base64url_decode(std::string_view text, std::string &out) {
    const std::size_t rest = text.size() % 4;
    if (rest == 1 || text.size() > static_cast<std::size_t>(INT_MAX / 2)) return false;
    for (const char c : text)
        if (base64url_value(c) < 0) return false;
    if (rest == 2 && (base64url_value(text.back()) & 0x0f) != 0) return false;
    if (rest == 3 && (base64url_value(text.back()) & 0x03) != 0) return false;

    // EVP_DecodeBlock knows only the standard alphabet with padding.
    const std::size_t padding = rest == 0 ? 0 : 4 - rest;
    std::string standard(text);
    for (char &c : standard) {
        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
    }
    standard.append(padding, '=');
    out.assign(standard.size() / 4 * 3, '\0');
    const int decoded = EVP_DecodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                        reinterpret_cast<const unsigned char *>(standard.data()),
                                        static_cast<int>(standard.size()));
    // It counts the bytes that the padding stands for too.
    if (decoded < 0 || static_cast<std::size_t>(decoded) != out.size()) return false;
    out.resize(out.size() - padding);
    return true;
}

// ---------------------------------------------------------------------------
// JSON

// Parses `text` as a JSON object (the safety rules are json_text::parse's: no NUL
// byte, exceptions off, iterative, a key repeated at the top level refused, so that
// an issuer that checked one copy and this code reading the other could not
// disagree about who the caller is). On failure, `why` says what was wrong.
// Throws nothing but std::bad_alloc.
bool parse_object(std::string_view text, json &out, std::string &why) {
    const json_text::ParseResult parsed = json_text::parse(text, out);
    switch (parsed.status) {
        case json_text::ParseStatus::HasNul:
            why = "it contains a NUL byte";
            return false;
        case json_text::ParseStatus::Malformed:
            why = "it is not valid JSON";
            return false;
        case json_text::ParseStatus::DuplicateKey:  // only ever in an object
            why = "it has the key " + shown(parsed.duplicate_key) + " twice";
            return false;
        case json_text::ParseStatus::Ok:
            break;
    }
    if (!out.is_object()) {
        why = std::string("it is a JSON ") + out.type_name() + ", not an object";
        return false;
    }
    return true;
}

// The member `name`, or nullptr when it is absent or JSON null.
const json *member(const json &object, const char *name) {
    const auto it = object.find(name);
    if (it == object.end() || it->is_null()) return nullptr;
    return &*it;
}

// A NumericDate (RFC 7519 section 2): seconds since the epoch, possibly
// fractional, rounded down here (at worst, a token is taken to expire < 1 s early).
bool numeric_date(const json &value, std::int64_t &out) {
    if (value.is_number_unsigned()) {
        const auto v = value.get<std::uint64_t>();
        if (v > static_cast<std::uint64_t>(INT64_MAX)) return false;
        out = static_cast<std::int64_t>(v);
        return true;
    }
    if (value.is_number_integer()) {
        out = value.get<std::int64_t>();
        return true;
    }
    if (value.is_number_float()) {
        const double v = std::floor(value.get<double>());
        // 2^63 is exactly representable; anything in [-2^63, 2^63) converts.
        if (!std::isfinite(v) || v < -9223372036854775808.0 || v >= 9223372036854775808.0)
            return false;
        out = static_cast<std::int64_t>(v);
        return true;
    }
    return false;
}

// What is wrong with a set of claims: the message after "authenticate: token ",
// and the detail.
struct Problem {
    std::string message;
    std::string detail;
};

Problem lacks(const char *claim) {
    return {std::string("lacks claim \"") + claim + "\"",
            "The tenant context is read from the claims organization_id, sub, app_role, "
            "client_id (for CLIENT) and service_access."};
}

Problem invalid(const char *claim, std::string detail) {
    return {std::string("claim \"") + claim + "\" is not valid", std::move(detail)};
}

std::string description(const json &value) {
    return value.is_string() ? "the string " + shown(value.get_ref<const std::string &>())
                             : std::string("a JSON ") + value.type_name();
}

bool read_uuid(const json &claims, const char *claim, std::string &out,
               std::optional<Problem> &problem) {
    const json *value = member(claims, claim);
    if (value == nullptr) {
        problem = lacks(claim);
        return false;
    }
    if (!value->is_string() || !is_uuid(value->get_ref<const std::string &>())) {
        problem = invalid(claim, std::string("\"") + claim +
                                     "\" must be a UUID string (8-4-4-4-12 hex digits); it is " +
                                     description(*value) + ".");
        return false;
    }
    out = canonical_uuid(value->get_ref<const std::string &>());
    return true;
}

// Splits a comma-separated service_access claim; spaces around an item are allowed.
bool split_services(std::string_view text, std::vector<std::string> &out) {
    const auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        return s;
    };
    text = trim(text);
    if (text.empty()) return true;
    for (;;) {
        const std::size_t comma = text.find(',');
        const std::string_view item = trim(text.substr(0, comma));
        if (!is_service_slug(item)) return false;
        out.emplace_back(item);
        if (comma == std::string_view::npos) return true;
        text.remove_prefix(comma + 1);
    }
}

void sort_distinct(std::vector<std::string> &slugs) {
    std::sort(slugs.begin(), slugs.end());
    slugs.erase(std::unique(slugs.begin(), slugs.end()), slugs.end());
}

// The claims (a JSON object) as a context; std::nullopt with `problem` set if
// something is missing or wrong.
std::optional<Context> read_claims(const json &claims, std::optional<Problem> &problem) {
    Context context;
    if (!read_uuid(claims, "organization_id", context.organization_id, problem)) return {};
    if (!read_uuid(claims, "sub", context.user_id, problem)) return {};

    const json *role = member(claims, "app_role");
    if (role == nullptr) {
        problem = lacks("app_role");
        return {};
    }
    if (!role->is_string() || !is_role_name(role->get_ref<const std::string &>())) {
        problem = invalid("app_role", std::string("\"app_role\" must be ") + kRoleNameForm +
                                          "; it is " + description(*role) + ".");
        return {};
    }
    context.role = role->get_ref<const std::string &>();

    if (context.role == "CLIENT") {
        if (!read_uuid(claims, "client_id", context.client_id, problem)) return {};
    } else if (member(claims, "client_id") != nullptr) {
        problem = invalid("client_id",
                          "\"client_id\" belongs only to app_role CLIENT, and this "
                          "token's app_role is " +
                              context.role + ".");
        return {};
    }

    if (const json *services = member(claims, "service_access")) {
        bool ok = true;
        if (services->is_array()) {
            for (const json &item : *services) {
                if (!item.is_string() || !is_service_slug(item.get_ref<const std::string &>())) {
                    ok = false;
                    break;
                }
                context.service_access.push_back(item.get_ref<const std::string &>());
            }
        } else if (services->is_string()) {
            ok = split_services(services->get_ref<const std::string &>(), context.service_access);
        } else {
            ok = false;
        }
        if (!ok) {
            problem = invalid("service_access",
                              "\"service_access\" must be an array of service type slugs or one "
                              "string of them separated by commas, each slug lower-case letters "
                              "and digits in words joined by '-'.");
            return {};
        }
        sort_distinct(context.service_access);
    }
    return context;
}

Error token_error(std::string message, std::string detail = {}, std::string hint = {}) {
    return Error(ErrorKind::InvalidAuthorization, "authenticate: token " + std::move(message),
                 std::move(detail), std::move(hint));
}

Error malformed(std::string detail) { return token_error("is malformed", std::move(detail)); }

// 0123456789abcdef0123456789abcdef -> 01234567-89ab-cdef-0123-456789abcdef
bool uuid_from_hex32(std::string_view hex, std::string &out) {
    if (hex.size() != 32 || !std::all_of(hex.begin(), hex.end(), is_lower_hex)) return false;
    out.clear();
    out.reserve(36);
    for (std::size_t i = 0; i < hex.size(); ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
        out += hex[i];
    }
    return true;
}

std::string hex32_from_uuid(const std::string &uuid) {
    std::string out;
    out.reserve(32);
    for (const char c : uuid)
        if (c != '-') out += c;
    return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    for (;;) {
        const std::size_t at = text.find(separator);
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos) return parts;
        text.remove_prefix(at + 1);
    }
}

}  // namespace

// ---------------------------------------------------------------------------
// Values

bool operator==(const Context &a, const Context &b) {
    return a.organization_id == b.organization_id && a.user_id == b.user_id && a.role == b.role &&
           a.client_id == b.client_id && a.service_access == b.service_access;
}

bool operator==(const Binding &a, const Binding &b) {
    return a.backend_id == b.backend_id && a.transaction_start == b.transaction_start &&
           a.local_xid == b.local_xid && a.expires_at == b.expires_at;
}

bool is_uuid(std::string_view text) {
    if (text.size() != 36) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (is_hyphen_position(i) ? text[i] != '-' : !is_hex(text[i])) return false;
    }
    return true;
}

std::string canonical_uuid(std::string_view text) {
    std::string out(text);
    for (char &c : out)
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool is_role_name(std::string_view text) {
    if (text.empty() || text.size() > kRoleNameMaxLength || text.front() < 'A' ||
        text.front() > 'Z')
        return false;
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return (c >= 'A' && c <= 'Z') || c == '_'; });
}

bool is_service_slug(std::string_view text) {
    if (text.empty() || text.size() > kServiceSlugMaxLength) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) continue;
        // A '-' only between two letters or digits.
        if (c == '-' && i > 0 && i + 1 < text.size() && text[i - 1] != '-') continue;
        return false;
    }
    return true;
}

Context normalized_context(Context context) {
    const auto bad = [](const std::string &message, const std::string &value,
                        const std::string &expected) {
        return Error(ErrorKind::InvalidParameter, "tenant context: " + message,
                     "The value is " + shown(value) + "; " + expected + ".");
    };
    const std::string uuid_form = "a UUID is 8-4-4-4-12 hex digits";
    if (!is_uuid(context.organization_id))
        throw bad("organization_id is not a UUID", context.organization_id, uuid_form);
    if (!is_uuid(context.user_id)) throw bad("user_id is not a UUID", context.user_id, uuid_form);
    if (!is_role_name(context.role))
        throw bad("role is not a role name", context.role,
                  std::string("expected ") + kRoleNameForm);
    if (context.role == "CLIENT") {
        if (context.client_id.empty())
            throw Error(ErrorKind::InvalidParameter,
                        "tenant context: client_id is required for role CLIENT",
                        "A portal user's context names the client it belongs to.");
        if (!is_uuid(context.client_id))
            throw bad("client_id is not a UUID", context.client_id, uuid_form);
        context.client_id = canonical_uuid(context.client_id);
    } else if (!context.client_id.empty()) {
        throw Error(ErrorKind::InvalidParameter,
                    "tenant context: client_id is only for role CLIENT",
                    "The role is " + context.role + ", and only CLIENT has a client_id.");
    }
    for (const std::string &slug : context.service_access) {
        if (!is_service_slug(slug))
            throw bad("service_access has an invalid slug", slug,
                      "a service type slug is lower-case letters and digits in words joined by "
                      "'-', at most " +
                          std::to_string(kServiceSlugMaxLength) + " characters");
    }
    context.organization_id = canonical_uuid(context.organization_id);
    context.user_id = canonical_uuid(context.user_id);
    sort_distinct(context.service_access);
    return context;
}

// ---------------------------------------------------------------------------
// request.jwt.claims

std::optional<Context> context_from_claims(std::string_view text) {
    if (text.empty() || text.size() > kContextMaxInputBytes) return std::nullopt;
    try {
        json claims;
        std::string why;
        if (!parse_object(text, claims, why)) return std::nullopt;
        std::optional<Problem> problem;
        return read_claims(claims, problem);
    } catch (const json::exception &) {
        // Unreachable (every access checks the type first); kept so that the
        // promise "never throws" does not rest on that alone.
        return std::nullopt;
    }
}

// ---------------------------------------------------------------------------
// HS256 JWT

VerifiedToken verify_jwt_hs256(std::string_view token, std::string_view key,
                               std::int64_t now_unix) {
    require_key(key, "authenticate");
    if (token.empty()) throw malformed("The token is empty.");
    if (token.size() > kContextMaxInputBytes)
        throw malformed("The token is " + std::to_string(token.size()) + " bytes; at most " +
                        std::to_string(kContextMaxInputBytes) + " are accepted.");

    const std::size_t first_dot = token.find('.');
    const std::size_t second_dot =
        first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
    if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != token.npos) {
        const auto parts = std::count(token.begin(), token.end(), '.') + 1;
        throw malformed("A JWT has three parts separated by '.'; this token has " +
                        std::to_string(parts) + ".");
    }
    const std::string_view header_text = token.substr(0, first_dot);
    const std::string_view payload_text = token.substr(first_dot + 1, second_dot - first_dot - 1);
    const std::string_view signature_text = token.substr(second_dot + 1);

    try {
        // The header first, so that an unsupported algorithm is named as such;
        // nothing of the payload is parsed before the signature has matched.
        std::string header_json;
        if (header_text.empty() || !base64url_decode(header_text, header_json))
            throw malformed("The header is not base64url.");
        json header;
        std::string why;
        if (!parse_object(header_json, header, why))
            throw malformed("The header is not a JSON object: " + why + ".");
        const json *alg = member(header, "alg");
        if (alg == nullptr || !alg->is_string())
            throw malformed("The header has no \"alg\" string.");
        if (alg->get_ref<const std::string &>() != "HS256")
            throw token_error(
                "algorithm " + shown(alg->get_ref<const std::string &>()) + " is not accepted",
                "Only HS256 (HMAC with SHA-256) tokens are accepted.");
        if (const json *typ = member(header, "typ")) {
            const auto *text = typ->get_ptr<const std::string *>();
            const auto is_jwt = [](const std::string &s) {
                return s.size() == 3 && (s[0] | 0x20) == 'j' && (s[1] | 0x20) == 'w' &&
                       (s[2] | 0x20) == 't';
            };
            if (text == nullptr || !is_jwt(*text))
                throw token_error(
                    "type " + (text ? shown(*text) : description(*typ)) + " is not accepted",
                    "The header's \"typ\", when present, must be \"JWT\".");
        }
        if (header.contains("crit"))
            throw token_error("has critical header extensions",
                              "The header lists \"crit\" extensions (RFC 7515, section 4.1.11), "
                              "which are not supported.");

        std::string payload_json;
        if (payload_text.empty() || !base64url_decode(payload_text, payload_json))
            throw malformed("The payload is not base64url.");
        std::string signature;
        if (!base64url_decode(signature_text, signature))
            throw malformed("The signature is not base64url.");
        Mac expected{};
        if (!hmac_sha256(key, token.substr(0, second_dot), expected))
            throw Error(ErrorKind::Internal, "authenticate: HMAC-SHA256 failed in OpenSSL");
        if (signature.size() != expected.size() ||
            CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0)
            throw token_error("signature does not match",
                              "The token was not signed with this server's key, or it was "
                              "changed after it was signed.");

        json claims;
        if (!parse_object(payload_json, claims, why))
            throw malformed("The payload is not a JSON object: " + why + ".");

        const json *exp = member(claims, "exp");
        if (exp == nullptr)
            throw token_error("lacks claim \"exp\"", "Only tokens that expire are accepted.");
        std::int64_t expires_at = 0;
        if (!numeric_date(*exp, expires_at))
            throw token_error("claim \"exp\" is not valid",
                              "\"exp\" must be a number of seconds since 1970-01-01 UTC; it is " +
                                  description(*exp) + ".");
        // Saturating, so that no caller-supplied clock can overflow.
        const std::int64_t earliest =
            now_unix < INT64_MIN + kJwtLeewaySeconds ? INT64_MIN : now_unix - kJwtLeewaySeconds;
        const std::int64_t latest =
            now_unix > INT64_MAX - kJwtLeewaySeconds ? INT64_MAX : now_unix + kJwtLeewaySeconds;
        const std::string clock = "; the server's time is " + std::to_string(now_unix) + ", and " +
                                  std::to_string(kJwtLeewaySeconds) +
                                  " s of clock skew are allowed.";
        if (expires_at <= earliest)
            throw token_error("has expired", "The token expired at unix time " +
                                                 std::to_string(expires_at) + clock);
        if (const json *nbf = member(claims, "nbf")) {
            std::int64_t not_before = 0;
            if (!numeric_date(*nbf, not_before))
                throw token_error("claim \"nbf\" is not valid",
                                  "\"nbf\" must be a number of seconds since 1970-01-01 UTC; it "
                                  "is " +
                                      description(*nbf) + ".");
            if (not_before > latest)
                throw token_error("is not valid yet", "The token is valid from unix time " +
                                                          std::to_string(not_before) + clock);
        }

        // When the token was issued, if it says: revocation compares it (a
        // malformed one is no date, and is refused like a malformed "exp").
        std::optional<std::int64_t> issued_at;
        if (const json *iat = member(claims, "iat")) {
            std::int64_t value = 0;
            if (!numeric_date(*iat, value))
                throw token_error("claim \"iat\" is not valid",
                                  "\"iat\" must be a number of seconds since 1970-01-01 UTC; it "
                                  "is " +
                                      description(*iat) + ".");
            issued_at = value;
        }

        std::optional<Problem> problem;
        std::optional<Context> context = read_claims(claims, problem);
        if (!context) throw token_error(problem->message, problem->detail);
        return VerifiedToken{std::move(*context), expires_at, issued_at};
    } catch (const json::exception &) {
        // Unreachable, as in context_from_claims.
        throw malformed("The token could not be read as JSON.");
    }
}

std::string sign_jwt_hs256(std::string_view claims_json, std::string_view key) {
    require_key(key, "sign_jwt_hs256");
    std::string token = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
    token += '.';
    token += base64url_encode(claims_json);
    Mac mac{};
    if (!hmac_sha256(key, token, mac))
        throw Error(ErrorKind::Internal, "sign_jwt_hs256: HMAC-SHA256 failed in OpenSSL");
    token += '.';
    token +=
        base64url_encode(std::string_view(reinterpret_cast<const char *>(mac.data()), mac.size()));
    return token;
}

// ---------------------------------------------------------------------------
// Sealed context

std::string seal_context(const Context &context, const Binding &binding, std::string_view key) {
    require_key(key, "seal_context");
    const Context c = normalized_context(context);
    std::string sealed(kSealVersion);
    sealed += '.';
    sealed += hex32_from_uuid(c.organization_id);
    sealed += '.';
    sealed += hex32_from_uuid(c.user_id);
    sealed += '.';
    sealed += c.role;
    sealed += '.';
    if (!c.client_id.empty()) sealed += hex32_from_uuid(c.client_id);
    sealed += '.';
    for (std::size_t i = 0; i < c.service_access.size(); ++i) {
        if (i > 0) sealed += ',';
        sealed += c.service_access[i];
    }
    sealed += '.';
    sealed += std::to_string(binding.backend_id);
    sealed += '.';
    sealed += std::to_string(binding.transaction_start);
    sealed += '.';
    sealed += std::to_string(binding.local_xid);
    sealed += '.';
    sealed += std::to_string(binding.expires_at);

    Mac mac{};
    if (!sealing_mac(key, sealed, mac))
        throw Error(ErrorKind::Internal, "seal_context: HMAC-SHA256 failed in OpenSSL");
    sealed += '.';
    sealed +=
        base64url_encode(std::string_view(reinterpret_cast<const char *>(mac.data()), mac.size()));
    if (sealed.size() > kContextMaxInputBytes)
        throw Error(ErrorKind::ProgramLimitExceeded, "seal_context: the context is too large",
                    "It seals to " + std::to_string(sealed.size()) + " bytes; at most " +
                        std::to_string(kContextMaxInputBytes) + " are accepted.",
                    "Grant fewer service types.");
    return sealed;
}

std::optional<Sealed> open_context(std::string_view sealed, std::string_view key) {
    if (key.size() < kMinKeyBytes || sealed.size() > kContextMaxInputBytes) return std::nullopt;

    // The MAC first: nothing of an unauthenticated value is interpreted.
    const std::size_t last_dot = sealed.rfind('.');
    if (last_dot == std::string_view::npos) return std::nullopt;
    const std::string_view body = sealed.substr(0, last_dot);
    const std::string_view mac_text = sealed.substr(last_dot + 1);
    std::string mac;
    if (mac_text.size() != kMacBase64Chars || !base64url_decode(mac_text, mac)) return std::nullopt;
    Mac expected{};
    if (mac.size() != expected.size() || !sealing_mac(key, body, expected) ||
        CRYPTO_memcmp(mac.data(), expected.data(), expected.size()) != 0)
        return std::nullopt;

    // Then the format, as strictly as seal_context writes it.
    const std::vector<std::string_view> fields = split(body, '.');
    if (fields.size() != kSealFields || fields[0] != kSealVersion) return std::nullopt;
    Sealed out{};
    Context &c = out.context;
    if (!uuid_from_hex32(fields[1], c.organization_id) || !uuid_from_hex32(fields[2], c.user_id) ||
        !is_role_name(fields[3]))
        return std::nullopt;
    c.role = fields[3];
    if (c.role == "CLIENT" ? !uuid_from_hex32(fields[4], c.client_id) : !fields[4].empty())
        return std::nullopt;
    if (!fields[5].empty()) {
        for (const std::string_view slug : split(fields[5], ',')) {
            // Strictly increasing: sorted and distinct, as sealed.
            if (!is_service_slug(slug) ||
                (!c.service_access.empty() && !(c.service_access.back() < slug)))
                return std::nullopt;
            c.service_access.emplace_back(slug);
        }
    }
    if (!parse_canonical_decimal(fields[6], out.binding.backend_id) ||
        !parse_canonical_decimal(fields[7], out.binding.transaction_start) ||
        !parse_canonical_decimal(fields[8], out.binding.local_xid) ||
        !parse_canonical_decimal(fields[9], out.binding.expires_at))
        return std::nullopt;
    return out;
}

}  // namespace mycelium::core
