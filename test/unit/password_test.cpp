// Passwords: Argon2id hashes, imported bcrypt hashes, rehashing, the policy.
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "core/password.hpp"

using mycelium::core::Argon2Params;
using mycelium::core::check_argon2_params;
using mycelium::core::Error;
using mycelium::core::hash_password;
using mycelium::core::is_supported_hash;
using mycelium::core::needs_rehash;
using mycelium::core::password_problem;
using mycelium::core::PasswordPolicy;
using mycelium::core::verify_password;

namespace {

// The cheapest parameters the bounds allow, so that the tests stay quick.
Argon2Params cheap() { return Argon2Params{19456, 2, 1}; }

}  // namespace

TEST(Password, Argon2idRoundTrip) {
    const std::string hash = hash_password("correct horse battery staple", cheap());
    EXPECT_EQ(hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << hash;
    EXPECT_TRUE(verify_password("correct horse battery staple", hash));
    EXPECT_FALSE(verify_password("correct horse battery stapler", hash));
    EXPECT_FALSE(verify_password("", hash));
    EXPECT_TRUE(is_supported_hash(hash));
}

TEST(Password, SaltsDiffer) {
    EXPECT_NE(hash_password("same password", cheap()), hash_password("same password", cheap()));
}

TEST(Password, NonAsciiPasswords) {
    const std::string hash = hash_password("Grüße, 世界! 🔑", cheap());
    EXPECT_TRUE(verify_password("Grüße, 世界! 🔑", hash));
    EXPECT_FALSE(verify_password("Grusse, 世界! 🔑", hash));
}

// Test vectors of crypt_blowfish (Openwall), as identity services export bcrypt:
// the same hash under the $2a$, $2b$ and $2y$ prefixes for a short password.
TEST(Password, ImportedBcrypt) {
    const std::string a = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
    EXPECT_TRUE(verify_password("U*U", a));
    EXPECT_FALSE(verify_password("U*U*", a));
    for (const char *prefix : {"$2b$", "$2y$"}) {
        const std::string h = prefix + a.substr(4);
        EXPECT_TRUE(verify_password("U*U", h)) << h;
        EXPECT_TRUE(is_supported_hash(h));
    }
    EXPECT_TRUE(needs_rehash(a, cheap()));
}

TEST(Password, UnknownOrMalformedHashesNeverMatch) {
    for (const char *stored :
         {"", "hunter2", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", "$2a$05$short",
          "$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "$1$abc$def",
          "$argon2id$v=19$m=,t=2,p=1$c2FsdA$aGFzaA"}) {
        EXPECT_FALSE(verify_password("hunter2", stored)) << stored;
        EXPECT_FALSE(is_supported_hash(stored)) << stored;
    }
}

// A stored hash chooses how much memory its check takes: one asking for more than
// the bounds is refused, not computed.
TEST(Password, StoredHashCannotAskForUnboundedWork) {
    const std::string hash = hash_password("a long enough password", cheap());
    std::string greedy = hash;
    greedy.replace(greedy.find("m=19456"), 7, "m=4194304");
    EXPECT_FALSE(verify_password("a long enough password", greedy));
    EXPECT_FALSE(is_supported_hash(greedy));
}

TEST(Password, NeedsRehashWhenParametersChange) {
    const std::string hash = hash_password("a long enough password", cheap());
    EXPECT_FALSE(needs_rehash(hash, cheap()));
    EXPECT_TRUE(needs_rehash(hash, Argon2Params{65536, 3, 1}));
    EXPECT_TRUE(needs_rehash("hunter2", cheap()));
}

TEST(Password, ParameterBounds) {
    EXPECT_NO_THROW(check_argon2_params(Argon2Params{}));
    EXPECT_THROW(check_argon2_params(Argon2Params{1024, 2, 1}), Error);
    EXPECT_THROW(check_argon2_params(Argon2Params{19456, 1, 1}), Error);
    EXPECT_THROW(check_argon2_params(Argon2Params{19456, 2, 0}), Error);
    EXPECT_THROW(check_argon2_params(Argon2Params{4194304, 2, 1}), Error);
    EXPECT_THROW(hash_password("x", Argon2Params{1024, 1, 1}), Error);
}

TEST(Password, Policy) {
    const PasswordPolicy policy;  // 12 to 128 characters
    EXPECT_EQ(password_problem("correct horse", policy, "ann@agency.example", "Agency"),
              std::nullopt);
    EXPECT_EQ(password_problem("short", policy, "", ""),
              "the password is shorter than 12 characters");
    // Characters, not bytes: eleven two-byte characters are still too short.
    EXPECT_EQ(password_problem("ééééééééééé", policy, "", ""),
              "the password is shorter than 12 characters");
    EXPECT_EQ(password_problem("éééééééééééé", policy, "", ""), std::nullopt);
    EXPECT_EQ(password_problem(std::string(129, 'x'), policy, "", ""),
              "the password is longer than 128 characters");
    EXPECT_EQ(password_problem("Ann@Agency.Example", policy, "ann@agency.example", ""),
              "the password is the account's e-mail address");
    EXPECT_EQ(password_problem("annabelle.lee", policy, "Annabelle.Lee@agency.example", ""),
              "the password is the account's e-mail address");
    EXPECT_EQ(password_problem("the agency ltd", policy, "", "The Agency Ltd"),
              "the password is the organization's name");
    EXPECT_EQ(password_problem(std::string("bad \xff utf-8 text"), policy, "", ""),
              "the password is not valid UTF-8");
}
