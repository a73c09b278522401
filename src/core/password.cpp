#include "core/password.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <memory>
#include <vector>

#include <argon2.h>
#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "core/error.hpp"
#include "core/no_postgres.hpp"

namespace mycelium::core {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::string_view kArgon2idPrefix = "$argon2id$v=19$";

// The parameters of an Argon2id PHC string, or nothing when it is not one this
// module made or would accept: "$argon2id$v=19$m=<m>,t=<t>,p=<p>$<salt>$<hash>".
std::optional<Argon2Params> argon2id_params(std::string_view phc) {
    if (phc.substr(0, kArgon2idPrefix.size()) != kArgon2idPrefix) return std::nullopt;
    std::string_view rest = phc.substr(kArgon2idPrefix.size());
    Argon2Params p;
    for (auto [key, out] : {std::pair<std::string_view, std::uint32_t *>{"m=", &p.memory_kib},
                            {"t=", &p.iterations},
                            {"p=", &p.parallelism}}) {
        if (rest.substr(0, key.size()) != key) return std::nullopt;
        rest.remove_prefix(key.size());
        const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), *out);
        if (ec != std::errc() || end == rest.data()) return std::nullopt;
        rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
        if (rest.empty()) return std::nullopt;
        rest.remove_prefix(1);  // ',' between parameters, '$' before the salt
    }
    return p;
}

bool params_in_bounds(const Argon2Params &p) {
    return p.memory_kib >= 8 * p.parallelism && p.memory_kib <= kArgon2MaxMemoryKib &&
           p.iterations >= 1 && p.iterations <= kArgon2MaxIterations && p.parallelism >= 1 &&
           p.parallelism <= kArgon2MaxParallelism;
}

bool is_bcrypt(std::string_view hash) {
    // $2a$NN$ + 53 characters of bcrypt's base64: 60 in all.
    if (hash.size() != 60 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$')
        return false;
    if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return false;
    if (!std::isdigit(static_cast<unsigned char>(hash[4])) ||
        !std::isdigit(static_cast<unsigned char>(hash[5])))
        return false;
    const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
    if (cost < 4 || cost > 31) return false;
    return std::all_of(hash.begin() + 7, hash.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '/';
    });
}

// The code points of valid UTF-8, or nothing for invalid UTF-8.
std::optional<std::size_t> utf8_length(std::string_view text) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t n = c < 0x80           ? 1
                              : (c >> 5) == 0x6  ? 2
                              : (c >> 4) == 0xE  ? 3
                              : (c >> 3) == 0x1E ? 4
                                                 : 0;
        if (n == 0 || i + n > text.size()) return std::nullopt;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return std::nullopt;
        i += n;
        ++chars;
    }
    return chars;
}

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (char &c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace

void check_argon2_params(const Argon2Params &p) {
    const auto bad = [](const std::string &what, std::uint32_t value, std::uint32_t lo,
                        std::uint32_t hi) {
        return Error(ErrorKind::InvalidParameter, "password hashing: " + what + " is out of bounds",
                     "It is " + std::to_string(value) + "; it must be from " + std::to_string(lo) +
                         " to " + std::to_string(hi) + ".");
    };
    if (p.memory_kib < kArgon2MinMemoryKib || p.memory_kib > kArgon2MaxMemoryKib)
        throw bad("the memory (KiB)", p.memory_kib, kArgon2MinMemoryKib, kArgon2MaxMemoryKib);
    if (p.iterations < kArgon2MinIterations || p.iterations > kArgon2MaxIterations)
        throw bad("the number of passes", p.iterations, kArgon2MinIterations, kArgon2MaxIterations);
    if (p.parallelism < 1 || p.parallelism > kArgon2MaxParallelism)
        throw bad("the parallelism", p.parallelism, 1, kArgon2MaxParallelism);
}

std::string hash_password(std::string_view password, const Argon2Params &params) {
    check_argon2_params(params);
    std::array<unsigned char, kSaltBytes> salt{};
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1)
        throw Error(ErrorKind::Internal, "password hashing: no random bytes for a salt");
    const std::size_t length =
        argon2_encodedlen(params.iterations, params.memory_kib, params.parallelism, kSaltBytes,
                          kHashBytes, Argon2_id);
    std::vector<char> encoded(length + 1, '\0');
    const int rc = argon2id_hash_encoded(params.iterations, params.memory_kib, params.parallelism,
                                         password.data(), password.size(), salt.data(), salt.size(),
                                         kHashBytes, encoded.data(), encoded.size());
    if (rc != ARGON2_OK)
        throw Error(ErrorKind::Internal, "password hashing failed", argon2_error_message(rc));
    return std::string(encoded.data());
}

bool verify_password(std::string_view password, std::string_view stored_hash) {
    if (const auto params = argon2id_params(stored_hash)) {
        // A stored hash chooses the work its check does: bounded, so that an
        // imported or tampered one cannot make a sign-in allocate gigabytes.
        if (!params_in_bounds(*params)) return false;
        const std::string encoded(stored_hash);
        return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
    }
    if (is_bcrypt(stored_hash)) {
        // crypt_r reads NUL-terminated strings; a password holding NUL cannot be
        // a bcrypt one (PostgreSQL's text never holds NUL in any case).
        if (password.find('\0') != std::string_view::npos) return false;
        const std::string phrase(password), setting(stored_hash);
        auto data = std::make_unique<crypt_data>();
        const char *out = crypt_r(phrase.c_str(), setting.c_str(), data.get());
        const bool ok = out != nullptr && std::string_view(out).size() == stored_hash.size() &&
                        CRYPTO_memcmp(out, stored_hash.data(), stored_hash.size()) == 0;
        OPENSSL_cleanse(data.get(), sizeof(crypt_data));
        return ok;
    }
    return false;
}

bool needs_rehash(std::string_view stored_hash, const Argon2Params &params) {
    const auto found = argon2id_params(stored_hash);
    return !found || found->memory_kib != params.memory_kib ||
           found->iterations != params.iterations || found->parallelism != params.parallelism;
}

bool is_supported_hash(std::string_view stored_hash) {
    const auto params = argon2id_params(stored_hash);
    return (params && params_in_bounds(*params)) || is_bcrypt(stored_hash);
}

std::optional<std::string> password_problem(std::string_view password, const PasswordPolicy &policy,
                                            std::string_view email,
                                            std::string_view organization_name) {
    const auto chars = utf8_length(password);
    if (!chars) return std::string("the password is not valid UTF-8");
    if (*chars < policy.min_chars)
        return "the password is shorter than " + std::to_string(policy.min_chars) + " characters";
    if (*chars > policy.max_chars)
        return "the password is longer than " + std::to_string(policy.max_chars) + " characters";
    const std::string lowered = ascii_lower(password);
    const std::string mail = ascii_lower(email);
    const std::string local = mail.substr(0, mail.find('@'));
    if (!mail.empty() && (lowered == mail || lowered == local))
        return std::string("the password is the account's e-mail address");
    if (!organization_name.empty() && lowered == ascii_lower(organization_name))
        return std::string("the password is the organization's name");
    return std::nullopt;
}

}  // namespace mycelium::core
