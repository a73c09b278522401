#include "core/interrupts.hpp"

#include "core/error.hpp"
#include "core/no_postgres.hpp"

namespace mycelium::core {
namespace {

InterruptCheck installed = nullptr;

}  // namespace

void set_interrupt_check(InterruptCheck check) noexcept { installed = check; }

InterruptCheck interrupt_check() noexcept { return installed; }

bool interrupt_requested() noexcept { return installed != nullptr && installed(); }

void check_for_interrupt(const std::string &what) {
    if (interrupt_requested()) throw_interrupted(what);
}

void throw_interrupted(const std::string &what) {
    // Seen only when the host finds no interrupt of its own to raise instead.
    throw Error(ErrorKind::QueryCanceled, "canceling statement: " + what + " was interrupted",
                "The interrupt check asked the work to stop (a cancel request, a timeout or a "
                "shutdown).");
}

}  // namespace mycelium::core
