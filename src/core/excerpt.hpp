// User text quoted in an error message, cut to a length.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mycelium::core {

// At most max_chars characters of utf8, cut at a character boundary (never inside
// a multibyte sequence, so that a message stays valid UTF-8 in the server log and
// converts to any client encoding), followed by "…" when something was cut. The
// one way error messages shorten what a user wrote.
std::string excerpt(std::string_view utf8, std::size_t max_chars);

}  // namespace mycelium::core
