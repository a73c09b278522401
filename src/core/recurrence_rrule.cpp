// RFC 5545 RRULEs (with RFC 7529's RSCALE=GREGORIAN and SKIP): the parser and the
// expansion engine.
//
// The engine walks the FREQ periods (a day, a week starting on WKST, a month, a
// year) INTERVAL apart. For each period it lists the days that pass every BYxxx
// part, which for date parts is the same as RFC 5545's expand-then-limit order:
// expanding a period into its days and limiting by a part is an intersection
// either way. Then SKIP adds the moved invalid dates, BYSETPOS picks positions,
// and the days become local date-times at the rule's time of day, then UTC
// instants. Only one period's days (at most 366 and a few moved ones) are held at
// a time.
#include <algorithm>
#include <array>
#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/recurrence.hpp"
#include "core/recurrence_internal.hpp"
#include "core/no_postgres.hpp"

namespace mycelium::core::recurrence_detail {
namespace {

// ---------------------------------------------------------------------------
// Parsing

constexpr std::int64_t kMaxInterval = 10000;
constexpr std::int64_t kMaxCount = 2147483647;

[[noreturn]] void fail(const std::string &message, std::string detail = {}, std::string hint = {}) {
    throw Error(ErrorKind::InvalidParameter, "recurrence rule: " + message, std::move(detail),
                std::move(hint));
}

enum class Part {
    Freq,
    Until,
    Count,
    Interval,
    BySecond,
    ByMinute,
    ByHour,
    ByDay,
    ByMonthDay,
    ByYearDay,
    ByWeekNo,
    ByMonth,
    BySetPos,
    Wkst,
    Rscale,
    Skip,
    kCount  // number of parts
};

struct PartName {
    std::string_view name;
    Part part;
};

constexpr PartName kPartNames[] = {
    {"FREQ", Part::Freq},           {"UNTIL", Part::Until},       {"COUNT", Part::Count},
    {"INTERVAL", Part::Interval},   {"BYSECOND", Part::BySecond}, {"BYMINUTE", Part::ByMinute},
    {"BYHOUR", Part::ByHour},       {"BYDAY", Part::ByDay},       {"BYMONTHDAY", Part::ByMonthDay},
    {"BYYEARDAY", Part::ByYearDay}, {"BYWEEKNO", Part::ByWeekNo}, {"BYMONTH", Part::ByMonth},
    {"BYSETPOS", Part::BySetPos},   {"WKST", Part::Wkst},         {"RSCALE", Part::Rscale},
    {"SKIP", Part::Skip},
};

constexpr std::string_view kKnownParts =
    "The parts are FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYYEARDAY, "
    "BYWEEKNO, BYSETPOS, BYHOUR, BYMINUTE, BYSECOND, WKST, RSCALE and SKIP.";

// An optionally signed decimal integer; nullopt for anything else, and for more
// digits than any valid value has (so that no value can overflow).
std::optional<std::int64_t> parse_integer(std::string_view text) {
    bool negative = false;
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    if (text.empty() || text.size() > 12) return std::nullopt;
    std::int64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return negative ? -value : value;
}

std::optional<Weekday> parse_weekday(std::string_view text) {
    static constexpr std::array<std::string_view, 7> kNames = {"MO", "TU", "WE", "TH",
                                                               "FR", "SA", "SU"};
    const std::string upper = ascii_upper(text);
    for (std::size_t i = 0; i < kNames.size(); ++i)
        if (upper == kNames[i]) return static_cast<Weekday>(i);
    return std::nullopt;
}

// One NAME=VALUE part as written, for parsing and for error messages.
struct RawPart {
    std::string name;  // upper case
    std::string_view value;
    std::string shown(std::string_view item) const { return name + "=" + quote_text(item, 40); }
};

// The items of a list value, each trimmed; an empty item is an error.
std::vector<std::string_view> list_items(const RawPart &part) {
    std::vector<std::string_view> items = split(part.value, ',');
    for (std::string_view &item : items) {
        item = trim(item);
        if (item.empty()) fail(part.name + "=" + quote_text(part.value, 60) + " has an empty item");
    }
    return items;
}

// A whole number in [low, high], or in [-high, -low] too when `negatives`; the
// message spells the accepted range as the RFC does ("-31..-1, 1..31").
std::int64_t parse_number(const RawPart &part, std::string_view item, std::int64_t low,
                          std::int64_t high, bool negatives) {
    const std::optional<std::int64_t> value = parse_integer(item);
    const std::string range = negatives
                                  ? "-" + std::to_string(high) + "..-" + std::to_string(low) +
                                        ", " + std::to_string(low) + ".." + std::to_string(high)
                                  : std::to_string(low) + ".." + std::to_string(high);
    if (!value) fail(part.shown(item) + " is not a whole number (" + range + ")");
    const std::int64_t magnitude = *value < 0 ? -*value : *value;
    const bool ok = (*value >= 0 || negatives) && magnitude >= low && magnitude <= high;
    if (!ok) fail(part.shown(item) + " is out of range (" + range + ")");
    return *value;
}

std::vector<int> parse_number_list(const RawPart &part, int low, int high, bool negatives) {
    std::vector<int> values;
    for (const std::string_view item : list_items(part))
        values.push_back(static_cast<int>(parse_number(part, item, low, high, negatives)));
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return values;
}

int parse_single_time_part(const RawPart &part, int high) {
    const std::vector<std::string_view> items = list_items(part);
    if (items.size() > 1)
        fail(part.name + "=" + quote_text(part.value, 60) +
                 " has more than one value: sub-daily recurrence is not supported for "
                 "deliverables",
             part.name + " may only set the time of day, with a single value.",
             "Use one value, or one rule per time of day.");
    return static_cast<int>(parse_number(part, items.front(), 0, high, false));
}

// Two letters for the weekday, an optional signed ordinal before them.
WeekdayNum parse_weekday_num(const RawPart &part, std::string_view item) {
    const auto bad = [&]() {
        fail(part.shown(item) +
             " is not a weekday (MO, TU, WE, TH, FR, SA or SU, optionally with an ordinal "
             "such as 2TU or -1FR)");
    };
    if (item.size() < 2) bad();
    const std::optional<Weekday> weekday = parse_weekday(item.substr(item.size() - 2));
    if (!weekday) bad();
    WeekdayNum result;
    result.weekday = *weekday;
    const std::string_view ordinal = item.substr(0, item.size() - 2);
    if (!ordinal.empty()) {
        const std::optional<std::int64_t> value = parse_integer(ordinal);
        if (!value) bad();
        if (*value == 0 || *value > 53 || *value < -53)
            fail(part.shown(item) + ": the ordinal is out of range (-53..-1, 1..53)");
        result.ordinal = static_cast<int>(*value);
    }
    return result;
}

// YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ.
Until parse_until(const RawPart &part) {
    const std::string text = ascii_upper(part.value);
    const auto bad = [&]() {
        fail(part.shown(part.value) +
             " is not a date (YYYYMMDD) or a UTC date-time (YYYYMMDDTHHMMSSZ)");
    };
    const auto digits = [&](std::size_t from, std::size_t count) {
        int value = 0;
        for (std::size_t i = from; i < from + count; ++i) {
            if (text[i] < '0' || text[i] > '9') bad();
            value = value * 10 + (text[i] - '0');
        }
        return value;
    };
    if (text.size() != 8 && text.size() != 15 && text.size() != 16) bad();
    LocalDateTime local{digits(0, 4), digits(4, 2), digits(6, 2), 0, 0, 0};
    Until until;
    until.kind = Until::Kind::Date;
    if (text.size() > 8) {
        if (text[8] != 'T' || (text.size() == 16 && text[15] != 'Z')) bad();
        local.hour = digits(9, 2);
        local.minute = digits(11, 2);
        local.second = digits(13, 2);
        until.kind = text.size() == 16 ? Until::Kind::Utc : Until::Kind::LocalDateTime;
    }
    if (local.year < kRecurrenceMinYear || local.year > kRecurrenceMaxYear)
        fail(part.shown(part.value) + " is out of range: years 1 to 9999 are supported");
    if (local.month < 1 || local.month > 12 || local.day < 1 ||
        local.day > civil::days_in_month(local.year, local.month) || local.hour > 23 ||
        local.minute > 59 || local.second > 59)
        fail(part.shown(part.value) + " is not a valid date and time");
    until.local = local;
    until.utc = civil::to_seconds(local);  // for Kind::Utc, the local fields are UTC
    return until;
}

// A fixed year of each kind, to ask "which month is year day n in" cheaply.
constexpr std::int64_t kCommonYear = 2001;
constexpr std::int64_t kLeapYear = 2004;

int month_of_year_day(std::int64_t year, int year_day) {
    const int length = civil::is_leap_year(year) ? 366 : 365;
    const int day = year_day > 0 ? year_day : length + year_day + 1;
    if (day < 1 || day > length) return 0;
    return civil::civil_from_days(civil::days_from_civil(year, 1, 1) + day - 1).month;
}

// Each part's value as written, for messages.
using PartValues = std::array<std::string, static_cast<std::size_t>(Part::kCount)>;

// The checks that tell, at parse time and cheaply, that a rule can never match.
void check_satisfiable(const RRule &rule, const PartValues &values) {
    const bool skip_moves = rule.skip != Skip::Omit && (rule.frequency == Frequency::Monthly ||
                                                        rule.frequency == Frequency::Yearly);
    if (!rule.by_month.empty() && !rule.by_month_day.empty()) {
        bool possible = false;
        for (const int month : rule.by_month)
            for (const int day : rule.by_month_day) {
                const int longest = civil::days_in_month(kLeapYear, month);
                if ((day > 0 && (day <= longest || skip_moves)) || (day < 0 && -day <= longest))
                    possible = true;
            }
        if (!possible)
            fail("BYMONTH=" + quote_text(values[static_cast<std::size_t>(Part::ByMonth)], 60) +
                     " with BYMONTHDAY=" +
                     quote_text(values[static_cast<std::size_t>(Part::ByMonthDay)], 60) +
                     " never matches",
                 "None of the months has any of the days.",
                 "Use BYMONTHDAY=-1 for the last day of the month, or SKIP=BACKWARD to move a "
                 "missing day to the month's last day.");
    }
    if (!rule.by_month.empty() && !rule.by_year_day.empty()) {
        bool possible = false;
        for (const int year_day : rule.by_year_day)
            for (const std::int64_t year : {kCommonYear, kLeapYear}) {
                const int month = month_of_year_day(year, year_day);
                if (std::find(rule.by_month.begin(), rule.by_month.end(), month) !=
                    rule.by_month.end())
                    possible = true;
            }
        if (!possible)
            fail("BYMONTH=" + quote_text(values[static_cast<std::size_t>(Part::ByMonth)], 60) +
                     " with BYYEARDAY=" +
                     quote_text(values[static_cast<std::size_t>(Part::ByYearDay)], 60) +
                     " never matches",
                 "None of the days of the year falls in any of the months.");
    }
}

}  // namespace

RRule parse_rrule(std::string_view text) {
    if (text.size() >= 6 && ascii_upper(text.substr(0, 6)) == "RRULE:") text.remove_prefix(6);
    std::vector<std::string_view> parts = split(text, ';');
    // "FREQ=DAILY;" is common enough in the wild to tolerate one trailing ';'.
    if (parts.size() > 1 && trim(parts.back()).empty()) parts.pop_back();

    std::array<bool, static_cast<std::size_t>(Part::kCount)> seen{};
    PartValues values;
    RRule rule;
    std::optional<std::string> unsupported_frequency;
    bool have_frequency = false;
    std::vector<WeekdayNum> by_day;

    for (const std::string_view raw : parts) {
        const std::string_view piece = trim(raw);
        if (piece.empty()) {
            if (parts.size() == 1)
                fail("FREQ is missing", {}, "Start with FREQ=DAILY, WEEKLY, MONTHLY or YEARLY.");
            fail("empty part between two ';'");
        }
        const std::size_t equals = piece.find('=');
        if (equals == std::string_view::npos)
            fail("\"" + quote_text(piece, 40) + "\" is not a NAME=VALUE part", {},
                 std::string(kKnownParts));
        RawPart part{ascii_upper(trim(piece.substr(0, equals))), trim(piece.substr(equals + 1))};
        const PartName *known = nullptr;
        for (const PartName &entry : kPartNames)
            if (entry.name == part.name) known = &entry;
        // "DTSTART:...\nRRULE:..." pasted from an iCalendar file.
        if (known == nullptr && part.name.rfind("DTSTART", 0) == 0)
            fail("DTSTART is not part of a rule", {},
                 "Pass the start as dtstart and only the RRULE's value as the rule.");
        if (known == nullptr)
            fail("unknown part \"" + quote_text(part.name, 40) + "\"", {},
                 std::string(kKnownParts));
        const auto index = static_cast<std::size_t>(known->part);
        if (seen[index]) fail(part.name + " appears more than once");
        seen[index] = true;
        values[index] = std::string(part.value);
        if (part.value.empty()) fail(part.name + " has no value");

        switch (known->part) {
            case Part::Freq: {
                const std::string value = ascii_upper(part.value);
                have_frequency = true;
                if (value == "DAILY") {
                    rule.frequency = Frequency::Daily;
                } else if (value == "WEEKLY") {
                    rule.frequency = Frequency::Weekly;
                } else if (value == "MONTHLY") {
                    rule.frequency = Frequency::Monthly;
                } else if (value == "YEARLY") {
                    rule.frequency = Frequency::Yearly;
                } else if (value == "SECONDLY" || value == "MINUTELY" || value == "HOURLY") {
                    unsupported_frequency = value;
                } else {
                    fail(part.shown(part.value) +
                         " is not a frequency (DAILY, WEEKLY, MONTHLY or YEARLY)");
                }
                break;
            }
            case Part::Until:
                rule.until = parse_until(part);
                break;
            case Part::Count:
                rule.count = parse_number(part, part.value, 1, kMaxCount, false);
                break;
            case Part::Interval:
                rule.interval = parse_number(part, part.value, 1, kMaxInterval, false);
                break;
            case Part::BySecond:
                rule.by_second = parse_single_time_part(part, 59);
                break;
            case Part::ByMinute:
                rule.by_minute = parse_single_time_part(part, 59);
                break;
            case Part::ByHour:
                rule.by_hour = parse_single_time_part(part, 23);
                break;
            case Part::ByDay:
                for (const std::string_view item : list_items(part))
                    by_day.push_back(parse_weekday_num(part, item));
                break;
            case Part::ByMonthDay:
                rule.by_month_day = parse_number_list(part, 1, 31, true);
                break;
            case Part::ByYearDay:
                rule.by_year_day = parse_number_list(part, 1, 366, true);
                break;
            case Part::ByWeekNo:
                rule.by_week_no = parse_number_list(part, 1, 53, true);
                break;
            case Part::ByMonth:
                rule.by_month = parse_number_list(part, 1, 12, false);
                break;
            case Part::BySetPos:
                rule.by_set_pos = parse_number_list(part, 1, 366, true);
                break;
            case Part::Wkst: {
                const std::optional<Weekday> weekday = parse_weekday(part.value);
                if (!weekday)
                    fail(part.shown(part.value) +
                         " is not a weekday (MO, TU, WE, TH, FR, SA or SU)");
                rule.week_start = *weekday;
                break;
            }
            case Part::Rscale:
                if (ascii_upper(part.value) != "GREGORIAN")
                    fail(part.shown(part.value) + " is not supported: only RSCALE=GREGORIAN is");
                break;
            case Part::Skip: {
                const std::string value = ascii_upper(part.value);
                if (value == "OMIT") {
                    rule.skip = Skip::Omit;
                } else if (value == "BACKWARD") {
                    rule.skip = Skip::Backward;
                } else if (value == "FORWARD") {
                    rule.skip = Skip::Forward;
                } else {
                    fail(part.shown(part.value) + " is not OMIT, BACKWARD or FORWARD");
                }
                break;
            }
            case Part::kCount:
                break;
        }
    }

    if (unsupported_frequency)
        fail("FREQ=" + *unsupported_frequency +
                 " is not supported: sub-daily recurrence is not supported for deliverables",
             {}, "Use FREQ=DAILY, WEEKLY, MONTHLY or YEARLY.");
    if (!have_frequency)
        fail("FREQ is missing", {}, "Start with FREQ=DAILY, WEEKLY, MONTHLY or YEARLY.");
    if (rule.count && rule.until) fail("COUNT and UNTIL cannot be used together");

    const Frequency freq = rule.frequency;
    const bool yearly = freq == Frequency::Yearly;
    const bool monthly = freq == Frequency::Monthly;
    if (!rule.by_month_day.empty() && freq == Frequency::Weekly)
        fail("BYMONTHDAY is not allowed with FREQ=WEEKLY", {},
             "Use FREQ=MONTHLY or FREQ=DAILY with BYMONTHDAY.");
    if (!rule.by_year_day.empty() && !yearly) fail("BYYEARDAY is only allowed with FREQ=YEARLY");
    if (!rule.by_week_no.empty() && !yearly) fail("BYWEEKNO is only allowed with FREQ=YEARLY");
    const bool ordinal_in_month = monthly || (yearly && !rule.by_month.empty());
    for (const WeekdayNum &entry : by_day) {
        if (entry.ordinal == 0) continue;
        static constexpr std::array<std::string_view, 7> kNames = {"MO", "TU", "WE", "TH",
                                                                   "FR", "SA", "SU"};
        const std::string shown = "BYDAY=" + std::to_string(entry.ordinal) +
                                  std::string(kNames[static_cast<int>(entry.weekday)]);
        if (!monthly && !yearly)
            fail(shown + ": an ordinal is only allowed with FREQ=MONTHLY or FREQ=YEARLY");
        if (!rule.by_week_no.empty()) fail(shown + ": an ordinal is not allowed with BYWEEKNO");
        if (ordinal_in_month && (entry.ordinal > 5 || entry.ordinal < -5))
            fail(shown + " never matches: a month has at most 5 of each weekday");
    }
    // Duplicates are harmless but sorted unique lists make the engine simpler.
    std::sort(by_day.begin(), by_day.end(), [](const WeekdayNum &a, const WeekdayNum &b) {
        return std::make_pair(a.weekday, a.ordinal) < std::make_pair(b.weekday, b.ordinal);
    });
    by_day.erase(std::unique(by_day.begin(), by_day.end(),
                             [](const WeekdayNum &a, const WeekdayNum &b) {
                                 return a.weekday == b.weekday && a.ordinal == b.ordinal;
                             }),
                 by_day.end());
    rule.by_day = std::move(by_day);
    if (!rule.by_set_pos.empty() && rule.by_day.empty() && rule.by_month_day.empty() &&
        rule.by_month.empty() && rule.by_year_day.empty() && rule.by_week_no.empty() &&
        !rule.by_hour && !rule.by_minute && !rule.by_second)
        fail("BYSETPOS needs another BYxxx part to select from", {},
             "For example FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1 is the last weekday of "
             "the month.");
    check_satisfiable(rule, values);
    return rule;
}

namespace {

// ---------------------------------------------------------------------------
// Expansion

class RRuleEngine final : public Engine {
  public:
    RRuleEngine(const RRule &rule, const LocalDateTime &dtstart, const TimeZoneConverter &zone,
                Range range);
    std::optional<std::int64_t> next(Budget &budget) override;

  private:
    std::int64_t first_day_of(std::int64_t unit) const;
    std::int64_t week_start(std::int64_t day) const;
    bool fill_period(Budget &budget);
    void examine_day(std::int64_t day);
    std::size_t examine_month(std::int64_t year, int month);
    bool weekday_matches(std::int64_t day, const civil::Date &date) const;
    bool year_day_matches(std::int64_t day, std::int64_t year) const;
    bool week_no_matches(std::int64_t day, std::int64_t year) const;
    std::int64_t week_one_start(std::int64_t year) const;
    void select_set_positions();

    const TimeZoneConverter &zone_;
    const Range range_;
    const Frequency frequency_;
    const Skip skip_;
    const Weekday week_start_;
    std::int64_t time_of_day_ = 0;    // seconds after local midnight
    std::int64_t dtstart_local_ = 0;  // local seconds
    std::optional<std::int64_t> count_;
    std::optional<Until::Kind> until_kind_;
    std::int64_t until_value_ = 0;  // UTC seconds or local seconds, by until_kind_
    std::int64_t last_day_ = 0;     // no period starting after it can hold an occurrence

    // The BYxxx parts as sets, with the parts that RFC 5545 takes from dtstart
    // filled in.
    std::bitset<13> months_;
    std::bitset<32> month_days_;           // 1..31
    std::bitset<32> month_days_from_end_;  // 1..31: -1 is bit 1
    bool has_month_days_ = false;
    std::bitset<367> year_days_;
    std::bitset<367> year_days_from_end_;
    bool has_year_days_ = false;
    std::bitset<54> week_nos_;
    std::bitset<54> week_nos_from_end_;
    bool has_week_nos_ = false;
    std::bitset<7> any_weekday_;  // BYDAY entries without an ordinal
    std::array<std::bitset<54>, 7> nth_weekday_{};
    std::array<std::bitset<54>, 7> nth_weekday_from_end_{};
    std::bitset<7> has_nth_weekday_;
    bool has_weekdays_ = false;
    bool ordinal_in_month_ = false;
    std::vector<int> set_positions_;

    // The walk: `unit_` names the current period (a day number for DAILY, the day
    // number of the week's first day for WEEKLY, year * 12 + month - 1 for MONTHLY,
    // the year for YEARLY); `step_` is INTERVAL in those units.
    std::int64_t unit_ = 0;
    std::int64_t step_ = 1;
    std::vector<std::int64_t> days_;  // the current period's days, sorted
    std::size_t position_ = 0;
    std::int64_t last_local_ = 0;  // the last generated local time, for duplicates
    bool generated_any_ = false;
    std::int64_t generated_ = 0;  // for COUNT
    std::optional<std::int64_t> last_utc_;
    bool done_ = false;
};

RRuleEngine::RRuleEngine(const RRule &rule, const LocalDateTime &dtstart,
                         const TimeZoneConverter &zone, Range range)
    : zone_(zone),
      range_(range),
      frequency_(rule.frequency),
      skip_(rule.skip),
      week_start_(rule.week_start),
      count_(rule.count) {
    const std::int64_t dtstart_day =
        civil::days_from_civil(dtstart.year, dtstart.month, dtstart.day);
    dtstart_local_ = civil::to_seconds(dtstart);
    time_of_day_ = static_cast<std::int64_t>(rule.by_hour.value_or(dtstart.hour)) * 3600 +
                   rule.by_minute.value_or(dtstart.minute) * 60 +
                   rule.by_second.value_or(dtstart.second);

    // RFC 5545: "Information, not contained in the rule, necessary to determine the
    // various recurrence instance start time and dates are derived from DTSTART."
    const bool no_day_parts = rule.by_week_no.empty() && rule.by_year_day.empty() &&
                              rule.by_month_day.empty() && rule.by_day.empty();
    if (!rule.by_month.empty()) {
        for (const int month : rule.by_month) months_.set(static_cast<std::size_t>(month));
    } else if (frequency_ == Frequency::Yearly && no_day_parts) {
        months_.set(static_cast<std::size_t>(dtstart.month));
    } else {
        for (std::size_t month = 1; month <= 12; ++month) months_.set(month);
    }
    std::vector<int> month_days = rule.by_month_day;
    if (no_day_parts && (frequency_ == Frequency::Monthly || frequency_ == Frequency::Yearly))
        month_days.push_back(dtstart.day);
    for (const int day : month_days) {
        if (day > 0)
            month_days_.set(static_cast<std::size_t>(day));
        else
            month_days_from_end_.set(static_cast<std::size_t>(-day));
    }
    has_month_days_ = !month_days.empty();
    for (const int day : rule.by_year_day) {
        if (day > 0)
            year_days_.set(static_cast<std::size_t>(day));
        else
            year_days_from_end_.set(static_cast<std::size_t>(-day));
    }
    has_year_days_ = !rule.by_year_day.empty();
    for (const int week : rule.by_week_no) {
        if (week > 0)
            week_nos_.set(static_cast<std::size_t>(week));
        else
            week_nos_from_end_.set(static_cast<std::size_t>(-week));
    }
    has_week_nos_ = !rule.by_week_no.empty();
    std::vector<WeekdayNum> by_day = rule.by_day;
    if (no_day_parts && frequency_ == Frequency::Weekly)
        by_day.push_back(WeekdayNum{0, civil::weekday_from_days(dtstart_day)});
    for (const WeekdayNum &entry : by_day) {
        const auto weekday = static_cast<std::size_t>(entry.weekday);
        if (entry.ordinal == 0) {
            any_weekday_.set(weekday);
        } else {
            has_nth_weekday_.set(weekday);
            if (entry.ordinal > 0)
                nth_weekday_[weekday].set(static_cast<std::size_t>(entry.ordinal));
            else
                nth_weekday_from_end_[weekday].set(static_cast<std::size_t>(-entry.ordinal));
        }
    }
    has_weekdays_ = !by_day.empty();
    ordinal_in_month_ = frequency_ == Frequency::Monthly ||
                        (frequency_ == Frequency::Yearly && !rule.by_month.empty());
    set_positions_ = rule.by_set_pos;

    if (rule.until) {
        until_kind_ = rule.until->kind;
        switch (rule.until->kind) {
            case Until::Kind::Utc:
                until_value_ = rule.until->utc;
                break;
            case Until::Kind::Date:  // the whole local day
                until_value_ = civil::to_seconds(rule.until->local) + kSecondsPerDay - 1;
                break;
            case Until::Kind::LocalDateTime:
                until_value_ = civil::to_seconds(rule.until->local);
                break;
        }
    }

    // Where to stop looking: two days past the range's end (local days differ from
    // UTC days by less than that in every zone), past UNTIL, or past year 9999.
    last_day_ = std::min(kMaxDay, floor_div(range_.end_utc - 1, kSecondsPerDay) + 2);
    if (until_kind_) last_day_ = std::min(last_day_, floor_div(until_value_, kSecondsPerDay) + 2);

    switch (frequency_) {
        case Frequency::Daily:
            unit_ = dtstart_day;
            step_ = rule.interval;
            break;
        case Frequency::Weekly:
            unit_ = week_start(dtstart_day);
            step_ = rule.interval * 7;
            break;
        case Frequency::Monthly:
            unit_ = static_cast<std::int64_t>(dtstart.year) * 12 + dtstart.month - 1;
            step_ = rule.interval;
            break;
        case Frequency::Yearly:
            unit_ = dtstart.year;
            step_ = rule.interval;
            break;
    }

    // Without COUNT nothing before the range matters, so jump straight to the last
    // period (in INTERVAL steps from dtstart's) that starts two days or more before
    // range_start: however old dtstart is, the walk starts next to the range. With
    // COUNT every earlier occurrence must be counted, so the walk starts at dtstart.
    if (!count_) {
        const std::int64_t target_day = floor_div(range_.start_utc, kSecondsPerDay) - 2;
        if (target_day > dtstart_day) {
            std::int64_t target_unit = 0;
            switch (frequency_) {
                case Frequency::Daily:
                    target_unit = target_day;
                    break;
                case Frequency::Weekly:
                    target_unit = week_start(target_day);
                    break;
                case Frequency::Monthly: {
                    const civil::Date date = civil::civil_from_days(target_day);
                    target_unit = date.year * 12 + date.month - 1;
                    break;
                }
                case Frequency::Yearly:
                    target_unit = civil::civil_from_days(target_day).year;
                    break;
            }
            unit_ += floor_div(target_unit - unit_, step_) * step_;
        }
    }
}

std::int64_t RRuleEngine::week_start(std::int64_t day) const {
    const auto weekday = static_cast<std::int64_t>(civil::weekday_from_days(day));
    return day - floor_mod(weekday - static_cast<std::int64_t>(week_start_), 7);
}

std::int64_t RRuleEngine::first_day_of(std::int64_t unit) const {
    switch (frequency_) {
        case Frequency::Daily:
        case Frequency::Weekly:
            return unit;
        case Frequency::Monthly:
            return civil::days_from_civil(floor_div(unit, 12),
                                          static_cast<int>(floor_mod(unit, 12)) + 1, 1);
        case Frequency::Yearly:
            return civil::days_from_civil(unit, 1, 1);
    }
    return unit;
}

// Week 1 of a year starts on the WKST day on or before January 4: that week is the
// first with at least four days in the year, which is RFC 5545's (and ISO 8601's)
// definition.
std::int64_t RRuleEngine::week_one_start(std::int64_t year) const {
    return week_start(civil::days_from_civil(year, 1, 4));
}

bool RRuleEngine::week_no_matches(std::int64_t day, std::int64_t year) const {
    // A day belongs to the numbering of the year whose week 1 it follows: late
    // December can be in week 1 of the next year, early January in the last week of
    // the previous one.
    std::int64_t numbering_year = year;
    if (day < week_one_start(year))
        numbering_year = year - 1;
    else if (day >= week_one_start(year + 1))
        numbering_year = year + 1;
    const std::int64_t start = week_one_start(numbering_year);
    const std::int64_t weeks = (week_one_start(numbering_year + 1) - start) / 7;
    const std::int64_t week = (day - start) / 7 + 1;
    return week_nos_.test(static_cast<std::size_t>(week)) ||
           week_nos_from_end_.test(static_cast<std::size_t>(weeks - week + 1));
}

bool RRuleEngine::year_day_matches(std::int64_t day, std::int64_t year) const {
    const std::int64_t length = civil::is_leap_year(year) ? 366 : 365;
    const std::int64_t year_day = day - civil::days_from_civil(year, 1, 1) + 1;
    return year_days_.test(static_cast<std::size_t>(year_day)) ||
           year_days_from_end_.test(static_cast<std::size_t>(length - year_day + 1));
}

bool RRuleEngine::weekday_matches(std::int64_t day, const civil::Date &date) const {
    const auto weekday = static_cast<std::size_t>(civil::weekday_from_days(day));
    if (any_weekday_.test(weekday)) return true;
    if (!has_nth_weekday_.test(weekday)) return false;
    // "2TU" counts Tuesdays within the month for MONTHLY (and YEARLY with BYMONTH),
    // within the year otherwise.
    std::int64_t first = 0;
    std::int64_t last = 0;
    if (ordinal_in_month_) {
        first = day - (date.day - 1);
        last = first + civil::days_in_month(date.year, date.month) - 1;
    } else {
        first = civil::days_from_civil(date.year, 1, 1);
        last = civil::days_from_civil(date.year, 12, 31);
    }
    const auto nth = static_cast<std::size_t>((day - first) / 7 + 1);
    const auto nth_from_end = static_cast<std::size_t>((last - day) / 7 + 1);
    return nth_weekday_[weekday].test(nth) || nth_weekday_from_end_[weekday].test(nth_from_end);
}

// DAILY and WEEKLY periods: every BYxxx part limits.
void RRuleEngine::examine_day(std::int64_t day) {
    if (day < kMinDay || day > kMaxDay) return;
    const civil::Date date = civil::civil_from_days(day);
    if (!months_.test(static_cast<std::size_t>(date.month))) return;
    if (has_month_days_) {
        const int length = civil::days_in_month(date.year, date.month);
        if (!month_days_.test(static_cast<std::size_t>(date.day)) &&
            !month_days_from_end_.test(static_cast<std::size_t>(length - date.day + 1)))
            return;
    }
    if (has_weekdays_ && !weekday_matches(day, date)) return;
    days_.push_back(day);
}

// MONTHLY and YEARLY periods, one month at a time; returns the days examined.
std::size_t RRuleEngine::examine_month(std::int64_t year, int month) {
    const int length = civil::days_in_month(year, month);
    const std::int64_t first = civil::days_from_civil(year, month, 1);
    for (int day_of_month = 1; day_of_month <= length; ++day_of_month) {
        const std::int64_t day = first + day_of_month - 1;
        if (has_month_days_ && !month_days_.test(static_cast<std::size_t>(day_of_month)) &&
            !month_days_from_end_.test(static_cast<std::size_t>(length - day_of_month + 1)))
            continue;
        if (has_week_nos_ && !week_no_matches(day, year)) continue;
        if (has_year_days_ && !year_day_matches(day, year)) continue;
        if (has_weekdays_ && !weekday_matches(day, civil::Date{year, month, day_of_month}))
            continue;
        days_.push_back(day);
    }
    // RFC 7529: a day of the month past this month's end (February 30) is an
    // invalid date; SKIP=BACKWARD moves it to the month's last day, FORWARD to the
    // next month's first. All such days of one month land on the same date.
    if (skip_ != Skip::Omit && has_month_days_ && length < 31 &&
        (month_days_ >> static_cast<std::size_t>(length + 1)).any()) {
        const std::int64_t moved = skip_ == Skip::Backward ? first + length - 1 : first + length;
        const civil::Date date = civil::civil_from_days(moved);
        if ((!has_week_nos_ || week_no_matches(moved, date.year)) &&
            (!has_year_days_ || year_day_matches(moved, date.year)) &&
            (!has_weekdays_ || weekday_matches(moved, date)))
            days_.push_back(moved);
    }
    return static_cast<std::size_t>(length);
}

void RRuleEngine::select_set_positions() {
    const auto size = static_cast<std::int64_t>(days_.size());
    std::vector<std::int64_t> selected;
    for (const int position : set_positions_) {
        const std::int64_t index = position > 0 ? position - 1 : size + position;
        if (index >= 0 && index < size) selected.push_back(days_[static_cast<std::size_t>(index)]);
    }
    std::sort(selected.begin(), selected.end());
    selected.erase(std::unique(selected.begin(), selected.end()), selected.end());
    days_.swap(selected);
}

bool RRuleEngine::fill_period(Budget &budget) {
    days_.clear();
    position_ = 0;
    if (first_day_of(unit_) > last_day_) return false;
    std::size_t examined = 0;
    switch (frequency_) {
        case Frequency::Daily:
            examine_day(unit_);
            examined = 1;
            break;
        case Frequency::Weekly:
            for (std::int64_t day = unit_; day < unit_ + 7; ++day) examine_day(day);
            examined = 7;
            break;
        case Frequency::Monthly: {
            const int month = static_cast<int>(floor_mod(unit_, 12)) + 1;
            if (months_.test(static_cast<std::size_t>(month)))
                examined = examine_month(floor_div(unit_, 12), month);
            break;
        }
        case Frequency::Yearly:
            for (int month = 1; month <= 12; ++month)
                if (months_.test(static_cast<std::size_t>(month)))
                    examined += examine_month(unit_, month);
            break;
    }
    budget.spend(std::max<std::size_t>(examined, 1));
    unit_ += step_;
    std::sort(days_.begin(), days_.end());
    days_.erase(std::unique(days_.begin(), days_.end()), days_.end());
    if (!set_positions_.empty()) select_set_positions();
    return true;
}

std::optional<std::int64_t> RRuleEngine::next(Budget &budget) {
    while (!done_) {
        if (position_ == days_.size()) {
            if (!fill_period(budget)) done_ = true;
            continue;
        }
        const std::int64_t day = days_[position_++];
        if (day < kMinDay || day > kMaxDay) continue;
        const std::int64_t local = day * kSecondsPerDay + time_of_day_;
        if (local < dtstart_local_) continue;
        // SKIP=FORWARD can move February 30 onto a March 1 that March's own period
        // generates too: one instance.
        if (generated_any_ && local <= last_local_) continue;
        generated_any_ = true;
        last_local_ = local;
        if (until_kind_ && *until_kind_ != Until::Kind::Utc && local > until_value_) {
            done_ = true;
            break;
        }
        const std::int64_t utc = zone_.local_to_utc(civil::from_seconds(local));
        if (until_kind_ == Until::Kind::Utc && utc > until_value_) {
            done_ = true;
            break;
        }
        ++generated_;
        if (count_ && generated_ >= *count_) done_ = true;  // this one is the last
        if (utc >= range_.end_utc) {
            done_ = true;
            break;
        }
        if (utc < range_.start_utc) continue;
        // Local times that a zone change maps out of order (never for one time of
        // day on distinct days in real zones) are dropped rather than returned twice.
        if (last_utc_ && utc <= *last_utc_) continue;
        last_utc_ = utc;
        return utc;
    }
    return std::nullopt;
}

}  // namespace

std::unique_ptr<Engine> make_rrule_engine(const RRule &rule, const LocalDateTime &dtstart,
                                          const TimeZoneConverter &zone, Range range) {
    return std::make_unique<RRuleEngine>(rule, dtstart, zone, range);
}

}  // namespace mycelium::core::recurrence_detail
