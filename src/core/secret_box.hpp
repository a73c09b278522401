// Secrets at rest: AES-256-GCM (OpenSSL's libcrypto) with a random 96-bit nonce
// per encryption and associated data that binds a ciphertext to where it is
// kept: the organization, the integration, the secret's name and the key's id.
// A ciphertext copied to another row, another name or said to be under another
// key does not open. docs/integrations.md, "Secrets".
//
// Nothing here returns, logs or puts in an error message a plaintext or a key.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mycelium::core {

inline constexpr std::size_t kSecretKeyBytes = 32;    // AES-256
inline constexpr std::size_t kSecretNonceBytes = 12;  // GCM's 96-bit IV
inline constexpr std::size_t kSecretTagBytes = 16;
// A plaintext longer than this is refused: integration secrets are tokens and URLs.
inline constexpr std::size_t kSecretMaxBytes = 8192;

// Where a ciphertext belongs; every part is in the associated data.
struct SecretPlace {
    std::string_view organization_id;  // canonical UUID text
    std::string_view integration_id;   // canonical UUID text
    std::string_view name;             // the secret's name (signing_secret, ...)
    std::string_view key_id;           // canonical UUID text of the key
};

// The associated data: a version label and the parts, each length-prefixed, so
// that no two places have the same bytes.
std::string secret_associated_data(const SecretPlace &place);

// nonce || ciphertext || tag. Throws Error(InvalidParameter) for a key that is not
// kSecretKeyBytes bytes or a plaintext longer than kSecretMaxBytes (its length is
// said, never its text), Error(Internal) if OpenSSL fails.
std::string seal_secret(std::string_view key, const SecretPlace &place, std::string_view plaintext);

// The plaintext, or nothing when the box does not open under this key and place
// (altered, moved, truncated, or under another key). Throws Error(InvalidParameter)
// for a key of the wrong length, Error(Internal) if OpenSSL fails otherwise.
std::optional<std::string> open_secret(std::string_view key, const SecretPlace &place,
                                       std::string_view box);

// How a box is stored: "<key id>.<standard base64 of the box>", so that the key
// it needs is known without opening it (key rotation finds the rows still under
// an old key by this prefix).
std::string sealed_text(std::string_view key_id, std::string_view box);

struct SealedText {
    std::string key_id;  // canonical UUID text
    std::string box;
};
// Nothing when the text is not of that form.
std::optional<SealedText> parse_sealed_text(std::string_view text);

}  // namespace mycelium::core
