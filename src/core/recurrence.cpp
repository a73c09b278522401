// Recurrence rules: the civil calendar, the time zone converters, parse_rule's
// dispatch between RRULE and cron, and the Expansion wrapper that enforces the
// limits. The two grammars and their engines live in recurrence_rrule.cpp and
// recurrence_cron.cpp.
#include "core/recurrence.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <unicode/basictz.h>
#include <unicode/stringpiece.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>
#include <unicode/utypes.h>

#include "core/error.hpp"
#include "core/recurrence_internal.hpp"
#include "core/no_postgres.hpp"

namespace mycelium::core {

using recurrence_detail::floor_div;
using recurrence_detail::floor_mod;
using recurrence_detail::kSecondsPerDay;

// ---------------------------------------------------------------------------
// LocalDateTime

namespace {
auto as_tuple(const LocalDateTime &t) noexcept {
    return std::make_tuple(t.year, t.month, t.day, t.hour, t.minute, t.second);
}
}  // namespace

bool operator==(const LocalDateTime &a, const LocalDateTime &b) noexcept {
    return as_tuple(a) == as_tuple(b);
}
bool operator!=(const LocalDateTime &a, const LocalDateTime &b) noexcept { return !(a == b); }
bool operator<(const LocalDateTime &a, const LocalDateTime &b) noexcept {
    return as_tuple(a) < as_tuple(b);
}

// ---------------------------------------------------------------------------
// Civil calendar

namespace civil {

// Howard Hinnant's days_from_civil: shift the year to start in March, so that the
// leap day is the last day of a "year"; then a year is 365 days plus the leap
// corrections of whole 4-, 100- and 400-year cycles, and the day of the shifted
// year follows from the month by the linear formula (153 * m + 2) / 5, which
// reproduces the month lengths 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28/29.
std::int64_t days_from_civil(std::int64_t year, int month, int day) noexcept {
    const std::int64_t y = year - (month <= 2 ? 1 : 0);
    const std::int64_t era = floor_div(y, 400);
    const std::int64_t year_of_era = y - era * 400;                            // [0, 399]
    const std::int64_t shifted_month = month > 2 ? month - 3 : month + 9;      // March = 0
    const std::int64_t day_of_year = (153 * shifted_month + 2) / 5 + day - 1;  // [0, 365]
    const std::int64_t day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;  // [0, 146096]
    return era * 146097 + day_of_era - 719468;  // 719468: 0000-03-01 to 1970-01-01
}

// The inverse: find the 400-year era, the year within it (removing the leap days
// of the cycles first), the day of the March-based year, then the month by
// inverting the linear formula.
Date civil_from_days(std::int64_t days) noexcept {
    const std::int64_t z = days + 719468;
    const std::int64_t era = floor_div(z, 146097);
    const std::int64_t day_of_era = z - era * 146097;  // [0, 146096]
    const std::int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const std::int64_t day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);  // [0, 365]
    const std::int64_t shifted_month = (5 * day_of_year + 2) / 153;              // [0, 11]
    const int day = static_cast<int>(day_of_year - (153 * shifted_month + 2) / 5 + 1);
    const int month = static_cast<int>(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
    const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
    return Date{year, month, day};
}

// 1970-01-01 was a Thursday (3 with Monday = 0).
Weekday weekday_from_days(std::int64_t days) noexcept {
    return static_cast<Weekday>(floor_mod(days + 3, 7));
}

bool is_leap_year(std::int64_t year) noexcept {
    return floor_mod(year, 4) == 0 && (floor_mod(year, 100) != 0 || floor_mod(year, 400) == 0);
}

int days_in_month(std::int64_t year, int month) noexcept {
    static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && is_leap_year(year)) return 29;
    return (month >= 1 && month <= 12) ? kDays[month - 1] : 0;
}

std::int64_t to_seconds(const LocalDateTime &t) noexcept {
    return days_from_civil(t.year, t.month, t.day) * kSecondsPerDay + t.hour * 3600 +
           t.minute * 60 + t.second;
}

LocalDateTime from_seconds(std::int64_t seconds) noexcept {
    const std::int64_t days = floor_div(seconds, kSecondsPerDay);
    const auto second_of_day = static_cast<int>(seconds - days * kSecondsPerDay);
    const Date date = civil_from_days(days);
    return LocalDateTime{
        static_cast<int>(date.year), date.month,        date.day, second_of_day / 3600,
        second_of_day / 60 % 60,     second_of_day % 60};
}

std::string format(const LocalDateTime &t) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d %02d:%02d:%02d", t.year, t.month, t.day,
                  t.hour, t.minute, t.second);
    return buffer;
}

void check(const LocalDateTime &t, std::string_view what) {
    const std::string name(what);
    if (t.year < kRecurrenceMinYear || t.year > kRecurrenceMaxYear)
        throw Error(ErrorKind::InvalidParameter,
                    name + " is out of range: year " + std::to_string(t.year) +
                        " is not between 1 and 9999",
                    "Recurrence rules are expanded for the years 1 to 9999 only.");
    if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > days_in_month(t.year, t.month) ||
        t.hour < 0 || t.hour > 23 || t.minute < 0 || t.minute > 59 || t.second < 0 ||
        t.second > 59) {
        char buffer[96];
        std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d %02d:%02d:%02d", t.year, t.month,
                      t.day, t.hour, t.minute, t.second);
        throw Error(ErrorKind::InvalidParameter,
                    name + " " + buffer + " is not a valid date and time");
    }
}

}  // namespace civil

// ---------------------------------------------------------------------------
// Time zones

FixedOffsetTimeZone::FixedOffsetTimeZone(std::int32_t offset_seconds)
    : offset_seconds_(offset_seconds) {
    if (offset_seconds < -86400 || offset_seconds > 86400)
        throw Error(ErrorKind::InvalidParameter, "time zone offset " +
                                                     std::to_string(offset_seconds) +
                                                     " s is out of range (-86400..86400 s)");
}

std::int64_t FixedOffsetTimeZone::local_to_utc(const LocalDateTime &local) const {
    return civil::to_seconds(local) - offset_seconds_;
}

LocalDateTime FixedOffsetTimeZone::utc_to_local(std::int64_t unix_seconds) const {
    return civil::from_seconds(unix_seconds + offset_seconds_);
}

struct IcuTimeZone::Impl {
    std::unique_ptr<icu::BasicTimeZone> zone;
};

IcuTimeZone::IcuTimeZone(std::string_view tz_name) : impl_(std::make_unique<Impl>()) {
    const std::string quoted = recurrence_detail::quote_text(tz_name, 64);
    // Longer than any IANA name (the longest is about 30 characters); refusing
    // early keeps the message short and ICU's work small.
    if (tz_name.empty() || tz_name.size() > 128)
        throw Error(ErrorKind::InvalidParameter, "time zone \"" + quoted + "\" is not known", {},
                    "Use an IANA time zone name such as Europe/Berlin.");
    const icu::UnicodeString id = icu::UnicodeString::fromUTF8(
        icu::StringPiece(tz_name.data(), static_cast<std::int32_t>(tz_name.size())));
    std::unique_ptr<icu::TimeZone> zone(icu::TimeZone::createTimeZone(id));
    icu::UnicodeString resolved;
    // ICU answers an unknown id with a copy of "Etc/Unknown" (GMT) rather than
    // failing, so that is the test.
    if (zone == nullptr || zone->getID(resolved) == icu::UnicodeString(UCAL_UNKNOWN_ZONE_ID))
        throw Error(ErrorKind::InvalidParameter, "time zone \"" + quoted + "\" is not known", {},
                    "Use an IANA time zone name such as Europe/Berlin.");
    // Every zone createTimeZone returns (Olson or simple) is a BasicTimeZone, which
    // is what offers the gap and overlap options of getOffsetFromLocal.
    auto *basic = dynamic_cast<icu::BasicTimeZone *>(zone.get());
    if (basic == nullptr)
        throw Error(ErrorKind::Internal,
                    "time zone \"" + quoted + "\" does not support local time resolution");
    zone.release();  // now owned through `basic`
    impl_->zone.reset(basic);
}

IcuTimeZone::~IcuTimeZone() = default;
IcuTimeZone::IcuTimeZone(IcuTimeZone &&) noexcept = default;
IcuTimeZone &IcuTimeZone::operator=(IcuTimeZone &&) noexcept = default;

std::int64_t IcuTimeZone::local_to_utc(const LocalDateTime &local) const {
    const std::int64_t local_seconds = civil::to_seconds(local);
    std::int32_t raw = 0;
    std::int32_t dst = 0;
    UErrorCode status = U_ZERO_ERROR;
    // FORMER for both: the offset in effect before the transition, which moves a
    // time in a gap forward and picks the first of two ambiguous times.
    impl_->zone->getOffsetFromLocal(static_cast<UDate>(local_seconds) * 1000.0,
                                    UCAL_TZ_LOCAL_FORMER, UCAL_TZ_LOCAL_FORMER, raw, dst, status);
    if (U_FAILURE(status))
        throw Error(ErrorKind::Internal, "time zone conversion failed",
                    std::string("ICU reported ") + u_errorName(status) + ".");
    return local_seconds - (static_cast<std::int64_t>(raw) + dst) / 1000;
}

LocalDateTime IcuTimeZone::utc_to_local(std::int64_t unix_seconds) const {
    std::int32_t raw = 0;
    std::int32_t dst = 0;
    UErrorCode status = U_ZERO_ERROR;
    impl_->zone->getOffset(static_cast<UDate>(unix_seconds) * 1000.0, false, raw, dst, status);
    if (U_FAILURE(status))
        throw Error(ErrorKind::Internal, "time zone conversion failed",
                    std::string("ICU reported ") + u_errorName(status) + ".");
    return civil::from_seconds(unix_seconds + (static_cast<std::int64_t>(raw) + dst) / 1000);
}

// ---------------------------------------------------------------------------
// Shared helpers

namespace recurrence_detail {

std::string quote_text(std::string_view text, std::size_t max_chars) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    std::size_t shown = 0;
    for (const char c : text) {
        if (shown == max_chars) {
            out += "...";
            break;
        }
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7f) {
            out += c;
        } else {
            out += "\\x";
            out += kHex[byte >> 4];
            out += kHex[byte & 0xf];
        }
        ++shown;
    }
    return out;
}

char ascii_upper(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

std::string ascii_upper(std::string_view text) {
    std::string out(text);
    for (char &c : out) c = ascii_upper(c);
    return out;
}

bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view text) noexcept {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> pieces;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = text.find(separator, start);
        if (end == std::string_view::npos) {
            pieces.push_back(text.substr(start));
            return pieces;
        }
        pieces.push_back(text.substr(start, end - start));
        start = end + 1;
    }
}

void Budget::spend(std::size_t iterations) {
    used_ += iterations;
    if (used_ <= max_) return;
    throw Error(ErrorKind::ProgramLimitExceeded,
                "recurrence rule \"" + quote_text(rule_text_) +
                    "\" exceeded max_iterations_per_occurrence (" + std::to_string(max_) + ")",
                "More than " + std::to_string(max_) +
                    " candidate dates were examined without finding the next occurrence: the "
                    "rule matches very rarely or never, or, with COUNT, dtstart lies far before "
                    "the range.",
                "Check that the rule can match; with COUNT, move dtstart closer to the range; "
                "otherwise narrow the range.");
}

}  // namespace recurrence_detail

// ---------------------------------------------------------------------------
// Rule and parse_rule

Rule::Rule(std::string text, std::variant<RRule, CronRule> body)
    : text_(std::move(text)), body_(std::move(body)) {}

Rule::Kind Rule::kind() const noexcept {
    return std::holds_alternative<RRule>(body_) ? Kind::RRule : Kind::Cron;
}

const RRule &Rule::rrule() const {
    if (const auto *rule = std::get_if<RRule>(&body_)) return *rule;
    throw Error(ErrorKind::Internal, "recurrence rule is a cron expression, not an RRULE");
}

const CronRule &Rule::cron() const {
    if (const auto *rule = std::get_if<CronRule>(&body_)) return *rule;
    throw Error(ErrorKind::Internal, "recurrence rule is an RRULE, not a cron expression");
}

const std::string &Rule::text() const noexcept { return text_; }

Rule parse_rule(std::string_view text) {
    if (text.size() > kRecurrenceMaxInputBytes)
        throw Error(ErrorKind::StringTooLong,
                    "recurrence rule is too long (" + std::to_string(text.size()) +
                        " bytes; at most " + std::to_string(kRecurrenceMaxInputBytes) + ")",
                    {}, "A recurrence rule is a single RRULE or cron expression.");
    const std::string_view body = recurrence_detail::trim(text);
    if (body.empty())
        throw Error(ErrorKind::InvalidParameter, "recurrence rule is empty", {},
                    "Write an RFC 5545 RRULE such as FREQ=MONTHLY;BYMONTHDAY=1, or a cron "
                    "expression such as \"0 9 1 * *\".");
    // '=' appears in every RRULE part and never in cron, so it tells them apart;
    // so does the "RRULE:" prefix, for a prefix followed by nothing useful.
    const bool rrule = body.find('=') != std::string_view::npos ||
                       recurrence_detail::ascii_upper(body.substr(0, 6)) == "RRULE:";
    if (rrule) return Rule(std::string(body), recurrence_detail::parse_rrule(body));
    return Rule(std::string(body), recurrence_detail::parse_cron(body));
}

// ---------------------------------------------------------------------------
// Expansion

struct Expansion::State {
    State(const Rule &rule_in, Limits limits_in)
        : rule(rule_in),
          limits(limits_in),
          budget(limits_in.max_iterations_per_occurrence, rule.text()) {}

    const Rule rule;  // a copy: the caller's Rule may be a temporary or a cache entry
    const Limits limits;
    recurrence_detail::Budget budget;  // refers to rule.text(), so State never moves
    std::unique_ptr<recurrence_detail::Engine> engine;  // null when the range is empty
    std::size_t returned = 0;
    bool finished = false;
};

Expansion::Expansion(const Rule &rule, LocalDateTime dtstart_local, const TimeZoneConverter &zone,
                     std::int64_t range_start_utc, std::int64_t range_end_utc, Limits limits)
    : state_(std::make_unique<State>(rule, limits)) {
    civil::check(dtstart_local, "dtstart");
    // The range is cut to the supported years, with two days to spare on each side
    // for the widest UTC offsets; nothing outside can be an occurrence anyway.
    constexpr std::int64_t kLowest =
        (recurrence_detail::kMinDay - 2) * recurrence_detail::kSecondsPerDay;
    constexpr std::int64_t kHighest =
        (recurrence_detail::kMaxDay + 3) * recurrence_detail::kSecondsPerDay;
    const recurrence_detail::Range range{std::clamp(range_start_utc, kLowest, kHighest),
                                         std::clamp(range_end_utc, kLowest, kHighest)};
    if (range.start_utc >= range.end_utc) {
        state_->finished = true;
        return;
    }
    const Rule &copy = state_->rule;
    state_->engine =
        copy.kind() == Rule::Kind::RRule
            ? recurrence_detail::make_rrule_engine(copy.rrule(), dtstart_local, zone, range)
            : recurrence_detail::make_cron_engine(copy.cron(), dtstart_local, zone, range);
}

Expansion::~Expansion() = default;
Expansion::Expansion(Expansion &&) noexcept = default;
Expansion &Expansion::operator=(Expansion &&) noexcept = default;

std::optional<std::int64_t> Expansion::next() {
    if (state_ == nullptr) return std::nullopt;  // moved from
    State &state = *state_;
    if (state.finished) return std::nullopt;
    // Whatever goes wrong, an expansion that has failed once stays finished rather
    // than resuming from a half-updated engine.
    state.finished = true;
    const std::optional<std::int64_t> occurrence = state.engine->next(state.budget);
    if (!occurrence) return std::nullopt;
    if (state.returned >= state.limits.max_occurrences)
        throw Error(ErrorKind::ProgramLimitExceeded,
                    "recurrence rule \"" + recurrence_detail::quote_text(state.rule.text()) +
                        "\" exceeded max_occurrences (" +
                        std::to_string(state.limits.max_occurrences) + ")",
                    "The range holds more than " + std::to_string(state.limits.max_occurrences) +
                        " occurrences of the rule.",
                    "Narrow the range between range_start and range_end, or expand it in "
                    "several calls.");
    ++state.returned;
    state.budget.reset();
    state.finished = false;
    return occurrence;
}

}  // namespace mycelium::core
