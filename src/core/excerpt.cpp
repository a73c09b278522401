#include "core/excerpt.hpp"

#include "core/no_postgres.hpp"

namespace mycelium::core {

std::string excerpt(std::string_view utf8, std::size_t max_chars) {
    std::size_t end = 0;
    std::size_t chars = 0;
    while (end < utf8.size() && chars < max_chars) {
        ++end;
        // Continuation bytes (10xxxxxx) belong to the character already counted.
        while (end < utf8.size() && (static_cast<unsigned char>(utf8[end]) & 0xC0) == 0x80) ++end;
        ++chars;
    }
    std::string out(utf8.substr(0, end));
    if (end < utf8.size()) out += "…";
    return out;
}

}  // namespace mycelium::core
