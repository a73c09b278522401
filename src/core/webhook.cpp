#include "core/webhook.hpp"

#include <array>
#include <cctype>
#include <climits>
#include <string>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core/error.hpp"
#include "core/jws.hpp"
#include "core/no_postgres.hpp"

namespace mycelium::core {
namespace {

// The key a secret stands for, or why it is refused (never its text).
bool webhook_key(std::string_view secret, std::string &key, std::string &why) {
    if (secret.substr(0, kWebhookSecretPrefix.size()) != kWebhookSecretPrefix) {
        why = "it does not start with \"whsec_\"";
        return false;
    }
    if (!jws::base64_decode(secret.substr(kWebhookSecretPrefix.size()), key)) {
        why = "what follows \"whsec_\" is not padded standard base64";
        return false;
    }
    if (key.size() < kWebhookKeyMinBytes || key.size() > kWebhookKeyMaxBytes) {
        why = "its key has " + std::to_string(key.size()) + " bytes, not " +
              std::to_string(kWebhookKeyMinBytes) + " to " + std::to_string(kWebhookKeyMaxBytes);
        return false;
    }
    return true;
}

}  // namespace

bool is_webhook_secret(std::string_view secret) {
    std::string key;
    std::string why;
    return webhook_key(secret, key, why);
}

std::string webhook_signature(std::string_view secret, std::string_view message_id,
                              std::int64_t sent_at, std::string_view body) {
    std::string key;
    std::string why;
    if (!webhook_key(secret, key, why))
        throw Error(ErrorKind::InvalidParameter, "webhook_signature: the secret is malformed",
                    "A Standard Webhooks secret is \"whsec_\" and the base64 of 24 to 64 bytes; " +
                        why + ".");
    if (message_id.empty() || message_id.size() > kWebhookIdMaxBytes)
        throw Error(ErrorKind::InvalidParameter, "webhook_signature: message_id must have 1 to " +
                                                     std::to_string(kWebhookIdMaxBytes) +
                                                     " characters");
    for (const char c : message_id)
        if (c <= 0x20 || c >= 0x7f || c == '.')
            throw Error(ErrorKind::InvalidParameter,
                        "webhook_signature: message_id may hold printable ASCII only, without "
                        "spaces or '.'");
    if (sent_at < 0)
        throw Error(ErrorKind::InvalidParameter,
                    "webhook_signature: sent_at must be a Unix time in seconds, not negative");

    std::string content;
    content.reserve(message_id.size() + 22 + body.size());
    content.append(message_id).append(1, '.').append(std::to_string(sent_at)).append(1, '.');
    content.append(body);

    std::array<unsigned char, 32> mac{};
    unsigned int length = 0;
    const unsigned char *result = HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                                       reinterpret_cast<const unsigned char *>(content.data()),
                                       content.size(), mac.data(), &length);
    OPENSSL_cleanse(key.data(), key.size());
    if (result == nullptr || length != mac.size())
        throw Error(ErrorKind::Internal, "webhook_signature: HMAC-SHA256 failed in OpenSSL");
    return "v1," + jws::base64_encode(
                       std::string_view(reinterpret_cast<const char *>(mac.data()), mac.size()));
}

std::optional<std::string> webhook_url_problem(std::string_view url) {
    if (url.size() > kWebhookUrlMaxBytes)
        return "it is longer than " + std::to_string(kWebhookUrlMaxBytes) + " bytes";
    for (const char c : url) {
        const auto b = static_cast<unsigned char>(c);
        if (b <= 0x20 || b >= 0x7f || c == '\\')
            return "it holds whitespace, a control character, a backslash or a non-ASCII byte";
    }
    constexpr std::string_view kScheme = "https://";
    if (url.size() < kScheme.size()) return "it is not an https URL";
    for (std::size_t i = 0; i < kScheme.size(); ++i)
        if ((url[i] | (url[i] >= 'A' && url[i] <= 'Z' ? 0x20 : 0)) != kScheme[i])
            return "it is not an https URL";
    const std::string_view rest = url.substr(kScheme.size());
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority.find('@') != std::string_view::npos) return "it holds a user name or password";
    std::string_view host = authority;
    std::string_view port;
    if (!host.empty() && host.front() == '[') {
        const std::size_t close = host.find(']');
        if (close == std::string_view::npos || close == 1) return "its IPv6 host is malformed";
        for (const char c : host.substr(1, close - 1))
            if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.')
                return "its IPv6 host is malformed";
        const std::string_view after = host.substr(close + 1);
        if (!after.empty() && after.front() != ':') return "its IPv6 host is malformed";
        if (!after.empty()) port = after.substr(1);
        host = host.substr(0, close + 1);
    } else {
        const std::size_t colon = host.find(':');
        if (colon != std::string_view::npos) {
            port = host.substr(colon + 1);
            host = host.substr(0, colon);
            if (port.empty()) return "its port is empty";
        }
        if (host.empty()) return "it has no host";
        if (host.front() == '.' || host.front() == '-' || host.find("..") != std::string_view::npos)
            return "its host is malformed";
        for (const char c : host)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.')
                return "its host is malformed";
    }
    if (!port.empty() || authority.size() > host.size()) {
        if (port.empty() || port.size() > 5) return "its port is not 1 to 65535";
        long value = 0;
        for (const char c : port) {
            if (!std::isdigit(static_cast<unsigned char>(c))) return "its port is not 1 to 65535";
            value = value * 10 + (c - '0');
        }
        if (value < 1 || value > 65535) return "its port is not 1 to 65535";
    }
    return std::nullopt;
}

std::string generate_webhook_secret() {
    std::array<unsigned char, kWebhookKeyBytes> key{};
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
        throw Error(ErrorKind::Internal, "generate_webhook_secret: OpenSSL's random source failed");
    std::string secret(kWebhookSecretPrefix);
    secret += jws::base64_encode(
        std::string_view(reinterpret_cast<const char *>(key.data()), key.size()));
    OPENSSL_cleanse(key.data(), key.size());
    return secret;
}

}  // namespace mycelium::core
