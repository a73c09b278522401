#include "core/jws.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <string>
#include <utility>

#include <openssl/evp.h>

#include "core/context.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "core/no_postgres.hpp"

namespace mycelium::core::jws {
namespace {

int base64url_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

// The standard alphabet (RFC 4648 section 4).
int base64_value(char c) {
    if (c == '+') return 62;
    if (c == '/') return 63;
    if (c == '-' || c == '_') return -1;
    return base64url_value(c);
}

}  // namespace

// ---------------------------------------------------------------------------
// Text in errors

std::string shown(std::string_view text, std::size_t max_chars) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size() && i < max_chars; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0x0f];
        }
    }
    if (text.size() > max_chars) out += "...";
    out += '"';
    return out;
}

std::string description(const json &value) {
    return value.is_string() ? "the string " + shown(value.get_ref<const std::string &>())
                             : std::string("a JSON ") + value.type_name();
}

// ---------------------------------------------------------------------------
// base64 and base64url

std::string base64_encode(std::string_view data) {
    if (data.size() > static_cast<std::size_t>(INT_MAX / 2))
        throw Error(ErrorKind::ProgramLimitExceeded, "base64: input is too long");
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');  // + the NUL it writes
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                        reinterpret_cast<const unsigned char *>(data.data()),
                                        static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

bool base64_decode(std::string_view text, std::string &out) {
    if (text.size() % 4 != 0 || text.size() > static_cast<std::size_t>(INT_MAX / 2)) return false;
    std::size_t padding = 0;
    while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=')
        ++padding;
    const std::string_view body = text.substr(0, text.size() - padding);
    for (const char c : body)
        if (base64_value(c) < 0) return false;
    if (!body.empty()) {
        const int value = base64_value(body.back());
        if (padding == 2 && (value & 0x0f) != 0) return false;
        if (padding == 1 && (value & 0x03) != 0) return false;
    }
    out.assign(text.size() / 4 * 3, '\0');
    const int decoded = EVP_DecodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                        reinterpret_cast<const unsigned char *>(text.data()),
                                        static_cast<int>(text.size()));
    // It counts the bytes that the padding stands for too.
    if (decoded < 0 || static_cast<std::size_t>(decoded) != out.size()) return false;
    out.resize(out.size() - padding);
    return true;
}

std::string base64url_encode(std::string_view data) {
    std::string out = base64_encode(data);
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char &c : out) {
        if (c == '+')
            c = '-';
        else if (c == '/')
            c = '_';
    }
    return out;
}

bool base64url_decode(std::string_view text, std::string &out) {
    const std::size_t rest = text.size() % 4;
    if (rest == 1 || text.size() > static_cast<std::size_t>(INT_MAX / 2)) return false;
    for (const char c : text)
        if (base64url_value(c) < 0) return false;
    // The standard alphabet with padding, which base64_decode checks strictly
    // (the unused low bits of the last character included).
    std::string standard(text);
    for (char &c : standard) {
        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
    }
    standard.append(rest == 0 ? 0 : 4 - rest, '=');
    return base64_decode(standard, out);
}

// ---------------------------------------------------------------------------
// JSON

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

const json *member(const json &object, const char *name) {
    const auto it = object.find(name);
    if (it == object.end() || it->is_null()) return nullptr;
    return &*it;
}

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

// ---------------------------------------------------------------------------
// Tokens

Error token_error(std::string message, std::string detail, std::string hint) {
    return Error(ErrorKind::InvalidAuthorization, "authenticate: token " + std::move(message),
                 std::move(detail), std::move(hint));
}

Error malformed(std::string detail) { return token_error("is malformed", std::move(detail)); }

CompactParts split_compact(std::string_view token) {
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
    CompactParts out;
    out.header = token.substr(0, first_dot);
    out.payload = token.substr(first_dot + 1, second_dot - first_dot - 1);
    out.signature = token.substr(second_dot + 1);
    out.signing_input = token.substr(0, second_dot);
    return out;
}

json decode_header(std::string_view header_base64url) {
    std::string header_json;
    if (header_base64url.empty() || !base64url_decode(header_base64url, header_json))
        throw malformed("The header is not base64url.");
    json header;
    std::string why;
    if (!parse_object(header_json, header, why))
        throw malformed("The header is not a JSON object: " + why + ".");
    return header;
}

const std::string &header_algorithm(const json &header) {
    const json *alg = member(header, "alg");
    if (alg == nullptr || !alg->is_string()) throw malformed("The header has no \"alg\" string.");
    return alg->get_ref<const std::string &>();
}

void check_type_and_crit(const json &header) {
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
}

json parse_payload(std::string_view payload_json) {
    json claims;
    std::string why;
    if (!parse_object(payload_json, claims, why))
        throw malformed("The payload is not a JSON object: " + why + ".");
    return claims;
}

TokenTimes read_times(const json &claims, std::int64_t now_unix, FutureIssuedAt future_iat) {
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
                              std::to_string(kJwtLeewaySeconds) + " s of clock skew are allowed.";
    if (expires_at <= earliest)
        throw token_error("has expired",
                          "The token expired at unix time " + std::to_string(expires_at) + clock);
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
        if (future_iat == FutureIssuedAt::Refused && value > latest)
            throw token_error(
                "was issued in the future",
                "The token says it was issued at unix time " + std::to_string(value) + clock);
        issued_at = value;
    }
    return TokenTimes{expires_at, issued_at};
}

}  // namespace mycelium::core::jws
