// What mycelium-worker sends, and how it reads an answer: the e-mail of a
// delivery (with the organization's branding), the Slack message, and the
// outcome of an HTTP status. Pure C++, unit-tested in test/unit.
#pragma once

#include <string>

namespace mycelium_worker {

// One e-mail delivery as claim_deliveries returns it, plus the sender.
struct Email {
    std::string from;       // envelope sender and From: address
    std::string from_name;  // may be empty
    std::string to;         // email_address
    std::string to_name;    // user_name, may be empty
    std::string title;
    std::string message;
    std::string
        header_html;  // organization_branding.email_header_html: the organization's HTML, as it is
    std::string footer_html;  // email_footer_html, as it is
    std::string signature;    // email_signature: text
    std::string message_id;   // stable over retries: "<recipient_id@domain of from>"
    std::string date;         // RFC 5322 date
};

// An address the worker may put in the SMTP envelope and a header: one '@',
// no space, angle bracket, quote or line break.
bool valid_mailbox(const std::string &address);

// The whole message, headers and a multipart/alternative body (text and HTML,
// each base64), lines ended by CRLF. Header values that are not plain ASCII, or
// that are long, are RFC 2047 encoded, so no value can start a header of its own.
std::string compose_email(const Email &email);

// The Slack incoming-webhook payload: {"text": "*title*\nmessage"}, with
// Slack's three control characters (&, <, >) escaped.
std::string slack_payload(const std::string &title, const std::string &message);

enum class Channel { email, slack, webhook };

// What to report for an HTTP answer: success (2xx), a permanent failure, or a
// retryable one. Webhooks: 410 Gone is permanent (Standard Webhooks: the
// receiver asks to stop), anything else not 2xx is retried. Slack: 400, 403,
// 404 and 410 are permanent (a revoked or archived hook, a refused payload).
struct Outcome {
    bool ok = false;
    bool permanent = false;
    std::string error;  // empty when ok
};
Outcome http_outcome(Channel channel, long status, const std::string &response_body);

// Text of the outside world (a receiver's answer, an address) for an error text
// or a log line: control characters made spaces, cut to max_chars characters
// (mycelium::core::excerpt).
std::string one_line(const std::string &text, std::size_t max_chars);

// Standard, padded base64 (RFC 4648 section 4), by libcrypto.
std::string base64(const std::string &bytes);

}  // namespace mycelium_worker
