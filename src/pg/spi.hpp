// Running Mycelium's own queries from C++.
//
// Every query the native code runs goes through here, so that none of them
// resolves a name through the caller's schemas: the query runs with search_path
// set to pg_catalog, pg_temp for its duration (pg_temp last, so that no
// temporary type or table shadows a built-in one; functions and operators are
// never looked up there), every name in it is schema-qualified, and parameters
// arrive as typed values, never as text cast by a type name.
//
// Some look-ups must not depend on who is asking: the server's keys (which no
// application role may read), a service type's field definitions (compiled once
// and shared by every caller), whether a referenced user exists. They run as the
// extension's owner, like the body of a SECURITY DEFINER function, in a
// restricted security context, and always filter by organization themselves.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pg/boundary.hpp"

namespace mycelium::pg {

// A query result as text, copied out of SPI into C++ values.
struct TextRows {
    int columns = 0;
    std::vector<std::optional<std::string>> cells;  // row-major; nullopt = SQL NULL

    std::size_t size() const { return columns == 0 ? 0 : cells.size() / columns; }
    const std::optional<std::string> &at(std::size_t row, int column) const {
        return cells[row * columns + column];
    }
};

// A typed query parameter. Pass-by-value types only (uuid is passed by
// reference in PostgreSQL, so its constructor copies the value into the current
// memory context).
struct QueryParam {
    Oid type;
    Datum value;
    bool is_null;

    static QueryParam uuid(const std::string &text);  // 22P02 when it is not a uuid
    static QueryParam text(const std::string &utf8);
    static QueryParam of(Oid type, Datum value, bool is_null = false) {
        return {type, value, is_null};
    }
};

// Runs a read-only query as the extension's owner and returns every row as text.
TextRows query_as_owner(const char *sql, const std::vector<QueryParam> &params);

// The same, as the current user (row-level security applies).
TextRows query_as_caller(const char *sql, const std::vector<QueryParam> &params);

// A query that a hot path runs often (a USER_SELECT look-up per validated value):
// parsed and planned once per backend, then kept (SPI_keepplan) and executed as
// the same query_as_owner would run it, as the owner with the pinned search_path.
// Planning costs more than such a look-up itself. PostgreSQL's plan cache re-plans
// it when a table it reads changes. A SavedQuery is a static of its caller: the
// parameter types of the first call are those of every call.
struct SavedQuery {
    const char *sql;
    void *plan = nullptr;  // SPIPlanPtr, kept in CacheMemoryContext

    explicit SavedQuery(const char *text) : sql(text) {}
};
TextRows query_as_owner(SavedQuery &query, const std::vector<QueryParam> &params);

// A statement that writes, as the extension's owner, with the same pinned
// search_path: for the few native paths that must write what no caller may
// (a sign-in's record of itself).
TextRows write_as_owner(const char *sql, const std::vector<QueryParam> &params);

}  // namespace mycelium::pg
