// Password hashing for SQL (src/core/password.*): the hash an account's password
// is stored as, its check, and the policy, with the parameters of
// mycelium_internal.settings. Private: called by the SECURITY DEFINER functions
// of src/sql/code/47_passwords.sql, never granted.
#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "core/password.hpp"
#include "pg/boundary.hpp"
#include "pg/password.hpp"
#include "pg/spi.hpp"
#include "pg/text.hpp"

namespace mycelium::pg {

PasswordSettings password_settings() {
    PasswordSettings out;
    const TextRows rows = query_as_owner(
        "SELECT s.name, s.value FROM mycelium_internal.settings s WHERE s.name LIKE 'password\\_%'",
        {});
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (!rows.at(i, 0) || !rows.at(i, 1)) continue;
        const std::string &name = *rows.at(i, 0);
        // The table's checks hold these to digits within their bounds.
        const auto value =
            static_cast<std::uint32_t>(std::strtoul(rows.at(i, 1)->c_str(), nullptr, 10));
        if (name == "password_memory_kib") out.argon2.memory_kib = value;
        if (name == "password_iterations") out.argon2.iterations = value;
        if (name == "password_parallelism") out.argon2.parallelism = value;
        if (name == "password_min_length") out.policy.min_chars = value;
    }
    return out;
}

}  // namespace mycelium::pg

// is_supported_hash(hash): a hash verify_password can check (Argon2id within the
// bounds, or bcrypt as identity services export it).
MYCELIUM_FUNCTION(mycelium_is_supported_hash) {
    PG_RETURN_BOOL(mycelium::core::is_supported_hash(mycelium::pg::text_arg_utf8(fcinfo, 0)));
}

// hash_password(password): a new Argon2id hash with the configured parameters.
MYCELIUM_FUNCTION(mycelium_hash_password) {
    const std::string password = mycelium::pg::text_arg_utf8(fcinfo, 0);
    const std::string hash =
        mycelium::core::hash_password(password, mycelium::pg::password_settings().argon2);
    PG_RETURN_TEXT_P(mycelium::pg::utf8_to_text(hash));
}

// verify_password(password, hash): whether the password matches the stored hash.
MYCELIUM_FUNCTION(mycelium_verify_password) {
    PG_RETURN_BOOL(mycelium::core::verify_password(mycelium::pg::text_arg_utf8(fcinfo, 0),
                                                   mycelium::pg::text_arg_utf8(fcinfo, 1)));
}

// password_needs_rehash(hash): whether the hash was made otherwise than the
// configured parameters would make it now.
MYCELIUM_FUNCTION(mycelium_password_needs_rehash) {
    PG_RETURN_BOOL(mycelium::core::needs_rehash(mycelium::pg::text_arg_utf8(fcinfo, 0),
                                                mycelium::pg::password_settings().argon2));
}

// password_problem(password, email, organization_name): what the policy finds
// wrong with a new password, or NULL.
MYCELIUM_FUNCTION(mycelium_password_problem) {
    const auto problem = mycelium::core::password_problem(
        mycelium::pg::text_arg_utf8(fcinfo, 0), mycelium::pg::password_settings().policy,
        mycelium::pg::text_arg_utf8(fcinfo, 1), mycelium::pg::text_arg_utf8(fcinfo, 2));
    if (!problem) PG_RETURN_NULL();
    PG_RETURN_TEXT_P(mycelium::pg::utf8_to_text(*problem));
}
