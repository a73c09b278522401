// The tenant context as the rest of the glue sees it.
#pragma once

#include <optional>
#include <string>

#include "core/context.hpp"

namespace mycelium::pg {

// Registers mycelium.context and mycelium.require_signed_context (from _PG_init).
void define_context_settings();

// The database role a portal (CLIENT) context acts as (docs/security.md,
// "What a portal user sees").
inline constexpr const char *kPortalRole = "mycelium_portal";
// The roles an ADMIN's and a staff member's contexts act as.
inline constexpr const char *kAdminRole = "mycelium_admin";
inline constexpr const char *kStaffRole = "mycelium_staff";

// The context of the current transaction: a valid sealed mycelium.context, else
// (unless require_signed_context) the request.jwt.claims setting, else none; a
// portal user's only while the transaction acts as kPortalRole.
std::optional<core::Context> current_context();

// The same, whatever role the transaction acts as: for the entry points that
// have just sealed a context and choose that role.
std::optional<core::Context> context_for_any_role();

// Whether the transaction acts as kPortalRole (SET ROLE; a SECURITY DEFINER
// function does not change it).
bool acting_as_portal();

// A key of mycelium_internal.auth_keys ('context' or 'jwt'), read as the bootstrap
// superuser; empty when the row does not exist.
std::string load_key(const char *purpose);

// The 'context' key, cached per backend until auth_keys changes.
const std::string &context_key();

}  // namespace mycelium::pg
