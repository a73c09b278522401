#include "core/field_formats.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <system_error>

#include <arpa/inet.h>

#include <unicode/brkiter.h>
#include <unicode/bytestream.h>
#include <unicode/idna.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/uidna.h>
#include <unicode/uspoof.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>
#include <unicode/utypes.h>

#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "core/no_postgres.hpp"

namespace mycelium::core {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return lower(x) == lower(y); });
}

Error icu_error(const char *what, UErrorCode status) {
    return Error(ErrorKind::Internal, std::string("custom fields: ") + what,
                 std::string("ICU reported ") + u_errorName(status) + ".");
}

// ---------------------------------------------------------------------------
// ICU services. Each is created on first use and kept for the life of the
// process behind a raw pointer that is never freed: a static object would have a
// destructor that runs at exit, in no defined order with ICU's own cleanup, to
// release memory that the operating system reclaims anyway. The check-then-set has
// no lock: fine in a single-threaded PostgreSQL backend and in the tests. (IDNA and
// the spoof checker are immutable once made; the break iterator is not, so
// count_graphemes is not reentrant across threads.)

const icu::IDNA &uts46() {
    static const icu::IDNA *cached = nullptr;
    if (cached == nullptr) {
        UErrorCode status = U_ZERO_ERROR;
        // Non-transitional: "faß.de" stays faß (IDNA2008), as browsers now resolve it.
        std::unique_ptr<icu::IDNA> created(icu::IDNA::createUTS46Instance(
            UIDNA_USE_STD3_RULES | UIDNA_CHECK_BIDI | UIDNA_CHECK_CONTEXTJ |
                UIDNA_NONTRANSITIONAL_TO_ASCII | UIDNA_NONTRANSITIONAL_TO_UNICODE,
            status));
        if (U_FAILURE(status) || created == nullptr)
            throw icu_error("could not create the UTS #46 converter", status);
        cached = created.release();  // kept for the life of the process, see above
    }
    return *cached;
}

const USpoofChecker *spoof_checker() {
    static const USpoofChecker *cached = nullptr;
    if (cached == nullptr) {
        UErrorCode status = U_ZERO_ERROR;
        USpoofChecker *created = uspoof_open(&status);
        if (U_SUCCESS(status)) uspoof_setChecks(created, USPOOF_RESTRICTION_LEVEL, &status);
        if (U_FAILURE(status)) {
            if (created != nullptr) uspoof_close(created);
            throw icu_error("could not create the spoof checker", status);
        }
        // Moderately restrictive (UTS #39, 5.2): one script, or Latin with Han and
        // kana, or Latin with Han and Hangul, or Latin with one other recommended
        // script that is not Cyrillic, Greek or Cherokee: the look-alike mixes.
        uspoof_setRestrictionLevel(created, USPOOF_MODERATELY_RESTRICTIVE);
        cached = created;  // kept for the life of the process, see above
    }
    return cached;
}

icu::BreakIterator &grapheme_iterator() {
    static icu::BreakIterator *cached = nullptr;
    if (cached == nullptr) {
        UErrorCode status = U_ZERO_ERROR;
        std::unique_ptr<icu::BreakIterator> created(
            icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
        if (U_FAILURE(status) || created == nullptr)
            throw icu_error("could not create the character break iterator", status);
        cached = created.release();  // kept for the life of the process, see above
    }
    return *cached;
}

// ---------------------------------------------------------------------------
// Characters

// Decodes the code point at text[i], advancing i; a negative value for invalid UTF-8.
UChar32 next_code_point(std::string_view text, std::size_t &i) {
    const auto *s = reinterpret_cast<const std::uint8_t *>(text.data());
    // Values are bounded by the 1 GB of a PostgreSQL datum; U8_NEXT wants int32.
    const auto length = static_cast<std::int32_t>(
        std::min<std::size_t>(text.size(), static_cast<std::size_t>(INT32_MAX)));
    auto at = static_cast<std::int32_t>(i);
    UChar32 c;
    U8_NEXT(s, at, length, c);
    i = static_cast<std::size_t>(at);
    return c;
}

bool is_bidi_control(UChar32 c) {
    return c == 0x200E || c == 0x200F || c == 0x061C || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x2069);
}

// Whitespace, a control character or invalid UTF-8 anywhere in `text`: a space in
// an address is always a mistake (or a disguise).
bool has_space_or_control(std::string_view text, bool refuse_bidi) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x80) {
            if (byte <= 0x20 || byte == 0x7F) return true;
            ++i;
            continue;
        }
        const UChar32 c = next_code_point(text, i);
        if (c < 0 || u_isUWhiteSpace(c) || u_charType(c) == U_CONTROL_CHAR) return true;
        if (refuse_bidi && is_bidi_control(c)) return true;
    }
    return false;
}

bool is_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// ---------------------------------------------------------------------------
// Domain names

std::string idna_problem(std::uint32_t errors) {
    if (errors & UIDNA_ERROR_EMPTY_LABEL)
        return "has an empty label (two dots in a row, or a dot first or last)";
    if (errors & UIDNA_ERROR_LABEL_TOO_LONG) return "has a label longer than 63 characters";
    if (errors & UIDNA_ERROR_DOMAIN_NAME_TOO_LONG) return "is longer than 253 characters";
    if (errors & (UIDNA_ERROR_LEADING_HYPHEN | UIDNA_ERROR_TRAILING_HYPHEN))
        return "has a label that begins or ends with '-'";
    if (errors & UIDNA_ERROR_HYPHEN_3_4)
        return "has a label with \"--\" in its third and fourth places";
    if (errors & UIDNA_ERROR_DISALLOWED) return "has a character that a domain name cannot contain";
    if (errors & (UIDNA_ERROR_PUNYCODE | UIDNA_ERROR_INVALID_ACE_LABEL))
        return "has an invalid xn-- label";
    if (errors & UIDNA_ERROR_LEADING_COMBINING_MARK)
        return "has a label that begins with a combining mark";
    if (errors & UIDNA_ERROR_BIDI) return "mixes right-to-left and left-to-right text in a label";
    if (errors &
        (UIDNA_ERROR_CONTEXTJ | UIDNA_ERROR_CONTEXTO_PUNCTUATION | UIDNA_ERROR_CONTEXTO_DIGITS))
        return "has a joiner or punctuation character where it is not allowed";
    return "is not a valid international domain name";
}

// Checks an ASCII name in A-label form: labels of letters, digits and '-',
// 1 to 63 characters, not beginning or ending with '-', at least two labels, the
// last not all digits, no trailing dot, at most 253 characters.
std::string ascii_domain_problem(std::string_view name) {
    if (name.size() > kDomainMaxBytes) return "is longer than 253 characters";
    std::size_t labels = 0;
    std::string_view last;
    std::size_t start = 0;
    for (;;) {
        const std::size_t dot = name.find('.', start);
        const std::string_view label =
            name.substr(start, dot == name.npos ? name.npos : dot - start);
        if (label.empty()) return "has an empty label (two dots in a row, or a dot first or last)";
        if (label.size() > kDomainMaxLabelBytes) return "has a label longer than 63 characters";
        if (label.front() == '-' || label.back() == '-')
            return "has a label that begins or ends with '-'";
        for (const char c : label)
            if (!is_alpha(c) && !is_digit(c) && c != '-')
                return "has a character that a domain name cannot contain";
        ++labels;
        last = label;
        if (dot == name.npos) break;
        start = dot + 1;
    }
    if (labels < 2) return "has no dot (a top-level domain is needed)";
    if (std::all_of(last.begin(), last.end(), is_digit)) return "ends in a label of digits only";
    return {};
}

// Whether an ASCII name needs UTS #46 to be checked: an xn-- label must be
// decoded, and "--" in third and fourth place (reserved for such prefixes) is
// refused by it with a precise reason.
bool needs_uts46(std::string_view name) {
    std::size_t start = 0;
    for (;;) {
        if (name.size() >= start + 4 && name[start + 2] == '-' && name[start + 3] == '-')
            return true;
        const std::size_t dot = name.find('.', start);
        if (dot == name.npos) return false;
        start = dot + 1;
    }
}

// A host or mail domain: "" when valid; else why, after "the domain ".
std::string domain_problem(std::string_view host, std::size_t &ascii_length) {
    if (host.empty()) return "is empty";
    if (is_ascii(host) && !needs_uts46(host)) {
        ascii_length = host.size();
        return ascii_domain_problem(host);
    }

    const icu::IDNA &idna = uts46();
    std::string ascii;
    icu::StringByteSink<std::string> ascii_sink(&ascii);
    icu::IDNAInfo info;
    UErrorCode status = U_ZERO_ERROR;
    idna.nameToASCII_UTF8(icu::StringPiece(host.data(), static_cast<std::int32_t>(host.size())),
                          ascii_sink, info, status);
    if (status == U_MEMORY_ALLOCATION_ERROR) throw std::bad_alloc();
    if (U_FAILURE(status)) return "is not a valid international domain name";
    if (info.hasErrors()) return idna_problem(info.getErrors());
    std::string problem = ascii_domain_problem(ascii);
    if (!problem.empty()) return problem;
    ascii_length = ascii.size();

    // The look-alike check reads the Unicode form, label by label (a Cyrillic
    // label under a Latin top-level domain, as in "пример.com", is fine).
    std::string unicode;
    icu::StringByteSink<std::string> unicode_sink(&unicode);
    icu::IDNAInfo unicode_info;
    idna.nameToUnicodeUTF8(icu::StringPiece(ascii.data(), static_cast<std::int32_t>(ascii.size())),
                           unicode_sink, unicode_info, status);
    if (status == U_MEMORY_ALLOCATION_ERROR) throw std::bad_alloc();
    if (U_FAILURE(status) || unicode_info.hasErrors())
        return "is not a valid international domain name";
    const USpoofChecker *checker = spoof_checker();
    std::size_t start = 0;
    for (;;) {
        const std::size_t dot = unicode.find('.', start);
        const std::string_view label = std::string_view(unicode).substr(
            start, dot == unicode.npos ? unicode.npos : dot - start);
        if (!is_ascii(label)) {
            UErrorCode spoof_status = U_ZERO_ERROR;
            const std::int32_t failed =
                uspoof_check2UTF8(checker, label.data(), static_cast<std::int32_t>(label.size()),
                                  nullptr, &spoof_status);
            if (spoof_status == U_MEMORY_ALLOCATION_ERROR) throw std::bad_alloc();
            if (U_FAILURE(spoof_status) || (failed & USPOOF_RESTRICTION_LEVEL) != 0)
                return "has a label that mixes scripts as look-alike (spoofing) names do";
        }
        if (dot == unicode.npos) break;
        start = dot + 1;
    }
    return {};
}

bool is_ipv4(std::string_view host) {
    int parts = 0;
    std::size_t start = 0;
    for (;;) {
        const std::size_t dot = host.find('.', start);
        const std::string_view part =
            host.substr(start, dot == host.npos ? host.npos : dot - start);
        // Canonical dotted decimal only: no leading zeros (which some parsers read
        // as octal), no empty part, each 0 to 255.
        if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), is_digit) ||
            (part.size() > 1 && part[0] == '0'))
            return false;
        int value = 0;
        for (const char c : part) value = value * 10 + (c - '0');
        if (value > 255) return false;
        ++parts;
        if (dot == host.npos) break;
        start = dot + 1;
    }
    return parts == 4;
}

bool is_ipv6(std::string_view text) {
    if (text.empty() || text.size() > 45 || text.find('%') != text.npos) return false;
    const std::string copy(text);
    unsigned char address[16];
    return inet_pton(AF_INET6, copy.c_str(), address) == 1;
}

// ---------------------------------------------------------------------------
// Dates and times

int two_digits(std::string_view s, std::size_t at) {
    if (at + 2 > s.size() || !is_digit(s[at]) || !is_digit(s[at + 1])) return -1;
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

bool is_leap_year(int year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int days_in_month(int year, int month) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

// YYYY-MM-DD at the start of s.
bool date_prefix(std::string_view s) {
    if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
    const int high = two_digits(s, 0);
    const int low = two_digits(s, 2);
    const int month = two_digits(s, 5);
    const int day = two_digits(s, 8);
    if (high < 0 || low < 0 || month < 1 || month > 12 || day < 1) return false;
    const int year = high * 100 + low;
    return year >= 1 && day <= days_in_month(year, month);
}

// HH:MM[:SS[.f{1,9}]] from s[at]; returns where it ends, or npos.
std::size_t time_part(std::string_view s, std::size_t at) {
    const int hour = two_digits(s, at);
    if (hour < 0 || hour > 23 || at + 2 >= s.size() || s[at + 2] != ':') return s.npos;
    const int minute = two_digits(s, at + 3);
    if (minute < 0 || minute > 59) return s.npos;
    at += 5;
    if (at < s.size() && s[at] == ':') {
        const int second = two_digits(s, at + 1);
        if (second < 0 || second > 59) return s.npos;
        at += 3;
        if (at < s.size() && s[at] == '.') {
            const std::size_t start = ++at;
            while (at < s.size() && is_digit(s[at])) ++at;
            if (at == start || at - start > 9) return s.npos;
        }
    }
    return at;
}

}  // namespace

// ---------------------------------------------------------------------------
// Decimals

bool parse_decimal(std::string_view s, Decimal &out) {
    std::size_t i = 0;
    const bool negative = i < s.size() && s[i] == '-';
    if (negative) ++i;
    const std::size_t integer_start = i;
    if (i < s.size() && s[i] == '0') {
        ++i;
    } else {
        if (i >= s.size() || !is_digit(s[i])) return false;
        while (i < s.size() && is_digit(s[i])) ++i;
    }
    const std::string_view integer = s.substr(integer_start, i - integer_start);
    std::string_view fraction;
    if (i < s.size() && s[i] == '.') {
        const std::size_t start = ++i;
        while (i < s.size() && is_digit(s[i])) ++i;
        if (i == start) return false;
        fraction = s.substr(start, i - start);
    }
    std::int64_t exponent = 0;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        bool exponent_negative = false;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) exponent_negative = s[i++] == '-';
        const std::size_t start = i;
        while (i < s.size() && is_digit(s[i])) {
            // Saturating: 1e99999999999999999999 is simply "huge".
            if (exponent < kDecimalExponentLimit) exponent = exponent * 10 + (s[i] - '0');
            ++i;
        }
        if (i == start) return false;
        exponent = std::min(exponent, kDecimalExponentLimit);
        if (exponent_negative) exponent = -exponent;
    }
    if (i != s.size()) return false;

    Decimal d;
    d.digits.reserve(integer.size() + fraction.size());
    d.digits.append(integer).append(fraction);
    // value = 0.<digits> * 10^point before the leading zeros are removed.
    auto point = static_cast<std::int64_t>(
        std::min<std::size_t>(integer.size(), static_cast<std::size_t>(kDecimalExponentLimit)));
    const std::size_t first = d.digits.find_first_not_of('0');
    if (first == std::string::npos) {
        out = Decimal{};  // zero, whatever its sign or exponent
        return true;
    }
    point -= static_cast<std::int64_t>(
        std::min<std::size_t>(first, static_cast<std::size_t>(kDecimalExponentLimit)));
    d.digits.erase(0, first);
    d.digits.erase(d.digits.find_last_not_of('0') + 1);
    d.negative = negative;
    d.exponent = std::clamp(point + exponent, -kDecimalExponentLimit, kDecimalExponentLimit);
    out = std::move(d);
    return true;
}

Decimal decimal_from_int64(std::int64_t value) {
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    Decimal d;
    parse_decimal(std::string_view(buffer, static_cast<std::size_t>(result.ptr - buffer)), d);
    return d;
}

int compare_decimals(const Decimal &a, const Decimal &b) {
    const int sign_a = a.digits.empty() ? 0 : (a.negative ? -1 : 1);
    const int sign_b = b.digits.empty() ? 0 : (b.negative ? -1 : 1);
    if (sign_a != sign_b) return sign_a < sign_b ? -1 : 1;
    if (sign_a == 0) return 0;
    // Same sign: compare magnitudes, then flip for negatives.
    int magnitude = 0;
    if (a.exponent != b.exponent) {
        magnitude = a.exponent < b.exponent ? -1 : 1;
    } else {
        const int c = a.digits.compare(b.digits);  // a prefix is the smaller: 0.12 < 0.123
        magnitude = c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    return sign_a < 0 ? -magnitude : magnitude;
}

bool decimal_is_integer(const Decimal &d) {
    return d.digits.empty() || d.exponent >= static_cast<std::int64_t>(d.digits.size());
}

bool decimal_to_int64(const Decimal &d, std::int64_t &out) {
    if (!decimal_is_integer(d)) return false;
    if (d.digits.empty()) {
        out = 0;
        return true;
    }
    if (d.exponent > 19) return false;
    std::uint64_t magnitude = 0;
    constexpr std::uint64_t kLimit = std::uint64_t{1} << 63;  // |INT64_MIN|
    for (std::int64_t i = 0; i < d.exponent; ++i) {
        const auto digit =
            static_cast<std::uint64_t>(i < static_cast<std::int64_t>(d.digits.size())
                                           ? d.digits[static_cast<std::size_t>(i)] - '0'
                                           : 0);
        if (magnitude > (kLimit - digit) / 10) return false;
        magnitude = magnitude * 10 + digit;
    }
    if (d.negative) {
        if (magnitude > kLimit) return false;
        out = magnitude == kLimit ? std::numeric_limits<std::int64_t>::min()
                                  : -static_cast<std::int64_t>(magnitude);
    } else {
        if (magnitude > kLimit - 1) return false;
        out = static_cast<std::int64_t>(magnitude);
    }
    return true;
}

// ---------------------------------------------------------------------------
// Dates and times

bool is_valid_date(std::string_view text) { return text.size() == 10 && date_prefix(text); }

bool is_valid_datetime(std::string_view text) {
    if (!date_prefix(text) || text.size() < 11 || (text[10] != 'T' && text[10] != 't'))
        return false;
    std::size_t at = time_part(text, 11);
    if (at == text.npos || at >= text.size()) return false;
    if (text[at] == 'Z' || text[at] == 'z') return at + 1 == text.size();
    if (text[at] != '+' && text[at] != '-') return false;
    const int hours = two_digits(text, at + 1);
    if (hours < 0 || hours > 23 || at + 3 >= text.size() || text[at + 3] != ':') return false;
    const int minutes = two_digits(text, at + 4);
    return minutes >= 0 && minutes <= 59 && at + 6 == text.size();
}

bool is_valid_time(std::string_view text) { return time_part(text, 0) == text.size(); }

// ---------------------------------------------------------------------------
// Addresses

std::string email_problem(std::string_view text) {
    if (text.empty()) return "it is empty";
    // Checked again exactly below, with the domain in A-label form; this bound
    // (room for a domain written in a script that takes 4 bytes a character)
    // refuses a huge value before any work is done on it.
    if (text.size() > 4 * kEmailMaxBytes) return "it is longer than 254 bytes";
    if (has_space_or_control(text, /*refuse_bidi=*/true))
        return "it contains a space or a control character";
    const std::size_t at = text.rfind('@');
    if (at == text.npos) return "it has no @";
    if (text.find('@') != at) return "it has more than one @";
    const std::string_view local = text.substr(0, at);
    const std::string_view domain = text.substr(at + 1);
    if (local.empty()) return "it has nothing before the @";
    if (local.size() > kEmailMaxLocalBytes) return "the part before the @ is longer than 64 bytes";
    if (local.front() == '.' || local.back() == '.' || local.find("..") != local.npos)
        return "the part before the @ has a dot first, last or twice in a row";
    static constexpr std::string_view kAtextSymbols = "!#$%&'*+-/=?^_`{|}~.";
    for (const char c : local) {
        if (static_cast<unsigned char>(c) >= 0x80 || is_alpha(c) || is_digit(c) ||
            kAtextSymbols.find(c) != kAtextSymbols.npos)
            continue;
        return std::string("the part before the @ contains '") + c + "'";
    }
    if (domain.empty()) return "it has nothing after the @";
    if (domain.front() == '[') return "its domain is an address literal; a domain name is needed";
    std::size_t ascii_length = 0;
    const std::string problem = domain_problem(domain, ascii_length);
    if (!problem.empty()) return "its domain " + problem;
    if (local.size() + 1 + ascii_length > kEmailMaxBytes) return "it is longer than 254 bytes";
    return {};
}

std::string url_problem(std::string_view text) {
    if (text.size() > kUrlMaxBytes) return "it is longer than 8000 bytes";
    if (has_space_or_control(text, /*refuse_bidi=*/true))
        return "it contains a space or a control character";
    const std::size_t colon = text.find("://");
    if (colon == text.npos || !(equals_ignoring_ascii_case(text.substr(0, colon), "http") ||
                                equals_ignoring_ascii_case(text.substr(0, colon), "https")))
        return "it does not begin with http:// or https://";
    const std::string_view rest = text.substr(colon + 3);
    const std::size_t authority_end = rest.find_first_of("/?#");
    const std::string_view authority = rest.substr(0, authority_end);
    const std::string_view tail =
        authority_end == rest.npos ? std::string_view() : rest.substr(authority_end);

    if (authority.empty()) return "it has no host";
    if (authority.find('@') != authority.npos)
        return "it contains a user name or password before the host";
    std::string_view host = authority;
    std::string_view port;
    bool has_port = false;
    if (authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == authority.npos) return "its IPv6 address has no closing ']'";
        host = authority.substr(1, close - 1);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return "it has characters after the IPv6 address";
            has_port = true;
            port = after.substr(1);
        }
        if (!is_ipv6(host)) return "its host is not a valid IPv6 address";
    } else {
        const std::size_t port_colon = authority.rfind(':');
        if (port_colon != authority.npos) {
            has_port = true;
            port = authority.substr(port_colon + 1);
            host = authority.substr(0, port_colon);
        }
        if (host.empty()) return "it has no host";
        const bool numeric =
            std::all_of(host.begin(), host.end(), [](char c) { return is_digit(c) || c == '.'; });
        if (numeric) {
            if (!is_ipv4(host)) return "its host is not a valid IPv4 address";
        } else {
            std::size_t ascii_length = 0;
            const std::string problem = domain_problem(host, ascii_length);
            if (!problem.empty()) return "its host " + problem;
        }
    }
    if (has_port) {
        int value = 0;
        if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), is_digit))
            return "its port is not a number from 1 to 65535";
        for (const char c : port) value = value * 10 + (c - '0');
        if (value < 1 || value > 65535) return "its port is not a number from 1 to 65535";
    }
    for (std::size_t i = 0; i < tail.size(); ++i) {
        const char c = tail[i];
        if (c == '"' || c == '<' || c == '>' || c == '\\')
            return std::string("it contains '") + c + "'; write it as a %XX escape";
        if (c == '%' && (i + 2 >= tail.size() || !is_hex(tail[i + 1]) || !is_hex(tail[i + 2])))
            return "it has a '%' that does not begin a %XX escape";
    }
    return {};
}

std::string phone_problem(std::string_view text) {
    std::size_t digits = 0;
    bool plus = false;
    char first = 0;
    for (const char c : text) {
        if (c == ' ' || c == '.' || c == '-' || c == '(' || c == ')') continue;
        if (c == '+') {
            if (plus || digits > 0) return "the + must come first";
            plus = true;
            continue;
        }
        if (!is_digit(c))
            return "it may contain only digits, spaces, dots, dashes and parentheses after the +";
        if (digits == 0) first = c;
        ++digits;
    }
    if (!plus) return "it must begin with + and the country code (E.164)";
    if (digits < 7 || digits > 15) return "it must have 7 to 15 digits after the + (E.164)";
    if (first == '0') return "a country code never begins with 0";
    return {};
}

// ---------------------------------------------------------------------------
// Lengths

std::size_t count_graphemes(std::string_view utf8) {
    // A value may be as long as a jsonb string (256 MB), which the break iterator
    // needs seconds for: the count asks the interrupt check now and then.
    constexpr std::size_t kInterruptEvery = 1 << 16;
    static constexpr char kCounting[] = "counting the characters of a value";
    if (is_ascii(utf8)) {
        // In ASCII every character is a cluster of its own except CR LF (UAX #29, GB3).
        std::size_t count = utf8.size();
        for (std::size_t i = 1; i < utf8.size(); ++i)
            if (utf8[i] == '\n' && utf8[i - 1] == '\r') --count;
        return count;
    }
    // When every code point has Grapheme_Cluster_Break=Other (precomposed accents,
    // most letters of most scripts, CJK), no rule of UAX #29 joins two of them, so
    // each is a cluster of its own (GB999). Only marks, joiners, Hangul jamo,
    // regional indicators, controls and the like need the break iterator.
    std::size_t code_points = 0;
    bool simple = true;
    for (std::size_t i = 0; i < utf8.size() && simple;) {
        const UChar32 c = next_code_point(utf8, i);
        simple = c >= 0 && u_getIntPropertyValue(c, UCHAR_GRAPHEME_CLUSTER_BREAK) == U_GCB_OTHER;
        if (++code_points % kInterruptEvery == 0) check_for_interrupt(kCounting);
    }
    if (simple) return code_points;

    icu::BreakIterator &iterator = grapheme_iterator();
    UErrorCode status = U_ZERO_ERROR;
    // Reads the UTF-8 in place: no conversion to UTF-16.
    UText text = UTEXT_INITIALIZER;
    utext_openUTF8(&text, utf8.data(), static_cast<std::int64_t>(utf8.size()), &status);
    if (U_FAILURE(status)) throw icu_error("could not read the text for counting", status);
    iterator.setText(&text, status);
    std::size_t count = 0;
    bool interrupted = false;
    if (U_SUCCESS(status)) {
        iterator.first();
        while (iterator.next() != icu::BreakIterator::DONE) {
            if (++count % kInterruptEvery == 0 && interrupt_requested()) {
                interrupted = true;  // thrown once the text is closed
                break;
            }
        }
    }
    // The iterator keeps a shallow clone of `text`, which points into `utf8`;
    // every use sets its text first, as here, so the stale pointer is never read.
    utext_close(&text);
    if (U_FAILURE(status)) throw icu_error("could not count characters", status);
    if (interrupted) throw_interrupted(kCounting);
    return count;
}

}  // namespace mycelium::core
