#include "core/jwks.hpp"

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "core/context.hpp"
#include "core/error.hpp"
#include "b64url.hpp"

namespace {

using mycelium::core::check_jwks;
using mycelium::core::Error;
using mycelium::core::ErrorKind;
using mycelium::core::ForeignToken;
using mycelium::core::ForeignTokenRules;
using mycelium::core::kContextMaxInputBytes;
using mycelium::core::kJwksMaxBytes;
using mycelium::core::kJwksMaxKeys;
using mycelium::core::kJwtLeewaySeconds;
using mycelium::core::verify_jwt_jwks;

constexpr std::int64_t kNow = 1700000000;
constexpr std::int64_t kLater = 1700003600;  // an hour on: "exp" of the tokens here
constexpr char kUserId[] = "3f2b6c1e-8d4a-4e9b-a1c2-5d6e7f809a1b";

// ---------------------------------------------------------------------------
// A test-only signer, written against OpenSSL directly and independently of the
// code under test.

template <typename T, void (*Free)(T *)>
struct Deleter {
    void operator()(T *p) const { Free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

using mycelium::test::b64url;

std::string bn_bytes(const BIGNUM *bn, int pad = 0) {
    std::string out(static_cast<std::size_t>(pad > 0 ? pad : BN_num_bytes(bn)), '\0');
    const int n = pad > 0 ? BN_bn2binpad(bn, reinterpret_cast<unsigned char *>(out.data()), pad)
                          : BN_bn2bin(bn, reinterpret_cast<unsigned char *>(out.data()));
    EXPECT_EQ(static_cast<std::size_t>(n), out.size());
    return out;
}

Bignum bn_param(const EVP_PKEY *key, const char *name) {
    BIGNUM *bn = nullptr;
    EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1) << name;
    return Bignum(bn);
}

Pkey generate(const char *type) {
    EVP_PKEY *key = std::string_view(type) == "EC"
                        ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, "P-256")
                        : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
    EXPECT_NE(key, nullptr) << type;
    return Pkey(key);
}

// ctest runs every test in a process of its own, and each process generates the
// keys it uses. Two-prime RSA-2048 takes half a second on average; three primes
// (RFC 8017 multi-prime) take a quarter of that. The public key, all that a
// verifier sees, is an ordinary 2048-bit modulus and exponent either way.
Pkey generate_rsa(unsigned int bits, unsigned int primes) {
    using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
    const PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY *key = nullptr;
    EXPECT_TRUE(ctx && EVP_PKEY_keygen_init(ctx.get()) == 1 &&
                EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(bits)) == 1 &&
                EVP_PKEY_CTX_set_rsa_keygen_primes(ctx.get(), static_cast<int>(primes)) == 1 &&
                EVP_PKEY_generate(ctx.get(), &key) == 1);
    EXPECT_NE(key, nullptr);
    return Pkey(key);
}

// Each generated once per process, when a test first needs it.
EVP_PKEY *rsa1() {
    static const Pkey key = generate_rsa(2048, 3);
    return key.get();
}
EVP_PKEY *rsa2() {
    static const Pkey key = generate_rsa(2048, 3);
    return key.get();
}
EVP_PKEY *rsa1024() {
    static const Pkey key = generate_rsa(1024, 2);
    return key.get();
}
EVP_PKEY *ec1() {
    static const Pkey key = generate("EC");
    return key.get();
}
EVP_PKEY *ec2() {
    static const Pkey key = generate("EC");
    return key.get();
}
EVP_PKEY *ed1() {
    static const Pkey key = generate("ED25519");
    return key.get();
}
EVP_PKEY *ed2() {
    static const Pkey key = generate("ED25519");
    return key.get();
}

// The public members of a key's JWK, without the braces.
std::string public_members(const EVP_PKEY *key) {
    if (EVP_PKEY_is_a(key, "RSA"))
        return R"("kty":"RSA","n":")" +
               b64url(bn_bytes(bn_param(key, OSSL_PKEY_PARAM_RSA_N).get())) + R"(","e":")" +
               b64url(bn_bytes(bn_param(key, OSSL_PKEY_PARAM_RSA_E).get())) + "\"";
    if (EVP_PKEY_is_a(key, "EC"))
        return R"("kty":"EC","crv":"P-256","x":")" +
               b64url(bn_bytes(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X).get(), 32)) + R"(","y":")" +
               b64url(bn_bytes(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y).get(), 32)) + "\"";
    std::string raw(32, '\0');
    std::size_t length = raw.size();
    EXPECT_EQ(
        EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char *>(raw.data()), &length),
        1);
    raw.resize(length);
    return R"("kty":"OKP","crv":"Ed25519","x":")" + b64url(raw) + "\"";
}

// A JWK of the key's public part, with `extra` members (",\"kid\":...").
std::string jwk(const EVP_PKEY *key, std::string_view extra = "") {
    return "{" + public_members(key) + std::string(extra) + "}";
}

std::string jwks(std::initializer_list<std::string> members) {
    std::string out = R"({"keys":[)";
    bool first = true;
    for (const std::string &m : members) {
        if (!first) out += ',';
        out += m;
        first = false;
    }
    return out + "]}";
}

enum class EcdsaForm { Jws, Der };

// The signature of `input`: RS256 (PKCS#1 v1.5), ES256 (r || s, or DER), EdDSA.
std::string signature_of(EVP_PKEY *key, std::string_view input, EcdsaForm form = EcdsaForm::Jws) {
    const MdCtx ctx(EVP_MD_CTX_new());
    const char *digest = EVP_PKEY_is_a(key, "ED25519") ? nullptr : "SHA256";
    EXPECT_EQ(EVP_DigestSignInit_ex(ctx.get(), nullptr, digest, nullptr, nullptr, key, nullptr), 1);
    std::size_t length = 0;
    const auto *in = reinterpret_cast<const unsigned char *>(input.data());
    EXPECT_EQ(EVP_DigestSign(ctx.get(), nullptr, &length, in, input.size()), 1);
    std::string sig(length, '\0');
    EXPECT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(sig.data()), &length, in,
                             input.size()),
              1);
    sig.resize(length);
    if (!EVP_PKEY_is_a(key, "EC") || form == EcdsaForm::Der) return sig;
    const auto *p = reinterpret_cast<const unsigned char *>(sig.data());
    const EcdsaSig parsed(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
    EXPECT_NE(parsed, nullptr);
    return bn_bytes(ECDSA_SIG_get0_r(parsed.get()), 32) +
           bn_bytes(ECDSA_SIG_get0_s(parsed.get()), 32);
}

std::string sign(EVP_PKEY *key, std::string_view header, std::string_view payload,
                 EcdsaForm form = EcdsaForm::Jws) {
    const std::string input = b64url(header) + "." + b64url(payload);
    return input + "." + b64url(signature_of(key, input, form));
}

std::string header(std::string_view alg, std::string_view kid = "") {
    std::string out = R"({"alg":")" + std::string(alg) + R"(","typ":"JWT")";
    if (!kid.empty()) out += R"(,"kid":")" + std::string(kid) + "\"";
    return out + "}";
}

// Claims with an "exp" an hour after kNow, and `extra` members.
std::string claims(std::string_view extra = "") {
    return R"({"sub":")" + std::string(kUserId) + R"(","exp":)" + std::to_string(kLater) +
           std::string(extra) + "}";
}

std::string pem_of(EVP_PKEY *key) {
    const Bio bio(BIO_new(BIO_s_mem()));
    EXPECT_EQ(PEM_write_bio_PUBKEY(bio.get(), key), 1);
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

std::string hs256(std::string_view secret, std::string_view header_json,
                  std::string_view payload_json) {
    const std::string input = b64url(header_json) + "." + b64url(payload_json);
    unsigned char mac[32];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char *>(input.data()), input.size(), mac, &length);
    return input + "." + b64url(std::string(reinterpret_cast<const char *>(mac), length));
}

Error verify_error(std::string_view token, std::string_view key_set,
                   const ForeignTokenRules &rules = {}, std::int64_t now = kNow) {
    try {
        verify_jwt_jwks(token, key_set, rules, now);
        ADD_FAILURE() << "expected an error for token " << token.substr(0, 200);
    } catch (const Error &e) {
        return e;
    }
    return Error(ErrorKind::Internal, "no error");
}

// The message of the InvalidAuthorization error that verifying gives.
std::string refusal(std::string_view token, std::string_view key_set,
                    const ForeignTokenRules &rules = {}, std::int64_t now = kNow) {
    const Error e = verify_error(token, key_set, rules, now);
    EXPECT_EQ(e.kind(), ErrorKind::InvalidAuthorization) << e.what();
    EXPECT_FALSE(e.detail().empty()) << e.what();
    return e.what();
}

// The message and detail of check_jwks's InvalidParameter error.
std::string jwks_refusal(std::string_view key_set) {
    try {
        const std::size_t n = check_jwks(key_set);
        ADD_FAILURE() << "expected an error, got " << n << " keys for " << key_set.substr(0, 300);
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter) << e.what();
        // Verifying any token against it gives the same error.
        const Error v = verify_error("a.b.c", key_set);
        EXPECT_EQ(v.kind(), ErrorKind::InvalidParameter);
        EXPECT_EQ(std::string(v.what()), std::string(e.what()));
        return std::string(e.what()) + " | " + e.detail();
    }
    return "accepted";
}

bool contains(const std::string &text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

#define EXPECT_CONTAINS(text, part) \
    EXPECT_TRUE(contains((text), (part))) << "\"" << (text) << "\" lacks \"" << (part) << "\""

// ===========================================================================
// Valid tokens

TEST(JwksVerify, Rs256ReturnsTheClaims) {
    const std::string key_set = jwks({jwk(rsa1(), R"(,"kid":"rsa-1","alg":"RS256")")});
    const std::string payload = R"({"iss":"https://id.example.com","sub":")" +
                                std::string(kUserId) +
                                R"(","email":"ana@example.com","email_verified":true,)"
                                R"("iat":1699999990,"exp":1700003600,"jti":"t-1","custom":[1,2]})";
    const ForeignToken t =
        verify_jwt_jwks(sign(rsa1(), header("RS256", "rsa-1"), payload), key_set, {}, kNow);
    EXPECT_EQ(t.algorithm, "RS256");
    EXPECT_EQ(t.key_id, "rsa-1");
    EXPECT_EQ(t.subject, kUserId);
    EXPECT_EQ(t.email, "ana@example.com");
    EXPECT_TRUE(t.email_verified);
    EXPECT_EQ(t.issuer, "https://id.example.com");
    EXPECT_EQ(t.expires_at, 1700003600);
    EXPECT_EQ(t.issued_at, std::optional<std::int64_t>(1699999990));
    EXPECT_EQ(t.token_id, "t-1");
    EXPECT_EQ(t.claims_json, payload);
    EXPECT_EQ(check_jwks(key_set), 1u);
}

TEST(JwksVerify, Es256AndEdDsaVerify) {
    const std::string key_set =
        jwks({jwk(ec1(), R"(,"kid":"ec-1")"), jwk(ed1(), R"(,"kid":"ed-1","alg":"EdDSA")")});
    EXPECT_EQ(check_jwks(key_set), 2u);
    const ForeignToken es =
        verify_jwt_jwks(sign(ec1(), header("ES256", "ec-1"), claims()), key_set, {}, kNow);
    EXPECT_EQ(es.algorithm, "ES256");
    EXPECT_EQ(es.key_id, "ec-1");
    EXPECT_EQ(es.subject, kUserId);
    EXPECT_EQ(es.expires_at, kLater);
    EXPECT_FALSE(es.issued_at.has_value());
    const ForeignToken ed =
        verify_jwt_jwks(sign(ed1(), header("EdDSA", "ed-1"), claims()), key_set, {}, kNow);
    EXPECT_EQ(ed.algorithm, "EdDSA");
    EXPECT_EQ(ed.key_id, "ed-1");
}

TEST(JwksVerify, AbsentClaimsAreEmpty) {
    const std::string key_set = jwks({jwk(ec1())});
    const std::string payload =
        R"({"exp":1700003600,"sub":null,"email":7,"email_verified":"true"})";
    const ForeignToken t =
        verify_jwt_jwks(sign(ec1(), header("ES256"), payload), key_set, {}, kNow);
    EXPECT_EQ(t.key_id, "");  // the key has no kid
    EXPECT_EQ(t.subject, "");
    EXPECT_EQ(t.email, "");          // not a string
    EXPECT_FALSE(t.email_verified);  // the string "true" is not true
    EXPECT_EQ(t.issuer, "");
    EXPECT_EQ(t.token_id, "");
    EXPECT_FALSE(t.issued_at.has_value());
    EXPECT_EQ(t.claims_json, payload);

    const std::string unverified = R"({"exp":1700003600,"email_verified":false})";
    EXPECT_FALSE(verify_jwt_jwks(sign(ec1(), header("ES256"), unverified), key_set, {}, kNow)
                     .email_verified);
}

// As Supabase Auth issues them with asymmetric keys: ES256, a kid, and its JWKS
// (from /auth/v1/.well-known/jwks.json) with "ext" and "key_ops".
TEST(JwksVerify, SupabaseShapedToken) {
    const std::string kid = "8f1c2a34-5b6d-4e7f-9a0b-1c2d3e4f5a6b";
    const std::string key_set =
        R"({"keys":[)" +
        jwk(ec1(), R"(,"alg":"ES256","ext":true,"key_ops":["verify"],"kid":")" + kid +
                       R"(","use":"sig")") +
        "]}";
    const std::string iss = "https://abcdefghijklmnopqrst.supabase.co/auth/v1";
    const std::string payload =
        R"({"iss":")" + iss + R"(","sub":")" + kUserId +
        R"(","aud":"authenticated","exp":1700003600,"iat":1700000000,"email":"ana@example.com",)"
        R"("phone":"","app_metadata":{"provider":"email","providers":["email"]},)"
        R"("user_metadata":{"email":"ana@example.com","email_verified":true,"sub":")" +
        kUserId +
        R"("},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1700000000}],)"
        R"("session_id":"0b9c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e","is_anonymous":false})";
    const std::string token = sign(ec1(), header("ES256", kid), payload);
    const ForeignTokenRules rules{iss, {"authenticated"}};
    const ForeignToken t = verify_jwt_jwks(token, key_set, rules, kNow);
    EXPECT_EQ(t.algorithm, "ES256");
    EXPECT_EQ(t.key_id, kid);
    EXPECT_EQ(t.subject, kUserId);
    EXPECT_EQ(t.email, "ana@example.com");
    EXPECT_FALSE(t.email_verified);  // Supabase puts it in user_metadata only
    EXPECT_EQ(t.issuer, iss);
    EXPECT_EQ(t.issued_at, std::optional<std::int64_t>(kNow));
    EXPECT_CONTAINS(t.claims_json, R"("role":"authenticated")");

    // Another project's issuer differs only at its end.
    EXPECT_CONTAINS(
        refusal(token, key_set, {"https://abcdefghijklmnopqrsu.supabase.co/auth/v1", {}}),
        "authenticate: token issuer \"https://abcdefghijklmnopqrst.supabase.co/auth/v1\" is not "
        "accepted");
    EXPECT_CONTAINS(refusal(token, key_set, {iss, {"anon"}}), "audience is not accepted");
}

// As Auth0 issues access tokens: RS256, a kid, "aud" an array, "iss" with a
// trailing '/', and its JWKS with x5c and x5t.
TEST(JwksVerify, Auth0ShapedToken) {
    const std::string kid = "QzY0NkJGMTk3RkY2ODlDNzFENDFDQjZFNUQ2QTA3RTI4OTkzQkYyMg";
    const std::string key_set =
        R"({"keys":[)" +
        jwk(rsa1(),
            R"(,"alg":"RS256","use":"sig","kid":")" + kid +
                R"(","x5t":"QzY0NkJGMTk3RkY2ODlDNzFENDFDQjZFNUQ2QTA3RTI4OTkzQkYyMg","x5c":["MIIDBTCCAe2gAwIBAgIJ"])") +
        "]}";
    const std::string payload =
        R"({"iss":"https://tenant.auth0.com/","sub":"auth0|64f1a2b3c4d5e6f708192a3b",)"
        R"("aud":["https://api.example.com","https://tenant.auth0.com/userinfo"],)"
        R"("iat":1700000000,"exp":1700086400,"azp":"AbCdEf0123456789","scope":"openid profile email"})";
    const std::string token = sign(rsa1(), header("RS256", kid), payload);
    const ForeignTokenRules rules{"https://tenant.auth0.com/", {"https://api.example.com"}};
    const ForeignToken t = verify_jwt_jwks(token, key_set, rules, kNow);
    EXPECT_EQ(t.algorithm, "RS256");
    EXPECT_EQ(t.key_id, kid);
    EXPECT_EQ(t.subject, "auth0|64f1a2b3c4d5e6f708192a3b");
    EXPECT_EQ(t.expires_at, 1700086400);
    // Any one of the token's audiences will do.
    EXPECT_NO_THROW(verify_jwt_jwks(
        token, key_set, {"https://tenant.auth0.com/", {"https://tenant.auth0.com/userinfo"}},
        kNow));
    EXPECT_CONTAINS(refusal(token, key_set, {"https://tenant.auth0.com", {}}),
                    "issuer \"https://tenant.auth0.com/\" is not accepted");
    EXPECT_CONTAINS(refusal(token, key_set, {"", {"https://api.example.org"}}),
                    "audience is not accepted");
}

// As Keycloak issues access tokens: RS256, a kid, "aud" "account",
// email_verified, preferred_username and a "typ" claim in the payload.
TEST(JwksVerify, KeycloakShapedToken) {
    const std::string kid = "xV8r3nLQm2e0bS7pQ1wZ4yT6uH9kJ3dF5gA2sD8fG0h";
    const std::string sig_key = jwk(
        rsa2(),
        R"(,"kid":")" + kid +
            R"(","use":"sig","alg":"RS256","x5c":["MIICnTCCAYUCBgGL"],"x5t":"abc","x5t#S256":"def")");
    const std::string key_set = jwks({sig_key});
    const std::string iss = "https://sso.example.com/realms/agency";
    const std::string payload =
        R"({"exp":1700000300,"iat":1700000000,"jti":"onrtac:2c1e5b3a-7f4d-4a9e-b6c8-1d2e3f4a5b6c",)"
        R"("iss":")" +
        iss + R"(","aud":"account","sub":")" + kUserId +
        R"(","typ":"Bearer","azp":"mycelium","sid":"d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6",)"
        R"("realm_access":{"roles":["default-roles-agency","offline_access"]},)"
        R"("scope":"openid email profile","email_verified":true,"name":"Ana Lima",)"
        R"("preferred_username":"ana","given_name":"Ana","family_name":"Lima","email":"ana@example.com"})";
    const std::string token = sign(rsa2(), header("RS256", kid), payload);
    const ForeignToken t = verify_jwt_jwks(token, key_set, {iss, {"account"}}, kNow);
    EXPECT_EQ(t.key_id, kid);
    EXPECT_EQ(t.subject, kUserId);
    EXPECT_TRUE(t.email_verified);
    EXPECT_EQ(t.email, "ana@example.com");
    EXPECT_EQ(t.token_id, "onrtac:2c1e5b3a-7f4d-4a9e-b6c8-1d2e3f4a5b6c");
    EXPECT_CONTAINS(t.claims_json, R"("preferred_username":"ana")");

    // Keycloak's realm JWKS also lists an encryption key (RSA-OAEP, "use":"enc"):
    // the document is accepted as published, the encryption key skipped: it
    // neither counts nor verifies anything.
    const std::string enc_key = jwk(rsa1(), R"(,"kid":"enc-1","use":"enc","alg":"RSA-OAEP")");
    const std::string with_enc = jwks({sig_key, enc_key});
    EXPECT_EQ(check_jwks(with_enc), 1u);
    EXPECT_EQ(verify_jwt_jwks(token, with_enc, {iss, {"account"}}, kNow).key_id, kid);
    EXPECT_CONTAINS(
        refusal(sign(rsa1(), header("RS256", "enc-1"), payload), with_enc, {iss, {"account"}}),
        "unknown key");
    EXPECT_CONTAINS(jwks_refusal(jwks({enc_key})), "JWKS: the key set has no signing key");
    // Its private parts are refused all the same.
    EXPECT_CONTAINS(
        jwks_refusal(jwks({sig_key, jwk(rsa1(), R"(,"kid":"enc-2","use":"enc","d":"AQAB")")})),
        "is a private key");
}

// ===========================================================================
// Choosing the key

TEST(JwksVerify, KeyRotationChoosesByKid) {
    const std::string key_set =
        jwks({jwk(rsa1(), R"(,"kid":"2024")"), jwk(rsa2(), R"(,"kid":"2025")")});
    EXPECT_EQ(
        verify_jwt_jwks(sign(rsa1(), header("RS256", "2024"), claims()), key_set, {}, kNow).key_id,
        "2024");
    EXPECT_EQ(
        verify_jwt_jwks(sign(rsa2(), header("RS256", "2025"), claims()), key_set, {}, kNow).key_id,
        "2025");
    // Signed by the new key but naming the old one: the old key is tried, and fails.
    EXPECT_EQ(refusal(sign(rsa2(), header("RS256", "2024"), claims()), key_set),
              "authenticate: token signature does not match");
    // After rotation the old key is gone.
    const std::string rotated = jwks({jwk(rsa2(), R"(,"kid":"2025")")});
    EXPECT_EQ(refusal(sign(rsa1(), header("RS256", "2024"), claims()), rotated),
              "authenticate: token names an unknown key");
}

TEST(JwksVerify, UnknownKidIsRefused) {
    const std::string key_set = jwks({jwk(ec1(), R"(,"kid":"a")")});
    const Error e = verify_error(sign(ec1(), header("ES256", "b"), claims()), key_set);
    EXPECT_EQ(e.kind(), ErrorKind::InvalidAuthorization);
    EXPECT_STREQ(e.what(), "authenticate: token names an unknown key");
    EXPECT_CONTAINS(e.detail(), "kid \"b\"");
    EXPECT_FALSE(e.hint().empty());
    // A key without a kid is not found by one either.
    EXPECT_EQ(refusal(sign(ec1(), header("ES256", "a"), claims()), jwks({jwk(ec1())})),
              "authenticate: token names an unknown key");
}

TEST(JwksVerify, TokenWithoutKidUsesTheOnlyKeyOfItsType) {
    const std::string key_set =
        jwks({jwk(rsa1(), R"(,"kid":"r")"), jwk(ec1(), R"(,"kid":"e")"), jwk(ed1())});
    EXPECT_EQ(verify_jwt_jwks(sign(rsa1(), header("RS256"), claims()), key_set, {}, kNow).key_id,
              "r");
    EXPECT_EQ(verify_jwt_jwks(sign(ec1(), header("ES256"), claims()), key_set, {}, kNow).key_id,
              "e");
    EXPECT_EQ(verify_jwt_jwks(sign(ed1(), header("EdDSA"), claims()), key_set, {}, kNow).key_id,
              "");
}

TEST(JwksVerify, TokenWithoutKidAndTwoKeysOfItsTypeIsRefused) {
    const std::string key_set =
        jwks({jwk(ec1(), R"(,"kid":"a")"), jwk(ec2(), R"(,"kid":"b")"), jwk(rsa1())});
    const Error e = verify_error(sign(ec1(), header("ES256"), claims()), key_set);
    EXPECT_STREQ(e.what(), "authenticate: token does not name its key");
    EXPECT_CONTAINS(e.detail(), "2 keys of kty EC");
    // The RSA key is the only one of its type.
    EXPECT_NO_THROW(verify_jwt_jwks(sign(rsa1(), header("RS256"), claims()), key_set, {}, kNow));
    // And there is no OKP key at all.
    EXPECT_EQ(refusal(sign(ed1(), header("EdDSA"), claims()), key_set),
              "authenticate: token has no key to verify it");
}

TEST(JwksVerify, AlgorithmMustMatchTheKeyType) {
    const std::string key_set =
        jwks({jwk(rsa1(), R"(,"kid":"r","alg":"RS256")"), jwk(ec1(), R"(,"kid":"e","alg":"ES256")"),
              jwk(ed1(), R"(,"kid":"o")")});
    // Header alg RS256, its kid names the EC key.
    const Error e = verify_error(sign(rsa1(), header("RS256", "e"), claims()), key_set);
    EXPECT_STREQ(e.what(), "authenticate: token algorithm RS256 does not match its key");
    EXPECT_CONTAINS(e.detail(), "keys[1] (kid \"e\")");
    // Header alg ES256 naming the RSA key, whose "alg" is RS256.
    EXPECT_EQ(refusal(sign(ec1(), header("ES256", "r"), claims()), key_set),
              "authenticate: token algorithm ES256 does not match its key");
    EXPECT_EQ(refusal(sign(ed1(), header("EdDSA", "r"), claims()), key_set),
              "authenticate: token algorithm EdDSA does not match its key");
    EXPECT_EQ(refusal(sign(ec1(), header("ES256", "o"), claims()), key_set),
              "authenticate: token algorithm ES256 does not match its key");
}

// ===========================================================================
// Signatures

TEST(JwksVerify, WrongKeyIsRefused) {
    const std::string payload = claims();
    const struct {
        EVP_PKEY *registered;
        EVP_PKEY *signer;
        const char *alg;
    } cases[] = {{rsa1(), rsa2(), "RS256"}, {ec1(), ec2(), "ES256"}, {ed1(), ed2(), "EdDSA"}};
    for (const auto &c : cases) {
        const Error e =
            verify_error(sign(c.signer, header(c.alg), payload), jwks({jwk(c.registered)}));
        EXPECT_EQ(e.kind(), ErrorKind::InvalidAuthorization) << c.alg;
        EXPECT_STREQ(e.what(), "authenticate: token signature does not match") << c.alg;
        // The right key verifies the same token.
        EXPECT_NO_THROW(verify_jwt_jwks(sign(c.signer, header(c.alg), payload),
                                        jwks({jwk(c.signer)}), {}, kNow))
            << c.alg;
    }
}

TEST(JwksVerify, TamperingIsRefused) {
    const struct {
        EVP_PKEY *key;
        const char *alg;
    } cases[] = {{rsa1(), "RS256"}, {ec1(), "ES256"}, {ed1(), "EdDSA"}};
    for (const auto &c : cases) {
        const std::string key_set = jwks({jwk(c.key, R"(,"kid":"k")")});
        const std::string token = sign(c.key, header(c.alg, "k"), claims());
        ASSERT_NO_THROW(verify_jwt_jwks(token, key_set, {}, kNow)) << c.alg;
        const std::size_t dot1 = token.find('.');
        const std::size_t dot2 = token.find('.', dot1 + 1);
        const std::string signature = token.substr(dot2 + 1);

        // Another payload under the same signature.
        const std::string admin_claims = claims(R"(,"role":"service_role")");
        EXPECT_EQ(
            refusal(token.substr(0, dot1) + "." + b64url(admin_claims) + "." + signature, key_set),
            "authenticate: token signature does not match")
            << c.alg;
        // Another header (a member added) under the same signature.
        EXPECT_EQ(refusal(b64url(R"({"alg":")" + std::string(c.alg) + R"(","kid":"k","x":1})") +
                              token.substr(dot1),
                          key_set),
                  "authenticate: token signature does not match")
            << c.alg;
        // One bit of the signature flipped (in its first character, which
        // carries 6 full bits).
        std::string flipped = token;
        flipped[dot2 + 1] = flipped[dot2 + 1] == 'A' ? 'B' : 'A';
        EXPECT_EQ(refusal(flipped, key_set), "authenticate: token signature does not match")
            << c.alg;
        // No signature.
        EXPECT_CONTAINS(refusal(token.substr(0, dot2 + 1), key_set), "authenticate: token is");
    }
}

// JWS's ES256 signature is r || s (RFC 7518 section 3.4); a DER signature, as
// OpenSSL and some libraries produce, is refused rather than guessed at.
TEST(JwksVerify, Es256SignatureMustBeRawRAndS) {
    const std::string key_set = jwks({jwk(ec1())});
    const std::string input = b64url(header("ES256")) + "." + b64url(claims());
    const std::string der = signature_of(ec1(), input, EcdsaForm::Der);
    ASSERT_NE(der.size(), 64u);
    const Error e = verify_error(input + "." + b64url(der), key_set);
    EXPECT_STREQ(e.what(), "authenticate: token is malformed");
    EXPECT_CONTAINS(e.detail(), "is 64 bytes (r || s, RFC 7518 section 3.4, not DER)");
    EXPECT_CONTAINS(e.detail(), "this one is " + std::to_string(der.size()));

    const std::string raw = signature_of(ec1(), input);
    ASSERT_EQ(raw.size(), 64u);
    EXPECT_NO_THROW(verify_jwt_jwks(input + "." + b64url(raw), key_set, {}, kNow));
    EXPECT_EQ(refusal(input + "." + b64url(raw.substr(0, 63)), key_set),
              "authenticate: token is malformed");
    EXPECT_EQ(refusal(input + "." + b64url(raw + '\0'), key_set),
              "authenticate: token is malformed");
    // r = s = 0, and r = s = 2^256 - 1 (beyond the group order): no match, no crash.
    EXPECT_EQ(refusal(input + "." + b64url(std::string(64, '\0')), key_set),
              "authenticate: token signature does not match");
    EXPECT_EQ(refusal(input + "." + b64url(std::string(64, '\xff')), key_set),
              "authenticate: token signature does not match");
}

TEST(JwksVerify, SignatureLengthIsChecked) {
    const std::string rsa_set = jwks({jwk(rsa1())});
    const std::string input = b64url(header("RS256")) + "." + b64url(claims());
    const std::string sig = signature_of(rsa1(), input);
    ASSERT_EQ(sig.size(), 256u);
    EXPECT_EQ(refusal(input + "." + b64url(sig.substr(1)), rsa_set),
              "authenticate: token is malformed");
    EXPECT_EQ(refusal(input + "." + b64url(std::string(1, '\0') + sig), rsa_set),
              "authenticate: token is malformed");

    const std::string ed_set = jwks({jwk(ed1())});
    const std::string ed_input = b64url(header("EdDSA")) + "." + b64url(claims());
    const std::string ed_sig = signature_of(ed1(), ed_input);
    ASSERT_EQ(ed_sig.size(), 64u);
    EXPECT_NO_THROW(verify_jwt_jwks(ed_input + "." + b64url(ed_sig), ed_set, {}, kNow));
    EXPECT_EQ(refusal(ed_input + "." + b64url(ed_sig + "x"), ed_set),
              "authenticate: token is malformed");
}

// A key embedded in the header ("jwk", RFC 7515 section 4.1.3) is never used:
// anyone can sign with their own key and attach it.
TEST(JwksVerify, KeysInTheHeaderAreIgnored) {
    const std::string key_set = jwks({jwk(ec1(), R"(,"kid":"k")")});
    const std::string attacker_header = R"({"alg":"ES256","kid":"k","jwk":)" + jwk(ec2()) +
                                        R"(,"jku":"https://evil.example/jwks.json"})";
    EXPECT_EQ(refusal(sign(ec2(), attacker_header, claims()), key_set),
              "authenticate: token signature does not match");
}

// ===========================================================================
// Algorithms refused

TEST(JwksVerify, AlgNoneIsRefused) {
    const std::string key_set = jwks({jwk(rsa1())});
    const std::string unsigned_token =
        b64url(R"({"alg":"none","typ":"JWT"})") + "." + b64url(claims()) + ".";
    const Error e = verify_error(unsigned_token, key_set);
    EXPECT_EQ(e.kind(), ErrorKind::InvalidAuthorization);
    EXPECT_STREQ(e.what(), "authenticate: token algorithm \"none\" is not accepted");
    for (const char *alg : {"None", "NONE", "RS384", "RS512", "PS256", "ES384", "ES256K", "Ed25519",
                            "HS384", "rs256", ""}) {
        const std::string token = b64url(R"({"alg":")" + std::string(alg) + R"("})") + "." +
                                  b64url(claims()) + "." + b64url("signature");
        EXPECT_EQ(refusal(token, key_set),
                  "authenticate: token algorithm \"" + std::string(alg) + "\" is not accepted");
    }
    const std::string no_alg = b64url(R"({"typ":"JWT"})") + "." + b64url(claims()) + ".";
    EXPECT_EQ(refusal(no_alg, key_set), "authenticate: token is malformed");
}

// Algorithm confusion: an HS256 token whose HMAC key is the RSA public key, as
// PEM or as the JWK's bytes, would verify in a library that lets the token's
// "alg" pick how the key is used. Here HS256 is refused before any key is used.
TEST(JwksVerify, Hs256WithThePublicKeyAsSecretIsRefused) {
    const std::string rsa_jwk = jwk(rsa1(), R"(,"kid":"r")");
    const std::string key_set = jwks({rsa_jwk});
    const std::string pem = pem_of(rsa1());
    ASSERT_TRUE(contains(pem, "-----BEGIN PUBLIC KEY-----"));
    for (const std::string &secret : {pem, rsa_jwk, key_set}) {
        for (const std::string &hdr : {std::string(R"({"alg":"HS256","typ":"JWT","kid":"r"})"),
                                       std::string(R"({"alg":"HS256"})")}) {
            const Error e = verify_error(hs256(secret, hdr, claims()), key_set);
            EXPECT_EQ(e.kind(), ErrorKind::InvalidAuthorization);
            EXPECT_STREQ(e.what(), "authenticate: token algorithm \"HS256\" is not accepted");
            EXPECT_CONTAINS(e.detail(), "HS256");
        }
    }
}

// ===========================================================================
// Claims

class JwksClaims : public ::testing::Test {
  protected:
    std::string key_set = jwks({jwk(ed1(), R"(,"kid":"k")")});

    std::string token(std::string_view payload) const {
        return sign(ed1(), header("EdDSA", "k"), payload);
    }
    ForeignToken verify(std::string_view payload, const ForeignTokenRules &rules = {},
                        std::int64_t now = kNow) const {
        return verify_jwt_jwks(token(payload), key_set, rules, now);
    }
    std::string refused(std::string_view payload, const ForeignTokenRules &rules = {},
                        std::int64_t now = kNow) const {
        return refusal(token(payload), key_set, rules, now);
    }
};

TEST_F(JwksClaims, ExpIsRequiredAndChecked) {
    EXPECT_EQ(refused(R"({"sub":"x"})"), "authenticate: token lacks claim \"exp\"");
    EXPECT_EQ(refused(R"({"exp":null})"), "authenticate: token lacks claim \"exp\"");
    EXPECT_EQ(refused(R"({"exp":"1700003600"})"), "authenticate: token claim \"exp\" is not valid");
    EXPECT_EQ(refused(R"({"exp":1e300})"), "authenticate: token claim \"exp\" is not valid");
    // Expired beyond the leeway.
    const std::int64_t edge = kNow - kJwtLeewaySeconds;
    EXPECT_EQ(refused(R"({"exp":)" + std::to_string(edge) + "}"),
              "authenticate: token has expired");
    EXPECT_EQ(refused(R"({"exp":1600000000})"), "authenticate: token has expired");
    EXPECT_EQ(verify(R"({"exp":)" + std::to_string(edge + 1) + "}").expires_at, edge + 1);
    EXPECT_EQ(verify(R"({"exp":1700003600.75})").expires_at, 1700003600);
    // A clock at the end of time saturates rather than overflows.
    EXPECT_EQ(refused(claims(), {}, INT64_MAX), "authenticate: token has expired");
}

TEST_F(JwksClaims, NotBeforeInTheFutureIsRefused) {
    const std::int64_t edge = kNow + kJwtLeewaySeconds;
    EXPECT_EQ(refused(claims(R"(,"nbf":)" + std::to_string(edge + 1))),
              "authenticate: token is not valid yet");
    EXPECT_NO_THROW(verify(claims(R"(,"nbf":)" + std::to_string(edge))));
    EXPECT_EQ(refused(claims(R"(,"nbf":"soon")")),
              "authenticate: token claim \"nbf\" is not valid");
}

TEST_F(JwksClaims, IssuedAtMustBeANumberNotInTheFuture) {
    const std::int64_t edge = kNow + kJwtLeewaySeconds;
    EXPECT_EQ(verify(claims(R"(,"iat":)" + std::to_string(edge))).issued_at,
              std::optional<std::int64_t>(edge));
    const Error e = verify_error(token(claims(R"(,"iat":)" + std::to_string(edge + 1))), key_set);
    EXPECT_STREQ(e.what(), "authenticate: token was issued in the future");
    EXPECT_CONTAINS(e.detail(), std::to_string(edge + 1));
    EXPECT_EQ(refused(claims(R"(,"iat":"now")")), "authenticate: token claim \"iat\" is not valid");
    EXPECT_EQ(refused(claims(R"(,"iat":[1])")), "authenticate: token claim \"iat\" is not valid");
}

TEST_F(JwksClaims, IssuerIsCheckedWhenARuleSetsIt) {
    const std::string iss = "https://id.example.com";
    const std::string payload = claims(R"(,"iss":"https://id.example.com")");
    EXPECT_EQ(verify(payload, {iss, {}}).issuer, iss);
    EXPECT_EQ(verify(payload).issuer, iss);  // no rule: read, not checked
    EXPECT_EQ(refused(payload, {"https://id.example.org", {}}),
              "authenticate: token issuer \"https://id.example.com\" is not accepted");
    EXPECT_EQ(refused(payload, {iss + "/", {}}),
              "authenticate: token issuer \"https://id.example.com\" is not accepted");
    EXPECT_EQ(refused(payload, {"HTTPS://ID.EXAMPLE.COM", {}}),
              "authenticate: token issuer \"https://id.example.com\" is not accepted");
    EXPECT_EQ(refused(claims(), {iss, {}}), "authenticate: token lacks claim \"iss\"");
    EXPECT_EQ(refused(claims(R"(,"iss":null)"), {iss, {}}),
              "authenticate: token lacks claim \"iss\"");
    EXPECT_EQ(refused(claims(R"(,"iss":"")"), {iss, {}}),
              "authenticate: token issuer \"\" is not accepted");
    // Not a string: refused even without a rule.
    EXPECT_EQ(refused(claims(R"(,"iss":["https://id.example.com"])")),
              "authenticate: token claim \"iss\" is not valid");
}

TEST_F(JwksClaims, AudienceIsCheckedWhenARuleSetsIt) {
    const ForeignTokenRules rules{"", {"api", "authenticated"}};
    EXPECT_NO_THROW(verify(claims(R"(,"aud":"authenticated")"), rules));
    EXPECT_NO_THROW(verify(claims(R"(,"aud":["other","api"])"), rules));
    EXPECT_NO_THROW(verify(claims(R"(,"aud":42)")));  // no rule: not read
    const Error e = verify_error(token(claims(R"(,"aud":["other","more"])")), key_set, rules);
    EXPECT_STREQ(e.what(), "authenticate: token audience is not accepted");
    EXPECT_CONTAINS(e.detail(), "\"other\", \"more\"");
    EXPECT_CONTAINS(e.detail(), "\"api\", \"authenticated\"");
    EXPECT_EQ(refused(claims(R"(,"aud":"Authenticated")"), rules),
              "authenticate: token audience is not accepted");
    EXPECT_EQ(refused(claims(R"(,"aud":[])"), rules),
              "authenticate: token audience is not accepted");
    EXPECT_EQ(refused(claims(), rules), "authenticate: token lacks claim \"aud\"");
    EXPECT_EQ(refused(claims(R"(,"aud":null)"), rules), "authenticate: token lacks claim \"aud\"");
    EXPECT_EQ(refused(claims(R"(,"aud":7)"), rules),
              "authenticate: token claim \"aud\" is not valid");
    EXPECT_EQ(refused(claims(R"(,"aud":{"api":true})"), rules),
              "authenticate: token claim \"aud\" is not valid");
    // An array with anything but strings is refused, even if it also has a match.
    EXPECT_EQ(refused(claims(R"(,"aud":["api",1])"), rules),
              "authenticate: token claim \"aud\" is not valid");
    // Many audiences: the detail lists a few.
    std::string many = R"(,"aud":[)";
    for (int i = 0; i < 200; ++i) many += (i > 0 ? ",\"a" : "\"a") + std::to_string(i) + "\"";
    const Error m = verify_error(token(claims(many + "]")), key_set, rules);
    EXPECT_STREQ(m.what(), "authenticate: token audience is not accepted");
    EXPECT_CONTAINS(m.detail(), "\"a4\", ...");
    EXPECT_FALSE(contains(m.detail(), "a5\""));
}

TEST_F(JwksClaims, StringClaimsMustBeStrings) {
    EXPECT_EQ(refused(claims(R"(,"sub":12)")), "authenticate: token is malformed");  // sub twice
    EXPECT_EQ(refused(R"({"exp":1700003600,"sub":12})"),
              "authenticate: token claim \"sub\" is not valid");
    EXPECT_EQ(refused(R"({"exp":1700003600,"jti":{}})"),
              "authenticate: token claim \"jti\" is not valid");
}

TEST_F(JwksClaims, PayloadMustBeOneJsonObject) {
    const Error dup = verify_error(token(R"({"exp":1700003600,"sub":"a","sub":"b"})"), key_set);
    EXPECT_STREQ(dup.what(), "authenticate: token is malformed");
    EXPECT_CONTAINS(dup.detail(), "the key \"sub\" twice");
    EXPECT_EQ(refused("[1700003600]"), "authenticate: token is malformed");
    EXPECT_EQ(refused("not json"), "authenticate: token is malformed");
    EXPECT_EQ(refused(std::string("{\"exp\":1700003600}\0{}", 20)),
              "authenticate: token is malformed");
}

// ===========================================================================
// Malformed tokens

TEST(JwksVerify, MalformedTokensAreRefused) {
    const std::string key_set = jwks({jwk(ec1(), R"(,"kid":"k")")});
    const std::string good = sign(ec1(), header("ES256", "k"), claims());
    ASSERT_NO_THROW(verify_jwt_jwks(good, key_set, {}, kNow));
    const std::size_t dot1 = good.find('.');
    const std::size_t dot2 = good.find('.', dot1 + 1);
    const std::string h = good.substr(0, dot1);
    const std::string p = good.substr(dot1 + 1, dot2 - dot1 - 1);
    const std::string s = good.substr(dot2 + 1);

    for (const std::string &token :
         {std::string(), std::string("."), std::string(".."), h + "." + p, good + ".", good + ".x",
          "." + p + "." + s, h + ".." + s, h + "=." + p + "." + s, h + "." + p + "=." + s,
          h + "." + p + "." + s + "=", h + " ." + p + "." + s, h + "." + p + ".+" + s.substr(1),
          b64url("not json") + "." + p + "." + s, b64url("[]") + "." + p + "." + s,
          b64url(R"({"alg":"ES256","alg":"ES256"})") + "." + p + "." + s,
          b64url(R"({"alg":"ES256","kid":7})") + "." + p + "." + s,
          b64url(R"({"alg":7})") + "." + p + "." + s,
          b64url(std::string("{\"alg\":\"ES256\"}\0", 16)) + "." + p + "." + s}) {
        const Error e = verify_error(token, key_set);
        EXPECT_EQ(e.kind(), ErrorKind::InvalidAuthorization) << token;
        EXPECT_STREQ(e.what(), "authenticate: token is malformed") << token;
    }
    // A non-canonical final character (unused bits set) is not the same bytes:
    // the 64-byte signature's last character carries 2 bits and 4 unused ones.
    std::string loose = good;
    char &last = loose.back();
    ASSERT_TRUE(last == 'A' || last == 'Q' || last == 'g' || last == 'w') << last;
    last = static_cast<char>(last + 1);
    EXPECT_EQ(refusal(loose, key_set), "authenticate: token is malformed");
}

TEST(JwksVerify, HeaderTypAndCritAreChecked) {
    const std::string key_set = jwks({jwk(ed1())});
    EXPECT_NO_THROW(verify_jwt_jwks(sign(ed1(), R"({"alg":"EdDSA","typ":"jwt"})", claims()),
                                    key_set, {}, kNow));
    EXPECT_NO_THROW(
        verify_jwt_jwks(sign(ed1(), R"({"alg":"EdDSA"})", claims()), key_set, {}, kNow));
    EXPECT_EQ(refusal(sign(ed1(), R"({"alg":"EdDSA","typ":"at+jwt"})", claims()), key_set),
              "authenticate: token type \"at+jwt\" is not accepted");
    EXPECT_EQ(refusal(sign(ed1(), R"({"alg":"EdDSA","crit":["exp"],"exp":1})", claims()), key_set),
              "authenticate: token has critical header extensions");
}

TEST(JwksVerify, OversizeTokenIsRefusedBeforeReading) {
    const std::string key_set = jwks({jwk(ed1())});
    const std::string pad = std::string(kContextMaxInputBytes, 'a');
    const std::string big =
        sign(ed1(), header("EdDSA"),
             claims(R"(,"pad":")" + pad.substr(0, kContextMaxInputBytes) + "\""));
    ASSERT_GT(big.size(), kContextMaxInputBytes);
    const Error e = verify_error(big, key_set);
    EXPECT_STREQ(e.what(), "authenticate: token is malformed");
    EXPECT_CONTAINS(e.detail(), "at most " + std::to_string(kContextMaxInputBytes));
    // Just under the limit, it verifies.
    const std::string fits_base = sign(ed1(), header("EdDSA"), claims(R"(,"pad":"")"));
    const std::size_t room = (kContextMaxInputBytes - fits_base.size()) * 3 / 4 - 3;
    EXPECT_NO_THROW(verify_jwt_jwks(
        sign(ed1(), header("EdDSA"), claims(R"(,"pad":")" + pad.substr(0, room) + "\"")), key_set,
        {}, kNow));
}

// Every one-character change to a valid token is refused (as an Error, never a
// crash), because the strict base64url decoding makes any change a change of bytes.
TEST(JwksVerify, EveryOneCharacterChangeIsRefused) {
    const std::string key_set = jwks({jwk(ec1(), R"(,"kid":"k")"), jwk(rsa1(), R"(,"kid":"r")")});
    for (const std::string &good : {sign(ec1(), header("ES256", "k"), claims()),
                                    sign(rsa1(), header("RS256", "r"), claims())}) {
        ASSERT_NO_THROW(verify_jwt_jwks(good, key_set, {}, kNow));
        for (std::size_t i = 0; i < good.size(); ++i) {
            for (const char c : {'A', 'g', '.', '_'}) {
                if (good[i] == c) continue;
                std::string bad = good;
                bad[i] = c;
                const Error e = verify_error(bad, key_set);
                ASSERT_EQ(e.kind(), ErrorKind::InvalidAuthorization) << i << " " << e.what();
            }
        }
    }
}

// Refused keys and signatures push errors onto OpenSSL's thread-local queue;
// they are removed, and an error that was there before is kept.
TEST(JwksVerify, OpenSslErrorQueueIsLeftAsItWas) {
    ERR_clear_error();
    const std::string key_set = jwks({jwk(ec1())});
    std::string bad_point = jwk(ec1());
    bad_point.replace(bad_point.find(R"("y":")") + 5, 2, "AA");
    EXPECT_NE(jwks_refusal(jwks({bad_point})), "accepted");
    EXPECT_EQ(refusal(b64url(header("ES256")) + "." + b64url(claims()) + "." +
                          b64url(std::string(64, '\xff')),
                      key_set),
              "authenticate: token signature does not match");
    EXPECT_EQ(ERR_peek_error(), 0ul);

    ERR_raise(ERR_LIB_USER, 42);
    const unsigned long before = ERR_peek_error();
    ASSERT_NE(before, 0ul);
    EXPECT_NE(jwks_refusal(jwks({bad_point})), "accepted");
    EXPECT_EQ(ERR_peek_error(), before);
    EXPECT_EQ(ERR_peek_last_error(), before);
    ERR_clear_error();
}

// ===========================================================================
// The key set

TEST(JwksCheck, AcceptsUsableKeys) {
    EXPECT_EQ(check_jwks(jwks({jwk(rsa1(), R"(,"kid":"a","alg":"RS256","use":"sig")"),
                               jwk(ec1(), R"(,"kid":"b","alg":"ES256")"),
                               jwk(ed1(), R"(,"kid":"c","alg":"EdDSA","use":"sig")"), jwk(rsa2()),
                               jwk(ec2())})),
              5u);
    // Unknown members, and members of the set other than "keys", are ignored.
    EXPECT_EQ(check_jwks(R"({"keys":[)" + jwk(ed1(), R"(,"x5c":[],"whatever":{})") +
                         R"(],"issuer":"x"})"),
              1u);
    // A modulus with a leading zero byte is the same number.
    std::string n_padded = jwk(rsa1(), R"(,"kid":"z")");
    const std::size_t n_at = n_padded.find(R"("n":")") + 5;
    const std::size_t n_end = n_padded.find('"', n_at);
    const Bignum n = bn_param(rsa1(), OSSL_PKEY_PARAM_RSA_N);
    n_padded.replace(n_at, n_end - n_at, b64url(std::string(1, '\0') + bn_bytes(n.get())));
    const std::string padded_set = jwks({n_padded});
    EXPECT_EQ(check_jwks(padded_set), 1u);
    EXPECT_NO_THROW(
        verify_jwt_jwks(sign(rsa1(), header("RS256", "z"), claims()), padded_set, {}, kNow));
}

TEST(JwksCheck, RefusesPrivateKeys) {
    EXPECT_CONTAINS(jwks_refusal(jwks({jwk(ec1(), R"(,"kid":"p","d":"AAAA")")})),
                    "JWKS: keys[0] (kid \"p\") is a private key (it has \"d\")");
    EXPECT_CONTAINS(jwks_refusal(jwks({jwk(ed1()), jwk(rsa1(), R"(,"p":"AQ")")})),
                    "JWKS: keys[1] is a private key (it has \"p\")");
    EXPECT_CONTAINS(
        jwks_refusal(jwks({R"({"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"})"})),
        "JWKS: keys[0] is a private key (it has \"k\")");
    EXPECT_CONTAINS(jwks_refusal(jwks({jwk(rsa1(), R"(,"d":null)")})), "is a private key");
    // The real private key, as the test exports it.
    const Bignum d = bn_param(rsa1(), OSSL_PKEY_PARAM_RSA_D);
    EXPECT_CONTAINS(
        jwks_refusal(jwks({jwk(rsa1(), R"(,"d":")" + b64url(bn_bytes(d.get())) + "\"")})),
        "is a private key (it has \"d\")");
}

TEST(JwksCheck, RefusesWeakOrInvalidRsaKeys) {
    const std::string weak = jwks_refusal(jwks({jwk(rsa1024(), R"(,"kid":"old")")}));
    EXPECT_CONTAINS(weak, "JWKS: keys[0] (kid \"old\") has an RSA modulus that is too short");
    EXPECT_CONTAINS(weak, "this one has 1024");
    // A token signed by the weak key is not verified with it either.
    EXPECT_EQ(
        verify_error(sign(rsa1024(), header("RS256"), claims()), jwks({jwk(rsa1024())})).kind(),
        ErrorKind::InvalidParameter);

    const std::string n = b64url(bn_bytes(bn_param(rsa1(), OSSL_PKEY_PARAM_RSA_N).get()));
    const auto rsa = [&](const std::string &modulus, const std::string &exponent) {
        return jwks({R"({"kty":"RSA","n":")" + modulus + R"(","e":")" + exponent + "\"}"});
    };
    EXPECT_EQ(check_jwks(rsa(n, "AQAB")), 1u);
    EXPECT_EQ(check_jwks(rsa(n, "Aw")), 1u);                                       // e = 3
    EXPECT_CONTAINS(jwks_refusal(rsa(n, "AQ")), "has an invalid RSA exponent");    // 1
    EXPECT_CONTAINS(jwks_refusal(rsa(n, "AA")), "has an invalid RSA exponent");    // 0
    EXPECT_CONTAINS(jwks_refusal(rsa(n, "AQAA")), "has an invalid RSA exponent");  // even
    EXPECT_CONTAINS(jwks_refusal(rsa(n, b64url(std::string(10, '\x01')))), "exponent");
    EXPECT_CONTAINS(jwks_refusal(rsa(n, "AQAB=")), "has an invalid \"e\"");
    EXPECT_CONTAINS(jwks_refusal(rsa(n, "")), "has an invalid \"e\"");
    EXPECT_CONTAINS(jwks_refusal(rsa(n.substr(0, n.size() - 1), "AQAB")), "has an invalid \"n\"");
    // An even modulus.
    std::string even = bn_bytes(bn_param(rsa1(), OSSL_PKEY_PARAM_RSA_N).get());
    even.back() = static_cast<char>(even.back() & 0xfe);
    EXPECT_CONTAINS(jwks_refusal(rsa(b64url(even), "AQAB")), "has an invalid RSA modulus");
    // Too long: more than kRsaMaxModulusBits.
    EXPECT_CONTAINS(jwks_refusal(rsa(b64url(std::string(1100, '\x7f')), "AQAB")),
                    "has an RSA modulus that is too long");
    EXPECT_CONTAINS(jwks_refusal(jwks({R"({"kty":"RSA","e":"AQAB"})"})), "lacks \"n\"");
}

TEST(JwksCheck, RefusesInvalidEcAndOkpKeys) {
    const std::string x = b64url(bn_bytes(bn_param(ec1(), OSSL_PKEY_PARAM_EC_PUB_X).get(), 32));
    std::string y_bytes = bn_bytes(bn_param(ec1(), OSSL_PKEY_PARAM_EC_PUB_Y).get(), 32);
    const auto ec = [&](const std::string &crv, const std::string &xs, const std::string &ys) {
        return jwks({R"({"kty":"EC","kid":"e","crv":")" + crv + R"(","x":")" + xs + R"(","y":")" +
                     ys + "\"}"});
    };
    EXPECT_EQ(check_jwks(ec("P-256", x, b64url(y_bytes))), 1u);
    std::string off_curve = y_bytes;
    off_curve.back() = static_cast<char>(off_curve.back() ^ 1);
    EXPECT_CONTAINS(jwks_refusal(ec("P-256", x, b64url(off_curve))),
                    "JWKS: keys[0] (kid \"e\") is not a point on the curve P-256");
    EXPECT_CONTAINS(
        jwks_refusal(ec("P-256", b64url(std::string(32, '\0')), b64url(std::string(32, '\0')))),
        "is not a point on the curve P-256");
    EXPECT_CONTAINS(
        jwks_refusal(ec("P-256", b64url(std::string(32, '\xff')), b64url(std::string(32, '\xff')))),
        "is not a point on the curve P-256");
    EXPECT_CONTAINS(jwks_refusal(ec("P-256", x, b64url(y_bytes.substr(1)))),
                    "has an invalid \"y\"");
    EXPECT_CONTAINS(jwks_refusal(ec("P-256", x, b64url(std::string(1, '\0') + y_bytes))),
                    "has an invalid \"y\"");
    EXPECT_CONTAINS(jwks_refusal(ec("P-384", x, b64url(y_bytes))),
                    "has the unsupported curve \"P-384\"");
    EXPECT_CONTAINS(jwks_refusal(ec("secp256k1", x, b64url(y_bytes))), "unsupported curve");

    const auto okp = [](const std::string &crv, const std::string &xs) {
        return jwks({R"({"kty":"OKP","crv":")" + crv + R"(","x":")" + xs + "\"}"});
    };
    EXPECT_EQ(check_jwks(okp("Ed25519", b64url(std::string(32, '\x11')))), 1u);
    EXPECT_CONTAINS(jwks_refusal(okp("Ed25519", b64url(std::string(31, '\x11')))),
                    "has an invalid \"x\"");
    EXPECT_CONTAINS(jwks_refusal(okp("X25519", b64url(std::string(32, '\x11')))),
                    "has the unsupported curve \"X25519\"");
    EXPECT_CONTAINS(jwks_refusal(okp("Ed448", b64url(std::string(57, '\x11')))),
                    "unsupported curve");
    EXPECT_CONTAINS(jwks_refusal(jwks({R"({"kty":"OKP","x":"AAAA"})"})), "has no \"crv\" string");
}

TEST(JwksCheck, RefusesAlgUseAndKidProblems) {
    EXPECT_CONTAINS(jwks_refusal(jwks({jwk(rsa1(), R"(,"kid":"r","alg":"RS384")")})),
                    "JWKS: keys[0] (kid \"r\") has the wrong \"alg\" for its key type");
    EXPECT_CONTAINS(jwks_refusal(jwks({jwk(ec1(), R"(,"alg":"RS256")")})), "has the wrong \"alg\"");
    EXPECT_CONTAINS(jwks_refusal(jwks({jwk(ed1(), R"(,"alg":"Ed25519")")})),
                    "has the wrong \"alg\"");
    EXPECT_CONTAINS(jwks_refusal(jwks({jwk(rsa1(), R"(,"alg":"HS256")")})),
                    "has the wrong \"alg\"");
    EXPECT_CONTAINS(jwks_refusal(jwks({jwk(ec1(), R"(,"use":"enc")")})),
                    "the key set has no signing key");
    EXPECT_CONTAINS(jwks_refusal(jwks({jwk(ec1(), R"(,"use":"wrap")")})), "is not a signing key");
    EXPECT_CONTAINS(jwks_refusal(jwks({jwk(ec1(), R"(,"use":["sig"])")})), "is not a signing key");
    EXPECT_CONTAINS(jwks_refusal(jwks({jwk(ec1(), R"(,"kid":"")")})),
                    "JWKS: keys[0] has an invalid \"kid\"");
    EXPECT_CONTAINS(jwks_refusal(jwks({jwk(ec1(), R"(,"kid":12)")})), "has an invalid \"kid\"");
    const std::string dup =
        jwks_refusal(jwks({jwk(ec1(), R"(,"kid":"same")"), jwk(ed1(), R"(,"kid":"other")"),
                           jwk(rsa1(), R"(,"kid":"same")")}));
    EXPECT_CONTAINS(dup, "JWKS: keys[2] (kid \"same\") has a \"kid\" that an earlier key has");
    // Keys without a kid may be several.
    EXPECT_EQ(check_jwks(jwks({jwk(ec1()), jwk(ec2())})), 2u);
    EXPECT_CONTAINS(jwks_refusal(jwks({R"({"kty":"oct"})"})),
                    "has the unsupported key type \"oct\"");
    EXPECT_CONTAINS(jwks_refusal(jwks({R"({"n":"AQAB"})"})), "has no \"kty\" string");
    EXPECT_CONTAINS(jwks_refusal(jwks({R"("RSA")"})), "JWKS: keys[0] is not a JSON object");
}

TEST(JwksCheck, RefusesMalformedSets) {
    const std::string one = jwk(ed1());
    EXPECT_CONTAINS(jwks_refusal(""), "JWKS: the key set is not a JSON object");
    EXPECT_CONTAINS(jwks_refusal("{"), "JWKS: the key set is not a JSON object");
    EXPECT_CONTAINS(jwks_refusal("[" + one + "]"), "JWKS: the key set is not a JSON object");
    EXPECT_CONTAINS(jwks_refusal(one), "JWKS: the key set has no \"keys\" array");
    EXPECT_CONTAINS(jwks_refusal(R"({"keys":)" + one + "}"), "has no \"keys\" array");
    EXPECT_CONTAINS(jwks_refusal(R"({"keys":[]})"), "JWKS: the key set has 0 keys");
    EXPECT_CONTAINS(jwks_refusal(R"({"keys":[],"keys":[)" + one + "]}"), "the key \"keys\" twice");
    const std::string with_nul = std::string(R"({"keys":[)") + one + "]}";
    EXPECT_CONTAINS(jwks_refusal(with_nul + std::string(1, '\0') + "x"), "NUL byte");
}

TEST(JwksCheck, SizeLimits) {
    // kJwksMaxKeys keys (one key under distinct kids) is the most.
    std::string most = R"({"keys":[)";
    for (std::size_t i = 0; i < kJwksMaxKeys; ++i)
        most += (i > 0 ? "," : "") + jwk(ed1(), R"(,"kid":"k)" + std::to_string(i) + "\"");
    EXPECT_EQ(check_jwks(most + "]}"), kJwksMaxKeys);
    EXPECT_CONTAINS(jwks_refusal(most + "," + jwk(ed1()) + "]}"),
                    "JWKS: the key set has " + std::to_string(kJwksMaxKeys + 1) + " keys");

    const std::string set = jwks({jwk(ed1())});
    const std::string padding = std::string(kJwksMaxBytes - set.size(), ' ');
    EXPECT_EQ(check_jwks(set + padding), 1u);
    const std::string refused = jwks_refusal(set + padding + " ");
    EXPECT_CONTAINS(refused, "JWKS: the key set is too large");
    EXPECT_CONTAINS(refused, std::to_string(kJwksMaxBytes + 1) + " bytes");
}

// Every one-character change to a key set gives a count or an InvalidParameter
// error, never a crash or another kind of error.
TEST(JwksCheck, HostileChangesGiveAnErrorOrAValidSet) {
    const std::string set = jwks(
        {jwk(ec1(), R"(,"kid":"e")"), jwk(rsa1(), R"(,"kid":"r")"), jwk(ed1(), R"(,"kid":"o")")});
    for (std::size_t i = 0; i < set.size(); ++i) {
        for (const char c : {'A', '"', '}', '\xff'}) {
            if (set[i] == c) continue;
            std::string changed = set;
            changed[i] = c;
            try {
                const std::size_t n = check_jwks(changed);
                EXPECT_LE(n, 3u);
            } catch (const Error &e) {
                ASSERT_EQ(e.kind(), ErrorKind::InvalidParameter) << i << " " << e.what();
            }
        }
    }
}

}  // namespace
