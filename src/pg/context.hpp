// The tenant context as the rest of the glue sees it.
#pragma once

#include <optional>
#include <string>

#include "core/context.hpp"

namespace mycelium::pg {

// Registers mycelium.context and mycelium.require_signed_context (from _PG_init).
void define_context_settings();

// The context of the current transaction: a valid sealed mycelium.context, else
// (unless require_signed_context) the request.jwt.claims setting, else none.
std::optional<core::Context> current_context();

// A key of mycelium_internal.auth_keys ('context' or 'jwt'), read as the bootstrap
// superuser; empty when the row does not exist.
std::string load_key(const char *purpose);

}  // namespace mycelium::pg
