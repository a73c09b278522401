// The password settings of mycelium_internal.settings (Argon2id's parameters,
// the shortest password), each with its default when no row sets it: the one
// reader for hashing, the policy and sign-in.
#pragma once

#include "core/password.hpp"

namespace mycelium::pg {

struct PasswordSettings {
    core::Argon2Params argon2;
    core::PasswordPolicy policy;
};

PasswordSettings password_settings();

}  // namespace mycelium::pg
