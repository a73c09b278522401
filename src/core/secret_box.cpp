#include "core/secret_box.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <memory>
#include <string>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/context.hpp"
#include "core/error.hpp"
#include "core/jws.hpp"
#include "core/no_postgres.hpp"

namespace mycelium::core {
namespace {

struct CipherCtxFree {
    void operator()(EVP_CIPHER_CTX *ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char *bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char *>(s.data());
}

void require_key(std::string_view key, const char *who) {
    if (key.size() != kSecretKeyBytes)
        throw Error(ErrorKind::InvalidParameter, std::string(who) +
                                                     ": an integration key must have " +
                                                     std::to_string(kSecretKeyBytes) +
                                                     " bytes, not " + std::to_string(key.size()));
}

Error openssl_failed(const char *who, const char *step) {
    return Error(ErrorKind::Internal, std::string(who) + ": " + step + " failed in OpenSSL");
}

}  // namespace

std::string secret_associated_data(const SecretPlace &place) {
    std::string out = "mycelium integration secret v1";
    for (const std::string_view part :
         {place.organization_id, place.integration_id, place.name, place.key_id}) {
        out += '\0';
        out += std::to_string(part.size());
        out += ':';
        out.append(part);
    }
    return out;
}

std::string seal_secret(std::string_view key, const SecretPlace &place,
                        std::string_view plaintext) {
    require_key(key, "seal_secret");
    if (plaintext.size() > kSecretMaxBytes)
        throw Error(ErrorKind::InvalidParameter,
                    "seal_secret: a secret may have at most " + std::to_string(kSecretMaxBytes) +
                        " bytes; this one has " + std::to_string(plaintext.size()));
    const std::string aad = secret_associated_data(place);

    std::string box(kSecretNonceBytes + plaintext.size() + kSecretTagBytes, '\0');
    auto *out = reinterpret_cast<unsigned char *>(box.data());
    if (RAND_bytes(out, static_cast<int>(kSecretNonceBytes)) != 1)
        throw openssl_failed("seal_secret", "RAND_bytes");

    const CipherCtx ctx(EVP_CIPHER_CTX_new());
    int length = 0;
    int written = 0;
    if (!ctx) throw openssl_failed("seal_secret", "EVP_CIPHER_CTX_new");
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), out) != 1)
        throw openssl_failed("seal_secret", "EVP_EncryptInit_ex");
    if (EVP_EncryptUpdate(ctx.get(), nullptr, &length, bytes(aad), static_cast<int>(aad.size())) !=
        1)
        throw openssl_failed("seal_secret", "EVP_EncryptUpdate (associated data)");
    if (EVP_EncryptUpdate(ctx.get(), out + kSecretNonceBytes, &length, bytes(plaintext),
                          static_cast<int>(plaintext.size())) != 1)
        throw openssl_failed("seal_secret", "EVP_EncryptUpdate");
    written = length;
    if (EVP_EncryptFinal_ex(ctx.get(), out + kSecretNonceBytes + written, &length) != 1)
        throw openssl_failed("seal_secret", "EVP_EncryptFinal_ex");
    written += length;
    if (static_cast<std::size_t>(written) != plaintext.size())
        throw openssl_failed("seal_secret", "AES-256-GCM");
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kSecretTagBytes),
                            out + kSecretNonceBytes + plaintext.size()) != 1)
        throw openssl_failed("seal_secret", "EVP_CTRL_GCM_GET_TAG");
    return box;
}

std::optional<std::string> open_secret(std::string_view key, const SecretPlace &place,
                                       std::string_view box) {
    require_key(key, "open_secret");
    if (box.size() < kSecretNonceBytes + kSecretTagBytes ||
        box.size() > kSecretNonceBytes + kSecretMaxBytes + kSecretTagBytes)
        return std::nullopt;
    const std::string aad = secret_associated_data(place);
    const std::size_t text_bytes = box.size() - kSecretNonceBytes - kSecretTagBytes;
    const auto *in = bytes(box);
    std::array<unsigned char, kSecretTagBytes> tag{};
    std::copy(in + kSecretNonceBytes + text_bytes, in + box.size(), tag.begin());

    std::string plaintext(text_bytes, '\0');
    auto *out = reinterpret_cast<unsigned char *>(plaintext.data());
    const CipherCtx ctx(EVP_CIPHER_CTX_new());
    int length = 0;
    if (!ctx) throw openssl_failed("open_secret", "EVP_CIPHER_CTX_new");
    if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), in) != 1)
        throw openssl_failed("open_secret", "EVP_DecryptInit_ex");
    if (EVP_DecryptUpdate(ctx.get(), nullptr, &length, bytes(aad), static_cast<int>(aad.size())) !=
        1)
        throw openssl_failed("open_secret", "EVP_DecryptUpdate (associated data)");
    if (EVP_DecryptUpdate(ctx.get(), out, &length, in + kSecretNonceBytes,
                          static_cast<int>(text_bytes)) != 1)
        throw openssl_failed("open_secret", "EVP_DecryptUpdate");
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kSecretTagBytes),
                            tag.data()) != 1)
        throw openssl_failed("open_secret", "EVP_CTRL_GCM_SET_TAG");
    int final_length = 0;
    if (EVP_DecryptFinal_ex(ctx.get(), out + length, &final_length) != 1) {
        // The tag does not match: nothing of the attempted plaintext is kept.
        OPENSSL_cleanse(plaintext.data(), plaintext.size());
        return std::nullopt;
    }
    return plaintext;
}

std::string sealed_text(std::string_view key_id, std::string_view box) {
    std::string out(key_id);
    out += '.';
    out += jws::base64_encode(box);
    return out;
}

std::optional<SealedText> parse_sealed_text(std::string_view text) {
    const std::size_t dot = text.find('.');
    if (dot == std::string_view::npos || !is_uuid(text.substr(0, dot))) return std::nullopt;
    SealedText out;
    out.key_id = canonical_uuid(text.substr(0, dot));
    if (!jws::base64_decode(text.substr(dot + 1), out.box)) return std::nullopt;
    return out;
}

}  // namespace mycelium::core
