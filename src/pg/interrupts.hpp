// The core's interrupt check (core/interrupts.hpp), answered from PostgreSQL's
// interrupt flags. Installed once, by _PG_init.
#pragma once

namespace mycelium::pg {

void install_interrupt_check() noexcept;

}  // namespace mycelium::pg
