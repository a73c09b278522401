#include "message.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "core/excerpt.hpp"

namespace mycelium_worker {

namespace {

const char crlf[] = "\r\n";

bool plain_ascii(const std::string &s) {
    for (unsigned char c : s) {
        if (c < 0x20 || c > 0x7e) return false;
    }
    return true;
}

// RFC 2047 "encoded-words" of UTF-8, base64, each at most 75 characters and
// never splitting a UTF-8 sequence, joined by folding whitespace.
std::string encoded_words(const std::string &text) {
    const std::size_t max_chunk = 45;  // 45 bytes -> 60 base64 characters + 12 of framing
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t end = std::min(text.size(), i + max_chunk);
        while (end < text.size() && end > i &&
               (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
            --end;
        if (end == i) end = std::min(text.size(), i + max_chunk);
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + base64(text.substr(i, end - i)) + "?=";
        i = end;
    }
    return out;
}

// A header's free text (Subject, a display name): as it is when it is short
// plain ASCII with nothing that would need quoting, else encoded words.
std::string header_text(const std::string &text, bool phrase) {
    const bool needs_quoting = phrase && text.find_first_of("()<>[]:;@\\,.\"") != std::string::npos;
    if (plain_ascii(text) && text.size() <= 60 && !needs_quoting) return text;
    return encoded_words(text);
}

std::string mailbox(const std::string &name, const std::string &address) {
    if (name.empty()) return "<" + address + ">";
    return header_text(name, true) + " <" + address + ">";
}

std::string base64_lines(const std::string &bytes) {
    const std::string flat = base64(bytes);
    std::string out;
    for (std::size_t i = 0; i < flat.size(); i += 76) out += flat.substr(i, 76) + crlf;
    return out;
}

std::string html_escape(const std::string &s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            case '\n':
                out += "<br>\n";
                break;
            case '\r':
                break;
            default:
                out += c;
        }
    }
    return out;
}

}  // namespace

std::string base64(const std::string &bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                  reinterpret_cast<const unsigned char *>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

bool valid_mailbox(const std::string &a) {
    const auto at = a.find('@');
    if (a.size() > 254 || at == std::string::npos || at == 0 || at + 1 == a.size() ||
        a.find('@', at + 1) != std::string::npos) {
        return false;
    }
    for (unsigned char c : a) {
        if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == ',' || c == ';' ||
            c == '(' || c == ')' || c == '\\') {
            return false;
        }
    }
    return true;
}

std::string compose_email(const Email &e) {
    const std::string boundary = "mycelium-" + base64(e.message_id).substr(0, 24) + "-alt";
    std::string text = e.title + "\n\n" + e.message + "\n";
    if (!e.signature.empty()) text += "\n-- \n" + e.signature + "\n";
    std::string html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" +
                       html_escape(e.title) + "</title></head>\n<body>\n";
    html += e.header_html + "\n";
    html += "<h1>" + html_escape(e.title) + "</h1>\n<p>" + html_escape(e.message) + "</p>\n";
    if (!e.signature.empty()) html += "<p>" + html_escape(e.signature) + "</p>\n";
    html += e.footer_html + "\n</body></html>\n";

    std::string m;
    m += "From: " + mailbox(e.from_name, e.from) + crlf;
    m += "To: " + mailbox(e.to_name, e.to) + crlf;
    m += "Subject: " + header_text(e.title, false) + crlf;
    m += "Date: " + e.date + crlf;
    m += "Message-ID: " + e.message_id + crlf;
    m += "MIME-Version: 1.0\r\n";
    m += "Auto-Submitted: auto-generated\r\n";
    m += "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary + "\"\r\n";
    m += crlf;
    m += "--" + boundary + crlf;
    m += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    m += base64_lines(text);
    m += "--" + boundary + crlf;
    m += "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    m += base64_lines(html);
    m += "--" + boundary + "--" + crlf;
    return m;
}

std::string slack_payload(const std::string &title, const std::string &message) {
    auto escape = [](const std::string &s) {
        std::string out;
        for (char c : s) {
            if (c == '&') {
                out += "&amp;";
            } else if (c == '<') {
                out += "&lt;";
            } else if (c == '>') {
                out += "&gt;";
            } else {
                out += c;
            }
        }
        return out;
    };
    nlohmann::json payload = {{"text", "*" + escape(title) + "*\n" + escape(message)}};
    // Replace, not throw, on invalid UTF-8: the text is the database's, which is UTF-8.
    return payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string one_line(const std::string &text, std::size_t max_chars) {
    std::string flat = text;
    for (char &c : flat) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    }
    return mycelium::core::excerpt(flat, max_chars);
}

Outcome http_outcome(Channel channel, long status, const std::string &response_body) {
    Outcome o;
    if (status >= 200 && status < 300) {
        o.ok = true;
        return o;
    }
    o.error = "HTTP " + std::to_string(status);
    const std::string said = one_line(response_body, 200);
    if (!said.empty()) o.error += ": " + said;
    if (channel == Channel::webhook) {
        o.permanent = status == 410;
    } else {
        o.permanent = status == 400 || status == 403 || status == 404 || status == 410;
    }
    return o;
}

}  // namespace mycelium_worker
