// The Standard Webhooks signature (https://www.standardwebhooks.com/): a receiver
// verifies that a webhook came from us and was not altered, with the secret its
// integration shares with us.
//
// A secret is "whsec_" followed by the standard base64 (RFC 4648 section 4, with
// padding) of 24 to 64 random bytes. The signature is HMAC-SHA256 under those bytes
// of "<webhook-id>.<webhook-timestamp>.<body>", sent as "v1,<base64 of the MAC>" in
// the webhook-signature header.
//
// Nothing here returns, logs or puts in an error message any part of a secret:
// errors say which rule the secret breaks, never its text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mycelium::core {

inline constexpr std::string_view kWebhookSecretPrefix = "whsec_";
// The specification's bounds for the key (the decoded bytes).
inline constexpr std::size_t kWebhookKeyMinBytes = 24;
inline constexpr std::size_t kWebhookKeyMaxBytes = 64;
// The bytes of a secret generate_webhook_secret makes.
inline constexpr std::size_t kWebhookKeyBytes = 32;
// A webhook-id longer than this is refused (ours are "msg_" and a UUID).
inline constexpr std::size_t kWebhookIdMaxBytes = 255;

// "v1,<base64>" for the message. Throws Error(InvalidParameter) when the secret is
// not "whsec_" and strict base64 of 24 to 64 bytes, when the message id is empty,
// longer than kWebhookIdMaxBytes or has a character outside printable ASCII or a
// '.' (the separator of the signed content), or when sent_at is negative.
std::string webhook_signature(std::string_view secret, std::string_view message_id,
                              std::int64_t sent_at, std::string_view body);

// A new secret: "whsec_" and the base64 of kWebhookKeyBytes bytes from OpenSSL's
// random source. Throws Error(Internal) if the random source fails.
std::string generate_webhook_secret();

// Whether the text is a secret webhook_signature accepts.
bool is_webhook_secret(std::string_view secret);

// The longest webhook URL accepted.
inline constexpr std::size_t kWebhookUrlMaxBytes = 2048;

// What makes a text unfit as the URL a webhook is POSTed to, or nothing: it must
// be an absolute https URL ("https://", any case) with a host (a DNS name or IPv4
// address of letters, digits, '-' and '.', or a bracketed IPv6 address), an
// optional port 1 to 65535, no user name or password ('@' in the authority), no
// whitespace, control character, backslash or non-ASCII byte anywhere, and at
// most kWebhookUrlMaxBytes bytes. The reason never quotes the URL.
std::optional<std::string> webhook_url_problem(std::string_view url);

}  // namespace mycelium::core
