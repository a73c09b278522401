#include "core/webhook.hpp"

#include <cstdint>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/jws.hpp"

namespace {

using mycelium::core::Error;
using mycelium::core::ErrorKind;
using mycelium::core::generate_webhook_secret;
using mycelium::core::is_webhook_secret;
using mycelium::core::webhook_signature;

// The example of the Standard Webhooks specification (spec/standard-webhooks.md,
// "Signature scheme"), which its reference libraries test against.
constexpr char kSpecSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr char kSpecId[] = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t kSpecTimestamp = 1614265330;
constexpr char kSpecBody[] = "{\"test\": 2432232314}";
constexpr char kSpecSignature[] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

ErrorKind kind_of(const std::string &secret, const std::string &id, std::int64_t at) {
    try {
        webhook_signature(secret, id, at, "{}");
    } catch (const Error &e) {
        // No error shows the secret's text, whatever is wrong with it.
        if (secret.size() > 8) {
            EXPECT_EQ(std::string(e.what()).find(secret.substr(6)), std::string::npos);
            EXPECT_EQ(e.detail().find(secret.substr(6)), std::string::npos);
        }
        return e.kind();
    }
    ADD_FAILURE() << "no error";
    return ErrorKind::Internal;
}

TEST(WebhookSignature, MatchesTheSpecificationsExample) {
    EXPECT_EQ(webhook_signature(kSpecSecret, kSpecId, kSpecTimestamp, kSpecBody), kSpecSignature);
}

TEST(WebhookSignature, ChangesWithEachSignedPart) {
    const std::string base = webhook_signature(kSpecSecret, kSpecId, kSpecTimestamp, kSpecBody);
    EXPECT_NE(
        webhook_signature(kSpecSecret, "msg_p5jXN8AQM9LWM0D4loKWxJeK", kSpecTimestamp, kSpecBody),
        base);
    EXPECT_NE(webhook_signature(kSpecSecret, kSpecId, kSpecTimestamp + 1, kSpecBody), base);
    EXPECT_NE(webhook_signature(kSpecSecret, kSpecId, kSpecTimestamp, "{\"test\": 2432232315}"),
              base);
    EXPECT_NE(webhook_signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSx", kSpecId, kSpecTimestamp,
                                kSpecBody),
              base);
    // An empty body is signed too.
    EXPECT_EQ(webhook_signature(kSpecSecret, kSpecId, 0, "").rfind("v1,", 0), 0u);
}

TEST(WebhookSignature, RefusesMalformedSecretsWithoutShowingThem) {
    EXPECT_EQ(kind_of("", kSpecId, 1), ErrorKind::InvalidParameter);
    EXPECT_EQ(kind_of("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", kSpecId, 1), ErrorKind::InvalidParameter);
    EXPECT_EQ(kind_of("WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", kSpecId, 1),
              ErrorKind::InvalidParameter);
    EXPECT_EQ(kind_of("whsec_", kSpecId, 1), ErrorKind::InvalidParameter);
    // base64url, whitespace, a missing padding, a non-canonical last character
    EXPECT_EQ(kind_of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-w", kSpecId, 1),
              ErrorKind::InvalidParameter);
    EXPECT_EQ(kind_of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZI o2LaLaSw", kSpecId, 1),
              ErrorKind::InvalidParameter);
    EXPECT_EQ(kind_of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwAB", kSpecId, 1),
              ErrorKind::InvalidParameter);
    EXPECT_EQ(kind_of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwAB==", kSpecId, 1),
              ErrorKind::InvalidParameter);
    // 23 bytes (too short) and 65 bytes (too long)
    EXPECT_EQ(
        kind_of("whsec_" + mycelium::core::jws::base64_encode(std::string(23, 'k')), kSpecId, 1),
        ErrorKind::InvalidParameter);
    EXPECT_EQ(
        kind_of("whsec_" + mycelium::core::jws::base64_encode(std::string(65, 'k')), kSpecId, 1),
        ErrorKind::InvalidParameter);
    EXPECT_NO_THROW(webhook_signature(
        "whsec_" + mycelium::core::jws::base64_encode(std::string(64, 'k')), kSpecId, 1, ""));
}

TEST(WebhookSignature, RefusesMalformedIdsAndTimes) {
    EXPECT_EQ(kind_of(kSpecSecret, "", 1), ErrorKind::InvalidParameter);
    EXPECT_EQ(kind_of(kSpecSecret, "msg.1", 1), ErrorKind::InvalidParameter);
    EXPECT_EQ(kind_of(kSpecSecret, "msg 1", 1), ErrorKind::InvalidParameter);
    EXPECT_EQ(kind_of(kSpecSecret, "msg\n1", 1), ErrorKind::InvalidParameter);
    EXPECT_EQ(kind_of(kSpecSecret, "msg_\xc3\xa9", 1), ErrorKind::InvalidParameter);
    EXPECT_EQ(kind_of(kSpecSecret, std::string(256, 'm'), 1), ErrorKind::InvalidParameter);
    EXPECT_NO_THROW(webhook_signature(kSpecSecret, std::string(255, 'm'), 1, ""));
    EXPECT_EQ(kind_of(kSpecSecret, kSpecId, -1), ErrorKind::InvalidParameter);
}

TEST(WebhookSecret, IsNewValidAndOfTheContractsShape) {
    std::set<std::string> seen;
    for (int i = 0; i < 20; ++i) {
        const std::string secret = generate_webhook_secret();
        EXPECT_TRUE(is_webhook_secret(secret));
        EXPECT_EQ(secret.size(), 6u + 44u);  // whsec_ + base64 of 32 bytes
        EXPECT_TRUE(seen.insert(secret).second);
    }
    EXPECT_TRUE(is_webhook_secret(kSpecSecret));
    EXPECT_FALSE(is_webhook_secret("whsec_abc"));
}

TEST(Base64, IsStrictAndRoundTrips) {
    using mycelium::core::jws::base64_decode;
    using mycelium::core::jws::base64_encode;
    std::string out;
    for (const std::string data :
         {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\x00"}) {
        ASSERT_TRUE(base64_decode(base64_encode(data), out));
        EXPECT_EQ(out, data);
    }
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
    EXPECT_FALSE(base64_decode("Zm8", out));    // padding missing
    EXPECT_FALSE(base64_decode("Zm9=", out));   // unused bits set
    EXPECT_FALSE(base64_decode("Zg=a", out));   // '=' inside
    EXPECT_FALSE(base64_decode("Zg===", out));  // length
    EXPECT_FALSE(base64_decode("====", out));
    EXPECT_FALSE(base64_decode("-_8=", out));  // base64url alphabet
    EXPECT_FALSE(base64_decode("Zm 9v", out));
    EXPECT_FALSE(base64_decode(" Zm9v", out));
}

}  // namespace

namespace {

using mycelium::core::webhook_url_problem;

TEST(WebhookUrl, AcceptsHttpsUrlsWithAHost) {
    for (const char *url :
         {"https://example.com", "https://example.com/", "HTTPS://Example.COM/hooks?x=1#f",
          "https://hooks.slack.com/services/T000/B000/XXXX", "https://10.0.0.1:8443/in",
          "https://[::1]:8443/in", "https://[2001:db8::1]/", "https://a-b.example/x%20y"})
        EXPECT_EQ(webhook_url_problem(url), std::nullopt) << url;
}

TEST(WebhookUrl, RefusesHostileInputs) {
    for (const char *url : {"",
                            "not-a-url",
                            "http://example.com",
                            "ftp://example.com",
                            "javascript:alert(1)",
                            "https://",
                            "https:///path",
                            "https://?q",
                            "https://#f",
                            "https:example.com",
                            "https://user:pass@example.com/",
                            "https://user@example.com",
                            "https://@example.com",
                            "https://example.com@evil.example",
                            "https://good.example\\@evil.example",
                            "https://exa mple.com",
                            "https://example.com/\n",
                            "https://example.com/\t",
                            " https://example.com",
                            "https://ex\xc3\xa4mple.com",
                            "https://example.com:",
                            "https://example.com:0",
                            "https://example.com:65536",
                            "https://example.com:99999",
                            "https://example.com:8a",
                            "https://.example.com",
                            "https://-example.com",
                            "https://a..b",
                            "https://ex_ample.com",
                            "https://[::1",
                            "https://[]/",
                            "https://[zz::1]/",
                            "https://[::1]x/"})
        EXPECT_NE(webhook_url_problem(url), std::nullopt) << url;
    EXPECT_NE(webhook_url_problem("https://example.com/" + std::string(2048, 'a')), std::nullopt);
}

TEST(WebhookUrl, ItsReasonNeverQuotesTheUrl) {
    const auto problem = webhook_url_problem("https://user:hunter2@example.com/");
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->find("hunter2"), std::string::npos);
}

}  // namespace
