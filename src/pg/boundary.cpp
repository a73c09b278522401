#include "pg/boundary.hpp"

#include <cstring>
#include <new>

#include "core/error.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/memutils.h"
}

namespace mycelium::pg {

const char *PgError::what() const noexcept {
    return edata_ != nullptr && edata_->message != nullptr ? edata_->message : "PostgreSQL error";
}

ErrorData *take_pending_error(MemoryContext ctx) noexcept {
    MemoryContextSwitchTo(ctx);
    ErrorData *edata = CopyErrorData();
    FlushErrorState();
    return edata;
}

namespace {

int sqlstate_of(core::ErrorKind kind) {
    switch (kind) {
        case core::ErrorKind::InvalidParameter:
            return ERRCODE_INVALID_PARAMETER_VALUE;
        case core::ErrorKind::StringTooLong:
            return ERRCODE_STRING_DATA_RIGHT_TRUNCATION;
        case core::ErrorKind::ProgramLimitExceeded:
            return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
        case core::ErrorKind::CheckViolation:
            return ERRCODE_CHECK_VIOLATION;
        case core::ErrorKind::InvalidAuthorization:
            return ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;
        case core::ErrorKind::InvalidPassword:
            return ERRCODE_INVALID_PASSWORD;
        case core::ErrorKind::InvalidTransactionTermination:
            return ERRCODE_INVALID_TRANSACTION_TERMINATION;
        case core::ErrorKind::ObjectNotInPrerequisiteState:
            return ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE;
        case core::ErrorKind::InsufficientPrivilege:
            return ERRCODE_INSUFFICIENT_PRIVILEGE;
        case core::ErrorKind::DataCorrupted:
            return ERRCODE_DATA_CORRUPTED;
        case core::ErrorKind::QueryCanceled:
            return ERRCODE_QUERY_CANCELED;
        case core::ErrorKind::NoTenantContext:
            return kNoTenantContext;
        case core::ErrorKind::Internal:
            break;
    }
    return ERRCODE_INTERNAL_ERROR;
}

// A copy of a C++ string in PostgreSQL memory, made inside a catch block. It must
// not ereport there (a longjmp out of a catch handler corrupts the C++ runtime's
// exception stack), hence MCXT_ALLOC_NO_OOM and a null result on failure.
char *copy_or_null(const char *prefix, const char *s) noexcept {
    if (s == nullptr || *s == '\0') return nullptr;
    size_t plen = std::strlen(prefix), slen = std::strlen(s);
    auto *out = static_cast<char *>(
        MemoryContextAllocExtended(CurrentMemoryContext, plen + slen + 1, MCXT_ALLOC_NO_OOM));
    if (out == nullptr) return nullptr;
    std::memcpy(out, prefix, plen);
    std::memcpy(out + plen, s, slen + 1);
    return out;
}

// Plain C data only: it survives the end of the catch block unchanged.
struct PendingReport {
    ErrorData *pg_error = nullptr;
    int sqlstate = ERRCODE_INTERNAL_ERROR;
    const char *message = nullptr;
    char *detail = nullptr;
    char *hint = nullptr;
    // The fields clients read (docs/errors.md): every error of the extension's
    // C++ names the schema "mycelium" unless it names another.
    const char *schema = kSchema;
    char *table = nullptr;
    char *column = nullptr;
    char *constraint = nullptr;
    char *datatype = nullptr;
    bool interrupted = false;
};

}  // namespace

Datum call_guarded(Implementation impl, FunctionCallInfo fcinfo) {
    PendingReport report;
    try {
        return impl(fcinfo);
    } catch (const PgError &e) {
        report.pg_error = e.data();
    } catch (const core::Error &e) {
        report.sqlstate = sqlstate_of(e.kind());
        report.interrupted = e.kind() == core::ErrorKind::QueryCanceled;
        report.message = copy_or_null("", e.what());
        report.detail = copy_or_null("", e.detail().c_str());
        report.hint = copy_or_null("", e.hint().c_str());
        const core::ErrorFields &f = e.fields();
        if (char *schema = copy_or_null("", f.schema.c_str())) report.schema = schema;
        report.table = copy_or_null("", f.table.c_str());
        report.column = copy_or_null("", f.column.c_str());
        report.constraint = copy_or_null("", f.constraint.c_str());
        report.datatype = copy_or_null("", f.datatype.c_str());
        if (report.message == nullptr)
            report.message = "mycelium: out of memory reporting an error";
    } catch (const std::bad_alloc &) {
        report.sqlstate = ERRCODE_OUT_OF_MEMORY;
        report.message = "mycelium: out of memory";
    } catch (const std::exception &e) {
        report.message = copy_or_null("mycelium: internal error: ", e.what());
        if (report.message == nullptr) report.message = "mycelium: internal error";
    } catch (...) {
        report.message = "mycelium: internal error (unknown C++ exception)";
    }
    // Every C++ object of the try and catch blocks is destroyed here.
    if (report.pg_error != nullptr) ReThrowError(report.pg_error);
    // The core stopped because PostgreSQL has an interrupt pending (interrupts.cpp):
    // PostgreSQL raises its own error for it ("canceling statement due to statement
    // timeout", "... user request", the FATAL of a terminate). The core's own 57014
    // below is for when CHECK_FOR_INTERRUPTS() finds nothing to raise.
    if (report.interrupted) CHECK_FOR_INTERRUPTS();
    ereport(ERROR,
            (errcode(report.sqlstate), errmsg_internal("%s", report.message),
             report.detail ? errdetail_internal("%s", report.detail) : 0,
             report.hint ? errhint("%s", report.hint) : 0,
             err_generic_string(PG_DIAG_SCHEMA_NAME, report.schema),
             report.table ? err_generic_string(PG_DIAG_TABLE_NAME, report.table) : 0,
             report.column ? err_generic_string(PG_DIAG_COLUMN_NAME, report.column) : 0,
             report.constraint ? err_generic_string(PG_DIAG_CONSTRAINT_NAME, report.constraint) : 0,
             report.datatype ? err_generic_string(PG_DIAG_DATATYPE_NAME, report.datatype) : 0));
    pg_unreachable();
}

}  // namespace mycelium::pg
