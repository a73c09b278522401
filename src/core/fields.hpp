// Custom-field validation: a service type's field definitions (deliverable_fields
// rows, as plain values) compiled once into a validator that checks a
// deliverable's custom_fields (a JSON object) and fills in default values.
//
// This header exposes neither nlohmann::json nor ICU: the glue includes core
// headers after postgres.h, whose `#define snprintf pg_snprintf` breaks the JSON
// header. Compiled state lives behind a pointer to an incomplete type.
//
// Not thread-safe: one thread at a time may use the validators (ICU's character
// break iterator is shared, see field_formats.cpp), which is how a PostgreSQL
// backend runs.
//
// ===========================================================================
// Problem codes (stable: applications match on them; docs/ lists them too)
//
//   required          the field is required and has no value. Enforced only when
//                     validate() is asked to (the glue: once the deliverable has
//                     left PENDING). "No value" is: the key absent, JSON null, "",
//                     an empty MULTISELECT array; for `required` also a string of
//                     whitespace only.
//   unknown_field     the key is not a field of the service type (field = the key)
//   wrong_type        the JSON type is wrong for the field (a string for NUMBER,
//                     a number for TEXT...), a NUMBER that is not a whole number,
//                     a DECIMAL string that is not a number, a TEXT value with a
//                     line break, a string holding U+0000, a USER_SELECT or
//                     CLIENT_SELECT value that is not a UUID, a MULTISELECT
//                     element that is not a string
//   too_short         fewer grapheme clusters than min_length
//   too_long          more grapheme clusters than max_length
//   too_small         below min_value, or (NUMBER) below the 64-bit integer range
//   too_large         above max_value, or (NUMBER) above the 64-bit integer range
//   pattern           the value does not match `pattern` as a whole
//   pattern_timeout   the pattern could not be checked within its time or memory
//                     limit on this value (a catastrophic pattern, such as (a+)+$);
//                     only that field fails
//   too_long_for_pattern  the field has a pattern and the value has more than
//                     kPatternMaxValueChars code points: it is not matched at all
//   not_an_option     a SELECT/RADIO value, or MULTISELECT element, not in options
//   duplicate_option  a MULTISELECT array lists an option twice
//   invalid_date      DATE not YYYY-MM-DD, or not a calendar day
//   invalid_datetime  DATETIME not an RFC 3339 date-time with offset
//   invalid_time      TIME not HH:MM[:SS[.f]] within 00:00-23:59:59.999999999
//   invalid_email     EMAIL not an address (see email_problem)
//   invalid_url       URL not an absolute http(s) URL (see url_problem)
//   invalid_phone     PHONE not E.164 in the lenient form (see phone_problem)
//   invalid_file      FILE object without a non-empty string "name" and an
//                     http(s) "url", or with a key twice
//   unknown_user      USER_SELECT: no ACTIVE user of the organization has this id
//   unknown_client    CLIENT_SELECT: no client of the organization has this id
//   not_an_object     the values are JSON, but not an object (field is empty)
//   malformed_json    the values are not JSON, have a NUL byte, or repeat a
//                     top-level key (field is empty)
//
// Each problem's message names the field (by its display name) and says what is
// wrong, quoting at most 40 characters of a value. A field gets at most one
// problem per code; its type or format problem, if any, is its only problem;
// otherwise length, range, pattern and option problems are all reported.
//
// ===========================================================================
// Values, by type (what validate() accepts once a value is present)
//
//   TEXT, TEXTAREA  a JSON string; TEXT refuses line breaks (LF, CR, VT, FF,
//                   U+0085, U+2028, U+2029); neither may hold U+0000 (jsonb
//                   cannot either). Never trimmed: "abc " has 4 characters.
//   NUMBER          a JSON number whose exact value is an integer in the int64
//                   range, however it is spelled: 42, -0 (= 0), 42.0, 1e3, 4.2e1.
//                   Refused: 1.5, 1e-1 (wrong_type), strings such as "42"
//                   (wrong_type: JSON numbers only), 1e400 or 2^63 (too_large).
//                   JSON has no NaN or Infinity: unquoted they are malformed_json,
//                   quoted they are strings and so wrong_type.
//   DECIMAL         a JSON number, or a string in JSON number grammar ("12.50"),
//                   any size and precision; "NaN", "Infinity", "1,5", " 1" and "+1"
//                   are wrong_type. Compared with min/max exactly (never as double).
//   DATE, DATETIME, TIME   strings, see field_formats.hpp
//   EMAIL, URL, PHONE      strings, see field_formats.hpp
//   SELECT, RADIO   a string equal, byte for byte, to one of the options
//   MULTISELECT     an array of distinct option strings; [] is "no value"
//   CHECKBOX        true or false (false is a value: it satisfies `required`)
//   FILE            an object with a non-empty string "name" and a string "url"
//                   that is a valid URL; other keys (size, mime_type...) allowed
//   USER_SELECT, CLIENT_SELECT  a UUID string (any case), then looked up through
//                   the ReferenceChecker (which receives it in lower case)
//
// Rules and the types they apply to (a rule on another type is a definition
// error, so that a rule is never silently ignored):
//   min_length, max_length  TEXT TEXTAREA EMAIL URL PHONE; grapheme clusters
//   min_value, max_value    NUMBER DECIMAL
//   pattern                 TEXT TEXTAREA EMAIL URL PHONE; an ICU regular
//                           expression (Java/Perl-like syntax) that must match the
//                           whole value (RegexMatcher::matches, so [0-9]+ refuses
//                           "abc1"); checked after the format, on the value as
//                           stored, if it has at most kPatternMaxValueChars code
//                           points
//   options                 SELECT RADIO MULTISELECT (required for them)
//   default_value           every type, see apply_defaults
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mycelium::core {

enum class FieldType {
    Text,
    Textarea,
    Number,
    Decimal,
    Date,
    Datetime,
    Time,
    Email,
    Url,
    Phone,
    Select,
    Multiselect,
    Radio,
    Checkbox,
    File,
    UserSelect,
    ClientSelect,
};

// The field_type enum's labels: "TEXT", "TEXTAREA", ... "CLIENT_SELECT" (exactly).
std::optional<FieldType> field_type_from_name(std::string_view name);
const char *field_type_name(FieldType type);

// Limits on a definition, checked by FieldValidator::compile.
inline constexpr std::size_t kFieldMaxPatternBytes = 2000;
inline constexpr std::size_t kFieldMaxOptions = 1000;
// ICU regular expressions. A value with more than kPatternMaxValueChars code points
// is not matched (too_long_for_pattern): the engine's time limit counts only its
// backtracking steps, and a look-ahead such as (?=.*b) scans the rest of the value
// between two steps, so the cost of one step, and thus of a whole match and of the
// wait between two interrupt checks, grows with the value's length. At this length
// the slowest patterns found take about half a second, and stop within tens of
// milliseconds when asked to (core/interrupts.hpp).
//
// The time limit for one match is pattern_time_limit(UTF-16 length of the value):
// kPatternTimeLimitBase + length / kPatternCharsPerTimeUnit units of ICU's match
// engine, never more than kPatternTimeLimitMax (a unit is 10,000 backtracking
// steps, about 0.2 ms), so a legitimate pattern gets time in proportion to its input
// while (a+)+$ against 30 a's and a '!' fails in about a millisecond instead of
// running for minutes. The backtracking stack (heap memory) of one match is
// limited to kPatternStackBytes.
inline constexpr std::size_t kPatternMaxValueChars = 10000;
inline constexpr std::int32_t kPatternTimeLimitBase = 5;
inline constexpr std::int32_t kPatternCharsPerTimeUnit = 500;
inline constexpr std::int32_t kPatternTimeLimitMax = 25;
inline constexpr std::int32_t kPatternStackBytes = 4 * 1024 * 1024;
std::int32_t pattern_time_limit(std::int32_t utf16_length);

// One deliverable_fields row, as plain values.
struct FieldDefinition {
    std::string slug;  // the key in custom_fields
    std::string name;  // the display name, used in messages
    FieldType type = FieldType::Text;
    bool is_required = false;
    std::int32_t sort_order = 0;  // problems are reported in (sort_order, slug) order
    std::optional<std::string> default_value;
    std::optional<std::int32_t> min_length, max_length;
    std::optional<std::string> min_value, max_value;  // numeric text, as PostgreSQL prints it
    std::optional<std::string> pattern;
    std::optional<std::string> options_json;  // a JSON array of strings
};

struct Problem {
    std::string field_slug;  // empty for not_an_object and malformed_json
    std::string code;        // one of the codes above
    std::string message;
};
bool operator==(const Problem &a, const Problem &b);
inline bool operator!=(const Problem &a, const Problem &b) { return !(a == b); }

// USER_SELECT and CLIENT_SELECT need the database: the glue supplies the look-up
// (and may batch or cache it). Ids are canonical lower-case UUID text. An exception
// thrown here propagates out of validate().
struct ReferenceChecker {
    virtual ~ReferenceChecker() = default;
    virtual bool active_user_exists(const std::string &uuid) const = 0;
    virtual bool client_exists(const std::string &uuid) const = 0;
};

// One field definition, compiled: pattern compiled, options parsed, bounds parsed,
// default value checked and typed.
class FieldValidator {
  public:
    // Throws Error(InvalidParameter), with a message naming the field and a detail
    // saying what is wrong, when the definition itself is bad:
    //  - slug or name empty; type-specific rule on a type it does not apply to
    //    (see above);
    //  - min_length < 0, max_length < 1, min_length > max_length;
    //  - min_value or max_value not a number in the JSON number grammar (PostgreSQL
    //    prints numeric that way; NaN is refused), min_value > max_value;
    //  - pattern empty, over kFieldMaxPatternBytes, or not compiling (ICU's error and
    //    its offset in the detail);
    //  - options not a JSON array of distinct non-empty strings (at most
    //    kFieldMaxOptions); options on a type that takes none; no options (or an
    //    empty array) on SELECT, RADIO, MULTISELECT;
    //  - a default_value that the field's own rules refuse (its type, format,
    //    length, range, pattern, options; not the USER/CLIENT look-up). An empty
    //    default_value counts as none.
    static FieldValidator compile(FieldDefinition definition);

    FieldValidator(FieldValidator &&) noexcept;
    FieldValidator &operator=(FieldValidator &&) noexcept;
    ~FieldValidator();

    const FieldDefinition &definition() const;

    struct Compiled;  // defined in fields.cpp

  private:
    explicit FieldValidator(std::unique_ptr<const Compiled> compiled);
    std::unique_ptr<const Compiled> compiled_;
    friend class ServiceValidator;
};

// A service type's compiled validator: every field, keyed by slug.
class ServiceValidator {
  public:
    // Compiles every field (throws as FieldValidator::compile does, and for two
    // fields with one slug). An empty list gives a validator that accepts only {}.
    static ServiceValidator compile(std::vector<FieldDefinition> fields);

    ServiceValidator(ServiceValidator &&) noexcept;
    ServiceValidator &operator=(ServiceValidator &&) noexcept;
    ~ServiceValidator();

    // Checks a JSON object of values. `enforce_required`: false while the
    // deliverable is PENDING (type, format and rule checks apply to any value
    // present, always). Returns every problem, fields in (sort_order, slug) order,
    // then unknown keys in byte order; empty = valid. For not_an_object and
    // malformed_json that one problem is the whole answer.
    //
    // Never throws for bad input (malformed JSON, a non-object, huge numbers, deep
    // nesting, hostile values for a pattern): those are problems. Throws only
    // std::bad_alloc, Error(Internal) if ICU fails, what `refs` throws, and
    // Error(QueryCanceled) when the interrupt check (core/interrupts.hpp) asks it to
    // stop: it asks before each field and while a pattern is being matched. `refs` is
    // called only for well-formed UUIDs in USER_SELECT and CLIENT_SELECT fields.
    std::vector<Problem> validate(std::string_view values_json, bool enforce_required,
                                  const ReferenceChecker &refs) const;

    // Fills the keys that are absent and whose field has a default_value, typed per
    // the field: NUMBER and DECIMAL defaults become JSON numbers, CHECKBOX a boolean
    // ("true" or "false"), MULTISELECT an array and FILE an object (their defaults
    // are written as JSON text), every other type a string. A key present with
    // null keeps its null: like SQL's DEFAULT, a default replaces only what was not
    // given. Returns the new JSON text (the input with members appended, in field
    // order, so numbers keep their spelling), or nullopt when nothing changed or
    // the input is not a JSON object (validate() reports that).
    std::optional<std::string> apply_defaults(std::string_view values_json) const;

    // Whether any field needs the ReferenceChecker (USER_SELECT, CLIENT_SELECT).
    bool needs_references() const;
    std::size_t field_count() const;
    // The fields in (sort_order, slug) order.
    const FieldDefinition &field(std::size_t index) const;

    struct State;  // defined in fields.cpp

  private:
    explicit ServiceValidator(std::unique_ptr<const State> state);
    std::unique_ptr<const State> state_;
};

// [{"field":"due_date","code":"invalid_date","message":"..."}, ...], in the order
// given; "field" is null for a problem about the whole object. Compact JSON.
std::string problems_to_json(const std::vector<Problem> &problems);

}  // namespace mycelium::core
