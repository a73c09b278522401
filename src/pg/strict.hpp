// Strict mode (mycelium.require_context): a statement that reads or writes a
// tenant table under row-level security without a tenant context fails, instead
// of seeing no rows. Installed once, by _PG_init.
#pragma once

namespace mycelium::pg {

// Defines mycelium.require_context and installs the executor hook that enforces it.
void install_strict_mode();

}  // namespace mycelium::pg
