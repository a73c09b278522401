// Reading Mycelium's own tables from C++, as their owner.
//
// Some look-ups must not depend on who is asking: the server's keys (which no
// application role may read), a service type's field definitions (compiled once
// and shared by every caller), whether a referenced user exists. They run as the
// bootstrap superuser, like the body of a SECURITY DEFINER function, and always
// filter by organization themselves.
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

// Runs a read-only query with text parameters (NULL for SQL NULL) as the bootstrap
// superuser, and returns every row as text.
TextRows query_as_owner(const char *sql, const std::vector<const char *> &params);

}  // namespace mycelium::pg
