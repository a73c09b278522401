// Passwords: Argon2id hashing (libargon2) in PHC string form, verification of
// Argon2id and of imported bcrypt hashes (libxcrypt's crypt_r), whether a hash
// should be remade with today's parameters, and the password policy.
//
// Nothing here keeps, logs or returns a password: errors name the rule broken,
// never the text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mycelium::core {

// Argon2id's cost parameters. The defaults are OWASP's minimum recommendation for
// Argon2id (19 MiB, 2 passes, 1 lane).
struct Argon2Params {
    std::uint32_t memory_kib = 19456;
    std::uint32_t iterations = 2;
    std::uint32_t parallelism = 1;
};

// The limits check_argon2_params enforces: below OWASP's floor a hash is too cheap
// to guess against, above these it would let a setting stall every sign-in.
constexpr std::uint32_t kArgon2MinMemoryKib = 19456;
constexpr std::uint32_t kArgon2MaxMemoryKib = 1048576;  // 1 GiB
constexpr std::uint32_t kArgon2MinIterations = 2;
constexpr std::uint32_t kArgon2MaxIterations = 20;
constexpr std::uint32_t kArgon2MaxParallelism = 16;

// Throws Error(InvalidParameter) naming the parameter out of bounds.
void check_argon2_params(const Argon2Params &params);

// A new Argon2id hash of the password with a fresh 16-byte salt from OpenSSL's
// random source: "$argon2id$v=19$m=...,t=...,p=...$<salt>$<hash>".
std::string hash_password(std::string_view password, const Argon2Params &params);

// Whether the password matches a stored hash: Argon2id (PHC form) or bcrypt
// ($2a$, $2b$, $2y$, as identity services export them). Constant time in the
// password for a given hash; false for a hash of any other form.
bool verify_password(std::string_view password, std::string_view stored_hash);

// Whether a stored hash should be replaced at the next successful sign-in: it is
// not Argon2id, or was made with other parameters than these.
bool needs_rehash(std::string_view stored_hash, const Argon2Params &params);

// Whether a stored hash is of a form verify_password knows.
bool is_supported_hash(std::string_view stored_hash);

struct PasswordPolicy {
    std::size_t min_chars = 12;
    std::size_t max_chars = 128;
};

// What is wrong with a new password under the policy, or nothing: its length in
// characters (code points; invalid UTF-8 is refused), and that it is not the
// account's e-mail (or its local part) or the organization's name, compared
// without regard to case.
std::optional<std::string> password_problem(std::string_view password, const PasswordPolicy &policy,
                                            std::string_view email,
                                            std::string_view organization_name);

}  // namespace mycelium::core
