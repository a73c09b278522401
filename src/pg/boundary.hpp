// The one place where C++ meets PostgreSQL's error handling.
//
// PostgreSQL raises errors with ereport(ERROR), which longjmps: crossing a C++
// frame that way skips destructors, and a C++ exception that reaches PostgreSQL's
// C frames terminates the backend. Two tools keep the two worlds apart:
//
//   MYCELIUM_FUNCTION(name)  declares an SQL-callable entry point. Its body is plain
//                            C++ that may throw; the generated wrapper catches
//                            everything and raises the matching ereport only after
//                            every C++ object is gone. No entry point writes its
//                            own try/catch.
//   pg::guard(f)             runs f, which calls PostgreSQL functions that may
//                            ereport (SPI, palloc, type input, syscache), and turns
//                            such an error into a C++ exception (PgError) so that
//                            destructors run on the way out; the wrapper then
//                            re-raises the original error unchanged.
//
// Inside f there is no C++ object with a destructor, and no throw, return or break
// out of PG_TRY; f is a small lambda that only talks to PostgreSQL.
#pragma once

extern "C" {
#include "postgres.h"
#include "fmgr.h"
}

#include <exception>
#include <type_traits>

// PostgreSQL 15 defines PGDLLEXPORT as nothing on Linux, and we build with
// -fvisibility=hidden so that only the entry points are exported.
#define MYCELIUM_EXPORT __attribute__((visibility("default")))

namespace mycelium::pg {

// The schema every error of the extension names in its SCHEMA_NAME field, and
// the project's SQLSTATE for a statement or call without a tenant context
// (docs/errors.md).
inline constexpr const char *kSchema = "mycelium";
inline constexpr int kNoTenantContext = MAKE_SQLSTATE('2', '8', 'M', '0', '1');

// For an ereport's list: the SCHEMA_NAME field of the extension's errors.
inline int errschema() { return err_generic_string(PG_DIAG_SCHEMA_NAME, kSchema); }

// A PostgreSQL error travelling through C++ frames. It owns nothing the C++
// runtime must free: the ErrorData lives in the current memory context.
class PgError : public std::exception {
  public:
    explicit PgError(ErrorData *edata) noexcept : edata_(edata) {}
    ErrorData *data() const noexcept { return edata_; }
    const char *what() const noexcept override;

  private:
    ErrorData *edata_;
};

// Copies the pending PostgreSQL error out of ErrorContext and clears it.
ErrorData *take_pending_error(MemoryContext ctx) noexcept;

template <typename F>
auto guard(F &&f) -> decltype(f()) {
    using R = decltype(f());
    MemoryContext ctx = CurrentMemoryContext;
    // volatile: assigned after a longjmp may have restored registers.
    ErrorData *volatile edata = nullptr;
    if constexpr (std::is_void_v<R>) {
        PG_TRY();
        { f(); }
        PG_CATCH();
        { edata = take_pending_error(ctx); }
        PG_END_TRY();
        if (edata != nullptr) throw PgError(edata);
    } else {
        static_assert(std::is_scalar_v<R>,
                      "guard() returns a pointer, Datum or number across PG_TRY");
        volatile R result{};
        PG_TRY();
        { result = f(); }
        PG_CATCH();
        { edata = take_pending_error(ctx); }
        PG_END_TRY();
        if (edata != nullptr) throw PgError(edata);
        return result;
    }
}

using Implementation = Datum (*)(FunctionCallInfo);

// Calls impl; any exception becomes an ereport raised after the catch block ends.
Datum call_guarded(Implementation impl, FunctionCallInfo fcinfo);

}  // namespace mycelium::pg

#define MYCELIUM_FUNCTION(name)                                         \
    static Datum name##_impl([[maybe_unused]] FunctionCallInfo fcinfo); \
    _Pragma("GCC visibility push(default)") extern "C" {                \
        PG_FUNCTION_INFO_V1(name);                                      \
        MYCELIUM_EXPORT Datum name(PG_FUNCTION_ARGS) {                  \
            return ::mycelium::pg::call_guarded(name##_impl, fcinfo);   \
        }                                                               \
    }                                                                   \
    _Pragma("GCC visibility pop") static Datum name##_impl([[maybe_unused]] FunctionCallInfo fcinfo)
