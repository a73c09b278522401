#include "core/jwks.hpp"

#include <array>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "core/context.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "core/jws.hpp"
#include "core/no_postgres.hpp"

namespace mycelium::core {
namespace {

using json = json_text::json;
using jws::base64url_decode;
using jws::description;
using jws::malformed;
using jws::member;
using jws::shown;
using jws::token_error;

// Issuers, audiences and key ids are long and often differ only at their end
// ("https://x.supabase.co/auth/v1" and ".../auth/v1/"): quoted in full up to this.
constexpr std::size_t kLongQuote = 120;

// An ES256 signature (RFC 7518 section 3.4) and an Ed25519 one (RFC 8037
// section 3.1) are both 64 bytes; a P-256 coordinate and an Ed25519 key, 32.
constexpr std::size_t kEcdsaP256SignatureBytes = 64;
constexpr std::size_t kEd25519SignatureBytes = 64;
constexpr std::size_t kP256CoordinateBytes = 32;
constexpr std::size_t kEd25519KeyBytes = 32;
// Public exponents are 3 or 65537 in practice; a larger one only slows verifying.
constexpr int kRsaMaxExponentBits = 64;

// ---------------------------------------------------------------------------
// OpenSSL objects, freed on every path

template <typename T, void (*Free)(T *)>
struct Deleter {
    void operator()(T *p) const noexcept { Free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBuild = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

// Refused keys and signatures leave errors in OpenSSL's thread-local queue. In a
// server process other code (libpq's TLS, pgcrypto) reads that queue after its
// own calls, so whatever this code adds is removed before it returns, and what
// was there before is left alone.
class OpenSslErrorScope {
  public:
    OpenSslErrorScope() { ERR_set_mark(); }
    ~OpenSslErrorScope() { ERR_pop_to_mark(); }
    OpenSslErrorScope(const OpenSslErrorScope &) = delete;
    OpenSslErrorScope &operator=(const OpenSslErrorScope &) = delete;
};

const unsigned char *bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char *>(s.data());
}

// ---------------------------------------------------------------------------
// Algorithms

enum class KeyType { Rsa, Ec, Okp };

// The algorithms accepted, one per key type: so that a key's kty says which
// algorithm it verifies, and no key serves two.
struct Algorithm {
    const char *name;  // "alg"
    const char *kty;
    KeyType type;
};
constexpr std::array<Algorithm, 3> kAlgorithms{{
    {"RS256", "RSA", KeyType::Rsa},
    {"ES256", "EC", KeyType::Ec},
    {"EdDSA", "OKP", KeyType::Okp},
}};

const Algorithm *algorithm_named(std::string_view name) {
    for (const Algorithm &a : kAlgorithms)
        if (name == a.name) return &a;
    return nullptr;
}

const Algorithm *algorithm_of_kty(std::string_view kty) {
    for (const Algorithm &a : kAlgorithms)
        if (kty == a.kty) return &a;
    return nullptr;
}

// ---------------------------------------------------------------------------
// The key set

struct Key {
    std::string name;  // as errors name it: keys[i], with its kid
    const Algorithm *algorithm = nullptr;
    std::optional<std::string> kid;
    Pkey pkey;
    std::size_t signature_bytes = 0;  // what the algorithm's signature length must be
    bool for_encryption = false;      // "use": "enc": listed, never used to verify
};

Error jwks_error(std::string message, std::string detail = {}) {
    return Error(ErrorKind::InvalidParameter, "JWKS: " + std::move(message), std::move(detail));
}

class KeyReader {
  public:
    KeyReader(const json &jwk, std::size_t index) : jwk_(jwk) {
        key_.name = "keys[" + std::to_string(index) + "]";
        if (jwk.is_object()) {
            if (const json *kid = member(jwk, "kid");
                kid != nullptr && kid->is_string() && !kid->get_ref<const std::string &>().empty())
                key_.name +=
                    " (kid " + shown(kid->get_ref<const std::string &>(), kLongQuote) + ")";
        }
    }

    Key read() {
        if (!jwk_.is_object())
            throw bad("is not a JSON object",
                      "A JWK is an object; this is " + description(jwk_) + ".");
        const json *kty = member(jwk_, "kty");
        if (kty == nullptr || !kty->is_string())
            throw bad("has no \"kty\" string", "A JWK names its key type (RSA, EC or OKP).");
        const std::string &kty_text = kty->get_ref<const std::string &>();

        // A private key first: whatever else is wrong with it, that is what matters.
        for (const char *secret : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
            if (jwk_.contains(secret))
                throw bad(std::string("is a private key (it has \"") + secret + "\")",
                          "Register only the identity service's public keys: the private key "
                          "must stay with the service, and this one should now be replaced.");
        }

        key_.algorithm = algorithm_of_kty(kty_text);
        if (key_.algorithm == nullptr)
            throw bad("has the unsupported key type " + shown(kty_text),
                      "Keys must be RSA (for RS256), EC (P-256, for ES256) or OKP (Ed25519, for "
                      "EdDSA); symmetric (\"oct\") keys are never accepted here.");

        if (const json *kid = member(jwk_, "kid")) {
            if (!kid->is_string() || kid->get_ref<const std::string &>().empty())
                throw bad("has an invalid \"kid\"",
                          "\"kid\" must be a non-empty string; it is " + description(*kid) + ".");
            key_.kid = kid->get_ref<const std::string &>();
        }
        if (const json *use = member(jwk_, "use")) {
            // Services publish their encryption keys in the same document
            // (Keycloak's realm JWKS does): such a key is skipped, never used.
            if (use->is_string() && use->get_ref<const std::string &>() == "enc") {
                key_.for_encryption = true;
                return std::move(key_);
            }
            if (!use->is_string() || use->get_ref<const std::string &>() != "sig")
                throw bad("is not a signing key",
                          "\"use\", when present, must be \"sig\" (or \"enc\", skipped); it is " +
                              description(*use) + ".");
        }
        if (const json *alg = member(jwk_, "alg")) {
            if (!alg->is_string() || alg->get_ref<const std::string &>() != key_.algorithm->name)
                throw bad("has the wrong \"alg\" for its key type",
                          std::string("A key of kty ") + key_.algorithm->kty + " verifies " +
                              key_.algorithm->name + " only; its \"alg\" is " + description(*alg) +
                              ".");
        }

        switch (key_.algorithm->type) {
            case KeyType::Rsa:
                read_rsa();
                break;
            case KeyType::Ec:
                read_ec();
                break;
            case KeyType::Okp:
                read_okp();
                break;
        }
        return std::move(key_);
    }

  private:
    Error bad(const std::string &problem, std::string detail) const {
        return jwks_error(key_.name + " " + problem, std::move(detail));
    }

    Error openssl_failed(const char *what) const {
        return Error(ErrorKind::Internal,
                     "JWKS: " + key_.name + ": OpenSSL could not build the key (" + what + ")");
    }

    // A required base64url member, decoded.
    std::string member_bytes(const char *name) const {
        const json *value = member(jwk_, name);
        if (value == nullptr)
            throw bad(
                std::string("lacks \"") + name + "\"",
                std::string("A key of kty ") + key_.algorithm->kty + " needs \"" + name + "\".");
        std::string out;
        if (!value->is_string() || !base64url_decode(value->get_ref<const std::string &>(), out) ||
            out.empty())
            throw bad(std::string("has an invalid \"") + name + "\"",
                      std::string("\"") + name +
                          "\" must be non-empty unpadded base64url (RFC 7515, section 2); it is " +
                          description(*value) + ".");
        return out;
    }

    std::string curve() const {
        const json *crv = member(jwk_, "crv");
        if (crv == nullptr || !crv->is_string())
            throw bad("has no \"crv\" string",
                      std::string("A key of kty ") + key_.algorithm->kty + " names its curve.");
        return crv->get_ref<const std::string &>();
    }

    std::string fixed_bytes(const char *name, std::size_t size) const {
        std::string out = member_bytes(name);
        if (out.size() != size)
            throw bad(std::string("has an invalid \"") + name + "\"",
                      std::string("\"") + name + "\" must be " + std::to_string(size) +
                          " bytes; it is " + std::to_string(out.size()) + ".");
        return out;
    }

    void from_data(const char *type, OSSL_PARAM_BLD *build) {
        const Params params(OSSL_PARAM_BLD_to_param(build));
        if (!params) throw openssl_failed("OSSL_PARAM_BLD_to_param");
        const PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
        if (!ctx) throw openssl_failed("EVP_PKEY_CTX_new_from_name");
        if (EVP_PKEY_fromdata_init(ctx.get()) != 1) throw openssl_failed("EVP_PKEY_fromdata_init");
        EVP_PKEY *raw = nullptr;
        const int ok = EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get());
        key_.pkey.reset(raw);
        if (ok != 1 || !key_.pkey) {
            key_.pkey.reset();
            if (key_.algorithm->type == KeyType::Ec)
                throw bad("is not a point on the curve P-256",
                          "\"x\" and \"y\" must be the coordinates of a point of P-256.");
            throw openssl_failed("EVP_PKEY_fromdata");
        }
    }

    void read_rsa() {
        const std::string n = member_bytes("n");
        const std::string e = member_bytes("e");
        if (n.size() > static_cast<std::size_t>(kRsaMaxModulusBits) / 8 + 1)
            throw bad("has an RSA modulus that is too long",
                      "The modulus may have at most " + std::to_string(kRsaMaxModulusBits) +
                          " bits; it is " + std::to_string(n.size()) + " bytes.");
        if (e.size() > static_cast<std::size_t>(kRsaMaxExponentBits) / 8 + 1)
            throw bad("has an RSA exponent that is too large",
                      "The public exponent may have at most " +
                          std::to_string(kRsaMaxExponentBits) + " bits (it is 65537 in practice).");
        const Bignum modulus(BN_bin2bn(bytes(n), static_cast<int>(n.size()), nullptr));
        const Bignum exponent(BN_bin2bn(bytes(e), static_cast<int>(e.size()), nullptr));
        if (!modulus || !exponent) throw openssl_failed("BN_bin2bn");

        const int bits = BN_num_bits(modulus.get());
        if (bits < kRsaMinModulusBits)
            throw bad("has an RSA modulus that is too short",
                      "RS256 keys need a modulus of at least " +
                          std::to_string(kRsaMinModulusBits) + " bits; this one has " +
                          std::to_string(bits) + ".");
        if (bits > kRsaMaxModulusBits)
            throw bad("has an RSA modulus that is too long",
                      "The modulus may have at most " + std::to_string(kRsaMaxModulusBits) +
                          " bits; this one has " + std::to_string(bits) + ".");
        if (!BN_is_odd(modulus.get()))
            throw bad("has an invalid RSA modulus", "An RSA modulus is odd; this one is even.");
        if (!BN_is_odd(exponent.get()) || BN_is_one(exponent.get()) ||
            BN_num_bits(exponent.get()) > kRsaMaxExponentBits)
            throw bad("has an invalid RSA exponent",
                      "The public exponent must be odd, greater than 1 and at most " +
                          std::to_string(kRsaMaxExponentBits) + " bits (it is 65537 in practice).");

        const ParamBuild build(OSSL_PARAM_BLD_new());
        if (!build ||
            OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
            OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1)
            throw openssl_failed("OSSL_PARAM_BLD");
        from_data("RSA", build.get());
        key_.signature_bytes = static_cast<std::size_t>((bits + 7) / 8);
    }

    void read_ec() {
        const std::string crv = curve();
        if (crv != "P-256")
            throw bad("has the unsupported curve " + shown(crv),
                      "EC keys must be on P-256, the curve of ES256.");
        std::string point = "\x04";  // uncompressed (SEC 1, section 2.3.3)
        point += fixed_bytes("x", kP256CoordinateBytes);
        point += fixed_bytes("y", kP256CoordinateBytes);

        const ParamBuild build(OSSL_PARAM_BLD_new());
        if (!build ||
            OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) !=
                1 ||
            OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                             point.size()) != 1)
            throw openssl_failed("OSSL_PARAM_BLD");
        from_data("EC", build.get());

        // Decoding the point checks that it is on the curve; the full public-key
        // check (coordinates below p, not the point at infinity, of order n)
        // says so explicitly rather than by what the decoder happens to do.
        const PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.pkey.get(), nullptr));
        if (!check) throw openssl_failed("EVP_PKEY_CTX_new_from_pkey");
        if (EVP_PKEY_public_check(check.get()) != 1)
            throw bad("is not a point on the curve P-256",
                      "\"x\" and \"y\" must be the coordinates of a point of P-256.");
        key_.signature_bytes = kEcdsaP256SignatureBytes;
    }

    void read_okp() {
        const std::string crv = curve();
        if (crv != "Ed25519")
            throw bad("has the unsupported curve " + shown(crv),
                      "OKP keys must be Ed25519, the curve of EdDSA here.");
        const std::string x = fixed_bytes("x", kEd25519KeyBytes);
        const ParamBuild build(OSSL_PARAM_BLD_new());
        if (!build || OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                                       x.data(), x.size()) != 1)
            throw openssl_failed("OSSL_PARAM_BLD");
        from_data("ED25519", build.get());
        key_.signature_bytes = kEd25519SignatureBytes;
    }

    const json &jwk_;
    Key key_;
};

std::vector<Key> read_jwks(std::string_view jwks_json) {
    if (jwks_json.size() > kJwksMaxBytes)
        throw jwks_error("the key set is too large",
                         "It is " + std::to_string(jwks_json.size()) + " bytes; at most " +
                             std::to_string(kJwksMaxBytes) + " are accepted.");
    try {
        json document;
        std::string why;
        if (!jws::parse_object(jwks_json, document, why))
            throw jwks_error("the key set is not a JSON object", "It cannot be read: " + why + ".");
        const json *keys = member(document, "keys");
        if (keys == nullptr || !keys->is_array())
            throw jwks_error("the key set has no \"keys\" array",
                             "A JWKS (RFC 7517, section 5) is an object with a \"keys\" array.");
        if (keys->empty() || keys->size() > kJwksMaxKeys)
            throw jwks_error("the key set has " + std::to_string(keys->size()) + " keys",
                             "It must have 1 to " + std::to_string(kJwksMaxKeys) + " keys.");

        std::vector<Key> out;
        out.reserve(keys->size());
        std::set<std::string> kids;
        for (std::size_t i = 0; i < keys->size(); ++i) {
            Key key = KeyReader((*keys)[i], i).read();
            if (key.for_encryption) continue;
            if (key.kid && !kids.insert(*key.kid).second)
                throw jwks_error(key.name + " has a \"kid\" that an earlier key has",
                                 "Each key's \"kid\" must be distinct, so that a token's \"kid\" "
                                 "names one key.");
            out.push_back(std::move(key));
        }
        if (out.empty())
            throw jwks_error("the key set has no signing key",
                             "Every key in it is published for encryption (\"use\": \"enc\").");
        return out;
    } catch (const json::exception &) {
        // Unreachable: every access checks the type first.
        throw jwks_error("the key set could not be read as JSON");
    }
}

// ---------------------------------------------------------------------------
// Tokens

// The key that must verify a token of `algorithm` with the header's kid.
const Key &choose_key(const std::vector<Key> &keys, const Algorithm &algorithm,
                      const std::optional<std::string> &kid) {
    if (kid) {
        for (const Key &key : keys) {
            if (key.kid != kid) continue;
            if (key.algorithm != &algorithm)
                throw token_error(
                    std::string("algorithm ") + algorithm.name + " does not match its key",
                    "The token's \"kid\" names " + key.name + ", a key of kty " +
                        key.algorithm->kty + ", which verifies " + key.algorithm->name + " only.");
            return key;
        }
        throw token_error(
            "names an unknown key",
            "The identity service has no key with kid " + shown(*kid, kLongQuote) + ".",
            "If the service has rotated its keys, register its current JWKS.");
    }
    const Key *found = nullptr;
    std::size_t count = 0;
    for (const Key &key : keys) {
        if (key.algorithm != &algorithm) continue;
        if (found == nullptr) found = &key;
        ++count;
    }
    if (found == nullptr)
        throw token_error("has no key to verify it",
                          std::string("The token names no key (no \"kid\"), and the identity "
                                      "service has no key of kty ") +
                              algorithm.kty + " for " + algorithm.name + ".");
    if (count > 1)
        throw token_error("does not name its key",
                          std::string("The token has no \"kid\", and the identity service has ") +
                              std::to_string(count) + " keys of kty " + algorithm.kty +
                              "; a token must name the one that signed it.");
    return *found;
}

// RFC 7518 section 3.4: the JWS form of an ECDSA signature is r || s, each
// 32 bytes for P-256; OpenSSL verifies the DER form (SEQUENCE of two INTEGERs).
bool ecdsa_der(const std::string &raw, std::string &der) {
    constexpr std::size_t half = kEcdsaP256SignatureBytes / 2;
    Bignum r(BN_bin2bn(bytes(raw), static_cast<int>(half), nullptr));
    Bignum s(BN_bin2bn(bytes(raw) + half, static_cast<int>(half), nullptr));
    const EcdsaSig sig(ECDSA_SIG_new());
    if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return false;
    (void)r.release();  // now owned by sig
    (void)s.release();
    const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (length <= 0) return false;
    der.assign(static_cast<std::size_t>(length), '\0');
    auto *out = reinterpret_cast<unsigned char *>(der.data());
    return i2d_ECDSA_SIG(sig.get(), &out) == length;
}

// True if `signature` is `key`'s over `input`. Throws for a signature of the
// wrong length (malformed) and for an OpenSSL failure that is not a mismatch.
bool signature_matches(const Key &key, std::string_view input, const std::string &signature) {
    const Algorithm &algorithm = *key.algorithm;
    if (signature.size() != key.signature_bytes)
        throw malformed(
            std::string("A ") + algorithm.name + " signature by " + key.name + " is " +
            std::to_string(key.signature_bytes) + " bytes" +
            (algorithm.type == KeyType::Ec ? " (r || s, RFC 7518 section 3.4, not DER)" : "") +
            "; this one is " + std::to_string(signature.size()) + ".");

    std::string der;
    std::string_view checked = signature;
    if (algorithm.type == KeyType::Ec) {
        if (!ecdsa_der(signature, der))
            throw Error(ErrorKind::Internal,
                        "authenticate: OpenSSL could not encode an ECDSA "
                        "signature");
        checked = der;
    }

    const MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx) throw Error(ErrorKind::Internal, "authenticate: EVP_MD_CTX_new failed");
    EVP_PKEY_CTX *pctx = nullptr;  // owned by ctx
    // Ed25519 hashes the message itself (PureEdDSA): no digest is named for it.
    const char *digest = algorithm.type == KeyType::Okp ? nullptr : "SHA256";
    if (EVP_DigestVerifyInit_ex(ctx.get(), &pctx, digest, nullptr, nullptr, key.pkey.get(),
                                nullptr) != 1)
        throw Error(ErrorKind::Internal, "authenticate: EVP_DigestVerifyInit_ex failed");
    if (algorithm.type == KeyType::Rsa &&
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
        throw Error(ErrorKind::Internal, "authenticate: EVP_PKEY_CTX_set_rsa_padding failed");
    // 1 is a match; 0 a mismatch; < 0 a signature OpenSSL could not even read
    // (an r or s out of range), which is no match either.
    return EVP_DigestVerify(ctx.get(), bytes(checked), checked.size(), bytes(input),
                            input.size()) == 1;
}

// A claim that, when present, must be a string; "" when absent.
std::string string_claim(const json &claims, const char *name) {
    const json *value = member(claims, name);
    if (value == nullptr) return {};
    if (!value->is_string())
        throw token_error(
            std::string("claim \"") + name + "\" is not valid",
            std::string("\"") + name + "\" must be a string; it is " + description(*value) + ".");
    return value->get_ref<const std::string &>();
}

void check_issuer(const std::string &issuer, const json &claims, const ForeignTokenRules &rules) {
    if (rules.issuer.empty()) return;
    if (member(claims, "iss") == nullptr)
        throw token_error("lacks claim \"iss\"",
                          "Tokens of this identity service must name their "
                          "issuer, " +
                              shown(rules.issuer, kLongQuote) + ".");
    if (issuer != rules.issuer)
        throw token_error("issuer " + shown(issuer, kLongQuote) + " is not accepted",
                          "Tokens of this identity service are issued by " +
                              shown(rules.issuer, kLongQuote) + ".");
}

void check_audience(const json &claims, const ForeignTokenRules &rules) {
    if (rules.audiences.empty()) return;
    const json *aud = member(claims, "aud");
    if (aud == nullptr)
        throw token_error("lacks claim \"aud\"",
                          "Tokens of this identity service must name their audience.");
    const auto accepted = [&](const std::string &value) {
        for (const std::string &a : rules.audiences)
            if (value == a) return true;
        return false;
    };
    const auto invalid = [&] {
        return token_error(
            "claim \"aud\" is not valid",
            "\"aud\" must be a string or an array of strings; it is " + description(*aud) + ".");
    };
    std::string sent;  // for the error: what the token is for
    if (aud->is_string()) {
        if (accepted(aud->get_ref<const std::string &>())) return;
        sent = shown(aud->get_ref<const std::string &>(), kLongQuote);
    } else if (aud->is_array()) {
        for (const json &item : *aud)
            if (!item.is_string()) throw invalid();
        constexpr std::size_t kShownAudiences = 5;
        for (std::size_t i = 0; i < aud->size(); ++i) {
            const std::string &item = (*aud)[i].get_ref<const std::string &>();
            if (accepted(item)) return;
            if (i < kShownAudiences) sent += (i > 0 ? ", " : "") + shown(item, kLongQuote);
        }
        if (aud->size() > kShownAudiences) sent += ", ...";
        if (aud->empty()) sent = "no audience";
    } else {
        throw invalid();
    }
    std::string wanted;
    for (std::size_t i = 0; i < rules.audiences.size(); ++i)
        wanted += (i > 0 ? ", " : "") + shown(rules.audiences[i], kLongQuote);
    throw token_error("audience is not accepted", "The token is for " + sent +
                                                      "; this identity service's tokens must be "
                                                      "for one of " +
                                                      wanted + ".");
}

}  // namespace

std::size_t check_jwks(std::string_view jwks_json) {
    const OpenSslErrorScope errors;
    return read_jwks(jwks_json).size();
}

ForeignToken verify_jwt_jwks(std::string_view token, std::string_view jwks_json,
                             const ForeignTokenRules &rules, std::int64_t now_unix) {
    const OpenSslErrorScope errors;
    const std::vector<Key> keys = read_jwks(jwks_json);
    const jws::CompactParts parts = jws::split_compact(token);

    try {
        // The header first, so that an unsupported algorithm is named as such;
        // nothing of the payload is parsed before the signature has matched.
        const json header = jws::decode_header(parts.header);
        const std::string &alg = jws::header_algorithm(header);
        const Algorithm *algorithm = algorithm_named(alg);
        if (algorithm == nullptr)
            throw token_error("algorithm " + shown(alg) + " is not accepted",
                              "Tokens of an identity service are verified with its public keys: "
                              "RS256, ES256 and EdDSA are accepted, and HS256 and \"none\" never "
                              "are.");
        jws::check_type_and_crit(header);
        std::optional<std::string> kid;
        if (const json *kid_value = member(header, "kid")) {
            if (!kid_value->is_string()) throw malformed("The header's \"kid\" is not a string.");
            kid = kid_value->get_ref<const std::string &>();
        }
        const Key &key = choose_key(keys, *algorithm, kid);

        std::string payload_json;
        if (parts.payload.empty() || !base64url_decode(parts.payload, payload_json))
            throw malformed("The payload is not base64url.");
        std::string signature;
        if (!base64url_decode(parts.signature, signature))
            throw malformed("The signature is not base64url.");
        if (!signature_matches(key, parts.signing_input, signature))
            throw token_error("signature does not match",
                              "The token was not signed with the identity service's key " +
                                  key.name + ", or it was changed after it was signed.");

        const json claims = jws::parse_payload(payload_json);
        const jws::TokenTimes times =
            jws::read_times(claims, now_unix, jws::FutureIssuedAt::Refused);

        ForeignToken out;
        out.algorithm = algorithm->name;
        out.key_id = key.kid.value_or(std::string());
        out.issuer = string_claim(claims, "iss");
        out.subject = string_claim(claims, "sub");
        out.token_id = string_claim(claims, "jti");
        check_issuer(out.issuer, claims, rules);
        check_audience(claims, rules);
        if (const json *email = member(claims, "email"); email != nullptr && email->is_string())
            out.email = email->get_ref<const std::string &>();
        const json *verified = member(claims, "email_verified");
        out.email_verified = verified != nullptr && verified->is_boolean() && verified->get<bool>();
        out.expires_at = times.expires_at;
        out.issued_at = times.issued_at;
        out.claims_json = std::move(payload_json);
        return out;
    } catch (const json::exception &) {
        // Unreachable, as in verify_jwt_hs256.
        throw malformed("The token could not be read as JSON.");
    }
}

}  // namespace mycelium::core
