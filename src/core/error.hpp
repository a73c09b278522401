// Errors raised by the pure C++ core. The core knows nothing of PostgreSQL, so
// it names the *kind* of failure; src/pg/boundary maps each kind to a SQLSTATE.
#pragma once

#include <stdexcept>
#include <string>

namespace mycelium::core {

enum class ErrorKind {
    InvalidParameter,       // 22023
    StringTooLong,          // 22001
    ProgramLimitExceeded,   // 54000
    CheckViolation,         // 23514
    InvalidAuthorization,   // 28000
    InsufficientPrivilege,  // 42501
    QueryCanceled,          // 57014; the glue lets PostgreSQL raise the interrupt's own error
    Internal,               // XX000
    InvalidPassword,        // 28P01
    InvalidTransactionTermination,  // 2D000
    ObjectNotInPrerequisiteState,   // 55000
    DataCorrupted,                  // XX001
    NoTenantContext,                // 28M01: the caller's identity is not established
};

// The fields a PostgreSQL client reads besides the message (SCHEMA_NAME,
// TABLE_NAME, COLUMN_NAME, CONSTRAINT_NAME, DATATYPE_NAME): which object an
// error is about. Empty means not set; the glue sets the schema "mycelium" on
// every error that names none (docs/errors.md).
struct ErrorFields {
    std::string schema;
    std::string table;
    std::string column;
    std::string constraint;
    std::string datatype;
};

class Error : public std::runtime_error {
  public:
    Error(ErrorKind kind, std::string message, std::string detail = {}, std::string hint = {})
        : std::runtime_error(std::move(message)),
          kind_(kind),
          detail_(std::move(detail)),
          hint_(std::move(hint)) {}

    ErrorKind kind() const noexcept { return kind_; }
    const std::string &detail() const noexcept { return detail_; }
    const std::string &hint() const noexcept { return hint_; }
    const ErrorFields &fields() const noexcept { return fields_; }

    // Chained on a new error: throw Error(...).in_table("mycelium", "deliverables")...
    Error &in_table(std::string schema, std::string table) {
        fields_.schema = std::move(schema);
        fields_.table = std::move(table);
        return *this;
    }
    Error &in_column(std::string column) {
        fields_.column = std::move(column);
        return *this;
    }
    Error &for_constraint(std::string constraint) {
        fields_.constraint = std::move(constraint);
        return *this;
    }
    Error &of_datatype(std::string datatype) {
        fields_.datatype = std::move(datatype);
        return *this;
    }

  private:
    ErrorKind kind_;
    std::string detail_;
    std::string hint_;
    ErrorFields fields_;
};

}  // namespace mycelium::core
