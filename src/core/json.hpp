// JSON reading shared by the core's .cpp files: the safety rules in one place.
//
// This header includes nlohmann/json.hpp, so it is for src/core .cpp files only:
// the glue includes core headers after postgres.h, whose `#define snprintf
// pg_snprintf` breaks the JSON header. No header that src/pg includes may include it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mycelium::core::json_text {

using json = nlohmann::json;

// nlohmann's lexer takes a NUL byte for the end of the input, so that
// "{...}\0anything" would parse as "{...}"; JSON text never needs a raw NUL
// (inside a string it is written \u0000). Every parse here refuses one first.
bool has_nul(std::string_view text) noexcept;

enum class ParseStatus {
    Ok,
    HasNul,        // refused before parsing, see has_nul
    Malformed,     // not JSON (or a number beyond the range of a double)
    DuplicateKey,  // valid JSON, but a key appears twice in the top-level object
};

struct ParseResult {
    ParseStatus status = ParseStatus::Ok;
    std::string duplicate_key;  // for DuplicateKey: the first key seen twice
};

// Parses one JSON value into `out`. Throws nothing but std::bad_alloc: the parser
// runs with exceptions off, and it is iterative, so deep nesting costs heap, not
// stack (and nlohmann destroys values iteratively too).
//
// A key repeated in the top-level object is refused: parsers disagree on which
// copy wins, so a writer that checked one copy and this code reading the other
// could disagree about what the document says. (jsonb never has repeated keys.)
ParseResult parse(std::string_view text, json &out);

// Serialises a value that this code built. Invalid UTF-8 (which can only come from
// a caller's plain std::string, never from parsed JSON, whose strings the lexer
// checks) becomes U+FFFD instead of an exception.
std::string dump(const json &value);

// For parsers that need every number exactly as written (nlohmann hands over a
// double, and refuses a whole document when one number overflows it, such as the
// 1 followed by 400 zeros that jsonb prints for 1e400):
//
// copies `text` to `out` with every number token outside strings replaced by "0",
// appending each original token to `lexemes` in document order. The k-th number
// that a parser of `out` reports is then the k-th lexeme. Only tokens that follow
// the JSON number grammar are replaced, so that `out` is valid JSON exactly when
// `text` is.
void replace_numbers(std::string_view text, std::string &out, std::vector<std::string> &lexemes);

}  // namespace mycelium::core::json_text
