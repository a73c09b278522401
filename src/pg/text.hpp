// Text in and out of the core, which works in UTF-8 whatever the database
// encoding is.
#pragma once

#include <string>
#include <string_view>

#include "pg/boundary.hpp"

namespace mycelium::pg {

// The argument as UTF-8 (detoasted and, in a non-UTF-8 database, converted).
std::string text_arg_utf8(FunctionCallInfo fcinfo, int argno);

// A UTF-8 string as a palloc'd text value in the database encoding.
text *utf8_to_text(std::string_view utf8);

}  // namespace mycelium::pg
