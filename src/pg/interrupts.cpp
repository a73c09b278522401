// How the core learns that PostgreSQL wants the statement to stop. The core asks
// from inside ICU's matcher, where CHECK_FOR_INTERRUPTS() must not be called: the
// ereport it may raise would longjmp across ICU's frames and C++ destructors. So
// the check only reads the flags that the signal handlers set; the core then
// throws Error(QueryCanceled), and the error boundary (boundary.cpp), once every
// C++ object is gone, calls CHECK_FOR_INTERRUPTS() to raise PostgreSQL's own error.
#include "pg/interrupts.hpp"

extern "C" {
#include "postgres.h"
#include "miscadmin.h"
}

#include "core/interrupts.hpp"

namespace mycelium::pg {
namespace {

// True exactly when CHECK_FOR_INTERRUPTS() would now end the statement with an
// error (a cancel request, statement or lock timeout) or the session (terminate,
// a lost client). Other pending interrupts (a barrier, a memory-context dump) it
// would process and return from, and while interrupts are held it does nothing:
// then the work goes on, as PostgreSQL's own would.
bool statement_must_stop() noexcept {
    if (!InterruptPending || InterruptHoldoffCount != 0 || CritSectionCount != 0) return false;
    return ProcDiePending || ClientConnectionLost ||
           (QueryCancelPending && QueryCancelHoldoffCount == 0);
}

}  // namespace

void install_interrupt_check() noexcept { core::set_interrupt_check(statement_must_stop); }

}  // namespace mycelium::pg
