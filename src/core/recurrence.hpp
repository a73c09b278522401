// Recurrence rules: RFC 5545 RRULEs (with RFC 7529's SKIP) and 5-field cron
// expressions, parsed once and expanded lazily into UTC instants.
//
// The core does its calendar arithmetic on local civil date-times and converts
// local <-> UTC through a TimeZoneConverter that the caller provides, so that the
// server can use PostgreSQL's own time zone database while the unit tests use ICU.
// Nothing here builds a whole recurrence set: Expansion produces one occurrence at
// a time, and every call is bounded by Limits.
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mycelium::core {

// Rules longer than this are refused before any parsing: a real rule is a few
// dozen bytes, and the limit keeps error messages and parse time small.
inline constexpr std::size_t kRecurrenceMaxInputBytes = 1024;

// The supported calendar range. PostgreSQL's timestamptz goes further, but
// recurring deliverables before year 1 or after 9999 make no sense, and a fixed
// range keeps every day number comfortably inside 64-bit arithmetic.
inline constexpr int kRecurrenceMinYear = 1;
inline constexpr int kRecurrenceMaxYear = 9999;

// ---------------------------------------------------------------------------
// Civil calendar (proleptic Gregorian), in a namespace of its own so that its
// short names cannot collide with other parts of the core.

// A wall-clock date and time with no time zone attached.
struct LocalDateTime {
    int year = 1970;
    int month = 1;  // 1..12
    int day = 1;    // 1..31
    int hour = 0;   // 0..23
    int minute = 0;
    int second = 0;  // 0..59: leap seconds do not exist in civil time here
};

bool operator==(const LocalDateTime &a, const LocalDateTime &b) noexcept;
bool operator!=(const LocalDateTime &a, const LocalDateTime &b) noexcept;
bool operator<(const LocalDateTime &a, const LocalDateTime &b) noexcept;

enum class Weekday : std::uint8_t {
    Monday = 0,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday
};

namespace civil {

struct Date {
    std::int64_t year;
    int month;
    int day;
};

// Days since 1970-01-01 (negative before it); exact for any year that fits, with
// the algorithms Howard Hinnant describes in "chrono-Compatible Low-Level Date
// Algorithms" (400-year eras of 146097 days, March-based years).
std::int64_t days_from_civil(std::int64_t year, int month, int day) noexcept;
Date civil_from_days(std::int64_t days) noexcept;
Weekday weekday_from_days(std::int64_t days) noexcept;
bool is_leap_year(std::int64_t year) noexcept;
int days_in_month(std::int64_t year, int month) noexcept;

// The local date-time read as if it were UTC: seconds since 1970-01-01 00:00:00.
std::int64_t to_seconds(const LocalDateTime &t) noexcept;
LocalDateTime from_seconds(std::int64_t seconds) noexcept;

// "2026-03-08 09:30:00".
std::string format(const LocalDateTime &t);

// Throws Error(InvalidParameter) naming `what` ("dtstart") when t is not a real
// calendar date and time, or its year is outside 1..9999.
void check(const LocalDateTime &t, std::string_view what);

}  // namespace civil

// ---------------------------------------------------------------------------
// Time zones

// Converts between local civil time in one zone and UTC (unix seconds).
// Implementations must be deterministic and must not throw for local times whose
// year is within 0..10000 (the expansion looks a few days past both ends of the
// supported range).
struct TimeZoneConverter {
    virtual ~TimeZoneConverter() = default;

    // The UTC instant of a local time. The rule for the two kinds of local time
    // that do not map to exactly one instant is RFC 5545's (section 3.3.5): use
    // the UTC offset in effect just *before* the transition. So
    //  - a local time in a gap (spring forward) moves forward by the gap: in
    //    America/New_York on 2026-03-08, 02:30 becomes 03:30 EDT (07:30Z);
    //  - an ambiguous local time (fall back) is its first, earlier occurrence: on
    //    2026-11-01, 01:30 is 01:30 EDT (05:30Z), not 01:30 EST.
    // PostgreSQL's own `timestamp AT TIME ZONE` agrees on gaps but takes the
    // later instant of an ambiguous time; a recurrence follows the RFC.
    virtual std::int64_t local_to_utc(const LocalDateTime &local) const = 0;

    // The local civil time of a UTC instant.
    virtual LocalDateTime utc_to_local(std::int64_t unix_seconds) const = 0;
};

// A zone with a constant offset from UTC, east positive (+3600 for UTC+01:00).
class FixedOffsetTimeZone final : public TimeZoneConverter {
  public:
    // Throws Error(InvalidParameter) for an offset beyond +-24 hours.
    explicit FixedOffsetTimeZone(std::int32_t offset_seconds);

    std::int64_t local_to_utc(const LocalDateTime &local) const override;
    LocalDateTime utc_to_local(std::int64_t unix_seconds) const override;

  private:
    std::int32_t offset_seconds_;
};

// A zone of ICU's time zone database, by IANA name ("America/New_York") or a
// custom "GMT+05:30" id. Used by the unit tests; the server converts through
// PostgreSQL's own database instead, which may be of another tzdata release.
class IcuTimeZone final : public TimeZoneConverter {
  public:
    // Throws Error(InvalidParameter) for a name ICU does not know.
    explicit IcuTimeZone(std::string_view tz_name);
    ~IcuTimeZone() override;
    IcuTimeZone(IcuTimeZone &&) noexcept;
    IcuTimeZone &operator=(IcuTimeZone &&) noexcept;
    IcuTimeZone(const IcuTimeZone &) = delete;
    IcuTimeZone &operator=(const IcuTimeZone &) = delete;

    std::int64_t local_to_utc(const LocalDateTime &local) const override;
    LocalDateTime utc_to_local(std::int64_t unix_seconds) const override;

  private:
    struct Impl;  // keeps ICU's headers out of this one
    std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------
// Rules

enum class Frequency : std::uint8_t { Daily, Weekly, Monthly, Yearly };

// RFC 7529: what happens to a date that a rule generates but the calendar lacks
// (day 31 of a 30-day month, February 29 of a common year).
enum class Skip : std::uint8_t {
    Omit,      // the default: the instance is dropped
    Backward,  // it moves to the last day of its month (Feb 30 -> Feb 28/29)
    Forward,   // it moves to the first day of the next month (Feb 30 -> Mar 1)
};

// One BYDAY entry: "MO" (ordinal 0: every Monday of the period), "2TU", "-1FR".
struct WeekdayNum {
    int ordinal = 0;
    Weekday weekday = Weekday::Monday;
};

struct Until {
    enum class Kind : std::uint8_t {
        Utc,            // UNTIL=19971224T000000Z: compared with the UTC instant
        Date,           // UNTIL=19971224: includes every occurrence on that local date
        LocalDateTime,  // UNTIL=19971224T090000: compared with the local time
    };
    Kind kind = Kind::Utc;
    std::int64_t utc = 0;  // Kind::Utc
    LocalDateTime local;   // Kind::Date (time 00:00:00) and Kind::LocalDateTime
};

// An RFC 5545 RRULE as parsed: the lists are as written (sorted, duplicates
// removed); the values that RFC 5545 takes from DTSTART when a part is missing are
// filled in by Expansion, not here, so one parsed rule serves every dtstart.
struct RRule {
    Frequency frequency = Frequency::Daily;
    std::int64_t interval = 1;
    std::optional<std::int64_t> count;
    std::optional<Until> until;
    std::vector<WeekdayNum> by_day;
    std::vector<int> by_month_day;  // -31..-1, 1..31
    std::vector<int> by_month;      // 1..12
    std::vector<int> by_year_day;   // -366..-1, 1..366 (YEARLY only)
    std::vector<int> by_week_no;    // -53..-1, 1..53 (YEARLY only)
    std::vector<int> by_set_pos;    // -366..-1, 1..366
    // A single value each: they set the time of day (one occurrence per day at
    // most; several values would be sub-daily recurrence).
    std::optional<int> by_hour;
    std::optional<int> by_minute;
    std::optional<int> by_second;
    Weekday week_start = Weekday::Monday;
    Skip skip = Skip::Omit;
};

// A 5-field cron expression as sets of allowed values.
struct CronRule {
    std::bitset<60> minutes;
    std::bitset<24> hours;
    std::bitset<32> days_of_month;  // bits 1..31
    std::bitset<13> months;         // bits 1..12
    std::bitset<7> days_of_week;    // indexed by Weekday (Monday = 0, Sunday = 6)
    // Whether the field was written without a leading '*' (Vixie cron's test): when
    // both are restricted, a day matches if EITHER matches ("0 9 1,15 * MON" runs on
    // the 1st, the 15th and every Monday); otherwise both must match.
    bool day_of_month_restricted = false;
    bool day_of_week_restricted = false;
};

// A parsed rule. Only parse_rule makes one, so every Rule is valid.
class Rule {
  public:
    enum class Kind : std::uint8_t { RRule, Cron };

    Kind kind() const noexcept;
    // Throw Error(Internal) when asked for the other kind.
    const RRule &rrule() const;
    const CronRule &cron() const;
    // The text as given, without surrounding white space; quoted in errors.
    const std::string &text() const noexcept;

  private:
    friend Rule parse_rule(std::string_view text);
    Rule(std::string text, std::variant<RRule, CronRule> body);

    std::string text_;
    std::variant<RRule, CronRule> body_;
};

// Parses either form; names and values are case-insensitive.
//
// (a) An RFC 5545 RRULE, with or without a leading "RRULE:", parts separated by
//     ';' (a single trailing ';' is tolerated) in any order, each at most once:
//       FREQ        DAILY, WEEKLY, MONTHLY or YEARLY (required). SECONDLY, MINUTELY
//                   and HOURLY are refused: sub-daily recurrence is not supported.
//       INTERVAL    1..10000 (default 1)
//       COUNT       1..2147483647; not together with UNTIL
//       UNTIL       YYYYMMDD, YYYYMMDDTHHMMSSZ (UTC) or YYYYMMDDTHHMMSS (local
//                   time in the expansion's zone, tolerated although RFC 5545 wants
//                   UTC when DTSTART has a zone)
//       BYDAY       MO..SU with an optional ordinal (2TU, -1FR) for MONTHLY and
//                   YEARLY only; |ordinal| <= 5 when it counts within a month
//       BYMONTHDAY  -31..-1, 1..31; not with WEEKLY
//       BYMONTH     1..12
//       BYYEARDAY   -366..-1, 1..366; YEARLY only
//       BYWEEKNO    -53..-1, 1..53; YEARLY only (weeks start on WKST; week 1 has at
//                   least four days of the year)
//       BYSETPOS    -366..-1, 1..366; needs another BYxxx part
//       BYHOUR, BYMINUTE, BYSECOND   one value each (the time of day)
//       WKST        MO..SU (default MO)
//       RSCALE      GREGORIAN only (RFC 7529)
//       SKIP        OMIT, BACKWARD or FORWARD (RFC 7529). RFC 7529 requires RSCALE
//                   with SKIP; it is accepted without, as the Gregorian calendar is
//                   the only one here anyway.
//     Refused at parse time, as they can never match: a BYMONTHDAY that none of the
//     BYMONTH months has (BYMONTH=2;BYMONTHDAY=30, unless SKIP moves it), a
//     BYYEARDAY that falls in none of the BYMONTH months, an ordinal beyond 5 in a
//     month.
// (b) A 5-field cron expression "minute hour day-of-month month day-of-week" with
//     '*', lists (1,15), ranges (1-5), steps (*/15, 0-30/10, and 5/15 meaning
//     5-59/15), month names JAN..DEC, weekday names SUN..SAT, 0 or 7 for Sunday, and
//     the macros @yearly (@annually), @monthly, @weekly, @daily (@midnight) and
//     @hourly. When both day fields are restricted, a day matches either (Vixie
//     cron's rule, see CronRule). Quartz extensions (L, W, #, ?) and 6- or 7-field
//     forms are refused. A day-of-month/month combination that never exists
//     ("0 0 30 2 *") is refused.
//
// Throws Error(InvalidParameter) naming the bad part ("recurrence rule:
// BYMONTHDAY=32 is out of range (-31..-1, 1..31)"), Error(StringTooLong) for text
// over kRecurrenceMaxInputBytes bytes.
Rule parse_rule(std::string_view text);

// ---------------------------------------------------------------------------
// Expansion

struct Limits {
    // Occurrences one Expansion may return; one more is an error, not a silent cut.
    std::size_t max_occurrences = 10000;
    // Candidate days (RRULE) or days and minutes (cron) examined between two
    // returned occurrences, including the work of counting COUNT occurrences that
    // fall before range_start. Past it, the rule matches too rarely or never.
    std::size_t max_iterations_per_occurrence = 100000;
};

// The occurrences of a rule in [range_start_utc, range_end_utc), in increasing
// order, each once, as unix seconds.
//
// RRULE semantics are RFC 5545's:
//  - Occurrences are local civil date-times converted through the zone, so a
//    09:00 rule stays at 09:00 local across daylight-saving changes; a time that
//    falls in a gap or an overlap is resolved as TimeZoneConverter::local_to_utc
//    says (02:30 on a spring-forward day becomes 03:30).
//  - The time of day is dtstart's (or BYHOUR/BYMINUTE/BYSECOND's); the day, month
//    or weekday that the rule leaves open is dtstart's (FREQ=MONTHLY repeats on
//    dtstart's day of the month, FREQ=WEEKLY on its weekday).
//  - dtstart is the first occurrence when it matches the rule; a dtstart that does
//    not match is not an occurrence (RFC 5545 leaves that case undefined).
//  - COUNT counts from dtstart, including occurrences before range_start.
//  - Invalid dates are dropped (BYMONTHDAY=31 skips 30-day months, FREQ=YEARLY from
//    February 29 recurs in leap years only) unless SKIP moves them; BYMONTHDAY=-1
//    is the last day of every month. SKIP moves the dates that BYMONTH and
//    BYMONTHDAY (or dtstart's day) generate; BYDAY then filters the moved dates,
//    and BYSETPOS and COUNT see them; a moved instance that lands on a date the
//    period already has is one instance. SKIP only acts where a rule expands days
//    (MONTHLY, YEARLY). A negative BYMONTHDAY beyond the month's length (-31 in
//    April) is always dropped: it has no "next" or "previous" day to move to that
//    anyone would expect.
//  - The BYDAY list is a union ("MO,-1FR": every Monday and the last Friday).
//  - BYSETPOS selects within each FREQ period (day, week from WKST, month, year),
//    over the whole period, including its days before dtstart.
//  - BYWEEKNO matches a day by the number of the week it is in, counted in the
//    year that week belongs to: with BYWEEKNO=1, 2025-12-29..31 (in week 1 of 2026)
//    are occurrences of 2025's period, and -1 and 53 are the same week in a year
//    of 53 weeks.
// Cron: the minutes that match, in the zone, from max(range_start, dtstart); a
// local time in a gap is moved forward like any other and a moved occurrence that
// coincides with a real one is returned once; an ambiguous time runs once.
//
// Cost: without COUNT, the expansion jumps arithmetically to the first period
// near range_start, however old dtstart is. With COUNT it walks from dtstart, and
// that walk counts toward max_iterations_per_occurrence. Error(ProgramLimitExceeded)
// when either limit is exceeded; a rule that never matches ends with it (or with
// no occurrence, when the range ends first).
//
// Years are limited to 1..9999: dtstart outside is Error(InvalidParameter); a range
// reaching outside is cut to it. An empty or inverted range has no occurrence.
// The rule is copied; the zone is referenced and must outlive the Expansion.
class Expansion {
  public:
    Expansion(const Rule &rule, LocalDateTime dtstart_local, const TimeZoneConverter &zone,
              std::int64_t range_start_utc, std::int64_t range_end_utc /* exclusive */,
              Limits limits = Limits{});
    ~Expansion();
    Expansion(Expansion &&) noexcept;
    Expansion &operator=(Expansion &&) noexcept;
    Expansion(const Expansion &) = delete;
    Expansion &operator=(const Expansion &) = delete;

    // The next occurrence, or nullopt at the end. After it has thrown, the
    // expansion is over and further calls return nullopt.
    std::optional<std::int64_t> next();

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace mycelium::core
