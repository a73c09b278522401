#include "core/json.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "core/no_postgres.hpp"

namespace mycelium::core::json_text {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_number_char(char c) {
    return is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view s) {
    std::size_t i = 0;
    const auto digits = [&] {
        const std::size_t start = i;
        while (i < s.size() && is_digit(s[i])) ++i;
        return i > start;
    };
    if (i < s.size() && s[i] == '-') ++i;
    if (i < s.size() && s[i] == '0') {
        ++i;
    } else if (!digits()) {
        return false;
    }
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (!digits()) return false;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        if (!digits()) return false;
    }
    return i == s.size();
}

}  // namespace

bool has_nul(std::string_view text) noexcept { return text.find('\0') != std::string_view::npos; }

ParseResult parse(std::string_view text, json &out) {
    ParseResult result;
    if (has_nul(text)) {
        result.status = ParseStatus::HasNul;
        return result;
    }
    std::set<std::string> keys;
    bool has_duplicate = false;
    const json::parser_callback_t note_keys = [&](int depth, json::parse_event_t event,
                                                  json &parsed) {
        if (depth == 1 && event == json::parse_event_t::key && !has_duplicate) {
            const auto *key = parsed.get_ptr<const std::string *>();
            if (key != nullptr && !keys.insert(*key).second) {
                has_duplicate = true;
                result.duplicate_key = *key;
            }
        }
        return true;
    };
    out = json::parse(text.data(), text.data() + text.size(), note_keys,
                      /*allow_exceptions=*/false);
    if (out.is_discarded()) {
        result.status = ParseStatus::Malformed;
        result.duplicate_key.clear();
    } else if (has_duplicate) {
        result.status = ParseStatus::DuplicateKey;
    }
    return result;
}

std::string dump(const json &value) {
    return value.dump(-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

void replace_numbers(std::string_view text, std::string &out, std::vector<std::string> &lexemes) {
    out.clear();
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '"') {
            // A string, copied as it is: it ends at the first '"' not escaped.
            const std::size_t start = i++;
            while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
            i = std::min(i + 1, text.size());
            out.append(text.substr(start, i - start));
        } else if (c == '-' || is_digit(c)) {
            // The longest run of number characters: the lexer reads no less, and a
            // run that is not one valid number is left for the parser to refuse.
            const std::size_t start = i;
            while (i < text.size() && is_number_char(text[i])) ++i;
            const std::string_view token = text.substr(start, i - start);
            if (is_json_number(token)) {
                lexemes.emplace_back(token);
                out += '0';
            } else {
                out.append(token);
            }
        } else {
            out += c;
            ++i;
        }
    }
}

}  // namespace mycelium::core::json_text
