#include "core/secret_box.hpp"

#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace {

using mycelium::core::Error;
using mycelium::core::ErrorKind;
using mycelium::core::open_secret;
using mycelium::core::seal_secret;
using mycelium::core::SecretPlace;

const std::string kKey(32, 'k');
const std::string kOtherKey(32, 'K');
constexpr char kOrg[] = "018f0000-0000-7000-8000-000000000001";
constexpr char kOtherOrg[] = "018f0000-0000-7000-8000-000000000002";
constexpr char kIntegration[] = "018f0000-0000-7000-8000-0000000000a1";
constexpr char kOtherIntegration[] = "018f0000-0000-7000-8000-0000000000a2";
constexpr char kKeyId[] = "018f0000-0000-7000-8000-0000000000f1";
constexpr char kOtherKeyId[] = "018f0000-0000-7000-8000-0000000000f2";

const SecretPlace kPlace{kOrg, kIntegration, "signing_secret", kKeyId};

TEST(SecretBox, RoundTripsWithAFreshNonceEachTime) {
    const std::string plaintext = "https://hooks.slack.com/services/T000/B000/XXXX";
    const std::string a = seal_secret(kKey, kPlace, plaintext);
    const std::string b = seal_secret(kKey, kPlace, plaintext);
    EXPECT_EQ(a.size(), 12 + plaintext.size() + 16);
    EXPECT_NE(a, b);  // a random nonce per encryption
    EXPECT_NE(a.substr(0, 12), b.substr(0, 12));
    EXPECT_EQ(a.find(plaintext), std::string::npos);
    EXPECT_EQ(open_secret(kKey, kPlace, a), plaintext);
    EXPECT_EQ(open_secret(kKey, kPlace, b), plaintext);
    EXPECT_EQ(open_secret(kKey, kPlace, seal_secret(kKey, kPlace, "")), std::string());
}

TEST(SecretBox, DoesNotOpenElsewhere) {
    const std::string box = seal_secret(kKey, kPlace, "xoxb-secret");
    EXPECT_EQ(open_secret(kKey, {kOtherOrg, kIntegration, "signing_secret", kKeyId}, box),
              std::nullopt);
    EXPECT_EQ(open_secret(kKey, {kOrg, kOtherIntegration, "signing_secret", kKeyId}, box),
              std::nullopt);
    EXPECT_EQ(open_secret(kKey, {kOrg, kIntegration, "webhook_url", kKeyId}, box), std::nullopt);
    EXPECT_EQ(open_secret(kKey, {kOrg, kIntegration, "signing_secret", kOtherKeyId}, box),
              std::nullopt);
    EXPECT_EQ(open_secret(kOtherKey, kPlace, box), std::nullopt);
    // The parts are length-prefixed: moving a character between two of them changes the data.
    EXPECT_NE(mycelium::core::secret_associated_data({"ab", "c", "n", "k"}),
              mycelium::core::secret_associated_data({"a", "bc", "n", "k"}));
}

TEST(SecretBox, RefusesAlteredBoxes) {
    const std::string box = seal_secret(kKey, kPlace, "xoxb-secret");
    for (std::size_t i = 0; i < box.size(); ++i) {
        std::string altered = box;
        altered[i] = static_cast<char>(altered[i] ^ 0x01);
        EXPECT_EQ(open_secret(kKey, kPlace, altered), std::nullopt) << "byte " << i;
    }
    EXPECT_EQ(open_secret(kKey, kPlace, box.substr(0, box.size() - 1)), std::nullopt);
    EXPECT_EQ(open_secret(kKey, kPlace, box + "x"), std::nullopt);
    EXPECT_EQ(open_secret(kKey, kPlace, ""), std::nullopt);
    EXPECT_EQ(open_secret(kKey, kPlace, std::string(27, '\0')), std::nullopt);
}

TEST(SecretBox, RefusesBadKeysAndHugeSecretsWithoutShowingThem) {
    try {
        seal_secret(std::string(31, 'k'), kPlace, "xoxb-secret");
        ADD_FAILURE() << "no error";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter);
        EXPECT_EQ(std::string(e.what()).find("xoxb"), std::string::npos);
    }
    EXPECT_THROW(open_secret(std::string(33, 'k'), kPlace, std::string(40, 'x')), Error);
    const std::string huge(8193, 's');
    try {
        seal_secret(kKey, kPlace, huge);
        ADD_FAILURE() << "no error";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter);
        EXPECT_EQ(std::string(e.what()).find("sss"), std::string::npos);
    }
    EXPECT_NO_THROW(seal_secret(kKey, kPlace, std::string(8192, 's')));
}

}  // namespace

namespace {

TEST(SealedText, RoundTripsAndRefusesOtherForms) {
    using mycelium::core::parse_sealed_text;
    using mycelium::core::sealed_text;
    const std::string box = seal_secret(kKey, kPlace, "xoxb-secret");
    const std::string text = sealed_text(kKeyId, box);
    EXPECT_EQ(text.rfind(std::string(kKeyId) + ".", 0), 0u);
    const auto parsed = parse_sealed_text(text);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->key_id, kKeyId);
    EXPECT_EQ(parsed->box, box);
    EXPECT_FALSE(parse_sealed_text(""));
    EXPECT_FALSE(parse_sealed_text("xoxb-secret"));
    EXPECT_FALSE(parse_sealed_text(std::string(kKeyId) + "x.AAAA"));
    EXPECT_FALSE(parse_sealed_text(std::string(kKeyId) + ".AA A"));
    EXPECT_FALSE(parse_sealed_text("not-a-uuid.AAAA"));
}

}  // namespace
