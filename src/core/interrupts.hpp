// Stopping the core's long work when the host asks. The core cannot see
// PostgreSQL's interrupt flags (it includes no PostgreSQL header), so the glue
// installs a check (src/pg/interrupts.cpp); work that can run for a noticeable
// time asks it where stopping is safe and, when told to stop, throws
// Error(ErrorKind::QueryCanceled). The glue's error boundary then lets PostgreSQL
// raise the interrupt's own error (statement timeout, cancel request, terminate),
// once every C++ object is gone (src/pg/boundary.cpp).
//
// Not thread-safe: the check is a process-wide setting, made once when the library
// is loaded (or by a test), as a PostgreSQL backend runs one thread.
#pragma once

#include <string>

namespace mycelium::core {

// Returns true when the current work should stop. It is called from inside ICU's
// regular-expression engine (every 10,000 backtracking steps), so it must be cheap
// and must neither throw nor longjmp.
using InterruptCheck = bool (*)() noexcept;

// Installs the check; nullptr, the default, never asks anything to stop.
void set_interrupt_check(InterruptCheck check) noexcept;
InterruptCheck interrupt_check() noexcept;

// Whether the installed check asks the current work to stop.
bool interrupt_requested() noexcept;

// Throws Error(QueryCanceled) saying that `what` was interrupted, when
// interrupt_requested().
void check_for_interrupt(const std::string &what);
[[noreturn]] void throw_interrupted(const std::string &what);

}  // namespace mycelium::core
