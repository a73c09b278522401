#include "core/context.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cstdint>
#include <string>
#include <system_error>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/jws.hpp"
#include "core/no_postgres.hpp"

namespace mycelium::core {
namespace {

using json = json_text::json;
using jws::base64url_decode;
using jws::base64url_encode;
using jws::description;
using jws::malformed;
using jws::member;
using jws::numeric_date;
using jws::parse_object;
using jws::shown;
using jws::token_error;
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
// OpenSSL: HMAC-SHA256

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

// The sealing MAC's state, kept for the last server key: the key derived from
// it once, held in an HMAC context that is reset for each value. A backend
// seals and opens a context a few times per transaction under the same key;
// OpenSSL 3's one-shot HMAC() fetches the digest on every call, and deriving
// again doubled that. Never freed: one per key a thread ever sealed under,
// and freeing at exit could run after OpenSSL's own clean-up.
struct SealingState {
    std::string server_key;
    EVP_MAC_CTX *ctx = nullptr;
};

EVP_MAC_CTX *sealing_context(std::string_view key) {
    thread_local SealingState state;
    if (state.ctx != nullptr && state.server_key == key) return state.ctx;
    if (state.ctx != nullptr) {
        EVP_MAC_CTX_free(state.ctx);
        state.ctx = nullptr;
        OPENSSL_cleanse(state.server_key.data(), state.server_key.size());
        state.server_key.clear();
    }
    Mac derived{};
    if (!hmac_sha256(key, kSealKeyLabel, derived)) return nullptr;
    EVP_MAC *hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX *ctx = hmac != nullptr ? EVP_MAC_CTX_new(hmac) : nullptr;
    EVP_MAC_free(hmac);  // the context keeps its own reference
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                                 OSSL_PARAM_construct_end()};
    const bool ok =
        ctx != nullptr && EVP_MAC_init(ctx, derived.data(), derived.size(), params) == 1;
    OPENSSL_cleanse(derived.data(), derived.size());
    if (!ok) {
        EVP_MAC_CTX_free(ctx);
        return nullptr;
    }
    state.server_key.assign(key.data(), key.size());
    state.ctx = ctx;
    return ctx;
}

bool sealing_mac(std::string_view key, std::string_view body, Mac &out) {
    EVP_MAC_CTX *ctx = sealing_context(key);
    std::size_t length = 0;
    // A NULL key starts a new MAC under the key the context holds.
    return ctx != nullptr && EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1 &&
           EVP_MAC_update(ctx, reinterpret_cast<const unsigned char *>(body.data()), body.size()) ==
               1 &&
           EVP_MAC_final(ctx, out.data(), &length, out.size()) == 1 && length == out.size();
}

// ---------------------------------------------------------------------------
// Claims

// What is wrong with a set of claims: the message after "authenticate: token ",
// and the detail.
struct Problem {
    std::string message;
    std::string detail;
};

Problem lacks(const char *claim) {
    return {std::string("lacks claim \"") + claim + "\"",
            "The tenant context is read from the claims organization_id, sub, app_role "
            "and (optional) client_id and service_access."};
}

Problem invalid(const char *claim, std::string detail) {
    return {std::string("claim \"") + claim + "\" is not valid", std::move(detail)};
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

    // A portal user's client is its client_users row's, which the database
    // fills in (mycelium_internal.check_member): the claim may be left out, and
    // one that is given must be a UUID (and that row's client, checked there).
    if (context.role == "CLIENT") {
        if (member(claims, "client_id") != nullptr &&
            !read_uuid(claims, "client_id", context.client_id, problem))
            return {};
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

namespace {

// "mycelium_session" and "jti", as Stamp describes them: false (with what is
// wrong) for a claim present but malformed.
bool read_session_claims(const json &claims, Stamp &stamp, std::string &problem) {
    if (const json *session = member(claims, "mycelium_session")) {
        if (!session->is_number_unsigned()) {
            problem = "claim \"mycelium_session\" is not a non-negative integer";
            return false;
        }
        const auto value = session->get<std::uint64_t>();
        if (value > static_cast<std::uint64_t>(INT64_MAX)) {
            problem = "claim \"mycelium_session\" is out of range";
            return false;
        }
        stamp.session = static_cast<std::int64_t>(value);
    }
    if (const json *jti = member(claims, "jti")) {
        const auto *text = jti->get_ptr<const std::string *>();
        if (text == nullptr || text->empty() || text->size() > 200) {
            problem = "claim \"jti\" is not a string of 1 to 200 characters";
            return false;
        }
        stamp.token_id = *text;
    }
    return true;
}

}  // namespace

std::optional<Context> context_from_claims(std::string_view text, Stamp *stamp) {
    if (text.empty() || text.size() > kContextMaxInputBytes) return std::nullopt;
    try {
        json claims;
        std::string why;
        if (!parse_object(text, claims, why)) return std::nullopt;
        if (stamp != nullptr) {
            *stamp = Stamp{};
            if (const json *iat = member(claims, "iat")) {
                std::int64_t issued_at = 0;
                if (!numeric_date(*iat, issued_at)) return std::nullopt;
                stamp->issued_at = issued_at;
            }
            if (!read_session_claims(claims, *stamp, why)) return std::nullopt;
        }
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
    const jws::CompactParts parts = jws::split_compact(token);

    try {
        // The header first, so that an unsupported algorithm is named as such;
        // nothing of the payload is parsed before the signature has matched.
        const json header = jws::decode_header(parts.header);
        const std::string &alg = jws::header_algorithm(header);
        if (alg != "HS256")
            throw token_error("algorithm " + shown(alg) + " is not accepted",
                              "Only HS256 (HMAC with SHA-256) tokens are accepted.");
        jws::check_type_and_crit(header);

        std::string payload_json;
        if (parts.payload.empty() || !base64url_decode(parts.payload, payload_json))
            throw malformed("The payload is not base64url.");
        std::string signature;
        if (!base64url_decode(parts.signature, signature))
            throw malformed("The signature is not base64url.");
        Mac expected{};
        if (!hmac_sha256(key, parts.signing_input, expected))
            throw Error(ErrorKind::Internal, "authenticate: HMAC-SHA256 failed in OpenSSL");
        if (signature.size() != expected.size() ||
            CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0)
            throw token_error("signature does not match",
                              "The token was not signed with this server's key, or it was "
                              "changed after it was signed.");

        const json claims = jws::parse_payload(payload_json);
        const jws::TokenTimes times =
            jws::read_times(claims, now_unix, jws::FutureIssuedAt::Accepted);

        std::optional<Problem> problem;
        std::optional<Context> context = read_claims(claims, problem);
        if (!context) throw token_error(problem->message, problem->detail);
        Stamp stamp;
        std::string stamp_problem;
        if (!read_session_claims(claims, stamp, stamp_problem)) throw token_error(stamp_problem);
        return VerifiedToken{std::move(*context), times.expires_at, times.issued_at, stamp.session,
                             std::move(stamp.token_id)};
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

std::string seal_context(const Context &context, const Binding &binding, std::string_view key,
                         Sealed *as_opened) {
    require_key(key, "seal_context");
    Context c = normalized_context(context);
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
    if (as_opened != nullptr) *as_opened = Sealed{std::move(c), binding};
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

std::string listen_channel(std::string_view key, std::string_view organization_id, bool portal,
                           std::string_view account_id) {
    require_key(key, "listen_channel");
    std::string message = "mycelium listen channel v1";
    message += '\0';
    message.append(organization_id);
    message += '\0';
    message += portal ? "client_user" : "user";
    message += '\0';
    message.append(account_id);
    Mac mac{};
    if (!hmac_sha256(key, message, mac))
        throw Error(ErrorKind::Internal, "listen_channel: HMAC-SHA256 failed in OpenSSL");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "mycelium_";
    for (std::size_t i = 0; i < kListenChannelMacBytes; ++i) {
        out += kHex[mac[i] >> 4];
        out += kHex[mac[i] & 0x0f];
    }
    return out;
}

}  // namespace mycelium::core
