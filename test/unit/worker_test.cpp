// mycelium-worker's pure parts: its configuration and what it sends.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <map>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "worker/address.hpp"
#include "worker/config.hpp"
#include "worker/message.hpp"

namespace {

using mycelium_worker::Channel;
using mycelium_worker::Config;
using mycelium_worker::ConfigError;
using mycelium_worker::Email;
using mycelium_worker::SmtpTls;

using Env = std::map<std::string, std::string>;

Config load(const Env &env) {
    return mycelium_worker::load_config([&](const std::string &name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
    });
}

Env mail_env() {
    return {{"MYCELIUM_WORKER_SMTP_HOST", "mail.example"},
            {"MYCELIUM_WORKER_SMTP_FROM", "notify@agency.example"}};
}

// The message of the ConfigError that load throws ("" when it does not).
std::string refusal(const Env &env) {
    try {
        load(env);
    } catch (const ConfigError &e) {
        return e.what();
    }
    return "";
}

TEST(WorkerConfig, Defaults) {
    const Config c = load(mail_env());
    EXPECT_EQ(c.channels, (std::vector<std::string>{"email", "slack", "webhook"}));
    EXPECT_EQ(c.smtp_tls, SmtpTls::starttls);
    EXPECT_EQ(c.smtp_port, 587);
    EXPECT_EQ(c.batch_size, 50);
    EXPECT_EQ(c.lease_seconds, 300);
    EXPECT_DOUBLE_EQ(c.timeout_seconds, 10);
    EXPECT_DOUBLE_EQ(c.poll_seconds, 5);
    EXPECT_FALSE(c.once);
    EXPECT_EQ(c.conninfo, "");
}

TEST(WorkerConfig, PortFollowsTls) {
    Env env = mail_env();
    env["MYCELIUM_WORKER_SMTP_TLS"] = "tls";
    EXPECT_EQ(load(env).smtp_port, 465);
    env["MYCELIUM_WORKER_SMTP_TLS"] = "none";
    EXPECT_EQ(load(env).smtp_port, 25);
    env["MYCELIUM_WORKER_SMTP_PORT"] = "2525";
    EXPECT_EQ(load(env).smtp_port, 2525);
}

TEST(WorkerConfig, ChannelsWithoutEmailNeedNoSmtp) {
    const Config c = load({{"MYCELIUM_WORKER_CHANNELS", " webhook , slack,webhook"}});
    EXPECT_EQ(c.channels, (std::vector<std::string>{"webhook", "slack"}));
    EXPECT_TRUE(c.serves("slack"));
    EXPECT_FALSE(c.serves("email"));
}

TEST(WorkerConfig, RefusalsNameTheVariable) {
    EXPECT_NE(refusal({}).find("MYCELIUM_WORKER_SMTP_HOST"), std::string::npos);
    Env env = mail_env();
    env["MYCELIUM_WORKER_SMTP_FROM"] = "Notify <notify@agency.example>";
    EXPECT_NE(refusal(env).find("MYCELIUM_WORKER_SMTP_FROM must be the sender's address"),
              std::string::npos);
    const std::map<std::string, std::string> bad = {
        {"MYCELIUM_WORKER_CHANNELS", "email,pigeon"},
        {"MYCELIUM_WORKER_SMTP_TLS", "maybe"},
        {"MYCELIUM_WORKER_SMTP_PORT", "70000"},
        {"MYCELIUM_WORKER_BATCH_SIZE", "0"},
        {"MYCELIUM_WORKER_BATCH_SIZE", "12x"},
        {"MYCELIUM_WORKER_LEASE", "-5"},
        {"MYCELIUM_WORKER_HTTP_TIMEOUT", "nan"},
        {"MYCELIUM_WORKER_POLL_INTERVAL", "0"},
        {"MYCELIUM_WORKER_ONCE", "sometimes"},
        {"MYCELIUM_WORKER_CA_FILE", "/nonexistent/ca.pem"},
    };
    for (const auto &[name, value] : bad) {
        Env e = mail_env();
        e[name] = value;
        EXPECT_NE(refusal(e).find(name), std::string::npos)
            << name << "=" << value << ": " << refusal(e);
    }
    Env channels = mail_env();
    channels["MYCELIUM_WORKER_CHANNELS"] = " , ";
    EXPECT_NE(refusal(channels).find("MYCELIUM_WORKER_CHANNELS"), std::string::npos);
}

TEST(WorkerConfig, LeaseOutlastsASend) {
    Env env = mail_env();
    env["MYCELIUM_WORKER_HTTP_TIMEOUT"] = "10";
    env["MYCELIUM_WORKER_LEASE"] = "20";
    EXPECT_NE(refusal(env).find("MYCELIUM_WORKER_LEASE (20 s) must be more than twice"),
              std::string::npos);
    env["MYCELIUM_WORKER_LEASE"] = "21";
    EXPECT_EQ(load(env).lease_seconds, 21);
}

TEST(WorkerConfig, CredentialsGoTogetherAndNeverInClear) {
    Env env = mail_env();
    env["MYCELIUM_WORKER_SMTP_USER"] = "mailer";
    EXPECT_NE(refusal(env).find("go together"), std::string::npos);
    env["MYCELIUM_WORKER_SMTP_PASSWORD"] = "secret";
    EXPECT_EQ(load(env).smtp_password, "secret");
    env["MYCELIUM_WORKER_SMTP_TLS"] = "none";
    EXPECT_NE(refusal(env).find("not sent in clear"), std::string::npos);
}

TEST(WorkerConfig, FileUnderTheEnvironment) {
    const std::string path = ::testing::TempDir() + "worker_test.conf";
    {
        FILE *f = std::fopen(path.c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::fputs(
            "# the mail server\nMYCELIUM_WORKER_SMTP_HOST = file.example\n\n"
            "MYCELIUM_WORKER_SMTP_FROM=\"from@file.example\"\nMYCELIUM_WORKER_BATCH_SIZE=7\n",
            f);
        std::fclose(f);
    }
    const Config c = load({{"MYCELIUM_WORKER_CONFIG", path}, {"MYCELIUM_WORKER_BATCH_SIZE", "9"}});
    EXPECT_EQ(c.smtp_host, "file.example");
    EXPECT_EQ(c.smtp_from, "from@file.example");
    EXPECT_EQ(c.batch_size, 9);
    {
        FILE *f = std::fopen(path.c_str(), "w");
        std::fputs("MYCELIUM_WORKER_SMTP_HOST=x\nMYCELIUM_WORKER_BACH_SIZE=7\n", f);
        std::fclose(f);
    }
    EXPECT_NE(refusal({{"MYCELIUM_WORKER_CONFIG", path}})
                  .find("unknown variable MYCELIUM_WORKER_BACH_SIZE"),
              std::string::npos);
    {
        FILE *f = std::fopen(path.c_str(), "w");
        std::fputs("PGPASSWORD=x\n", f);
        std::fclose(f);
    }
    EXPECT_NE(refusal({{"MYCELIUM_WORKER_CONFIG", path}}).find(path + ":1: PGPASSWORD is not"),
              std::string::npos);
    std::remove(path.c_str());
    EXPECT_NE(refusal({{"MYCELIUM_WORKER_CONFIG", path}}).find("cannot read"), std::string::npos);
}

TEST(WorkerMessage, Base64) {
    // RFC 4648 section 10.
    EXPECT_EQ(mycelium_worker::base64(""), "");
    EXPECT_EQ(mycelium_worker::base64("f"), "Zg==");
    EXPECT_EQ(mycelium_worker::base64("fo"), "Zm8=");
    EXPECT_EQ(mycelium_worker::base64("foo"), "Zm9v");
    EXPECT_EQ(mycelium_worker::base64("foobar"), "Zm9vYmFy");
}

TEST(WorkerMessage, Mailboxes) {
    EXPECT_TRUE(mycelium_worker::valid_mailbox("ada@post.test"));
    for (const char *bad :
         {"", "ada", "@post.test", "ada@", "a@b@c", "ada @post.test", "ada@post.test\r\nBcc: x@y",
          "<ada@post.test>", "ada@post.test,eve@post.test"}) {
        EXPECT_FALSE(mycelium_worker::valid_mailbox(bad)) << bad;
    }
}

Email sample() {
    Email e;
    e.from = "notify@agency.example";
    e.from_name = "Agency";
    e.to = "ada@post.test";
    e.to_name = "Ada Lovelace";
    e.title = "Deliverable assigned to you";
    e.message = "You were assigned \"Poster\" <b>now</b>.\nSee you.";
    e.header_html = "<div class=\"brand\">Agency</div>";
    e.footer_html = "<p>1 Main Street</p>";
    e.signature = "The team";
    e.message_id = "<0190-abc@agency.example>";
    e.date = "Mon, 07 Dec 2026 12:00:00 +0000";
    return e;
}

// The body of the part of that content type, its base64 lines joined.
std::string part(const std::string &message, const std::string &type) {
    const auto at = message.find("Content-Type: " + type);
    const auto start = message.find("\r\n\r\n", at) + 4;
    const auto end = message.find("--", start);
    std::string b64;
    for (char c : message.substr(start, end - start)) {
        if (c != '\r' && c != '\n') b64 += c;
    }
    return b64;  // compared with the base64 of the expected text
}

TEST(WorkerMessage, EmailHeadersAndParts) {
    const std::string m = mycelium_worker::compose_email(sample());
    EXPECT_EQ(
        m.rfind("From: Agency <notify@agency.example>\r\nTo: Ada Lovelace <ada@post.test>\r\n"
                "Subject: Deliverable assigned to you\r\nDate: Mon, 07 Dec 2026 12:00:00 +0000\r\n"
                "Message-ID: <0190-abc@agency.example>\r\nMIME-Version: 1.0\r\n",
                0),
        0u);
    const std::string text =
        "Deliverable assigned to you\n\nYou were assigned \"Poster\" <b>now</b>.\nSee you.\n"
        "\n-- \nThe team\n";
    EXPECT_EQ(part(m, "text/plain"), mycelium_worker::base64(text));
    const std::string html = part(m, "text/html");
    const std::string expected_html =
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Deliverable assigned to "
        "you</title></head>\n"
        "<body>\n<div class=\"brand\">Agency</div>\n<h1>Deliverable assigned to you</h1>\n"
        "<p>You were assigned &quot;Poster&quot; &lt;b&gt;now&lt;/b&gt;.<br>\nSee you.</p>\n<p>The "
        "team</p>\n"
        "<p>1 Main Street</p>\n</body></html>\n";
    EXPECT_EQ(html, mycelium_worker::base64(expected_html));
    // Every line ends in CRLF and is at most 78 characters.
    std::size_t start = 0;
    while (start < m.size()) {
        const auto end = m.find("\r\n", start);
        ASSERT_NE(end, std::string::npos) << "a line without CRLF at " << start;
        EXPECT_LE(end - start, 78u) << m.substr(start, end - start);
        EXPECT_EQ(m.substr(start, end - start).find('\n'), std::string::npos);
        start = end + 2;
    }
}

TEST(WorkerMessage, HeaderValuesCannotStartHeaders) {
    Email e = sample();
    e.title = "Hello\r\nBcc: victim@example.com";
    e.to_name = "Mallory\nX-Evil: 1";
    const std::string m = mycelium_worker::compose_email(e);
    EXPECT_EQ(m.find("\r\nBcc:"), std::string::npos);
    EXPECT_EQ(m.find("\r\nX-Evil"), std::string::npos);
    EXPECT_NE(m.find("Subject: =?UTF-8?B?" +
                     mycelium_worker::base64("Hello\r\nBcc: victim@example.com") + "?="),
              std::string::npos);
}

TEST(WorkerMessage, LongAndUnicodeSubjectsAreEncodedWords) {
    Email e = sample();
    e.title = std::string(40, 'x') + " Ünïcode " + std::string(60, 'y');
    e.to_name = "Zoë";
    const std::string m = mycelium_worker::compose_email(e);
    EXPECT_NE(m.find("To: =?UTF-8?B?" + mycelium_worker::base64("Zoë") + "?= <ada@post.test>"),
              std::string::npos);
    // The subject is cut into words of at most 45 bytes, never inside a character.
    const auto at = m.find("Subject: ");
    const std::string subject = m.substr(at, m.find("\r\nDate:") - at);
    EXPECT_NE(subject.find("\r\n =?UTF-8?B?"), std::string::npos);
    EXPECT_EQ(subject.find("Ünïcode"), std::string::npos);
}

TEST(WorkerMessage, SlackPayload) {
    const auto j = nlohmann::json::parse(
        mycelium_worker::slack_payload("Due <soon>", "A & B \"quoted\"\nnext"));
    EXPECT_EQ(j.at("text"), "*Due &lt;soon&gt;*\nA &amp; B \"quoted\"\nnext");
    EXPECT_EQ(j.size(), 1u);
}

TEST(WorkerMessage, HttpOutcomes) {
    using mycelium_worker::http_outcome;
    EXPECT_TRUE(http_outcome(Channel::webhook, 200, "").ok);
    EXPECT_TRUE(http_outcome(Channel::webhook, 204, "").ok);
    const auto failed = http_outcome(Channel::webhook, 500, "boom\ntrace");
    EXPECT_FALSE(failed.ok);
    EXPECT_FALSE(failed.permanent);
    EXPECT_EQ(failed.error, "HTTP 500: boom trace");
    EXPECT_TRUE(http_outcome(Channel::webhook, 410, "").permanent);
    EXPECT_EQ(http_outcome(Channel::webhook, 410, "").error, "HTTP 410");
    EXPECT_FALSE(http_outcome(Channel::webhook, 404, "").permanent);
    EXPECT_FALSE(http_outcome(Channel::webhook, 301, "").ok);
    EXPECT_TRUE(http_outcome(Channel::slack, 404, "no_service").permanent);
    EXPECT_TRUE(http_outcome(Channel::slack, 403, "invalid_token").permanent);
    EXPECT_FALSE(http_outcome(Channel::slack, 429, "").permanent);
    EXPECT_FALSE(http_outcome(Channel::slack, 503, "").permanent);
    // A long answer is cut, at a character.
    const auto cut = http_outcome(Channel::webhook, 500, std::string(199, 'a') + "éé");
    EXPECT_EQ(cut.error, "HTTP 500: " + std::string(199, 'a') + "é…");
}

}  // namespace

// ------ Which addresses a POST may reach ------

namespace {

bool public_v4(const char *text) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    EXPECT_EQ(inet_pton(AF_INET, text, &a.sin_addr), 1) << text;
    return mycelium_worker::is_public_address(reinterpret_cast<const sockaddr *>(&a));
}

bool public_v6(const char *text) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    EXPECT_EQ(inet_pton(AF_INET6, text, &a.sin6_addr), 1) << text;
    return mycelium_worker::is_public_address(reinterpret_cast<const sockaddr *>(&a));
}

}  // namespace

TEST(WorkerAddress, PublicIPv4IsAllowed) {
    for (const char *a : {"93.184.216.34", "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1",
                          "169.253.255.255", "192.169.0.1", "11.0.0.1"})
        EXPECT_TRUE(public_v4(a)) << a;
}

TEST(WorkerAddress, OperatorNetworksAreRefused) {
    for (const char *a :
         {"127.0.0.1", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1",
          "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1",
          "255.255.255.255", "198.18.0.1", "192.0.0.8"})
        EXPECT_FALSE(public_v4(a)) << a;
}

TEST(WorkerAddress, IPv6) {
    EXPECT_TRUE(public_v6("2606:2800:220:1:248:1893:25c8:1946"));
    EXPECT_TRUE(public_v6("2001:4860:4860::8888"));
    for (const char *a : {"::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1",
                          "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254"})
        EXPECT_FALSE(public_v6(a)) << a;
    EXPECT_TRUE(public_v6("::ffff:8.8.8.8"));
}

TEST(WorkerAddress, OtherFamiliesAndNullAreRefused) {
    sockaddr other{};
    other.sa_family = AF_UNIX;
    EXPECT_FALSE(mycelium_worker::is_public_address(&other));
    EXPECT_FALSE(mycelium_worker::is_public_address(nullptr));
}
