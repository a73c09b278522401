// The tenant context as the rest of the glue sees it.
#pragma once

#include <cstddef>
#include <cstdint>
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

// The same without a copy, for the policies' read functions: valid until the
// next read of the context. nullptr: none.
const core::Context *current_context_view();

// The same, whatever role the transaction acts as: for the entry points that
// have just sealed a context and choose that role.
std::optional<core::Context> context_for_any_role();

// The account of this transaction's password-change session (an account that
// must change its password gets this instead of a context), if any.
std::optional<core::Context> password_change_context();

// Whether the transaction acts as kPortalRole (SET ROLE; a SECURITY DEFINER
// function does not change it).
bool acting_as_portal();

// A key of mycelium_internal.auth_keys ('context' or 'jwt'), read as the bootstrap
// superuser; empty when the row does not exist. The 'jwt' key is kept for the
// backend until the table changes (announce_change).
std::string load_key(const char *purpose);

// The 'context' key, cached per backend until auth_keys changes.
const std::string &context_key();

// What authenticate sealed for an HS256 token it accepted: accepted again from
// this, without a query, until a table that decides acceptance changes (the
// statement triggers announce_access_change, announce_change) or the seal's end.
struct AcceptedToken {
    core::Context context;        // as sealed: the member's client and services
    std::int64_t ends = 0;        // the seal's end, unix time
    std::int64_t expires_at = 0;  // the token's "exp", unix time
    std::optional<std::string> token_id;
};

// The longest token kept; Mycelium's own are about 400 bytes.
inline constexpr std::size_t kAcceptedTokenMaxBytes = 2048;

// Seals the context kept for this exact token, as authenticate would, and notes
// the token for sign_out; its "exp", or nothing when it is not kept (then
// nothing is set). Reads the invalidations other transactions committed first.
std::optional<std::int64_t> accept_again(const std::string &token);

// The count of invalidations of what accept_again keeps, to take before
// authenticate checks a token the long way.
std::uint64_t accepted_tokens_changes();

// Keeps what authenticate just sealed for `token` (its text as given, and as
// UTF-8), if it is an HS256 token with an "iat" (so that its session's end does
// not depend on the time of the call) and nothing it depends on changed since
// `changes_before`.
void keep_accepted(const std::string &token, const std::string &token_utf8,
                   std::uint64_t changes_before);

}  // namespace mycelium::pg
