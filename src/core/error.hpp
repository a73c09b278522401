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

  private:
    ErrorKind kind_;
    std::string detail_;
    std::string hint_;
};

}  // namespace mycelium::core
