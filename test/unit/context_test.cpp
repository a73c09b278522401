#include "core/context.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <openssl/hmac.h>

#include "core/error.hpp"
#include "b64url.hpp"

namespace {

using mycelium::core::Binding;
using mycelium::core::canonical_uuid;
using mycelium::core::Context;
using mycelium::core::context_from_claims;
using mycelium::core::Error;
using mycelium::core::ErrorKind;
using mycelium::core::is_role_name;
using mycelium::core::is_service_slug;
using mycelium::core::is_uuid;
using mycelium::core::kContextMaxInputBytes;
using mycelium::core::kJwtLeewaySeconds;
using mycelium::core::normalized_context;
using mycelium::core::open_context;
using mycelium::core::seal_context;
using mycelium::core::Sealed;
using mycelium::core::sign_jwt_hs256;
using mycelium::core::Stamp;
using mycelium::core::VerifiedToken;
using mycelium::core::verify_jwt_hs256;

constexpr std::string_view kKey = "mycelium-unit-test-key-0123456789";  // 33 bytes
constexpr std::string_view kOtherKey = "mycelium-unit-test-key-0123456788";
constexpr char kOrg[] = "0190a5c4-0000-7000-8000-000000000001";
constexpr char kUser[] = "0190a5c4-0000-7000-8000-000000000002";
constexpr char kClient[] = "0190a5c4-0000-7000-8000-000000000003";
constexpr std::int64_t kNow = 1700000000;

std::string repeat(std::string_view unit, std::size_t times) {
    std::string out;
    out.reserve(unit.size() * times);
    for (std::size_t i = 0; i < times; ++i) out.append(unit);
    return out;
}

using mycelium::test::b64url;

std::string hmac(std::string_view key, std::string_view data) {
    unsigned char mac[32];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char *>(data.data()), data.size(), mac, &length);
    return std::string(reinterpret_cast<const char *>(mac), length);
}

// A token with any header, signed with `key` (or with `signature` as given).
std::string token_of(std::string_view header_json, std::string_view payload_json,
                     std::string_view key = kKey) {
    const std::string input = b64url(header_json) + "." + b64url(payload_json);
    return input + "." + b64url(hmac(key, input));
}

constexpr char kHs256Header[] = R"({"alg":"HS256","typ":"JWT"})";

std::string staff_claims(std::string_view extra = R"(,"exp":4102444800)") {
    return std::string(R"({"organization_id":")") + kOrg + R"(","sub":")" + kUser +
           R"(","app_role":"ADMIN")" + std::string(extra) + "}";
}

std::string client_claims() {
    return std::string(R"({"organization_id":")") + kOrg + R"(","sub":")" + kUser +
           R"(","app_role":"CLIENT","client_id":")" + kClient + R"(","exp":4102444800})";
}

// Verifies, expecting an error; returns it for the caller to inspect.
Error verify_error(std::string_view token, std::int64_t now = kNow, std::string_view key = kKey) {
    try {
        verify_jwt_hs256(token, key, now);
        ADD_FAILURE() << "expected an error for token " << token.substr(0, 200);
    } catch (const Error &e) {
        return e;
    }
    return Error(ErrorKind::Internal, "no error");
}

// The message of the InvalidAuthorization error that verifying gives.
std::string refusal(std::string_view token, std::int64_t now = kNow, std::string_view key = kKey) {
    const Error e = verify_error(token, now, key);
    EXPECT_EQ(e.kind(), ErrorKind::InvalidAuthorization) << e.what();
    return e.what();
}

Context staff() {
    Context c;
    c.organization_id = kOrg;
    c.user_id = kUser;
    c.role = "CUSTOM";
    c.service_access = {"seo", "video-editing"};
    return c;
}

Context portal_user() {
    Context c;
    c.organization_id = kOrg;
    c.user_id = kUser;
    c.role = "CLIENT";
    c.client_id = kClient;
    return c;
}

constexpr Binding kBinding{4242, 77, 9001, 1700000900};

// ===========================================================================
// Values

TEST(ContextValues, IsUuid) {
    EXPECT_TRUE(is_uuid(kOrg));
    EXPECT_TRUE(is_uuid("0190A5C4-ABCD-7EF0-8000-00000000000F"));
    EXPECT_TRUE(is_uuid("00000000-0000-0000-0000-000000000000"));
    EXPECT_FALSE(is_uuid(""));
    EXPECT_FALSE(is_uuid("0190a5c40000700080000000000000001"));
    EXPECT_FALSE(is_uuid("0190a5c4000070008000000000000001"));  // no hyphens
    EXPECT_FALSE(is_uuid("{0190a5c4-0000-7000-8000-000000000001}"));
    EXPECT_FALSE(is_uuid("0190a5c4-0000-7000-8000-00000000000g"));
    EXPECT_FALSE(is_uuid("0190a5c4-0000-7000-8000-0000000000001"));
    EXPECT_FALSE(is_uuid("0190a5c4-0000-7000-8000-00000000001"));
    EXPECT_FALSE(is_uuid("0190a5c40-000-7000-8000-000000000001"));
    EXPECT_FALSE(is_uuid(std::string_view("0190a5c4-0000-7000-8000-00000000000\0", 36)));
}

TEST(ContextValues, CanonicalUuid) {
    EXPECT_EQ(canonical_uuid("0190A5C4-ABCD-7EF0-8000-00000000000F"),
              "0190a5c4-abcd-7ef0-8000-00000000000f");
    EXPECT_EQ(canonical_uuid(kOrg), kOrg);
}

// The form only: which roles exist is the enum's to say, in SQL.
TEST(ContextValues, IsRoleName) {
    for (const char *role : {"ADMIN", "VIDEO_EDITOR", "SEO_STRATEGIST", "WEBSITE_DESIGNER",
                             "FILMER", "CUSTOM", "CLIENT", "A"})
        EXPECT_TRUE(is_role_name(role)) << role;
    for (const char *role :
         {"", "admin", "Admin", "ADMIN ", " ADMIN", "_ADMIN", "ADMIN1", "AD-MIN", "authenticated"})
        EXPECT_FALSE(is_role_name(role)) << role;
    EXPECT_TRUE(is_role_name(std::string(63, 'A')));
    EXPECT_FALSE(is_role_name(std::string(64, 'A')));
}

TEST(ContextValues, IsServiceSlug) {
    for (const char *slug : {"seo", "video-editing", "a", "0", "web-3-0"})
        EXPECT_TRUE(is_service_slug(slug)) << slug;
    EXPECT_TRUE(is_service_slug(std::string(100, 'a')));
    for (const char *slug :
         {"", "-seo", "seo-", "a--b", "Video", "video_editing", "a b", "a.b", "a,b", "caf\xc3\xa9"})
        EXPECT_FALSE(is_service_slug(slug)) << slug;
    EXPECT_FALSE(is_service_slug(std::string(101, 'a')));
}

TEST(ContextValues, NormalizedContext) {
    Context c = staff();
    c.organization_id = "0190A5C4-0000-7000-8000-000000000001";
    c.service_access = {"video-editing", "seo", "video-editing"};
    const Context n = normalized_context(c);
    EXPECT_EQ(n.organization_id, kOrg);
    EXPECT_EQ(n.service_access, (std::vector<std::string>{"seo", "video-editing"}));
    EXPECT_EQ(normalized_context(portal_user()), portal_user());
}

TEST(ContextValues, NormalizedContextRefusesInvalidFields) {
    const auto refused = [](const Context &c) {
        try {
            normalized_context(c);
        } catch (const Error &e) {
            EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter);
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    Context c = staff();
    c.organization_id = "";
    EXPECT_EQ(refused(c), "tenant context: organization_id is not a UUID");
    c = staff();
    c.user_id = "nobody";
    EXPECT_EQ(refused(c), "tenant context: user_id is not a UUID");
    c = staff();
    c.role = "admin";
    EXPECT_EQ(refused(c), "tenant context: role is not a role name");
    c = portal_user();
    c.client_id = "";
    EXPECT_EQ(refused(c), "tenant context: client_id is required for role CLIENT");
    c = portal_user();
    c.client_id = "x";
    EXPECT_EQ(refused(c), "tenant context: client_id is not a UUID");
    c = staff();
    c.client_id = kClient;
    EXPECT_EQ(refused(c), "tenant context: client_id is only for role CLIENT");
    c = staff();
    c.service_access = {"seo", "Bad Slug"};
    EXPECT_EQ(refused(c), "tenant context: service_access has an invalid slug");
}

// ===========================================================================
// request.jwt.claims

TEST(Claims, Staff) {
    const auto c = context_from_claims(staff_claims());
    ASSERT_TRUE(c);
    EXPECT_EQ(c->organization_id, kOrg);
    EXPECT_EQ(c->user_id, kUser);
    EXPECT_EQ(c->role, "ADMIN");
    EXPECT_EQ(c->client_id, "");
    EXPECT_TRUE(c->service_access.empty());
}

TEST(Claims, Client) {
    const auto c = context_from_claims(client_claims());
    ASSERT_TRUE(c);
    EXPECT_EQ(c->role, "CLIENT");
    EXPECT_EQ(c->client_id, kClient);
}

TEST(Claims, SupabaseShapedClaimsWithOtherClaimsIgnored) {
    const std::string claims =
        std::string(R"({"aud":"authenticated","exp":1,"iat":0,)") +
        R"("iss":"https://x.supabase.co/auth/v1","sub":")" + kUser +
        R"(","email":"a@b.c","phone":"","role":"authenticated",)" +
        R"("app_metadata":{"provider":"email","providers":["email"]},)" +
        R"("user_metadata":{},"amr":[{"method":"password","timestamp":1}],)" +
        R"("session_id":"x","organization_id":")" + kOrg + R"(","app_role":"SEO_STRATEGIST"})";
    const auto c = context_from_claims(claims);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->role, "SEO_STRATEGIST");
}

TEST(Claims, ServiceAccessArray) {
    const auto c = context_from_claims(
        staff_claims(R"(,"service_access":["video-editing","seo","web-design","seo"])"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->service_access, (std::vector<std::string>{"seo", "video-editing", "web-design"}));
    const auto empty = context_from_claims(staff_claims(R"(,"service_access":[])"));
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->service_access.empty());
    const auto null = context_from_claims(staff_claims(R"(,"service_access":null)"));
    ASSERT_TRUE(null);
    EXPECT_TRUE(null->service_access.empty());
}

TEST(Claims, ServiceAccessCommaString) {
    const auto c = context_from_claims(staff_claims(R"(,"service_access":"video-editing,seo")"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->service_access, (std::vector<std::string>{"seo", "video-editing"}));
    const auto spaced =
        context_from_claims(staff_claims(R"(,"service_access":" seo , filming,seo ")"));
    ASSERT_TRUE(spaced);
    EXPECT_EQ(spaced->service_access, (std::vector<std::string>{"filming", "seo"}));
    const auto empty = context_from_claims(staff_claims(R"(,"service_access":"")"));
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->service_access.empty());
    for (const char *bad :
         {R"(",seo")", R"("seo,")", R"("seo,,video")", R"(" , ")", R"("seo;video")"})
        EXPECT_FALSE(context_from_claims(staff_claims(std::string(R"(,"service_access":)") + bad)))
            << bad;
}

TEST(Claims, InvalidServiceSlugs) {
    for (const char *bad :
         {R"(["Video"])", R"(["video_editing"])", R"(["-seo"])", R"(["seo-"])", R"(["a--b"])",
          R"([""])", R"(["seo",""])", R"(["seo",1])", R"([["seo"]])", R"(["seo",null])", "1",
          "true", R"({"seo":true})", R"("Video")", R"("caf\u00e9")"})
        EXPECT_FALSE(context_from_claims(staff_claims(std::string(R"(,"service_access":)") + bad)))
            << bad;
    const std::string long_slug = std::string(101, 'a');
    EXPECT_FALSE(context_from_claims(staff_claims(R"(,"service_access":[")" + long_slug + "\"]")));
    EXPECT_TRUE(
        context_from_claims(staff_claims(R"(,"service_access":[")" + long_slug.substr(1) + "\"]")));
}

TEST(Claims, MissingRequiredClaims) {
    const std::string org = std::string(R"("organization_id":")") + kOrg + "\"";
    const std::string sub = std::string(R"("sub":")") + kUser + "\"";
    const std::string role = R"("app_role":"ADMIN")";
    EXPECT_TRUE(context_from_claims("{" + org + "," + sub + "," + role + "}"));
    EXPECT_FALSE(context_from_claims("{" + sub + "," + role + "}"));
    EXPECT_FALSE(context_from_claims("{" + org + "," + role + "}"));
    EXPECT_FALSE(context_from_claims("{" + org + "," + sub + "}"));
    EXPECT_FALSE(context_from_claims("{" + org + "," + R"("sub":null,)" + role + "}"));
    // PostgREST decides the database role with "role"; it is not app_role.
    EXPECT_FALSE(context_from_claims("{" + org + "," + sub + R"(,"role":"ADMIN"})"));
    EXPECT_FALSE(context_from_claims("{}"));
}

TEST(Claims, WrongTypes) {
    const std::string sub = std::string(R"("sub":")") + kUser + "\"";
    const std::string org = std::string(R"("organization_id":")") + kOrg + "\"";
    for (const std::string &claims : {
             "{" + sub + R"(,"organization_id":12,"app_role":"ADMIN"})",
             "{" + sub + R"(,"organization_id":[")" + kOrg + R"("],"app_role":"ADMIN"})",
             "{" + sub + R"(,"organization_id":{"id":")" + kOrg + R"("},"app_role":"ADMIN"})",
             "{" + org + R"(,"sub":true,"app_role":"ADMIN"})",
             "{" + org + "," + sub + R"(,"app_role":1})",
             "{" + org + "," + sub + R"(,"app_role":["ADMIN"]})",
             "{" + org + "," + sub + R"(,"app_role":"CLIENT","client_id":3})",
         })
        EXPECT_FALSE(context_from_claims(claims)) << claims;
}

TEST(Claims, UpperCaseUuidsAreNormalised) {
    const std::string claims =
        R"({"organization_id":"0190A5C4-0000-7000-8000-00000000000A",)"
        R"("sub":"0190A5C4-0000-7000-8000-00000000000B","app_role":"CLIENT",)"
        R"("client_id":"0190A5C4-0000-7000-8000-00000000000C"})";
    const auto c = context_from_claims(claims);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->organization_id, "0190a5c4-0000-7000-8000-00000000000a");
    EXPECT_EQ(c->user_id, "0190a5c4-0000-7000-8000-00000000000b");
    EXPECT_EQ(c->client_id, "0190a5c4-0000-7000-8000-00000000000c");
}

TEST(Claims, MalformedUuids) {
    for (const char *id :
         {"", "0190a5c4000070008000000000000001", "{0190a5c4-0000-7000-8000-000000000001}",
          "0190a5c4-0000-7000-8000-00000000000x", " 0190a5c4-0000-7000-8000-000000000001"})
        EXPECT_FALSE(context_from_claims(std::string(R"({"organization_id":")") + id +
                                         R"(","sub":")" + kUser + R"(","app_role":"ADMIN"})"))
            << id;
}

// A role of the wrong form; which roles exist is checked in SQL against the enum
// (mycelium_internal.check_member), so "SUPERUSER" passes here and fails there.
TEST(Claims, MalformedRole) {
    for (const char *role : {"Superuser", "admin", "", "ADMIN\\u0000", "authenticated", "AD MIN"})
        EXPECT_FALSE(context_from_claims(std::string(R"({"organization_id":")") + kOrg +
                                         R"(","sub":")" + kUser + R"(","app_role":")" + role +
                                         "\"}"))
            << role;
}

// A portal user's client comes from its client_users row (the database fills it
// in and refuses a claim naming another), so the claim may be left out; one that
// is given must be a UUID.
TEST(Claims, ClientIdIsOptionalForClient) {
    const std::string base = std::string(R"({"organization_id":")") + kOrg + R"(","sub":")" +
                             kUser + R"(","app_role":"CLIENT")";
    for (const std::string &tail : {std::string("}"), std::string(R"(,"client_id":null})")}) {
        const auto c = context_from_claims(base + tail);
        ASSERT_TRUE(c) << tail;
        EXPECT_EQ(c->role, "CLIENT");
        EXPECT_EQ(c->client_id, "");
    }
    EXPECT_FALSE(context_from_claims(base + R"(,"client_id":""})"));
    EXPECT_FALSE(context_from_claims(base + R"(,"client_id":"acme"})"));
    EXPECT_FALSE(context_from_claims(base + R"(,"client_id":7})"));
}

// Decision: a staff role with a (non-null) client_id is contradictory, so the
// whole context is refused rather than the claim ignored. null means absent.
TEST(Claims, StaffWithClientIdIsRefused) {
    EXPECT_FALSE(
        context_from_claims(staff_claims(std::string(R"(,"client_id":")") + kClient + "\"")));
    EXPECT_FALSE(context_from_claims(staff_claims(R"(,"client_id":"")")));
    const auto c = context_from_claims(staff_claims(R"(,"client_id":null)"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->client_id, "");
}

TEST(Claims, NotAnObject) {
    for (const char *json : {"[]", "[{}]", "\"claims\"", "42", "null", "true", "1e5"})
        EXPECT_FALSE(context_from_claims(json)) << json;
}

TEST(Claims, MalformedJson) {
    const std::string good = staff_claims();
    for (const std::string &json :
         {std::string(""), std::string(" "), std::string("{"), good.substr(0, good.size() - 1),
          good + "}", good + " x", good + good, std::string("{'sub':'x'}"),
          "{" + good.substr(1, good.size() - 2) + ",}", std::string("{\"sub\":\"\x01\"}"),
          std::string("{\"sub\":\"\xff\"}"),  // not UTF-8
          std::string("{\"sub\":\"\xc0\xaf\"}"), std::string("{\"a\":1e999}"),
          std::string("/* */") + good})
        EXPECT_FALSE(context_from_claims(json)) << json;
}

TEST(Claims, DuplicateTopLevelKeysAreRefused) {
    // Whichever copy a parser keeps, the context must not depend on it.
    EXPECT_FALSE(context_from_claims(
        staff_claims(R"(,"organization_id":"0190a5c4-0000-7000-8000-0000000000ff")")));
    EXPECT_FALSE(context_from_claims(staff_claims(R"(,"app_role":"ADMIN")")));
    EXPECT_FALSE(context_from_claims(staff_claims(R"(,"exp":1,"exp":2)")));  // even one not read
    // Nested objects are not the context's business.
    EXPECT_TRUE(context_from_claims(staff_claims(R"(,"app_metadata":{"a":1,"a":2})")));
}

TEST(Claims, OneMegabyteIsRefusedBeforeParsing) {
    const std::string huge = staff_claims(R"(,"junk":")" + std::string(1 << 20, 'x') + "\"");
    EXPECT_FALSE(context_from_claims(huge));
    EXPECT_FALSE(context_from_claims(std::string(1 << 20, ' ')));
}

TEST(Claims, SizeLimitIsExact) {
    std::string base = staff_claims(R"(,"pad":")");
    base.pop_back();  // the closing brace
    const std::string at_limit =
        base + std::string(kContextMaxInputBytes - base.size() - 2, 'x') + "\"}";
    ASSERT_EQ(at_limit.size(), kContextMaxInputBytes);
    EXPECT_TRUE(context_from_claims(at_limit));
    const std::string over =
        base + std::string(kContextMaxInputBytes - base.size() - 1, 'x') + "\"}";
    ASSERT_EQ(over.size(), kContextMaxInputBytes + 1);
    EXPECT_FALSE(context_from_claims(over));
}

TEST(Claims, DeepNesting) {
    EXPECT_FALSE(context_from_claims(std::string(100000, '[')));
    EXPECT_FALSE(context_from_claims(repeat("{\"a\":", 100000)));
    // Within the size limit the parser is iterative: 8000 levels cost no stack.
    EXPECT_FALSE(context_from_claims(std::string(16000, '[')));
    const std::string deep =
        staff_claims(",\"deep\":" + std::string(8000, '[') + std::string(8000, ']'));
    ASSERT_LE(deep.size(), kContextMaxInputBytes);
    EXPECT_TRUE(context_from_claims(deep));
    const std::string objects =
        staff_claims(",\"deep\":" + repeat("{\"a\":", 2500) + "1" + std::string(2500, '}'));
    ASSERT_LE(objects.size(), kContextMaxInputBytes);
    EXPECT_TRUE(context_from_claims(objects));
}

TEST(Claims, NulBytes) {
    const std::string good = staff_claims();
    std::string inside = good;
    inside.insert(inside.find(kOrg) + 4, 1, '\0');
    EXPECT_FALSE(context_from_claims(inside));
    EXPECT_FALSE(context_from_claims(good + std::string(1, '\0')));
    EXPECT_FALSE(context_from_claims(std::string(1, '\0') + good));
    EXPECT_FALSE(context_from_claims(std::string(1, '\0')));
    // An escaped NUL is valid JSON, but no UUID or role contains one.
    std::string escaped = good;
    escaped.replace(escaped.find(kOrg) + 35, 1, "\\u0000");
    EXPECT_FALSE(context_from_claims(escaped));
    EXPECT_TRUE(context_from_claims(staff_claims(R"(,"note":"a\u0000b")")));
}

// ===========================================================================
// HS256 JWT

TEST(Jwt, RoundTrip) {
    const std::string token =
        sign_jwt_hs256(staff_claims(R"(,"exp":1700000600,"service_access":["seo"])"), kKey);
    const VerifiedToken v = verify_jwt_hs256(token, kKey, kNow);
    EXPECT_EQ(v.expires_at, 1700000600);
    EXPECT_EQ(v.context.organization_id, kOrg);
    EXPECT_EQ(v.context.user_id, kUser);
    EXPECT_EQ(v.context.role, "ADMIN");
    EXPECT_EQ(v.context.service_access, std::vector<std::string>{"seo"});

    const VerifiedToken client =
        verify_jwt_hs256(sign_jwt_hs256(client_claims(), kKey), kKey, kNow);
    EXPECT_EQ(client.context.client_id, kClient);

    // A portal token without client_id: the database takes the client from the row.
    const VerifiedToken portal = verify_jwt_hs256(
        sign_jwt_hs256(std::string(R"({"exp":1700000600,"organization_id":")") + kOrg +
                           R"(","sub":")" + kUser + R"(","app_role":"CLIENT"})",
                       kKey),
        kKey, kNow);
    EXPECT_EQ(portal.context.role, "CLIENT");
    EXPECT_EQ(portal.context.client_id, "");
}

// "iat" is returned when present (revocation compares it) and must be a date.
TEST(Jwt, IssuedAt) {
    EXPECT_FALSE(verify_jwt_hs256(sign_jwt_hs256(staff_claims(), kKey), kKey, kNow).issued_at);
    const VerifiedToken v = verify_jwt_hs256(
        sign_jwt_hs256(staff_claims(R"(,"exp":4102444800,"iat":1700000000.9)"), kKey), kKey, kNow);
    ASSERT_TRUE(v.issued_at);
    EXPECT_EQ(*v.issued_at, 1700000000);
    const Error e =
        verify_error(sign_jwt_hs256(staff_claims(R"(,"exp":4102444800,"iat":"yesterday")"), kKey));
    EXPECT_EQ(std::string(e.what()), "authenticate: token claim \"iat\" is not valid");
}

// What says whether a token's session has ended: "mycelium_session" (the count
// of ended sessions Mycelium's own tokens carry) and "jti", read by the verifier
// and by the claims path alike, refused when malformed.
TEST(Jwt, SessionStamp) {
    const VerifiedToken none = verify_jwt_hs256(sign_jwt_hs256(staff_claims(), kKey), kKey, kNow);
    EXPECT_FALSE(none.session);
    EXPECT_FALSE(none.token_id);
    const VerifiedToken v = verify_jwt_hs256(
        sign_jwt_hs256(staff_claims(R"(,"exp":4102444800,"mycelium_session":7,"jti":"a1b2")"),
                       kKey),
        kKey, kNow);
    ASSERT_TRUE(v.session);
    EXPECT_EQ(*v.session, 7);
    ASSERT_TRUE(v.token_id);
    EXPECT_EQ(*v.token_id, "a1b2");
    for (const char *bad : {R"(,"exp":4102444800,"mycelium_session":-1)",
                            R"(,"exp":4102444800,"mycelium_session":1.5)",
                            R"(,"exp":4102444800,"mycelium_session":"7")",
                            R"(,"exp":4102444800,"mycelium_session":18446744073709551615)",
                            R"(,"exp":4102444800,"jti":"")", R"(,"exp":4102444800,"jti":7)"}) {
        SCOPED_TRACE(bad);
        const Error e = verify_error(sign_jwt_hs256(staff_claims(bad), kKey));
        EXPECT_EQ(e.kind(), ErrorKind::InvalidAuthorization);
    }
    EXPECT_EQ(std::string(
                  verify_error(sign_jwt_hs256(staff_claims(R"(,"exp":4102444800,"jti":"")"), kKey))
                      .what()),
              "authenticate: token claim \"jti\" is not a string of 1 to 200 characters");

    Stamp stamp;
    ASSERT_TRUE(context_from_claims(
        staff_claims(R"(,"iat":1700000000,"mycelium_session":3,"jti":"x")"), &stamp));
    EXPECT_EQ(stamp.issued_at, std::optional<std::int64_t>(1700000000));
    EXPECT_EQ(stamp.session, std::optional<std::int64_t>(3));
    EXPECT_EQ(stamp.token_id, std::optional<std::string>("x"));
    ASSERT_TRUE(context_from_claims(staff_claims(), &stamp));
    EXPECT_FALSE(stamp.issued_at || stamp.session || stamp.token_id);
    // Malformed, they give no context at all (as any malformed claim does).
    EXPECT_FALSE(context_from_claims(staff_claims(R"(,"mycelium_session":"3")"), &stamp));
    EXPECT_FALSE(context_from_claims(staff_claims(R"(,"iat":"yesterday")"), &stamp));
    // Without a stamp to fill, they are not looked at.
    EXPECT_TRUE(context_from_claims(staff_claims(R"(,"iat":"yesterday")")));
}

TEST(Jwt, SignedTokenShape) {
    const std::string token = sign_jwt_hs256("{}", kKey);
    EXPECT_EQ(token.substr(0, token.find('.')), "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
    EXPECT_EQ(token, token_of(kHs256Header, "{}"));
}

// Computed outside this code, in the shell:
//   b64u() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
//   h=$(printf '%s' '{"alg":"HS256","typ":"JWT"}' | b64u)
//   p=$(printf '%s' '<the claims below>' | b64u)
//   printf '%s' "$h.$p" | openssl dgst -sha256 -hmac 'mycelium-unit-test-key-0123456789' -binary |
//   b64u
TEST(Jwt, IndependentlyComputedVector) {
    constexpr char kClaims[] =
        R"({"sub":"0190A5C4-0000-7000-8000-000000000002","organization_id":"0190a5c4-0000-7000-8000-000000000001",)"
        R"("app_role":"CUSTOM","service_access":"video-editing,seo","exp":4102444800})";
    constexpr char kToken[] =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
        "eyJzdWIiOiIwMTkwQTVDNC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDIiLCJvcmdhbml6YXRpb25faWQiOiIwMT"
        "kwYTVjNC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDEiLCJhcHBfcm9sZSI6IkNVU1RPTSIsInNlcnZpY2VfYWNj"
        "ZXNzIjoidmlkZW8tZWRpdGluZyxzZW8iLCJleHAiOjQxMDI0NDQ4MDB9."
        "ugLBQGK0f9LUIHpNjYJ2A0DE28L0slRKskXyWRscwsM";
    EXPECT_EQ(sign_jwt_hs256(kClaims, kKey), kToken);
    const VerifiedToken v = verify_jwt_hs256(kToken, kKey, kNow);
    EXPECT_EQ(v.expires_at, 4102444800);
    EXPECT_EQ(v.context.organization_id, kOrg);
    EXPECT_EQ(v.context.user_id, kUser);
    EXPECT_EQ(v.context.role, "CUSTOM");
    EXPECT_EQ(v.context.service_access, (std::vector<std::string>{"seo", "video-editing"}));
}

// RFC 7515, Appendix A.1: an HS256 JWS with a 64-byte key. Its signature verifies
// and it has not expired at its own time, so what is refused is the missing tenant.
TEST(Jwt, Rfc7515AppendixA1) {
    constexpr char kKeyHex[] =
        "0323354b2b0fa5bc837e0665777ba68f5ab328e6f054c928a90f84b2d2502ebf"
        "d3fb5a92d20647ef968ab4c377623d223d2e2172052e4f08c0cd9af567d080a3";
    std::string key;
    for (std::size_t i = 0; i < sizeof kKeyHex - 1; i += 2)
        key += static_cast<char>(std::stoi(std::string(kKeyHex + i, 2), nullptr, 16));
    const std::string token =
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
        "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cn"
        "VlfQ."
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    EXPECT_EQ(refusal(token, 1300819000, key),
              "authenticate: token lacks claim \"organization_id\"");
    EXPECT_EQ(refusal(token, 1300819380 + kJwtLeewaySeconds, key),
              "authenticate: token has expired");
    std::string changed = token;
    changed[changed.size() - 2] = 'Y';
    EXPECT_EQ(refusal(changed, 1300819000, key), "authenticate: token signature does not match");
}

TEST(Jwt, WrongKey) {
    const std::string token = sign_jwt_hs256(staff_claims(), kOtherKey);
    EXPECT_EQ(refusal(token), "authenticate: token signature does not match");
    const Error e = verify_error(token);
    EXPECT_FALSE(e.detail().empty());
}

TEST(Jwt, TamperedPayload) {
    const std::string token = sign_jwt_hs256(staff_claims(), kKey);
    const std::string other_org = "0190a5c4-0000-7000-8000-0000000000ff";
    std::string claims = staff_claims();
    claims.replace(claims.find(kOrg), 36, other_org);
    const std::size_t first = token.find('.');
    const std::size_t second = token.find('.', first + 1);
    const std::string tampered = token.substr(0, first + 1) + b64url(claims) + token.substr(second);
    EXPECT_EQ(refusal(tampered), "authenticate: token signature does not match");
    // Tampering with the header is caught too.
    const std::string header = b64url(R"({"alg":"HS256","typ":"JWT","kid":"x"})");
    EXPECT_EQ(refusal(header + token.substr(first)),
              "authenticate: token signature does not match");
}

TEST(Jwt, AlgNoneIsRefused) {
    const std::string unsigned_token =
        b64url(R"({"alg":"none","typ":"JWT"})") + "." + b64url(staff_claims()) + ".";
    EXPECT_EQ(refusal(unsigned_token), "authenticate: token algorithm \"none\" is not accepted");
    // Even carrying a valid HS256 signature over the same input.
    EXPECT_EQ(refusal(token_of(R"({"alg":"none"})", staff_claims())),
              "authenticate: token algorithm \"none\" is not accepted");
    for (const char *alg : {"None", "NONE", "hs256", "HS256 ", "RS256", "ES256", "PS256", ""})
        EXPECT_EQ(refusal(token_of(std::string(R"({"alg":")") + alg + "\"}", staff_claims())),
                  std::string("authenticate: token algorithm \"") + alg + "\" is not accepted");
}

TEST(Jwt, AlgHs512IsRefused) {
    EXPECT_EQ(refusal(token_of(R"({"alg":"HS512","typ":"JWT"})", staff_claims())),
              "authenticate: token algorithm \"HS512\" is not accepted");
}

TEST(Jwt, AlgorithmNameIsSanitisedInTheMessage) {
    const std::string message =
        refusal(token_of(R"({"alg":"\u0007\n)" + std::string(100, 'A') + "\"}", staff_claims()));
    EXPECT_EQ(message, "authenticate: token algorithm \"\\x07\\x0a" + std::string(38, 'A') +
                           "...\" is not accepted");
}

TEST(Jwt, HeaderChecks) {
    EXPECT_EQ(refusal(token_of(R"({"typ":"JWT"})", staff_claims())),
              "authenticate: token is malformed");
    EXPECT_EQ(refusal(token_of(R"({"alg":256})", staff_claims())),
              "authenticate: token is malformed");
    EXPECT_EQ(refusal(token_of(R"({"alg":"HS256","alg":"HS256"})", staff_claims())),
              "authenticate: token is malformed");
    EXPECT_EQ(refusal(token_of(R"(["HS256"])", staff_claims())),
              "authenticate: token is malformed");
    EXPECT_EQ(refusal(token_of("not json", staff_claims())), "authenticate: token is malformed");
    EXPECT_EQ(refusal(token_of(R"({"alg":"HS256","typ":"JOSE+JSON"})", staff_claims())),
              "authenticate: token type \"JOSE+JSON\" is not accepted");
    EXPECT_EQ(refusal(token_of(R"({"alg":"HS256","typ":1})", staff_claims())),
              "authenticate: token type a JSON number is not accepted");
    EXPECT_EQ(refusal(token_of(R"({"alg":"HS256","crit":["exp"],"exp":1})", staff_claims())),
              "authenticate: token has critical header extensions");
    // typ is optional and a media type (case-insensitive); unknown members are ignored.
    for (const char *header :
         {R"({"alg":"HS256"})", R"({"alg":"HS256","typ":"jwt"})",
          R"({"typ":"JWT","alg":"HS256","kid":"key-1"})", R"({"alg":"HS256","typ":null})"})
        EXPECT_NO_THROW(verify_jwt_hs256(token_of(header, staff_claims()), kKey, kNow)) << header;
}

TEST(Jwt, Expiry) {
    EXPECT_EQ(refusal(sign_jwt_hs256(staff_claims(""), kKey)),
              "authenticate: token lacks claim \"exp\"");
    EXPECT_EQ(refusal(sign_jwt_hs256(staff_claims(R"(,"exp":null)"), kKey)),
              "authenticate: token lacks claim \"exp\"");
    for (const char *exp : {R"("4102444800")", "true", "[4102444800]", "1e30", "-1e30",
                            "9223372036854775808", "18446744073709551615"})
        EXPECT_EQ(refusal(sign_jwt_hs256(staff_claims(std::string(",\"exp\":") + exp), kKey)),
                  "authenticate: token claim \"exp\" is not valid")
            << exp;

    const Error expired = verify_error(sign_jwt_hs256(staff_claims(",\"exp\":1699990000"), kKey));
    EXPECT_EQ(std::string(expired.what()), "authenticate: token has expired");
    EXPECT_NE(expired.detail().find("1699990000"), std::string::npos) << expired.detail();
    EXPECT_NE(expired.detail().find("1700000000"), std::string::npos) << expired.detail();
    EXPECT_EQ(refusal(sign_jwt_hs256(staff_claims(",\"exp\":0"), kKey)),
              "authenticate: token has expired");
    EXPECT_EQ(refusal(sign_jwt_hs256(staff_claims(",\"exp\":-5"), kKey)),
              "authenticate: token has expired");
}

TEST(Jwt, ExpiryLeewayEdges) {
    const auto token_expiring = [](std::int64_t exp) {
        return sign_jwt_hs256(staff_claims(",\"exp\":" + std::to_string(exp)), kKey);
    };
    // Valid while exp > now - leeway.
    EXPECT_EQ(verify_jwt_hs256(token_expiring(kNow - kJwtLeewaySeconds + 1), kKey, kNow).expires_at,
              kNow - kJwtLeewaySeconds + 1);
    EXPECT_EQ(refusal(token_expiring(kNow - kJwtLeewaySeconds)), "authenticate: token has expired");
    EXPECT_NO_THROW(verify_jwt_hs256(token_expiring(kNow), kKey, kNow));
    // Fractional times are rounded down.
    const std::string fractional = sign_jwt_hs256(
        staff_claims(",\"exp\":" + std::to_string(kNow - kJwtLeewaySeconds + 1) + ".9"), kKey);
    EXPECT_EQ(verify_jwt_hs256(fractional, kKey, kNow).expires_at, kNow - kJwtLeewaySeconds + 1);
    const std::string fractional_edge = sign_jwt_hs256(
        staff_claims(",\"exp\":" + std::to_string(kNow - kJwtLeewaySeconds) + ".9"), kKey);
    EXPECT_EQ(refusal(fractional_edge), "authenticate: token has expired");
    // Extreme values and clocks do not overflow.
    const std::string forever = token_expiring(std::numeric_limits<std::int64_t>::max());
    EXPECT_NO_THROW(verify_jwt_hs256(forever, kKey, std::numeric_limits<std::int64_t>::max()));
    EXPECT_NO_THROW(verify_jwt_hs256(forever, kKey, std::numeric_limits<std::int64_t>::min()));
    EXPECT_EQ(refusal(token_expiring(std::numeric_limits<std::int64_t>::min()),
                      std::numeric_limits<std::int64_t>::min()),
              "authenticate: token has expired");
}

TEST(Jwt, NotBeforeLeewayEdges) {
    const auto token_from = [](const std::string &nbf) {
        return sign_jwt_hs256(staff_claims(",\"exp\":4102444800,\"nbf\":" + nbf), kKey);
    };
    EXPECT_NO_THROW(
        verify_jwt_hs256(token_from(std::to_string(kNow + kJwtLeewaySeconds)), kKey, kNow));
    EXPECT_NO_THROW(verify_jwt_hs256(token_from(std::to_string(kNow - 1000)), kKey, kNow));
    EXPECT_NO_THROW(verify_jwt_hs256(token_from("null"), kKey, kNow));
    const Error future = verify_error(token_from(std::to_string(kNow + kJwtLeewaySeconds + 1)));
    EXPECT_EQ(std::string(future.what()), "authenticate: token is not valid yet");
    EXPECT_NE(future.detail().find(std::to_string(kNow + kJwtLeewaySeconds + 1)),
              std::string::npos);
    EXPECT_EQ(refusal(token_from("\"soon\"")), "authenticate: token claim \"nbf\" is not valid");
}

TEST(Jwt, ClaimErrorsNameTheClaim) {
    const std::string exp = R"({"exp":4102444800)";
    const std::string org = std::string(R"(,"organization_id":")") + kOrg + "\"";
    const std::string sub = std::string(R"(,"sub":")") + kUser + "\"";
    const std::string admin = R"(,"app_role":"ADMIN")";
    const auto token = [](const std::string &claims) { return sign_jwt_hs256(claims, kKey); };
    EXPECT_EQ(refusal(token(exp + sub + admin + "}")),
              "authenticate: token lacks claim \"organization_id\"");
    EXPECT_EQ(refusal(token(exp + org + admin + "}")), "authenticate: token lacks claim \"sub\"");
    EXPECT_EQ(refusal(token(exp + org + sub + "}")),
              "authenticate: token lacks claim \"app_role\"");
    EXPECT_EQ(refusal(token(exp + R"(,"organization_id":"acme")" + sub + admin + "}")),
              "authenticate: token claim \"organization_id\" is not valid");
    EXPECT_EQ(refusal(token(exp + org + sub + R"(,"app_role":"root"})")),
              "authenticate: token claim \"app_role\" is not valid");
    EXPECT_EQ(refusal(token(exp + org + sub + R"(,"app_role":"CLIENT","client_id":"acme"})")),
              "authenticate: token claim \"client_id\" is not valid");
    EXPECT_EQ(refusal(token(exp + org + sub + admin + R"(,"client_id":")" + kClient + "\"}")),
              "authenticate: token claim \"client_id\" is not valid");
    EXPECT_EQ(refusal(token(exp + org + sub + admin + R"(,"service_access":"Video"})")),
              "authenticate: token claim \"service_access\" is not valid");
    EXPECT_EQ(refusal(token(exp + org + sub + admin + admin + "}")),
              "authenticate: token is malformed");  // a key twice
    const Error e = verify_error(token(exp + R"(,"organization_id":5)" + sub + admin + "}"));
    EXPECT_NE(e.detail().find("a JSON number"), std::string::npos) << e.detail();
}

TEST(Jwt, PayloadMustBeAnObject) {
    for (const char *payload :
         {"[]", "\"x\"", "null", "", "{", "{\"exp\":4102444800,\"exp\":4102444800}"})
        EXPECT_EQ(refusal(sign_jwt_hs256(payload, kKey)), "authenticate: token is malformed")
            << payload;
}

TEST(Jwt, NulBytesInTheDecodedParts) {
    // Signed, so that only the JSON reading can refuse them.
    EXPECT_EQ(refusal(sign_jwt_hs256(staff_claims() + std::string(1, '\0') + "junk", kKey)),
              "authenticate: token is malformed");
    EXPECT_EQ(refusal(token_of(std::string(kHs256Header) + std::string(1, '\0'), staff_claims())),
              "authenticate: token is malformed");
}

TEST(Jwt, MalformedBase64) {
    const std::string token = sign_jwt_hs256(staff_claims(), kKey);
    const std::size_t first = token.find('.');
    const std::size_t second = token.find('.', first + 1);
    const std::string header = token.substr(0, first);
    const std::string payload = token.substr(first + 1, second - first - 1);
    const std::string signature = token.substr(second + 1);
    const auto join = [](const std::string &h, const std::string &p, const std::string &s) {
        return h + "." + p + "." + s;
    };
    for (const std::string &bad : {
             join(header + "=", payload, signature),  // padding
             join(header, payload + "==", signature),
             join(header, payload, signature + "="),
             join(header, "+" + payload.substr(1), signature),  // standard alphabet
             join(header, payload, "/" + signature.substr(1)),
             join(header.substr(0, 4) + " " + header.substr(4), payload, signature),
             join(header, payload + std::string((5 - payload.size() % 4) % 4, 'A'),
                  signature),  // 4n+1
             join(header, payload, signature + "\n"),
             join(header, std::string("\0", 1) + payload, signature),
             join(header, payload, signature.substr(0, 42) + "\xc3\xa9"),
             join("", payload, signature),
             join(header, "", signature),
         })
        EXPECT_EQ(refusal(bad), "authenticate: token is malformed") << bad;

    // The last character of a 43-character signature carries 2 unused bits: any
    // other spelling of the same bytes is refused, not accepted as equivalent.
    std::string noncanonical = signature;
    char &last = noncanonical.back();
    last = last == 'A' ? 'B' : static_cast<char>(last + 1);
    EXPECT_EQ(refusal(join(header, payload, noncanonical)).substr(0, 20), "authenticate: token ");
}

TEST(Jwt, SignatureOfTheWrongLength) {
    const std::string token = sign_jwt_hs256(staff_claims(), kKey);
    EXPECT_EQ(refusal(token.substr(0, token.size() - 3)),
              "authenticate: token signature does not match");
    EXPECT_EQ(refusal(token + "AAAA"), "authenticate: token signature does not match");
    EXPECT_EQ(refusal(token.substr(0, token.rfind('.') + 1)),
              "authenticate: token signature does not match");
}

TEST(Jwt, PartCount) {
    const std::string token = sign_jwt_hs256(staff_claims(), kKey);
    EXPECT_EQ(refusal(""), "authenticate: token is malformed");
    EXPECT_EQ(refusal("."), "authenticate: token is malformed");
    EXPECT_EQ(refusal(".."), "authenticate: token is malformed");
    EXPECT_EQ(refusal("..."), "authenticate: token is malformed");
    EXPECT_EQ(refusal("eyJhbGciOiJIUzI1NiJ9"), "authenticate: token is malformed");
    EXPECT_EQ(refusal(token.substr(0, token.rfind('.'))),
              "authenticate: token is malformed");                           // two parts
    EXPECT_EQ(refusal(token + ".e30"), "authenticate: token is malformed");  // four parts
    EXPECT_EQ(refusal(token + "."), "authenticate: token is malformed");
    const Error two = verify_error(token.substr(0, token.rfind('.')));
    EXPECT_NE(two.detail().find("this token has 2"), std::string::npos) << two.detail();
}

TEST(Jwt, HugeTokensAreRefusedBeforeParsing) {
    const std::string big =
        sign_jwt_hs256(staff_claims(R"(,"pad":")" + std::string(20000, 'x') + "\""), kKey);
    ASSERT_GT(big.size(), kContextMaxInputBytes);
    const Error e = verify_error(big);
    EXPECT_EQ(std::string(e.what()), "authenticate: token is malformed");
    EXPECT_NE(e.detail().find("16384"), std::string::npos);
    EXPECT_EQ(refusal(std::string(1 << 20, 'A')), "authenticate: token is malformed");
    // Just under the limit, and deeply nested, it is fine.
    const std::string deep =
        sign_jwt_hs256(staff_claims(",\"exp\":4102444800,\"deep\":" + std::string(5000, '[') +
                                    std::string(5000, ']')),
                       kKey);
    ASSERT_LE(deep.size(), kContextMaxInputBytes);
    EXPECT_NO_THROW(verify_jwt_hs256(deep, kKey, kNow));
}

TEST(Jwt, ShortKeysAreRefused) {
    const std::string short_key(31, 'k');
    try {
        verify_jwt_hs256(sign_jwt_hs256(staff_claims(), kKey), short_key, kNow);
        ADD_FAILURE() << "accepted a 31-byte key";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter);
        EXPECT_EQ(std::string(e.what()), "authenticate: the server's key is too short");
    }
    EXPECT_THROW(sign_jwt_hs256(staff_claims(), short_key), Error);
    EXPECT_THROW(sign_jwt_hs256(staff_claims(), ""), Error);
    EXPECT_NO_THROW(verify_jwt_hs256(sign_jwt_hs256(staff_claims(), std::string(32, 'k')),
                                     std::string(32, 'k'), kNow));
}

TEST(Jwt, KeyWithNulBytes) {
    const std::string key = std::string(16, '\0') + std::string(16, 'k');
    const std::string other = std::string(16, '\0') + std::string(16, 'j');
    const std::string token = sign_jwt_hs256(staff_claims(), key);
    EXPECT_NO_THROW(verify_jwt_hs256(token, key, kNow));
    EXPECT_EQ(refusal(token, kNow, other), "authenticate: token signature does not match");
}

// ===========================================================================
// Sealed context

TEST(Sealed, RoundTrip) {
    for (const Context &c : {staff(), portal_user()}) {
        const std::string sealed = seal_context(c, kBinding, kKey);
        const std::optional<Sealed> opened = open_context(sealed, kKey);
        ASSERT_TRUE(opened) << sealed;
        EXPECT_EQ(opened->context, c);
        EXPECT_EQ(opened->binding, kBinding);
        EXPECT_EQ(seal_context(c, kBinding, kKey), sealed);  // deterministic
    }
}

// What the sealer keeps (as_opened) is exactly what opening the value finds,
// so the glue may take it as opened without opening again.
TEST(Sealed, AsOpenedIsWhatOpeningFinds) {
    Context unsorted = staff();
    std::reverse(unsorted.service_access.begin(), unsorted.service_access.end());
    unsorted.service_access.push_back(unsorted.service_access.front());
    Context upper = portal_user();
    for (char &ch : upper.client_id) ch = static_cast<char>(std::toupper(ch));
    for (const Context &c : {staff(), portal_user(), unsorted, upper}) {
        Sealed kept{};
        const std::string sealed = seal_context(c, kBinding, kKey, &kept);
        const std::optional<Sealed> opened = open_context(sealed, kKey);
        ASSERT_TRUE(opened) << sealed;
        EXPECT_EQ(kept.context, opened->context);
        EXPECT_EQ(kept.binding, opened->binding);
        EXPECT_EQ(kept.context.service_access, opened->context.service_access);
    }
}

// The sealing state is kept per key: values sealed under alternating keys open
// under their own key only.
TEST(Sealed, AlternatingKeys) {
    const std::string other = std::string(32, 'z');
    for (int i = 0; i < 3; ++i) {
        const std::string a = seal_context(staff(), kBinding, kKey);
        const std::string b = seal_context(staff(), kBinding, other);
        EXPECT_NE(a, b);
        EXPECT_TRUE(open_context(a, kKey));
        EXPECT_FALSE(open_context(a, other));
        EXPECT_TRUE(open_context(b, other));
        EXPECT_FALSE(open_context(b, kKey));
    }
}

TEST(Sealed, Format) {
    const std::string sealed = seal_context(staff(), kBinding, kKey);
    const std::string body =
        "v2.0190a5c4000070008000000000000001.0190a5c4000070008000000000000002.CUSTOM."
        ".seo,video-editing.4242.77.9001.1700000900.";
    ASSERT_EQ(sealed.substr(0, body.size()), body);
    EXPECT_EQ(sealed.size(), body.size() + 43);
    for (const char c : sealed) EXPECT_TRUE(c > 0x20 && c < 0x7f) << static_cast<int>(c);

    // The MAC: HMAC-SHA256 of the body under a key derived from the server's key.
    const std::string derived = hmac(kKey, "mycelium sealed tenant context v1");
    EXPECT_EQ(sealed.substr(body.size()), b64url(hmac(derived, body.substr(0, body.size() - 1))));

    const std::string client = seal_context(portal_user(), {1, 2, 3, 4}, kKey);
    const std::string client_body =
        "v2.0190a5c4000070008000000000000001.0190a5c4000070008000000000000002.CLIENT."
        "0190a5c4000070008000000000000003..1.2.3.4.";
    EXPECT_EQ(client.substr(0, client_body.size()), client_body);
}

TEST(Sealed, BindingValuesRoundTripExactly) {
    using L32 = std::numeric_limits<std::int32_t>;
    using L64 = std::numeric_limits<std::int64_t>;
    for (const Binding &b :
         {Binding{0, 0, 0, 0}, Binding{L32::max(), L64::max(), L64::max(), L64::max()},
          Binding{L32::min(), L64::min(), L64::min(), L64::min()}, Binding{-1, -1, -1, -1},
          Binding{17, 753001234567890, 4294967295, 1700000000}}) {
        const auto opened = open_context(seal_context(staff(), b, kKey), kKey);
        ASSERT_TRUE(opened);
        EXPECT_EQ(opened->binding.backend_id, b.backend_id);
        EXPECT_EQ(opened->binding.transaction_start, b.transaction_start);
        EXPECT_EQ(opened->binding.local_xid, b.local_xid);
        EXPECT_EQ(opened->binding.expires_at, b.expires_at);
    }
}

TEST(Sealed, SealNormalises) {
    Context c = staff();
    c.organization_id = "0190A5C4-0000-7000-8000-000000000001";
    c.service_access = {"video-editing", "seo", "seo"};
    const auto opened = open_context(seal_context(c, kBinding, kKey), kKey);
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->context, staff());
    Context none = staff();
    none.service_access.clear();
    const auto empty = open_context(seal_context(none, kBinding, kKey), kKey);
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->context.service_access.empty());
}

TEST(Sealed, SealRefusesInvalidContextsAndKeys) {
    Context c = staff();
    c.role = "root";
    EXPECT_THROW(seal_context(c, kBinding, kKey), Error);
    c.role = "AD.MIN";  // would smuggle a separator
    EXPECT_THROW(seal_context(c, kBinding, kKey), Error);
    c = staff();
    c.service_access = {"a.b"};  // would smuggle a separator
    EXPECT_THROW(seal_context(c, kBinding, kKey), Error);
    c = staff();
    c.user_id = std::string(kUser).replace(8, 1, ".");
    EXPECT_THROW(seal_context(c, kBinding, kKey), Error);
    EXPECT_THROW(seal_context(staff(), kBinding, std::string(31, 'k')), Error);
    // Too many service types to fit.
    c = staff();
    for (int i = 0; i < 200; ++i)
        c.service_access.push_back(std::string(90, 'a') + std::to_string(i));
    try {
        seal_context(c, kBinding, kKey);
        ADD_FAILURE() << "sealed a context over the size limit";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::ProgramLimitExceeded);
    }
}

TEST(Sealed, EverySingleByteChangeIsRefused) {
    for (const Context &c : {staff(), portal_user()}) {
        const std::string sealed = seal_context(c, kBinding, kKey);
        for (std::size_t i = 0; i < sealed.size(); ++i) {
            for (int b = 0; b < 256; ++b) {
                if (static_cast<char>(b) == sealed[i]) continue;
                std::string changed = sealed;
                changed[i] = static_cast<char>(b);
                ASSERT_FALSE(open_context(changed, kKey)) << "byte " << i << " -> " << b;
            }
        }
    }
}

TEST(Sealed, TruncationAndExtensionAreRefused) {
    const std::string sealed = seal_context(staff(), kBinding, kKey);
    for (std::size_t n = 0; n < sealed.size(); ++n)
        EXPECT_FALSE(open_context(sealed.substr(0, n), kKey)) << n;
    for (std::size_t n = 1; n < sealed.size(); ++n)
        EXPECT_FALSE(open_context(sealed.substr(n), kKey)) << n;
    EXPECT_FALSE(open_context(sealed + "A", kKey));
    EXPECT_FALSE(open_context(sealed + ".", kKey));
    EXPECT_FALSE(open_context(sealed + std::string(1, '\0'), kKey));
    EXPECT_FALSE(open_context(" " + sealed, kKey));
    EXPECT_FALSE(open_context(sealed + "." + sealed, kKey));
    EXPECT_FALSE(open_context(std::string(1 << 20, 'v'), kKey));
    EXPECT_FALSE(open_context("", kKey));
}

TEST(Sealed, OtherKeysAreRefused) {
    const std::string sealed = seal_context(staff(), kBinding, kKey);
    EXPECT_FALSE(open_context(sealed, kOtherKey));
    EXPECT_FALSE(open_context(sealed, std::string(kKey) + "x"));
    EXPECT_FALSE(open_context(sealed, kKey.substr(0, 32)));
    EXPECT_FALSE(open_context(sealed, ""));
    EXPECT_FALSE(open_context(sealed, std::string(31, 'k')));
}

TEST(Sealed, SwappedFieldsAreRefused) {
    const std::string sealed = seal_context(staff(), kBinding, kKey);
    const std::string org = "0190a5c4000070008000000000000001";
    const std::string user = "0190a5c4000070008000000000000002";
    std::string swapped = sealed;
    swapped.replace(swapped.find(org), 32, "USER");
    swapped.replace(swapped.find(user), 32, org);
    swapped.replace(swapped.find("USER"), 4, user);
    ASSERT_NE(swapped, sealed);
    EXPECT_FALSE(open_context(swapped, kKey));
    std::string numbers = sealed;
    numbers.replace(numbers.find(".4242.77."), 9, ".77.4242.");
    EXPECT_FALSE(open_context(numbers, kKey));

    // Sealing the swapped context yields another value, not a MAC that covers both.
    Context c = staff();
    std::swap(c.organization_id, c.user_id);
    EXPECT_NE(seal_context(c, kBinding, kKey).substr(sealed.size() - 43),
              sealed.substr(sealed.size() - 43));
}

TEST(Sealed, DoesNotAcceptAJwtStyleMac) {
    // The body MAC'd with the server's key itself, as a JWT signature would be:
    // refused, because sealing uses a derived key.
    const std::string sealed = seal_context(staff(), kBinding, kKey);
    const std::string body = sealed.substr(0, sealed.rfind('.'));
    EXPECT_FALSE(open_context(body + "." + b64url(hmac(kKey, body)), kKey));
}

// With the documented key derivation, a test can MAC any body: so the format is
// checked on its own, not only through the MAC.
TEST(Sealed, OpenChecksTheFormatBehindAValidMac) {
    const std::string derived = hmac(kKey, "mycelium sealed tenant context v1");
    const auto mac_of = [&](const std::string &body) {
        return body + "." + b64url(hmac(derived, body));
    };
    const std::string ids = "0190a5c4000070008000000000000001.0190a5c4000070008000000000000002.";
    const std::string client_hex = "0190a5c4000070008000000000000003";
    ASSERT_TRUE(open_context(mac_of("v2." + ids + "ADMIN...1.2.7.3"), kKey));
    ASSERT_TRUE(open_context(mac_of("v2." + ids + "CLIENT." + client_hex + ".a,b.1.2.7.-3"), kKey));
    for (const std::string &body : std::vector<std::string>{
             "v3." + ids + "ADMIN...1.2.7.3",
             "V2." + ids + "ADMIN...1.2.7.3",
             "v2." + ids + "ADMIN...1.2.7",                      // a field missing
             "v2." + ids + "ADMIN...1.2.7.3.4",                  // an extra field
             "v2." + ids + "admin...1.2.7.3",                    // role case
             "v2." + ids + "ADMIN." + client_hex + "..1.2.7.3",  // client for staff
             "v2." + ids + "CLIENT...1.2.7.3",                   // CLIENT without client
             "v2." + ids + "CLIENT.0190A5C4000070008000000000000003..1.2.7.3",
             "v2.0190A5C4000070008000000000000001.0190a5c4000070008000000000000002.ADMIN...1.2.7.3",
             "v2.0190a5c4-0000-7000-8000-000000000001.0190a5c4000070008000000000000002.ADMIN...1.2."
             "7.3",
             "v2." + ids + "ADMIN..b,a.1.2.7.3",  // unsorted
             "v2." + ids + "ADMIN..a,a.1.2.7.3",  // duplicate
             "v2." + ids + "ADMIN..a,.1.2.7.3",
             "v2." + ids + "ADMIN..A.1.2.7.3",
             "v2." + ids + "ADMIN...01.2.7.3",  // leading zero
             "v2." + ids + "ADMIN...+1.2.7.3",
             "v2." + ids + "ADMIN...-0.2.7.3",
             "v2." + ids + "ADMIN....2.7.3",
             "v2." + ids + "ADMIN...2147483648.2.7.3",  // backend id out of range
             "v2." + ids + "ADMIN...-2147483649.2.7.3",
             "v2." + ids + "ADMIN...1.9223372036854775808.7.3",
             "v2." + ids + "ADMIN...1.-9223372036854775809.7.3",
             "v2." + ids + "ADMIN...1.2.9223372036854775808.3",  // local xid out of range
             "v2." + ids + "ADMIN...1.0x2.7.3",
             "v2." + ids + "ADMIN...1.2.7.9223372036854775808",
             "v2." + ids + "ADMIN...1.2.7. 3",
         })
        EXPECT_FALSE(open_context(mac_of(body), kKey)) << body;
}

}  // namespace
