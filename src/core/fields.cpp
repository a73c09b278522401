#include "core/fields.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <utility>

#include <unicode/parseerr.h>
#include <unicode/regex.h>
#include <unicode/stringpiece.h>
#include <unicode/unistr.h>
#include <unicode/utypes.h>

#include "core/context.hpp"
#include "core/error.hpp"
#include "core/excerpt.hpp"
#include "core/field_formats.hpp"
#include "core/interrupts.hpp"
#include "core/json.hpp"
#include "core/no_postgres.hpp"

namespace mycelium::core {

namespace {

using json = json_text::json;

struct TypeInfo {
    FieldType type;
    const char *name;
    const char *expected;  // what a value must be, after "must be "
};

constexpr TypeInfo kTypes[] = {
    {FieldType::Text, "TEXT", "a single line of text (a JSON string)"},
    {FieldType::Textarea, "TEXTAREA", "text (a JSON string)"},
    {FieldType::Number, "NUMBER", "a whole number (a JSON number)"},
    {FieldType::Decimal, "DECIMAL", "a number (a JSON number, or a string such as \"12.50\")"},
    {FieldType::Date, "DATE", "a date written YYYY-MM-DD (a JSON string)"},
    {FieldType::Datetime, "DATETIME",
     "a date and time such as 2024-05-31T14:30:00Z (a JSON string)"},
    {FieldType::Time, "TIME", "a time of day such as 14:30 (a JSON string)"},
    {FieldType::Email, "EMAIL", "an e-mail address (a JSON string)"},
    {FieldType::Url, "URL", "an http or https URL (a JSON string)"},
    {FieldType::Phone, "PHONE", "a phone number such as +44 20 7946 0958 (a JSON string)"},
    {FieldType::Select, "SELECT", "one of its options (a JSON string)"},
    {FieldType::Multiselect, "MULTISELECT", "a list of its options (a JSON array of strings)"},
    {FieldType::Radio, "RADIO", "one of its options (a JSON string)"},
    {FieldType::Checkbox, "CHECKBOX", "true or false"},
    {FieldType::File, "FILE", "a file: an object with \"name\" and \"url\""},
    {FieldType::UserSelect, "USER_SELECT", "a user id (a UUID string)"},
    {FieldType::ClientSelect, "CLIENT_SELECT", "a client id (a UUID string)"},
};

const TypeInfo &info(FieldType type) {
    for (const TypeInfo &t : kTypes)
        if (t.type == type) return t;
    return kTypes[0];  // unreachable: every enumerator is listed
}

bool is_text_like(FieldType t) {
    return t == FieldType::Text || t == FieldType::Textarea || t == FieldType::Email ||
           t == FieldType::Url || t == FieldType::Phone;
}
bool is_numeric(FieldType t) { return t == FieldType::Number || t == FieldType::Decimal; }
bool takes_options(FieldType t) {
    return t == FieldType::Select || t == FieldType::Radio || t == FieldType::Multiselect;
}

// A value quoted in a message: at most kQuotedChars characters, control characters
// and quotes escaped, so a hostile value cannot put kilobytes or line breaks into
// a message that ends up in a log.
std::string quote(std::string_view text) {
    constexpr std::size_t kQuotedChars = 40;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    std::size_t i = 0;
    for (std::size_t chars = 0; i < text.size() && chars < kQuotedChars; ++chars) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7F) {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 0x0F];
        } else if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x80) {
            out += static_cast<char>(c);
        } else {
            // One UTF-8 sequence: the lead byte and its continuation bytes.
            const std::size_t start = i;
            while (i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80)
                ++i;
            out.append(text.substr(start, i + 1 - start));
        }
        ++i;
    }
    if (i < text.size()) out += "...";
    out += '"';
    return out;
}

// TEXT is one line: LF, VT, FF, CR, NEL (U+0085), LS (U+2028), PS (U+2029).
bool has_line_break(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x0A && c <= 0x0D) return true;
        if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85)
            return true;
        if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
            (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
             static_cast<unsigned char>(s[i + 2]) == 0xA9))
            return true;
    }
    return false;
}

std::size_t count_code_points(std::string_view s) {
    std::size_t n = 0;
    for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

// Whitespace only (for `required`): ASCII spaces and the Unicode spaces that
// forms let through (NBSP, the U+2000 block, ideographic space...).
bool is_blank(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == ' ' || (c >= 0x09 && c <= 0x0D)) {
            ++i;
            continue;
        }
        // U+0085, U+00A0: C2 85, C2 A0. U+1680: E1 9A 80. U+2000-200A, 2028, 2029,
        // 202F, 205F: E2 80 80-8A/A8/A9/AF, E2 81 9F. U+3000: E3 80 80.
        const auto at = [&](std::size_t k) {
            return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0;
        };
        if (c == 0xC2 && (at(1) == 0x85 || at(1) == 0xA0)) {
            i += 2;
        } else if (c == 0xE1 && at(1) == 0x9A && at(2) == 0x80) {
            i += 3;
        } else if (c == 0xE2 && at(1) == 0x80 &&
                   ((at(2) >= 0x80 && at(2) <= 0x8A) || at(2) == 0xA8 || at(2) == 0xA9 ||
                    at(2) == 0xAF)) {
            i += 3;
        } else if (c == 0xE2 && at(1) == 0x81 && at(2) == 0x9F) {
            i += 3;
        } else if (c == 0xE3 && at(1) == 0x80 && at(2) == 0x80) {
            i += 3;
        } else {
            return false;
        }
    }
    return true;
}

// ---------------------------------------------------------------------------
// Values as read from the JSON: only what validation looks at. A field's value,
// and one level inside it (MULTISELECT elements, FILE members); anything deeper
// is parsed (and so checked for well-formedness) but not kept.

enum class Kind : std::uint8_t { Absent, Null, Boolean, Number, String, Array, Object };

enum class NumberForm : std::uint8_t { Signed, Unsigned, Lexeme };

struct Scalar {
    Kind kind = Kind::Absent;
    NumberForm form = NumberForm::Signed;
    bool boolean = false;
    std::int64_t integer = 0;     // NumberForm::Signed
    std::uint64_t unsigned_ = 0;  // NumberForm::Unsigned
    std::string text;             // a String's content, or a number's lexeme
};

struct Slot : Scalar {
    std::vector<Scalar> items;                            // Kind::Array
    std::vector<std::pair<std::string, Scalar>> members;  // Kind::Object
};

const char *kind_name(Kind kind) {
    switch (kind) {
        case Kind::Null:
            return "null";
        case Kind::Boolean:
            return "a boolean";
        case Kind::Number:
            return "a number";
        case Kind::String:
            return "a string";
        case Kind::Array:
            return "an array";
        case Kind::Object:
            return "an object";
        case Kind::Absent:
            break;
    }
    return "absent";
}

// Slugs in byte order, each with its field's index, for the parser's key look-up.
using SlugIndex = std::vector<std::pair<std::string_view, std::size_t>>;

// The SAX handler (nlohmann's interface) that reads a values object into slots.
class ValuesReader {
  public:
    using string_t = json::string_t;

    ValuesReader(const SlugIndex &index, bool keep_values, const std::vector<std::string> *lexemes)
        : index_(index), keep_values_(keep_values), lexemes_(lexemes) {
        slots.resize(index.size());
    }

    // What was read.
    Kind top = Kind::Absent;
    std::size_t top_members = 0;
    std::vector<Slot> slots;
    std::vector<std::string> unknown_keys;
    bool duplicate = false;
    std::string duplicate_key;
    // Where parsing failed, and nlohmann's exception id (406: number overflow).
    std::size_t error_position = 0;
    int error_id = 0;

    bool null() { return scalar(Kind::Null); }
    bool boolean(bool value) {
        Scalar *s = target(Kind::Boolean);
        if (s != nullptr) s->boolean = value;
        return true;
    }
    bool number_integer(json::number_integer_t value) {
        if (Scalar *s = number_target()) {
            if (lexemes_ != nullptr) return from_lexeme(*s);
            s->form = NumberForm::Signed;
            s->integer = value;
        }
        return true;
    }
    bool number_unsigned(json::number_unsigned_t value) {
        if (Scalar *s = number_target()) {
            if (lexemes_ != nullptr) return from_lexeme(*s);
            s->form = NumberForm::Unsigned;
            s->unsigned_ = value;
        }
        return true;
    }
    bool number_float(json::number_float_t, const string_t &lexeme) {
        if (Scalar *s = number_target()) {
            if (lexemes_ != nullptr) return from_lexeme(*s);
            s->form = NumberForm::Lexeme;
            s->text = lexeme;
            // The lexer writes the locale's decimal point into its buffer (it
            // converts with strtod); the grammar has only '.'.
            for (char &c : s->text)
                if (!(c >= '0' && c <= '9') && c != '-' && c != '+' && c != 'e' && c != 'E')
                    c = '.';
        }
        return true;
    }
    bool string(string_t &value) {
        Scalar *s = target(Kind::String);
        // Copied, not moved: the lexer reuses its buffer, and a moved-from buffer
        // would grow again character by character for the next string.
        if (s != nullptr && keep_values_) s->text = value;
        return true;
    }
    bool binary(json::binary_t &) { return true; }  // not produced by the JSON parser

    bool start_object(std::size_t) {
        open(Kind::Object);
        return true;
    }
    bool end_object() {
        --depth_;
        return true;
    }
    bool start_array(std::size_t) {
        open(Kind::Array);
        return true;
    }
    bool end_array() {
        --depth_;
        return true;
    }

    bool key(string_t &name) {
        if (depth_ == 1 && top == Kind::Object) {
            ++top_members;
            const auto found = std::lower_bound(
                index_.begin(), index_.end(), std::string_view(name),
                [](const auto &entry, std::string_view key) { return entry.first < key; });
            if (found != index_.end() && found->first == name) {
                current_ = &slots[found->second];
                if (current_->kind != Kind::Absent) note_duplicate(name);
            } else {
                current_ = nullptr;
                unknown_keys.push_back(std::move(name));
            }
        } else if (depth_ == 2 && current_ != nullptr && current_->kind == Kind::Object &&
                   keep_values_) {
            current_->members.emplace_back(std::move(name), Scalar{});
        }
        return true;
    }

    bool parse_error(std::size_t position, const std::string &,
                     const nlohmann::detail::exception &e) {
        error_position = position;
        error_id = e.id;
        return false;
    }

    void forget_lexemes() { lexemes_ = nullptr; }

  private:
    void note_duplicate(const std::string &name) {
        if (!duplicate) {
            duplicate = true;
            duplicate_key = name;
        }
    }

    // The scalar that a value event at the current depth fills, if any is kept.
    // Depth 0: the document itself; 1: a field's value; 2: inside a field's array
    // or object.
    Scalar *target(Kind kind) {
        if (depth_ == 0) {
            top = kind;
            return nullptr;
        }
        if (current_ == nullptr || top != Kind::Object) return nullptr;
        if (depth_ == 1) {
            current_->kind = kind;
            return current_;
        }
        if (depth_ == 2 && keep_values_) {
            if (current_->kind == Kind::Array) {
                current_->items.emplace_back();
                current_->items.back().kind = kind;
                return &current_->items.back();
            }
            if (current_->kind == Kind::Object && !current_->members.empty()) {
                Scalar &member = current_->members.back().second;
                member.kind = kind;
                return &member;
            }
        }
        return nullptr;
    }

    bool scalar(Kind kind) {
        target(kind);
        return true;
    }

    Scalar *number_target() {
        ++numbers_seen_;
        return target(Kind::Number);
    }

    // In the second pass (see validate): every number was replaced by 0, and its
    // original spelling is the lexeme with the same ordinal.
    bool from_lexeme(Scalar &s) {
        const std::size_t k = numbers_seen_ - 1;
        if (k >= lexemes_->size()) return false;  // cannot happen: same tokens
        s.form = NumberForm::Lexeme;
        s.text = (*lexemes_)[k];
        return true;
    }

    void open(Kind kind) {
        target(kind);
        ++depth_;
    }

    const SlugIndex &index_;
    const bool keep_values_;
    const std::vector<std::string> *lexemes_;  // the second pass's spellings, see read_values
    std::size_t depth_ = 0;
    std::size_t numbers_seen_ = 0;
    Slot *current_ = nullptr;  // the known field whose value is being read
};

// Reads `text` into `reader`. False if the text is not JSON; then `why` says so.
// nlohmann refuses a whole document when one number overflows a double (a NUMBER
// field holding 1e400, which jsonb prints as 1 and 400 zeros); then the document is
// read again with every number replaced by 0 and its spelling taken from the
// original, so that only that field fails, with too_large.
bool read_values(std::string_view text, const SlugIndex &index, bool keep_values,
                 std::optional<ValuesReader> &reader, std::string &why) {
    if (json_text::has_nul(text)) {
        why = "they contain a NUL byte";
        return false;
    }
    reader.emplace(index, keep_values, nullptr);  // on the stack: no allocation
    const bool ok = json::sax_parse(text.data(), text.data() + text.size(), &*reader);
    if (!ok && reader->error_id != 406) {
        why = "they are not valid JSON (the error is at byte " +
              std::to_string(reader->error_position) + ")";
        return false;
    }
    std::string rewritten;
    std::vector<std::string> lexemes;  // outlives the second parse, which reads them
    if (!ok) {
        json_text::replace_numbers(text, rewritten, lexemes);
        reader.emplace(index, keep_values, &lexemes);
        const bool reread =
            json::sax_parse(rewritten.data(), rewritten.data() + rewritten.size(), &*reader);
        reader->forget_lexemes();  // they are about to go out of scope
        if (!reread) {
            why = "they are not valid JSON";
            return false;
        }
    }
    // A key repeated among the unknown keys is as unreadable as a known one.
    std::sort(reader->unknown_keys.begin(), reader->unknown_keys.end());
    const auto twice = std::adjacent_find(reader->unknown_keys.begin(), reader->unknown_keys.end());
    if (!reader->duplicate && twice != reader->unknown_keys.end()) {
        reader->duplicate = true;
        reader->duplicate_key = *twice;
    }
    return true;
}

// ICU's match callback, called every 10,000 backtracking steps of a match; false
// stops the match with U_REGEX_STOPPED_BY_CALLER. It only reads the interrupt
// check: an exception or a longjmp must not cross ICU's frames.
UBool U_CALLCONV keep_matching(const void *, std::int32_t) { return !interrupt_requested(); }

// A ReferenceChecker that accepts every id: a default value is checked without
// the database (the glue checks the reference when the default is used).
struct AcceptAllReferences final : ReferenceChecker {
    bool active_user_exists(const std::string &) const override { return true; }
    bool client_exists(const std::string &) const override { return true; }
};

}  // namespace

// ---------------------------------------------------------------------------
// A compiled field

struct FieldValidator::Compiled {
    FieldDefinition definition;
    std::string label;  // the name, quoted, for messages
    std::unique_ptr<icu::RegexPattern> pattern;
    std::vector<std::string> options;         // as defined, for messages
    std::vector<std::string> sorted_options;  // for look-up
    std::optional<Decimal> min_value, max_value;
    std::string default_member;  // "slug":value, or empty: no default

    void check(const Slot &value, bool enforce_required, const ReferenceChecker &refs,
               std::vector<Problem> &problems) const;

  private:
    void add(std::vector<Problem> &problems, const char *code, std::string message) const {
        problems.push_back(Problem{definition.slug, code, label + " " + std::move(message)});
    }
    void wrong_type(std::vector<Problem> &problems, const Scalar &value) const {
        add(problems, "wrong_type",
            std::string("must be ") + info(definition.type).expected + "; it is " +
                kind_name(value.kind) + ".");
    }
    void check_text(const std::string &text, std::vector<Problem> &problems) const;
    void check_range(const Decimal &value, std::vector<Problem> &problems) const;
    bool in_options(std::string_view value) const {
        return std::binary_search(sorted_options.begin(), sorted_options.end(), value);
    }
    std::string option_list() const;
};

std::string FieldValidator::Compiled::option_list() const {
    constexpr std::size_t kListed = 10;
    std::string out;
    for (std::size_t i = 0; i < options.size() && i < kListed; ++i) {
        if (i > 0) out += ", ";
        out += quote(options[i]);
    }
    if (options.size() > kListed) out += ", ... (" + std::to_string(options.size()) + " in all)";
    return out;
}

// Length and pattern, for the text-like types.
void FieldValidator::Compiled::check_text(const std::string &text,
                                          std::vector<Problem> &problems) const {
    const auto &d = definition;
    if (d.min_length || d.max_length) {
        // Graphemes <= code points, and a non-empty value has at least one, so the
        // break iterator runs only when a bound could be crossed.
        const std::size_t code_points = count_code_points(text);
        const bool may_be_long =
            d.max_length && code_points > static_cast<std::size_t>(*d.max_length);
        const bool may_be_short = d.min_length && *d.min_length > 1;
        if (may_be_long || may_be_short) {
            const std::size_t length = count_graphemes(text);
            if (d.min_length && length < static_cast<std::size_t>(*d.min_length))
                add(problems, "too_short",
                    "must be at least " + std::to_string(*d.min_length) +
                        " characters long; it has " + std::to_string(length) + ".");
            if (d.max_length && length > static_cast<std::size_t>(*d.max_length))
                add(problems, "too_long",
                    "must be at most " + std::to_string(*d.max_length) +
                        " characters long; it has " + std::to_string(length) + ".");
        }
    }
    if (pattern) {
        // Counted before anything is converted: a huge value costs one pass.
        const std::size_t code_points = count_code_points(text);
        if (code_points > kPatternMaxValueChars) {
            add(problems, "too_long_for_pattern",
                "is too long to be checked against its pattern: it has " +
                    std::to_string(code_points) + " characters (code points); at most " +
                    std::to_string(kPatternMaxValueChars) + " can be checked.");
            return;
        }
        // ICU matches UTF-16; the matcher refers to `input`, which must outlive it.
        const icu::UnicodeString input = icu::UnicodeString::fromUTF8(
            icu::StringPiece(text.data(), static_cast<std::int32_t>(text.size())));
        UErrorCode status = U_ZERO_ERROR;
        std::unique_ptr<icu::RegexMatcher> matcher(pattern->matcher(input, status));
        if (status == U_MEMORY_ALLOCATION_ERROR) throw std::bad_alloc();
        if (U_FAILURE(status) || matcher == nullptr)
            throw Error(ErrorKind::Internal, "custom fields: could not create a regex matcher",
                        std::string("ICU reported ") + u_errorName(status) + ".");
        matcher->setTimeLimit(pattern_time_limit(input.length()), status);
        matcher->setStackLimit(kPatternStackBytes, status);
        matcher->setMatchCallback(keep_matching, nullptr, status);
        const bool matched = U_SUCCESS(status) && matcher->matches(status);
        if (status == U_MEMORY_ALLOCATION_ERROR) throw std::bad_alloc();
        // Thrown here, outside ICU's frames, which the callback must not unwind.
        if (status == U_REGEX_STOPPED_BY_CALLER)
            throw_interrupted("the check of " + label + " against its pattern");
        if (U_FAILURE(status)) {
            // U_REGEX_TIME_OUT or U_REGEX_STACK_OVERFLOW: the pattern backtracks too
            // much on this value. Any other failure is reported the same way rather
            // than thrown, so that no value can make validation fail as a whole.
            add(problems, "pattern_timeout",
                "could not be checked against its pattern: the pattern is too complex "
                "for this value (the check was stopped at its limit).");
        } else if (!matched) {
            add(problems, "pattern", "does not match the pattern " + quote(*d.pattern) + ".");
        }
    }
}

void FieldValidator::Compiled::check_range(const Decimal &value,
                                           std::vector<Problem> &problems) const {
    if (min_value && compare_decimals(value, *min_value) < 0)
        add(problems, "too_small", "must be at least " + *definition.min_value + ".");
    if (max_value && compare_decimals(value, *max_value) > 0)
        add(problems, "too_large", "must be at most " + *definition.max_value + ".");
}

void FieldValidator::Compiled::check(const Slot &value, bool enforce_required,
                                     const ReferenceChecker &refs,
                                     std::vector<Problem> &problems) const {
    const FieldType type = definition.type;
    const bool no_value =
        value.kind == Kind::Absent || value.kind == Kind::Null ||
        (value.kind == Kind::String && value.text.empty()) ||
        (value.kind == Kind::Array && type == FieldType::Multiselect && value.items.empty());
    if (no_value || (enforce_required && definition.is_required && value.kind == Kind::String &&
                     is_blank(value.text))) {
        if (enforce_required && definition.is_required) add(problems, "required", "is required.");
        return;
    }

    switch (type) {
        case FieldType::Text:
        case FieldType::Textarea:
        case FieldType::Email:
        case FieldType::Url:
        case FieldType::Phone: {
            if (value.kind != Kind::String) return wrong_type(problems, value);
            const std::string &text = value.text;
            if (text.find('\0') != std::string::npos) {
                add(problems, "wrong_type", "must not contain the character U+0000.");
                return;
            }
            if (type == FieldType::Text && has_line_break(text)) {
                add(problems, "wrong_type", "must be a single line of text; it has a line break.");
                return;
            }
            std::string why;
            const char *code = nullptr;
            const char *what = nullptr;
            if (type == FieldType::Email) {
                why = email_problem(text);
                code = "invalid_email";
                what = "an e-mail address";
            } else if (type == FieldType::Url) {
                why = url_problem(text);
                code = "invalid_url";
                what = "an http or https URL";
            } else if (type == FieldType::Phone) {
                why = phone_problem(text);
                code = "invalid_phone";
                what = "a phone number in international form (+ and country code)";
            }
            if (!why.empty()) {
                add(problems, code,
                    std::string("must be ") + what + "; " + quote(text) + " is not: " + why + ".");
                return;
            }
            check_text(text, problems);
            return;
        }

        case FieldType::Number: {
            if (value.kind != Kind::Number) return wrong_type(problems, value);
            std::int64_t number = 0;
            if (value.form == NumberForm::Signed) {
                number = value.integer;
            } else if (value.form == NumberForm::Unsigned) {
                if (value.unsigned_ >
                    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                    add(problems, "too_large",
                        "must be at most 9223372036854775807, the largest whole number "
                        "stored.");
                    return;
                }
                number = static_cast<std::int64_t>(value.unsigned_);
            } else {
                Decimal d;
                if (!parse_decimal(value.text, d) || !decimal_is_integer(d)) {
                    add(problems, "wrong_type",
                        "must be a whole number; " + quote(value.text) + " is not.");
                    return;
                }
                if (!decimal_to_int64(d, number)) {
                    if (d.negative)
                        add(problems, "too_small",
                            "must be at least -9223372036854775808, the smallest whole "
                            "number stored.");
                    else
                        add(problems, "too_large",
                            "must be at most 9223372036854775807, the largest whole number "
                            "stored.");
                    return;
                }
            }
            if (min_value || max_value) check_range(decimal_from_int64(number), problems);
            return;
        }

        case FieldType::Decimal: {
            Decimal d;
            if (value.kind == Kind::Number) {
                if (!min_value && !max_value) return;  // any JSON number is a decimal
                if (value.form == NumberForm::Signed) {
                    d = decimal_from_int64(value.integer);
                } else if (value.form == NumberForm::Unsigned) {
                    const std::string text = std::to_string(value.unsigned_);
                    parse_decimal(text, d);
                } else {
                    parse_decimal(value.text, d);  // the lexer's grammar is the same
                }
            } else if (value.kind == Kind::String) {
                if (!parse_decimal(value.text, d)) {
                    add(problems, "wrong_type",
                        std::string("must be ") + info(type).expected + "; " + quote(value.text) +
                            " is not a number.");
                    return;
                }
            } else {
                return wrong_type(problems, value);
            }
            check_range(d, problems);
            return;
        }

        case FieldType::Date:
        case FieldType::Datetime:
        case FieldType::Time: {
            if (value.kind != Kind::String) return wrong_type(problems, value);
            const bool ok = type == FieldType::Date       ? is_valid_date(value.text)
                            : type == FieldType::Datetime ? is_valid_datetime(value.text)
                                                          : is_valid_time(value.text);
            if (!ok) {
                const char *code = type == FieldType::Date       ? "invalid_date"
                                   : type == FieldType::Datetime ? "invalid_datetime"
                                                                 : "invalid_time";
                const char *what =
                    type == FieldType::Date ? "a calendar date written YYYY-MM-DD"
                    : type == FieldType::Datetime
                        ? "a date and time with a UTC offset, such as 2024-05-31T14:30:00Z or "
                          "2024-05-31T16:30:00+02:00"
                        : "a time of day from 00:00 to 23:59:59, written HH:MM or HH:MM:SS";
                add(problems, code,
                    std::string("must be ") + what + "; " + quote(value.text) + " is not.");
            }
            return;
        }

        case FieldType::Select:
        case FieldType::Radio:
            if (value.kind != Kind::String) return wrong_type(problems, value);
            if (!in_options(value.text))
                add(problems, "not_an_option",
                    "must be one of " + option_list() + "; " + quote(value.text) + " is not.");
            return;

        case FieldType::Multiselect: {
            if (value.kind != Kind::Array) return wrong_type(problems, value);
            for (const Scalar &item : value.items) {
                if (item.kind != Kind::String) {
                    add(problems, "wrong_type",
                        std::string("must be a list of its options (strings); it lists ") +
                            kind_name(item.kind) + ".");
                    return;
                }
            }
            // At most kListed + 1 distinct values are collected (enough to list kListed
            // and say there are more), so a huge array costs linear time, not quadratic.
            constexpr std::size_t kListed = 5;
            std::vector<std::string_view> missing;
            for (const Scalar &item : value.items) {
                if (missing.size() > kListed) break;
                if (!in_options(item.text) &&
                    std::find(missing.begin(), missing.end(), item.text) == missing.end())
                    missing.push_back(item.text);
            }
            if (!missing.empty()) {
                std::string listed;
                for (std::size_t i = 0; i < missing.size() && i < kListed; ++i)
                    listed += (i > 0 ? ", " : "") + quote(missing[i]);
                if (missing.size() > kListed) listed += ", ...";
                add(problems, "not_an_option",
                    "may list only " + option_list() + "; " + listed +
                        (missing.size() == 1 ? " is not one of them." : " are not."));
            }
            std::vector<std::string_view> sorted;
            sorted.reserve(value.items.size());
            for (const Scalar &item : value.items) sorted.push_back(item.text);
            std::sort(sorted.begin(), sorted.end());
            const auto twice = std::adjacent_find(sorted.begin(), sorted.end());
            if (twice != sorted.end())
                add(problems, "duplicate_option",
                    "lists " + quote(*twice) + " more than once; each option may be chosen once.");
            return;
        }

        case FieldType::Checkbox:
            if (value.kind != Kind::Boolean) return wrong_type(problems, value);
            return;

        case FieldType::File: {
            if (value.kind != Kind::Object) return wrong_type(problems, value);
            const Scalar *name = nullptr;
            const Scalar *url = nullptr;
            std::string why;
            std::vector<std::string_view> keys;
            for (const auto &[key, member] : value.members) {
                keys.push_back(key);
                if (key == "name") name = &member;
                if (key == "url") url = &member;
            }
            std::sort(keys.begin(), keys.end());
            const auto twice = std::adjacent_find(keys.begin(), keys.end());
            if (twice != keys.end()) {
                why = "it has the key " + quote(*twice) + " twice";
            } else if (name == nullptr || name->kind != Kind::String || is_blank(name->text)) {
                why = "its \"name\" is missing or not a non-empty string";
            } else if (url == nullptr || url->kind != Kind::String) {
                why = "its \"url\" is missing or not a string";
            } else {
                const std::string url_why = url_problem(url->text);
                if (!url_why.empty())
                    why = "its \"url\" " + quote(url->text) +
                          " is not an http or https URL: " + url_why;
            }
            if (!why.empty())
                add(problems, "invalid_file",
                    "must be a file, an object with a \"name\" and an http or https \"url\"; " +
                        why + ".");
            return;
        }

        case FieldType::UserSelect:
        case FieldType::ClientSelect: {
            if (value.kind != Kind::String) return wrong_type(problems, value);
            if (!is_uuid(value.text)) {
                add(problems, "wrong_type",
                    std::string("must be ") + info(type).expected + "; " + quote(value.text) +
                        " is not a UUID.");
                return;
            }
            const std::string id = canonical_uuid(value.text);
            if (type == FieldType::UserSelect) {
                if (!refs.active_user_exists(id))
                    add(problems, "unknown_user",
                        "must be an active user of this organization; " + id + " is not.");
            } else if (!refs.client_exists(id)) {
                add(problems, "unknown_client",
                    "must be a client of this organization; " + id + " is not.");
            }
            return;
        }
    }
}

// ---------------------------------------------------------------------------
// Compiling a definition

namespace {

Error definition_error(const FieldDefinition &d, const std::string &what, std::string detail,
                       std::string hint = {}) {
    // About a row of deliverable_fields (docs/errors.md, "The fields").
    Error e(ErrorKind::InvalidParameter, "deliverable field " + quote(d.slug) + ": " + what,
            std::move(detail), std::move(hint));
    e.in_table("mycelium", "deliverable_fields");
    return e;
}

std::optional<Decimal> parse_bound(const FieldDefinition &d, const std::optional<std::string> &text,
                                   const char *which) {
    if (!text) return std::nullopt;
    Decimal value;
    if (!parse_decimal(*text, value))
        throw definition_error(d, std::string(which) + " is not a number",
                               std::string(which) + " is " + quote(*text) +
                                   "; it must be a finite number such as 10 or -12.50.");
    return value;
}

// The default value as JSON text, typed per the field; empty when there is none.
std::string default_json(const FieldDefinition &d) {
    if (!d.default_value || d.default_value->empty()) return {};
    const std::string &text = *d.default_value;
    const auto refuse = [&](const std::string &why) {
        return definition_error(d, "default_value is not valid",
                                "The default value " + quote(text) + " " + why + ".");
    };
    switch (d.type) {
        case FieldType::Number: {
            Decimal value;
            std::int64_t number = 0;
            if (!parse_decimal(text, value) || !decimal_to_int64(value, number))
                throw refuse(
                    "is not a whole number from -9223372036854775808 to "
                    "9223372036854775807");
            return std::to_string(number);
        }
        case FieldType::Decimal: {
            Decimal value;
            if (!parse_decimal(text, value)) throw refuse("is not a number such as 10 or -12.50");
            return text;  // valid JSON number text, kept exactly as written
        }
        case FieldType::Checkbox:
            if (text != "true" && text != "false") throw refuse("is not true or false");
            return text;
        case FieldType::Multiselect:
        case FieldType::File: {
            json value;
            const bool array = d.type == FieldType::Multiselect;
            if (json_text::parse(text, value).status != json_text::ParseStatus::Ok ||
                (array ? !value.is_array() : !value.is_object()))
                throw refuse(array ? "is not a JSON array of options"
                                   : "is not a JSON object with \"name\" and \"url\"");
            return json_text::dump(value);  // one value, re-serialised: safe to embed
        }
        default:
            return json_text::dump(json(text));
    }
}

}  // namespace

FieldValidator::FieldValidator(std::unique_ptr<const Compiled> compiled)
    : compiled_(std::move(compiled)) {}
FieldValidator::FieldValidator(FieldValidator &&) noexcept = default;
FieldValidator &FieldValidator::operator=(FieldValidator &&) noexcept = default;
FieldValidator::~FieldValidator() = default;

const FieldDefinition &FieldValidator::definition() const { return compiled_->definition; }

FieldValidator FieldValidator::compile(FieldDefinition definition) {
    auto c = std::make_unique<Compiled>();
    const FieldDefinition &d = definition;
    const FieldType type = d.type;
    const char *type_name = field_type_name(type);

    if (d.slug.empty())
        throw Error(ErrorKind::InvalidParameter, "deliverable field: the slug is empty",
                    "A field's slug is its key in custom_fields.")
            .in_table("mycelium", "deliverable_fields")
            .in_column("slug");
    if (d.name.empty())
        throw definition_error(d, "the name is empty", "A field's name is shown in messages.");

    // Rules that the type does not use are refused, not ignored, so that nobody
    // believes a rule is enforced when it is not.
    const auto not_for_type = [&](const char *rule, const char *applies_to) {
        return definition_error(d, std::string(rule) + " does not apply to " + type_name,
                                std::string(rule) + " applies to " + applies_to + " fields.",
                                std::string("Remove ") + rule + " or change the type.");
    };
    constexpr char kTextTypes[] = "TEXT, TEXTAREA, EMAIL, URL and PHONE";
    if (!is_text_like(type)) {
        if (d.min_length) throw not_for_type("min_length", kTextTypes);
        if (d.max_length) throw not_for_type("max_length", kTextTypes);
        if (d.pattern) throw not_for_type("pattern", kTextTypes);
    }
    if (!is_numeric(type)) {
        if (d.min_value) throw not_for_type("min_value", "NUMBER and DECIMAL");
        if (d.max_value) throw not_for_type("max_value", "NUMBER and DECIMAL");
    }
    if (!takes_options(type) && d.options_json)
        throw not_for_type("options", "SELECT, RADIO and MULTISELECT");

    if (d.min_length && *d.min_length < 0)
        throw definition_error(d, "min_length is negative",
                               "min_length is " + std::to_string(*d.min_length) + ".");
    if (d.max_length && *d.max_length < 1)
        throw definition_error(d, "max_length is less than 1",
                               "max_length is " + std::to_string(*d.max_length) + ".");
    if (d.min_length && d.max_length && *d.min_length > *d.max_length)
        throw definition_error(d, "min_length is greater than max_length",
                               "min_length is " + std::to_string(*d.min_length) +
                                   " and max_length " + std::to_string(*d.max_length) + ".");

    c->min_value = parse_bound(d, d.min_value, "min_value");
    c->max_value = parse_bound(d, d.max_value, "max_value");
    if (c->min_value && c->max_value && compare_decimals(*c->min_value, *c->max_value) > 0)
        throw definition_error(
            d, "min_value is greater than max_value",
            "min_value is " + *d.min_value + " and max_value " + *d.max_value + ".");

    if (d.pattern) {
        const std::string &p = *d.pattern;
        if (p.empty())
            throw definition_error(d, "pattern is empty",
                                   "An empty pattern would match only the empty value.",
                                   "Remove the pattern instead.");
        if (p.size() > kFieldMaxPatternBytes)
            throw definition_error(d, "pattern is too long",
                                   "It has " + std::to_string(p.size()) + " bytes; at most " +
                                       std::to_string(kFieldMaxPatternBytes) + " are accepted.");
        UParseError where{};
        UErrorCode status = U_ZERO_ERROR;
        c->pattern.reset(
            icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(icu::StringPiece(
                                           p.data(), static_cast<std::int32_t>(p.size()))),
                                       0, where, status));
        if (status == U_MEMORY_ALLOCATION_ERROR) throw std::bad_alloc();
        if (U_FAILURE(status) || c->pattern == nullptr)
            throw definition_error(
                d, "pattern does not compile",
                "ICU reports " + std::string(u_errorName(status)) + " at character " +
                    std::to_string(where.offset + 1) + " of line " + std::to_string(where.line) +
                    " of the pattern " + quote(p) + ".",
                "Patterns are ICU regular expressions (much like Java's or Perl's), matched "
                "against the whole value.");
    }

    if (takes_options(type)) {
        if (!d.options_json)
            throw definition_error(d, std::string(type_name) + " needs options",
                                   "options must be a JSON array of the choices, such as "
                                   "[\"Draft\", \"Final\"].");
        json options;
        const json_text::ParseResult parsed = json_text::parse(*d.options_json, options);
        if (parsed.status != json_text::ParseStatus::Ok || !options.is_array())
            throw definition_error(d, "options is not a JSON array",
                                   "options must be a JSON array of distinct non-empty strings, "
                                   "such as [\"Draft\", \"Final\"].");
        if (options.empty())
            throw definition_error(d, "options is empty",
                                   std::string(type_name) + " needs at least one option.");
        if (options.size() > kFieldMaxOptions)
            throw definition_error(d, "options has too many entries",
                                   "It has " + std::to_string(options.size()) + "; at most " +
                                       std::to_string(kFieldMaxOptions) + " are accepted.");
        for (const json &option : options) {
            const auto *text = option.get_ptr<const std::string *>();
            if (text == nullptr || text->empty())
                throw definition_error(
                    d, "options has an entry that is not a non-empty string",
                    "options must be a JSON array of distinct non-empty "
                    "strings; one entry is " +
                        (text ? std::string("\"\"") : excerpt(json_text::dump(option), 40)) + ".");
            c->options.push_back(*text);
        }
        c->sorted_options = c->options;
        std::sort(c->sorted_options.begin(), c->sorted_options.end());
        const auto twice = std::adjacent_find(c->sorted_options.begin(), c->sorted_options.end());
        if (twice != c->sorted_options.end())
            throw definition_error(d, "options lists an option twice",
                                   quote(*twice) + " appears more than once.");
    }

    c->label = quote(d.name);
    const std::string value = default_json(d);
    c->definition = std::move(definition);
    if (!value.empty()) {
        // The default goes through exactly the checks a submitted value does.
        const std::string &slug = c->definition.slug;
        const SlugIndex index{{std::string_view(slug), 0}};
        const std::string document = "{" + json_text::dump(json(slug)) + ":" + value + "}";
        std::optional<ValuesReader> reader;
        std::string why;
        if (!read_values(document, index, /*keep_values=*/true, reader, why))
            throw definition_error(c->definition, "default_value is not valid", why);
        std::vector<Problem> problems;
        c->check(reader->slots[0], /*enforce_required=*/false, AcceptAllReferences{}, problems);
        if (!problems.empty())
            throw definition_error(c->definition, "default_value is not valid",
                                   "For the default value " + quote(*c->definition.default_value) +
                                       ": " + problems.front().message);
        c->default_member = json_text::dump(json(slug)) + ":" + value;
    }
    return FieldValidator(std::move(c));
}

// ---------------------------------------------------------------------------
// A service type's validator

struct ServiceValidator::State {
    std::vector<FieldValidator> fields;  // in (sort_order, slug) order
    SlugIndex index;                     // slugs in byte order -> position in fields
    bool needs_references = false;
};

ServiceValidator::ServiceValidator(std::unique_ptr<const State> state) : state_(std::move(state)) {}
ServiceValidator::ServiceValidator(ServiceValidator &&) noexcept = default;
ServiceValidator &ServiceValidator::operator=(ServiceValidator &&) noexcept = default;
ServiceValidator::~ServiceValidator() = default;

ServiceValidator ServiceValidator::compile(std::vector<FieldDefinition> definitions) {
    auto state = std::make_unique<State>();
    state->fields.reserve(definitions.size());
    for (FieldDefinition &d : definitions) {
        state->fields.push_back(FieldValidator::compile(std::move(d)));
        const FieldType t = state->fields.back().definition().type;
        state->needs_references |= t == FieldType::UserSelect || t == FieldType::ClientSelect;
    }
    std::sort(state->fields.begin(), state->fields.end(),
              [](const FieldValidator &a, const FieldValidator &b) {
                  const FieldDefinition &x = a.definition();
                  const FieldDefinition &y = b.definition();
                  return x.sort_order != y.sort_order ? x.sort_order < y.sort_order
                                                      : x.slug < y.slug;
              });
    for (std::size_t i = 0; i < state->fields.size(); ++i)
        state->index.emplace_back(state->fields[i].definition().slug, i);
    std::sort(state->index.begin(), state->index.end());
    const auto twice =
        std::adjacent_find(state->index.begin(), state->index.end(),
                           [](const auto &a, const auto &b) { return a.first == b.first; });
    if (twice != state->index.end())
        throw Error(ErrorKind::InvalidParameter,
                    "deliverable fields: two fields have the slug " + quote(twice->first),
                    "Each field of a service type needs its own slug: it is the field's key in "
                    "custom_fields.");
    return ServiceValidator(std::move(state));
}

std::vector<Problem> ServiceValidator::validate(std::string_view values_json, bool enforce_required,
                                                const ReferenceChecker &refs) const {
    std::vector<Problem> problems;
    std::optional<ValuesReader> reader;
    std::string why;
    if (!read_values(values_json, state_->index, /*keep_values=*/true, reader, why)) {
        problems.push_back(
            Problem{{}, "malformed_json", "The custom fields cannot be read: " + why + "."});
        return problems;
    }
    if (reader->top != Kind::Object) {
        problems.push_back(
            Problem{{},
                    "not_an_object",
                    std::string("The custom fields must be a JSON object; they are ") +
                        kind_name(reader->top) + "."});
        return problems;
    }
    if (reader->duplicate) {
        problems.push_back(Problem{{},
                                   "malformed_json",
                                   "The custom fields cannot be read: they have the key " +
                                       quote(reader->duplicate_key) + " twice."});
        return problems;
    }

    for (std::size_t i = 0; i < state_->fields.size(); ++i) {
        // Each field's work is bounded, but a service type may have any number of
        // fields: the statement stops between two of them when asked to.
        check_for_interrupt("custom-field validation");
        state_->fields[i].compiled_->check(reader->slots[i], enforce_required, refs, problems);
    }
    for (const std::string &key : reader->unknown_keys)
        problems.push_back(
            Problem{key, "unknown_field", quote(key) + " is not a field of this service type."});
    return problems;
}

std::optional<std::string> ServiceValidator::apply_defaults(std::string_view values_json) const {
    std::string added;
    bool any_default = false;
    for (const FieldValidator &f : state_->fields)
        any_default |= !f.compiled_->default_member.empty();
    if (!any_default) return std::nullopt;

    std::optional<ValuesReader> reader;
    std::string why;
    if (!read_values(values_json, state_->index, /*keep_values=*/false, reader, why) ||
        reader->top != Kind::Object || reader->duplicate)
        return std::nullopt;
    for (std::size_t i = 0; i < state_->fields.size(); ++i) {
        const std::string &member = state_->fields[i].compiled_->default_member;
        if (member.empty() || reader->slots[i].kind != Kind::Absent) continue;
        if (!added.empty() || reader->top_members > 0) added += ',';
        added += member;
    }
    if (added.empty()) return std::nullopt;

    // Splice the members in before the closing brace: the caller's text is kept
    // byte for byte (numbers keep their spelling, nothing is re-serialised).
    std::size_t close = values_json.size();
    while (close > 0 && values_json[close - 1] != '}') --close;
    if (close == 0) return std::nullopt;  // cannot happen: the top is an object
    --close;
    std::string out;
    out.reserve(values_json.size() + added.size());
    out.append(values_json.substr(0, close)).append(added).append(values_json.substr(close));
    return out;
}

bool ServiceValidator::needs_references() const { return state_->needs_references; }
std::size_t ServiceValidator::field_count() const { return state_->fields.size(); }
const FieldDefinition &ServiceValidator::field(std::size_t index) const {
    return state_->fields.at(index).definition();
}

// ---------------------------------------------------------------------------

std::int32_t pattern_time_limit(std::int32_t utf16_length) {
    return std::min(kPatternTimeLimitMax,
                    kPatternTimeLimitBase + std::max(utf16_length, 0) / kPatternCharsPerTimeUnit);
}

std::optional<FieldType> field_type_from_name(std::string_view name) {
    for (const TypeInfo &t : kTypes)
        if (name == t.name) return t.type;
    return std::nullopt;
}

const char *field_type_name(FieldType type) { return info(type).name; }

bool operator==(const Problem &a, const Problem &b) {
    return a.field_slug == b.field_slug && a.code == b.code && a.message == b.message;
}

std::string problems_to_json(const std::vector<Problem> &problems) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const Problem &p : problems) {
        nlohmann::ordered_json item;
        // The two problems about the whole object belong to no field.
        const bool whole = p.code == "malformed_json" || p.code == "not_an_object";
        item["field"] =
            whole ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(p.field_slug);
        item["code"] = p.code;
        item["message"] = p.message;
        out.push_back(std::move(item));
    }
    return out.dump(-1, ' ', /*ensure_ascii=*/false,
                    nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace mycelium::core
