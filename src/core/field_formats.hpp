// The value formats of custom fields, as pure functions: exact decimal numbers,
// calendar dates and times, e-mail addresses, URLs, phone numbers, and lengths in
// user-perceived characters. core/fields.hpp builds the validator on them; they
// are public so that each rule can be tested, and reused, on its own.
//
// Every function takes UTF-8 and never throws for bad input (only std::bad_alloc,
// or Error(Internal) if ICU cannot create one of its services; count_graphemes also
// Error(QueryCanceled), see there).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mycelium::core {

// ---------------------------------------------------------------------------
// Exact decimals

// A decimal number, exactly: value = (negative ? -1 : 1) * 0.d1 d2 ... dn * 10^exponent,
// with digits d1..dn having no leading and no trailing zero. Zero has no digits
// (and is never negative, so -0 == 0). Comparing these never goes through a
// double: 0.1 + 0.2 style rounding, or a 400-digit number, cannot change a verdict.
struct Decimal {
    bool negative = false;
    std::string digits;
    // Saturates at +-kDecimalExponentLimit, beyond which no comparison with a
    // field's bounds (numeric(10,2)) can change.
    std::int64_t exponent = 0;
};

inline constexpr std::int64_t kDecimalExponentLimit = 1'000'000'000'000'000;  // 10^15

// The JSON number grammar, and nothing else:
//   -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// So "12.50", "-0", "1e400" and "0.000001" parse; "+1", ".5", "5.", "01", "1,5",
// " 1", "NaN" and "Infinity" do not.
bool parse_decimal(std::string_view text, Decimal &out);
Decimal decimal_from_int64(std::int64_t value);
// <0, 0, >0 as a is less than, equal to, greater than b.
int compare_decimals(const Decimal &a, const Decimal &b);
// No fractional part (1e3 and 42.0 are integers; 1.5 and 1e-1 are not).
bool decimal_is_integer(const Decimal &d);
// True when d is an integer in [INT64_MIN, INT64_MAX]; then sets out.
bool decimal_to_int64(const Decimal &d, std::int64_t &out);

// ---------------------------------------------------------------------------
// Dates and times (proleptic Gregorian calendar, years 0001 to 9999)

// YYYY-MM-DD, a real calendar day: 2024-02-29 yes, 2023-02-29 and 2024-04-31 no.
bool is_valid_date(std::string_view text);

// RFC 3339 date-time, a little wider on one point:
//   YYYY-MM-DDTHH:MM[:SS[.f]]offset
// 'T' may be 't' (RFC 3339, 5.6); the seconds may be left out, as ISO 8601
// allows; the fraction has 1 to 9 digits; the offset is 'Z', 'z' or +HH:MM /
// -HH:MM (hours 00-23). Refused: no offset (a local time is ambiguous), a space
// instead of 'T', offsets without a colon or with seconds, hour 24, second 60
// (PostgreSQL would move a leap second to the next minute, so it is not kept as
// written).
bool is_valid_datetime(std::string_view text);

// A time of day: HH:MM, HH:MM:SS or HH:MM:SS.f (1 to 9 digits), from 00:00 to
// 23:59:59.999999999, without an offset. 24:00 is refused in every form: as a
// time of day it is the same instant as 00:00 of the next day, and forms never
// produce it (PostgreSQL's time type would accept it; an application that needs an
// end-of-day marker can use 23:59:59.999999).
bool is_valid_time(std::string_view text);

// ---------------------------------------------------------------------------
// Addresses. Each returns "" when the value is valid, or why it is not, phrased to
// follow "is not a valid ...: ".

inline constexpr std::size_t kEmailMaxLocalBytes = 64;   // RFC 5321, 4.5.3.1.1
inline constexpr std::size_t kEmailMaxBytes = 254;       // RFC 5321 path limit, less "<>"
inline constexpr std::size_t kDomainMaxBytes = 253;      // RFC 1035, in A-label form
inline constexpr std::size_t kDomainMaxLabelBytes = 63;  // RFC 1035
inline constexpr std::size_t kUrlMaxBytes = 8000;        // RFC 9110, 4.1 recommends 8000

// A pragmatic addr-spec: local@domain.
//  - local part: a dot-atom (RFC 5322 atext characters and dots, no dot first,
//    last or twice in a row), at most 64 bytes; non-ASCII letters are allowed
//    (RFC 6531, internationalised addresses); quoted local parts ("a b"@x) are
//    refused, as almost every mail form does;
//  - domain: a domain name with at least two labels (so "a@localhost" and IP
//    literals are refused), checked as for URL hosts below;
//  - whole address at most 254 bytes with the domain in A-label (xn--) form
//    (and a value over 1016 bytes is refused before it is looked at);
//  - no whitespace or control character anywhere, including leading and trailing
//    spaces: values are checked as stored, never trimmed.
std::string email_problem(std::string_view text);

// An absolute http or https URL with a host:
//  - scheme http or https, any case, then "://";
//  - no user name or password (http://user@host is a common phishing disguise);
//  - host: a domain name of at least two labels whose last label is not all
//    digits, an IPv4 address in dotted-decimal form, or an IPv6 address in
//    brackets (no zone). International domain names are converted with UTS #46
//    (non-transitional, STD3 rules, CheckBidi, CheckJoiners), so "bücher.de",
//    "пример.рф" and full-width letters are accepted and "a_b.com" is not; each
//    label that is not ASCII must also pass ICU's spoof checker at the "moderately
//    restrictive" level, so a label that mixes Latin with Cyrillic or Greek letters
//    ("pаypal", with a Cyrillic а) is refused while Japanese mixed with Latin is
//    accepted. No trailing dot.
//  - port, if any, 1 to 65535;
//  - path, query and fragment: any characters but whitespace (ASCII or Unicode),
//    control characters, bidirectional-text controls, '"', '<', '>' and '\', and
//    '%' only as the start of a %XX escape;
//  - at most kUrlMaxBytes bytes.
std::string url_problem(std::string_view text);

// E.164: '+', the country code and the number, 7 to 15 digits in all, the first
// not 0. The lenient form: spaces, dots, dashes and parentheses anywhere are
// ignored, so "+1 (555) 010-4477" and "+44 20 7946 0958" are accepted. Refused:
// a national number without '+' ("020 7946 0958", "0044..."), letters, extensions.
// (7, not 8: Niue's numbers are +683 and four digits.)
std::string phone_problem(std::string_view text);

// ---------------------------------------------------------------------------
// Lengths

// The number of extended grapheme clusters (user-perceived characters, UAX #29,
// ICU's character break iterator): "é" precomposed or as e + U+0301 counts 1, a
// flag emoji (two regional indicators) 1, a family emoji joined by ZWJ 1, "\r\n" 1.
// ASCII text is counted without ICU. Invalid UTF-8 counts as U+FFFD characters.
// Other text can take 150 ns a character (1.5 s for 30 MB of accented letters), so
// every 65,536 characters the count asks the interrupt check (core/interrupts.hpp)
// and throws Error(QueryCanceled) when it says stop.
std::size_t count_graphemes(std::string_view utf8);

}  // namespace mycelium::core
