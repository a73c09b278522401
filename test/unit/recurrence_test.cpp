#include "core/recurrence.hpp"

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace {

using mycelium::core::Error;
using mycelium::core::ErrorKind;
using mycelium::core::Expansion;
using mycelium::core::FixedOffsetTimeZone;
using mycelium::core::IcuTimeZone;
using mycelium::core::kRecurrenceMaxInputBytes;
using mycelium::core::Limits;
using mycelium::core::LocalDateTime;
using mycelium::core::parse_rule;
using mycelium::core::Rule;
using mycelium::core::TimeZoneConverter;
using mycelium::core::Weekday;
namespace civil = mycelium::core::civil;

constexpr std::int64_t kHour = 3600;
constexpr std::size_t kAll = std::numeric_limits<std::size_t>::max();

// ---------------------------------------------------------------------------
// Helpers. Expected instants are computed here independently of the code under
// test: from a local time and the zone abbreviation the RFC prints (EDT = UTC-4,
// EST = UTC-5), with the C library's timegm.

std::int64_t timegm_of(int year, int month, int day, int hour, int minute, int second) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    return static_cast<std::int64_t>(timegm(&tm));
}

// "19970902T090000"
LocalDateTime local(std::string_view text) {
    LocalDateTime t;
    std::sscanf(std::string(text).c_str(), "%4d%2d%2dT%2d%2d%2d", &t.year, &t.month, &t.day,
                &t.hour, &t.minute, &t.second);
    return t;
}

std::int64_t offset_of(std::string_view abbreviation) {
    if (abbreviation == "EDT") return -4 * kHour;
    if (abbreviation == "EST") return -5 * kHour;
    if (abbreviation == "CET") return 1 * kHour;
    if (abbreviation == "CEST") return 2 * kHour;
    if (abbreviation == "UTC") return 0;
    ADD_FAILURE() << "unknown abbreviation " << abbreviation;
    return 0;
}

std::string abbreviation_of(std::int64_t offset) {
    switch (offset) {
        case -4 * kHour:
            return "EDT";
        case -5 * kHour:
            return "EST";
        case 1 * kHour:
            return "CET";
        case 2 * kHour:
            return "CEST";
        case 0:
            return "UTC";
        default:
            return "UTC" + std::to_string(offset) + "s";
    }
}

// "1997-09-02 09:00 EDT" -> unix seconds.
std::int64_t utc_of(const std::string &text) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0;
    char abbreviation[8] = {};
    const int fields = std::sscanf(text.c_str(), "%d-%d-%d %d:%d %7s", &year, &month, &day, &hour,
                                   &minute, abbreviation);
    EXPECT_EQ(fields, 6) << text;
    return timegm_of(year, month, day, hour, minute, 0) - offset_of(abbreviation);
}

// Unix seconds -> "1997-09-02 09:00 EDT", through the zone (for readable failures).
std::string describe(std::int64_t utc, const TimeZoneConverter &zone) {
    const LocalDateTime t = zone.utc_to_local(utc);
    const std::int64_t offset = timegm_of(t.year, t.month, t.day, t.hour, t.minute, t.second) - utc;
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d %02d:%02d", t.year, t.month, t.day, t.hour,
                  t.minute);
    std::string out = buffer;
    if (t.second != 0) out += ":" + std::to_string(t.second);
    return out + " " + abbreviation_of(offset);
}

std::vector<std::string> describe_all(const std::vector<std::int64_t> &instants,
                                      const TimeZoneConverter &zone) {
    std::vector<std::string> out;
    for (const std::int64_t instant : instants) out.push_back(describe(instant, zone));
    return out;
}

std::vector<std::int64_t> utc_all(const std::vector<std::string> &texts) {
    std::vector<std::int64_t> out;
    for (const std::string &text : texts) out.push_back(utc_of(text));
    return out;
}

// Days of one month at one time: days(1997, 9, {2, 4}, "EDT").
std::vector<std::string> days(int year, int month, std::initializer_list<int> days_of_month,
                              const char *abbreviation, const char *time = "09:00") {
    std::vector<std::string> out;
    for (const int day : days_of_month) {
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d %s %s", year, month, day, time,
                      abbreviation);
        out.push_back(buffer);
    }
    return out;
}

// Consecutive days of one month: day_range(1997, 9, 2, 11, "EDT").
std::vector<std::string> day_range(int year, int month, int first, int last,
                                   const char *abbreviation, int step = 1,
                                   const char *time = "09:00") {
    std::vector<std::string> out;
    for (int day = first; day <= last; day += step) {
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d %s %s", year, month, day, time,
                      abbreviation);
        out.push_back(buffer);
    }
    return out;
}

std::vector<std::string> cat(std::initializer_list<std::vector<std::string>> parts) {
    std::vector<std::string> out;
    for (const auto &part : parts) out.insert(out.end(), part.begin(), part.end());
    return out;
}

const std::int64_t kFarPast = timegm_of(1900, 1, 1, 0, 0, 0);
const std::int64_t kFarFuture = timegm_of(2100, 1, 1, 0, 0, 0);

std::vector<std::int64_t> expand(std::string_view rule_text, LocalDateTime dtstart,
                                 const TimeZoneConverter &zone, std::int64_t range_start,
                                 std::int64_t range_end, std::size_t take = kAll,
                                 Limits limits = Limits{}) {
    const Rule rule = parse_rule(rule_text);
    Expansion expansion(rule, dtstart, zone, range_start, range_end, limits);
    std::vector<std::int64_t> out;
    while (out.size() < take) {
        const std::optional<std::int64_t> next = expansion.next();
        if (!next) break;
        out.push_back(*next);
    }
    return out;
}

// An RFC 5545 example: DTSTART;TZID=America/New_York:<dtstart>, RRULE:<rule>. For
// rules that go on forever, the RFC's listed dates are compared with as many first
// occurrences; otherwise the whole set (up to 2100) must be the listed one.
void expect_rfc(std::string_view rule, std::string_view dtstart,
                const std::vector<std::string> &expected, bool forever = false) {
    SCOPED_TRACE(std::string("RRULE:") + std::string(rule));
    const IcuTimeZone new_york("America/New_York");
    const std::vector<std::int64_t> actual = expand(rule, local(dtstart), new_york, kFarPast,
                                                    kFarFuture, forever ? expected.size() : kAll);
    EXPECT_EQ(describe_all(actual, new_york), expected);
    EXPECT_EQ(actual, utc_all(expected));
}

// A zone that counts its conversions, to show how little work an expansion does.
class CountingZone final : public TimeZoneConverter {
  public:
    explicit CountingZone(const TimeZoneConverter &inner) : inner_(inner) {}
    std::int64_t local_to_utc(const LocalDateTime &t) const override {
        ++conversions;
        return inner_.local_to_utc(t);
    }
    LocalDateTime utc_to_local(std::int64_t seconds) const override {
        ++conversions;
        return inner_.utc_to_local(seconds);
    }
    mutable std::size_t conversions = 0;

  private:
    const TimeZoneConverter &inner_;
};

// Runs `body`, which must throw Error of `kind` with exactly `message`.
template <typename Body>
void expect_error(Body body, ErrorKind kind, const std::string &message) {
    try {
        body();
        ADD_FAILURE() << "no error; expected: " << message;
    } catch (const Error &error) {
        EXPECT_EQ(error.kind(), kind) << error.what();
        EXPECT_EQ(std::string(error.what()), message);
    }
}

void expect_invalid_rule(const std::string &rule, const std::string &message) {
    SCOPED_TRACE("rule: " + rule);
    expect_error([&] { parse_rule(rule); }, ErrorKind::InvalidParameter, message);
}

// ---------------------------------------------------------------------------
// The civil calendar

TEST(RecurrenceCivil, KnownDayNumbers) {
    EXPECT_EQ(civil::days_from_civil(1970, 1, 1), 0);
    EXPECT_EQ(civil::days_from_civil(2000, 3, 1), 11017);
    EXPECT_EQ(civil::days_from_civil(1969, 12, 31), -1);
    EXPECT_EQ(civil::days_from_civil(1, 1, 1), -719162);
    EXPECT_EQ(civil::days_from_civil(9999, 12, 31), 2932896);
    EXPECT_EQ(civil::days_from_civil(2026, 3, 8) * 86400, timegm_of(2026, 3, 8, 0, 0, 0));
}

TEST(RecurrenceCivil, RoundTripsEveryDayOfTheSupportedYears) {
    std::int64_t expected_weekday = static_cast<std::int64_t>(civil::weekday_from_days(-719163));
    civil::Date previous = civil::civil_from_days(-719163);  // 0000-12-31
    EXPECT_EQ(previous.year, 0);
    for (std::int64_t day = -719162; day <= 2932897; ++day) {
        const civil::Date date = civil::civil_from_days(day);
        ASSERT_EQ(civil::days_from_civil(date.year, date.month, date.day), day);
        // Consecutive and in calendar order.
        const bool next_day = date.year == previous.year && date.month == previous.month &&
                              date.day == previous.day + 1;
        const bool next_month = date.year == previous.year && date.month == previous.month + 1 &&
                                date.day == 1 &&
                                previous.day == civil::days_in_month(previous.year, previous.month);
        const bool next_year = date.year == previous.year + 1 && date.month == 1 && date.day == 1 &&
                               previous.month == 12 && previous.day == 31;
        ASSERT_TRUE(next_day || next_month || next_year) << day;
        expected_weekday = (expected_weekday + 1) % 7;
        ASSERT_EQ(static_cast<std::int64_t>(civil::weekday_from_days(day)), expected_weekday);
        previous = date;
    }
}

TEST(RecurrenceCivil, Weekdays) {
    EXPECT_EQ(civil::weekday_from_days(0), Weekday::Thursday);  // 1970-01-01
    EXPECT_EQ(civil::weekday_from_days(civil::days_from_civil(2026, 3, 8)), Weekday::Sunday);
    EXPECT_EQ(civil::weekday_from_days(civil::days_from_civil(1, 1, 1)), Weekday::Monday);
    EXPECT_EQ(civil::weekday_from_days(civil::days_from_civil(1900, 1, 1)), Weekday::Monday);
}

TEST(RecurrenceCivil, LeapYears) {
    EXPECT_FALSE(civil::is_leap_year(1900));
    EXPECT_TRUE(civil::is_leap_year(2000));
    EXPECT_TRUE(civil::is_leap_year(2024));
    EXPECT_FALSE(civil::is_leap_year(2026));
    EXPECT_FALSE(civil::is_leap_year(2100));
    EXPECT_EQ(civil::days_in_month(2024, 2), 29);
    EXPECT_EQ(civil::days_in_month(2026, 2), 28);
    EXPECT_EQ(civil::days_in_month(2026, 4), 30);
}

TEST(RecurrenceCivil, SecondsAndFormat) {
    const LocalDateTime t{2026, 3, 8, 2, 30, 15};
    EXPECT_EQ(civil::to_seconds(t), timegm_of(2026, 3, 8, 2, 30, 15));
    EXPECT_EQ(civil::from_seconds(civil::to_seconds(t)), t);
    EXPECT_EQ(civil::from_seconds(-1), (LocalDateTime{1969, 12, 31, 23, 59, 59}));
    EXPECT_EQ(civil::format(t), "2026-03-08 02:30:15");
}

TEST(RecurrenceCivil, CheckRefusesImpossibleDatesAndYears) {
    expect_error(
        [] {
            civil::check(LocalDateTime{2026, 2, 29, 0, 0, 0}, "dtstart");
        },
        ErrorKind::InvalidParameter, "dtstart 2026-02-29 00:00:00 is not a valid date and time");
    expect_error(
        [] {
            civil::check(LocalDateTime{2026, 1, 1, 24, 0, 0}, "dtstart");
        },
        ErrorKind::InvalidParameter, "dtstart 2026-01-01 24:00:00 is not a valid date and time");
    expect_error(
        [] {
            civil::check(LocalDateTime{0, 12, 31, 0, 0, 0}, "dtstart");
        },
        ErrorKind::InvalidParameter, "dtstart is out of range: year 0 is not between 1 and 9999");
    expect_error(
        [] {
            civil::check(LocalDateTime{10000, 1, 1, 0, 0, 0}, "dtstart");
        },
        ErrorKind::InvalidParameter,
        "dtstart is out of range: year 10000 is not between 1 and 9999");
    civil::check(LocalDateTime{2024, 2, 29, 23, 59, 59}, "dtstart");
}

// ---------------------------------------------------------------------------
// Time zones

TEST(RecurrenceTimeZone, IcuConvertsBothWays) {
    const IcuTimeZone new_york("America/New_York");
    EXPECT_EQ(new_york.local_to_utc(LocalDateTime{2026, 7, 1, 12, 0, 0}),
              timegm_of(2026, 7, 1, 16, 0, 0));
    EXPECT_EQ(new_york.local_to_utc(LocalDateTime{2026, 1, 15, 9, 0, 0}),
              timegm_of(2026, 1, 15, 14, 0, 0));
    EXPECT_EQ(new_york.utc_to_local(timegm_of(2026, 7, 1, 16, 0, 0)),
              (LocalDateTime{2026, 7, 1, 12, 0, 0}));
    EXPECT_EQ(new_york.utc_to_local(timegm_of(2026, 1, 1, 0, 0, 0)),
              (LocalDateTime{2025, 12, 31, 19, 0, 0}));
}

TEST(RecurrenceTimeZone, GapMovesForwardAndOverlapTakesTheFirst) {
    const IcuTimeZone new_york("America/New_York");
    // 2026-03-08: 02:00 EST jumps to 03:00 EDT. 02:30 is read with the offset before
    // the gap (EST), which is 03:30 EDT.
    EXPECT_EQ(new_york.local_to_utc(LocalDateTime{2026, 3, 8, 2, 30, 0}),
              timegm_of(2026, 3, 8, 7, 30, 0));
    EXPECT_EQ(new_york.utc_to_local(timegm_of(2026, 3, 8, 7, 30, 0)),
              (LocalDateTime{2026, 3, 8, 3, 30, 0}));
    EXPECT_EQ(new_york.local_to_utc(LocalDateTime{2026, 3, 8, 1, 59, 59}),
              timegm_of(2026, 3, 8, 6, 59, 59));
    EXPECT_EQ(new_york.local_to_utc(LocalDateTime{2026, 3, 8, 3, 0, 0}),
              timegm_of(2026, 3, 8, 7, 0, 0));
    // 2026-11-01: 02:00 EDT falls back to 01:00 EST. 01:30 happens twice; the first
    // (EDT) is taken.
    EXPECT_EQ(new_york.local_to_utc(LocalDateTime{2026, 11, 1, 1, 30, 0}),
              timegm_of(2026, 11, 1, 5, 30, 0));
    EXPECT_EQ(new_york.local_to_utc(LocalDateTime{2026, 11, 1, 2, 0, 0}),
              timegm_of(2026, 11, 1, 7, 0, 0));
    // Europe/Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST.
    const IcuTimeZone berlin("Europe/Berlin");
    EXPECT_EQ(berlin.local_to_utc(LocalDateTime{2026, 3, 29, 2, 30, 0}),
              timegm_of(2026, 3, 29, 1, 30, 0));
    EXPECT_EQ(berlin.local_to_utc(LocalDateTime{2026, 10, 25, 2, 30, 0}),
              timegm_of(2026, 10, 25, 0, 30, 0));
}

TEST(RecurrenceTimeZone, UnknownZonesAreRefused) {
    expect_error([] { IcuTimeZone zone("Mars/Olympus_Mons"); }, ErrorKind::InvalidParameter,
                 "time zone \"Mars/Olympus_Mons\" is not known");
    expect_error([] { IcuTimeZone zone(""); }, ErrorKind::InvalidParameter,
                 "time zone \"\" is not known");
    expect_error([] { IcuTimeZone zone(std::string("Europe/\xff")); }, ErrorKind::InvalidParameter,
                 "time zone \"Europe/\\xFF\" is not known");
    IcuTimeZone utc("UTC");
    EXPECT_EQ(utc.local_to_utc(LocalDateTime{2026, 1, 1, 0, 0, 0}), timegm_of(2026, 1, 1, 0, 0, 0));
}

TEST(RecurrenceTimeZone, FixedOffset) {
    const FixedOffsetTimeZone plus_one(3600);
    EXPECT_EQ(plus_one.local_to_utc(LocalDateTime{2026, 1, 1, 0, 0, 0}),
              timegm_of(2025, 12, 31, 23, 0, 0));
    EXPECT_EQ(plus_one.utc_to_local(timegm_of(2025, 12, 31, 23, 0, 0)),
              (LocalDateTime{2026, 1, 1, 0, 0, 0}));
    const FixedOffsetTimeZone minus_five_thirty(-(5 * 3600 + 1800));
    EXPECT_EQ(minus_five_thirty.local_to_utc(LocalDateTime{2026, 6, 1, 9, 0, 0}),
              timegm_of(2026, 6, 1, 14, 30, 0));
    expect_error([] { FixedOffsetTimeZone zone(90000); }, ErrorKind::InvalidParameter,
                 "time zone offset 90000 s is out of range (-86400..86400 s)");
}

// ---------------------------------------------------------------------------
// RFC 5545 section 3.8.5.3: every example that uses the supported parts, with
// DTSTART;TZID=America/New_York as the RFC gives it and the dates it lists.

TEST(RecurrenceRfc5545, DailyForTenOccurrences) {
    expect_rfc("FREQ=DAILY;COUNT=10", "19970902T090000", day_range(1997, 9, 2, 11, "EDT"));
}

TEST(RecurrenceRfc5545, DailyUntilDecember24) {
    expect_rfc("FREQ=DAILY;UNTIL=19971224T000000Z", "19970902T090000",
               cat({day_range(1997, 9, 2, 30, "EDT"), day_range(1997, 10, 1, 25, "EDT"),
                    day_range(1997, 10, 26, 31, "EST"), day_range(1997, 11, 1, 30, "EST"),
                    day_range(1997, 12, 1, 23, "EST")}));
}

TEST(RecurrenceRfc5545, EveryOtherDayForever) {
    // "September 2,4,6,8...24,26,28,30; October 2,4,6...20,22,24; October
    // 26,28,30; November 1,3,5,7...25,27,29; December 1,3,..."
    expect_rfc("FREQ=DAILY;INTERVAL=2", "19970902T090000",
               cat({day_range(1997, 9, 2, 30, "EDT", 2), day_range(1997, 10, 2, 24, "EDT", 2),
                    day_range(1997, 10, 26, 30, "EST", 2), day_range(1997, 11, 1, 29, "EST", 2),
                    day_range(1997, 12, 1, 31, "EST", 2)}),
               true);
}

TEST(RecurrenceRfc5545, EveryTenDaysFiveOccurrences) {
    expect_rfc("FREQ=DAILY;INTERVAL=10;COUNT=5", "19970902T090000",
               cat({days(1997, 9, {2, 12, 22}, "EDT"), days(1997, 10, {2, 12}, "EDT")}));
}

TEST(RecurrenceRfc5545, EveryDayInJanuaryForThreeYears) {
    const auto expected = cat({day_range(1998, 1, 1, 31, "EST"), day_range(1999, 1, 1, 31, "EST"),
                               day_range(2000, 1, 1, 31, "EST")});
    expect_rfc("FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
               "19980101T090000", expected);
    expect_rfc("FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1", "19980101T090000", expected);
}

TEST(RecurrenceRfc5545, WeeklyForTenOccurrences) {
    expect_rfc("FREQ=WEEKLY;COUNT=10", "19970902T090000",
               cat({days(1997, 9, {2, 9, 16, 23, 30}, "EDT"), days(1997, 10, {7, 14, 21}, "EDT"),
                    days(1997, 10, {28}, "EST"), days(1997, 11, {4}, "EST")}));
}

TEST(RecurrenceRfc5545, WeeklyUntilDecember24) {
    expect_rfc("FREQ=WEEKLY;UNTIL=19971224T000000Z", "19970902T090000",
               cat({days(1997, 9, {2, 9, 16, 23, 30}, "EDT"), days(1997, 10, {7, 14, 21}, "EDT"),
                    days(1997, 10, {28}, "EST"), days(1997, 11, {4, 11, 18, 25}, "EST"),
                    days(1997, 12, {2, 9, 16, 23}, "EST")}));
}

TEST(RecurrenceRfc5545, EveryOtherWeekForever) {
    expect_rfc("FREQ=WEEKLY;INTERVAL=2;WKST=SU", "19970902T090000",
               cat({days(1997, 9, {2, 16, 30}, "EDT"), days(1997, 10, {14}, "EDT"),
                    days(1997, 10, {28}, "EST"), days(1997, 11, {11, 25}, "EST"),
                    days(1997, 12, {9, 23}, "EST"), days(1998, 1, {6, 20}, "EST"),
                    days(1998, 2, {3, 17}, "EST")}),
               true);
}

TEST(RecurrenceRfc5545, WeeklyOnTuesdayAndThursdayForFiveWeeks) {
    const auto expected =
        cat({days(1997, 9, {2, 4, 9, 11, 16, 18, 23, 25, 30}, "EDT"), days(1997, 10, {2}, "EDT")});
    expect_rfc("FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH", "19970902T090000",
               expected);
    expect_rfc("FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH", "19970902T090000", expected);
}

TEST(RecurrenceRfc5545, EveryOtherWeekOnMondayWednesdayFriday) {
    expect_rfc("FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
               "19970901T090000",
               cat({days(1997, 9, {1, 3, 5, 15, 17, 19, 29}, "EDT"),
                    days(1997, 10, {1, 3, 13, 15, 17}, "EDT"), days(1997, 10, {27, 29, 31}, "EST"),
                    days(1997, 11, {10, 12, 14, 24, 26, 28}, "EST"),
                    days(1997, 12, {8, 10, 12, 22}, "EST")}));
}

TEST(RecurrenceRfc5545, EveryOtherWeekOnTuesdayAndThursdayForEight) {
    expect_rfc("FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH", "19970902T090000",
               cat({days(1997, 9, {2, 4, 16, 18, 30}, "EDT"), days(1997, 10, {2, 14, 16}, "EDT")}));
}

TEST(RecurrenceRfc5545, MonthlyOnTheFirstFriday) {
    expect_rfc(
        "FREQ=MONTHLY;COUNT=10;BYDAY=1FR", "19970905T090000",
        cat({days(1997, 9, {5}, "EDT"), days(1997, 10, {3}, "EDT"), days(1997, 11, {7}, "EST"),
             days(1997, 12, {5}, "EST"), days(1998, 1, {2}, "EST"), days(1998, 2, {6}, "EST"),
             days(1998, 3, {6}, "EST"), days(1998, 4, {3}, "EST"), days(1998, 5, {1}, "EDT"),
             days(1998, 6, {5}, "EDT")}));
    expect_rfc("FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR", "19970905T090000",
               cat({days(1997, 9, {5}, "EDT"), days(1997, 10, {3}, "EDT"),
                    days(1997, 11, {7}, "EST"), days(1997, 12, {5}, "EST")}));
}

TEST(RecurrenceRfc5545, EveryOtherMonthOnTheFirstAndLastSunday) {
    expect_rfc("FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU", "19970907T090000",
               cat({days(1997, 9, {7, 28}, "EDT"), days(1997, 11, {2, 30}, "EST"),
                    days(1998, 1, {4, 25}, "EST"), days(1998, 3, {1, 29}, "EST"),
                    days(1998, 5, {3, 31}, "EDT")}));
}

TEST(RecurrenceRfc5545, MonthlyOnTheSecondToLastMonday) {
    expect_rfc(
        "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO", "19970922T090000",
        cat({days(1997, 9, {22}, "EDT"), days(1997, 10, {20}, "EDT"), days(1997, 11, {17}, "EST"),
             days(1997, 12, {22}, "EST"), days(1998, 1, {19}, "EST"), days(1998, 2, {16}, "EST")}));
}

TEST(RecurrenceRfc5545, MonthlyOnTheThirdToTheLastDay) {
    expect_rfc(
        "FREQ=MONTHLY;BYMONTHDAY=-3", "19970928T090000",
        cat({days(1997, 9, {28}, "EDT"), days(1997, 10, {29}, "EST"), days(1997, 11, {28}, "EST"),
             days(1997, 12, {29}, "EST"), days(1998, 1, {29}, "EST"), days(1998, 2, {26}, "EST")}),
        true);
}

TEST(RecurrenceRfc5545, MonthlyOnThe2ndAnd15th) {
    expect_rfc("FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15", "19970902T090000",
               cat({days(1997, 9, {2, 15}, "EDT"), days(1997, 10, {2, 15}, "EDT"),
                    days(1997, 11, {2, 15}, "EST"), days(1997, 12, {2, 15}, "EST"),
                    days(1998, 1, {2, 15}, "EST")}));
}

TEST(RecurrenceRfc5545, MonthlyOnTheFirstAndLastDay) {
    expect_rfc(
        "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1", "19970930T090000",
        cat({days(1997, 9, {30}, "EDT"), days(1997, 10, {1}, "EDT"), days(1997, 10, {31}, "EST"),
             days(1997, 11, {1, 30}, "EST"), days(1997, 12, {1, 31}, "EST"),
             days(1998, 1, {1, 31}, "EST"), days(1998, 2, {1}, "EST")}));
}

TEST(RecurrenceRfc5545, Every18MonthsOnThe10thThru15th) {
    expect_rfc("FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15", "19970910T090000",
               cat({day_range(1997, 9, 10, 15, "EDT"), day_range(1999, 3, 10, 13, "EST")}));
}

TEST(RecurrenceRfc5545, EveryTuesdayEveryOtherMonth) {
    expect_rfc(
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU", "19970902T090000",
        cat({days(1997, 9, {2, 9, 16, 23, 30}, "EDT"), days(1997, 11, {4, 11, 18, 25}, "EST"),
             days(1998, 1, {6, 13, 20, 27}, "EST"), days(1998, 3, {3, 10, 17, 24, 31}, "EST")}),
        true);
}

TEST(RecurrenceRfc5545, YearlyInJuneAndJuly) {
    std::vector<std::string> expected;
    for (int year = 1997; year <= 2001; ++year)
        expected = cat({expected, days(year, 6, {10}, "EDT"), days(year, 7, {10}, "EDT")});
    expect_rfc("FREQ=YEARLY;COUNT=10;BYMONTH=6,7", "19970610T090000", expected);
}

TEST(RecurrenceRfc5545, EveryOtherYearInJanuaryFebruaryAndMarch) {
    std::vector<std::string> expected = days(1997, 3, {10}, "EST");
    for (int year = 1999; year <= 2003; year += 2)
        expected = cat({expected, days(year, 1, {10}, "EST"), days(year, 2, {10}, "EST"),
                        days(year, 3, {10}, "EST")});
    expect_rfc("FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3", "19970310T090000", expected);
}

TEST(RecurrenceRfc5545, EveryThirdYearOnThe1st100thAnd200thDay) {
    expect_rfc(
        "FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200", "19970101T090000",
        cat({days(1997, 1, {1}, "EST"), days(1997, 4, {10}, "EDT"), days(1997, 7, {19}, "EDT"),
             days(2000, 1, {1}, "EST"), days(2000, 4, {9}, "EDT"), days(2000, 7, {18}, "EDT"),
             days(2003, 1, {1}, "EST"), days(2003, 4, {10}, "EDT"), days(2003, 7, {19}, "EDT"),
             days(2006, 1, {1}, "EST")}));
}

TEST(RecurrenceRfc5545, Every20thMondayOfTheYear) {
    expect_rfc(
        "FREQ=YEARLY;BYDAY=20MO", "19970519T090000",
        cat({days(1997, 5, {19}, "EDT"), days(1998, 5, {18}, "EDT"), days(1999, 5, {17}, "EDT")}),
        true);
}

TEST(RecurrenceRfc5545, MondayOfWeekNumber20) {
    expect_rfc(
        "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", "19970512T090000",
        cat({days(1997, 5, {12}, "EDT"), days(1998, 5, {11}, "EDT"), days(1999, 5, {17}, "EDT")}),
        true);
}

TEST(RecurrenceRfc5545, EveryThursdayInMarch) {
    expect_rfc("FREQ=YEARLY;BYMONTH=3;BYDAY=TH", "19970313T090000",
               cat({days(1997, 3, {13, 20, 27}, "EST"), days(1998, 3, {5, 12, 19, 26}, "EST"),
                    days(1999, 3, {4, 11, 18, 25}, "EST")}),
               true);
}

TEST(RecurrenceRfc5545, EveryThursdayInJuneJulyAndAugust) {
    expect_rfc(
        "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8", "19970605T090000",
        cat({days(1997, 6, {5, 12, 19, 26}, "EDT"), days(1997, 7, {3, 10, 17, 24, 31}, "EDT"),
             days(1997, 8, {7, 14, 21, 28}, "EDT"), days(1998, 6, {4, 11, 18, 25}, "EDT"),
             days(1998, 7, {2, 9, 16, 23, 30}, "EDT"), days(1998, 8, {6, 13, 20, 27}, "EDT"),
             days(1999, 6, {3, 10, 17, 24}, "EDT"), days(1999, 7, {1, 8, 15, 22, 29}, "EDT"),
             days(1999, 8, {5, 12, 19, 26}, "EDT")}),
        true);
}

TEST(RecurrenceRfc5545, EveryFridayThe13th) {
    // The RFC excludes DTSTART with an EXDATE; here a dtstart that does not match
    // the rule is not an occurrence in the first place.
    expect_rfc(
        "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", "19970902T090000",
        cat({days(1998, 2, {13}, "EST"), days(1998, 3, {13}, "EST"), days(1998, 11, {13}, "EST"),
             days(1999, 8, {13}, "EDT"), days(2000, 10, {13}, "EDT")}),
        true);
}

TEST(RecurrenceRfc5545, FirstSaturdayThatFollowsTheFirstSunday) {
    expect_rfc(
        "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13", "19970913T090000",
        cat({days(1997, 9, {13}, "EDT"), days(1997, 10, {11}, "EDT"), days(1997, 11, {8}, "EST"),
             days(1997, 12, {13}, "EST"), days(1998, 1, {10}, "EST"), days(1998, 2, {7}, "EST"),
             days(1998, 3, {7}, "EST"), days(1998, 4, {11}, "EDT"), days(1998, 5, {9}, "EDT"),
             days(1998, 6, {13}, "EDT")}),
        true);
}

TEST(RecurrenceRfc5545, UsPresidentialElectionDay) {
    expect_rfc(
        "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8", "19961105T090000",
        cat({days(1996, 11, {5}, "EST"), days(2000, 11, {7}, "EST"), days(2004, 11, {2}, "EST")}),
        true);
}

TEST(RecurrenceRfc5545, ThirdInstanceOfTuesdayWednesdayOrThursday) {
    expect_rfc(
        "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3", "19970904T090000",
        cat({days(1997, 9, {4}, "EDT"), days(1997, 10, {7}, "EDT"), days(1997, 11, {6}, "EST")}));
}

TEST(RecurrenceRfc5545, SecondToLastWeekdayOfTheMonth) {
    expect_rfc(
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2", "19970929T090000",
        cat({days(1997, 9, {29}, "EDT"), days(1997, 10, {30}, "EST"), days(1997, 11, {27}, "EST"),
             days(1997, 12, {30}, "EST"), days(1998, 1, {29}, "EST"), days(1998, 2, {26}, "EST"),
             days(1998, 3, {30}, "EST")}),
        true);
}

TEST(RecurrenceRfc5545, WkstChangesTheDaysGenerated) {
    expect_rfc("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", "19970805T090000",
               days(1997, 8, {5, 10, 19, 24}, "EDT"));
    expect_rfc("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", "19970805T090000",
               days(1997, 8, {5, 17, 19, 31}, "EDT"));
}

TEST(RecurrenceRfc5545, InvalidDateIsIgnored) {
    expect_rfc("FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5", "20070115T090000",
               cat({days(2007, 1, {15, 30}, "EST"), days(2007, 2, {15}, "EST"),
                    days(2007, 3, {15, 30}, "EDT")}));
}

TEST(RecurrenceRfc5545, SubDailyExamplesAreRefused) {
    // "Every 3 hours", "every 15 minutes", "every hour and a half", "every 20
    // minutes from 9:00 to 16:40": recurrence within a day is not a deliverable.
    expect_invalid_rule("FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z",
                        "recurrence rule: FREQ=HOURLY is not supported: sub-daily recurrence is "
                        "not supported for deliverables");
    expect_invalid_rule("FREQ=MINUTELY;INTERVAL=15;COUNT=6",
                        "recurrence rule: FREQ=MINUTELY is not supported: sub-daily recurrence "
                        "is not supported for deliverables");
    expect_invalid_rule("FREQ=MINUTELY;INTERVAL=90;COUNT=4",
                        "recurrence rule: FREQ=MINUTELY is not supported: sub-daily recurrence "
                        "is not supported for deliverables");
    expect_invalid_rule("FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40",
                        "recurrence rule: BYHOUR=9,10,11,12,13,14,15,16 has more than one value: "
                        "sub-daily recurrence is not supported for deliverables");
    expect_invalid_rule("FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16",
                        "recurrence rule: BYHOUR=9,10,11,12,13,14,15,16 has more than one value: "
                        "sub-daily recurrence is not supported for deliverables");
}

// ---------------------------------------------------------------------------
// RFC 7529: SKIP

std::vector<std::string> expand_utc(std::string_view rule, std::string_view dtstart,
                                    std::size_t take = kAll) {
    const FixedOffsetTimeZone utc(0);
    return describe_all(expand(rule, local(dtstart), utc, kFarPast, kFarFuture, take), utc);
}

std::vector<std::string> at(std::initializer_list<const char *> dates, const char *time = "09:00") {
    std::vector<std::string> out;
    for (const char *date : dates) out.push_back(std::string(date) + " " + time + " UTC");
    return out;
}

TEST(RecurrenceSkip, MonthlyOnThe31st) {
    // Without SKIP (or SKIP=OMIT) months without a 31st are skipped, as RFC 5545 says.
    EXPECT_EQ(expand_utc("FREQ=MONTHLY;COUNT=7", "20260131T090000"),
              at({"2026-01-31", "2026-03-31", "2026-05-31", "2026-07-31", "2026-08-31",
                  "2026-10-31", "2026-12-31"}));
    EXPECT_EQ(expand_utc("FREQ=MONTHLY;RSCALE=GREGORIAN;SKIP=OMIT;COUNT=7", "20260131T090000"),
              expand_utc("FREQ=MONTHLY;COUNT=7", "20260131T090000"));
    EXPECT_EQ(expand_utc("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4", "20260131T090000"),
              at({"2026-01-31", "2026-03-31", "2026-05-31", "2026-07-31"}));
    // BACKWARD: the last day of the short month, and back to the 31st after it:
    // no drift.
    EXPECT_EQ(
        expand_utc("FREQ=MONTHLY;RSCALE=GREGORIAN;SKIP=BACKWARD;COUNT=6", "20260131T090000"),
        at({"2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30"}));
    EXPECT_EQ(expand_utc("FREQ=MONTHLY;BYMONTHDAY=31;RSCALE=GREGORIAN;SKIP=BACKWARD;COUNT=3",
                         "20240131T090000"),
              at({"2024-01-31", "2024-02-29", "2024-03-31"}));
    // FORWARD: the first day of the next month.
    EXPECT_EQ(expand_utc("FREQ=MONTHLY;RSCALE=GREGORIAN;SKIP=FORWARD;COUNT=8", "20260131T090000"),
              at({"2026-01-31", "2026-03-01", "2026-03-31", "2026-05-01", "2026-05-31",
                  "2026-07-01", "2026-07-31", "2026-08-31"}));
    EXPECT_EQ(expand_utc("FREQ=MONTHLY;INTERVAL=2;RSCALE=GREGORIAN;SKIP=FORWARD;COUNT=5",
                         "20251231T090000"),
              at({"2025-12-31", "2026-03-01", "2026-05-01", "2026-07-01", "2026-08-31"}));
}

TEST(RecurrenceSkip, WithoutRscaleIsAccepted) {
    EXPECT_EQ(expand_utc("FREQ=MONTHLY;SKIP=BACKWARD;COUNT=3", "20260131T090000"),
              at({"2026-01-31", "2026-02-28", "2026-03-31"}));
}

TEST(RecurrenceSkip, YearlyOnFebruary29) {
    // RFC 7529's leap-day example: without SKIP the rule recurs in leap years only;
    // FORWARD moves it to March 1, BACKWARD to February 28.
    EXPECT_EQ(expand_utc("FREQ=YEARLY", "20120229T090000", 3),
              at({"2012-02-29", "2016-02-29", "2020-02-29"}));
    EXPECT_EQ(
        expand_utc("RSCALE=GREGORIAN;FREQ=YEARLY;SKIP=FORWARD", "20120229T090000", 6),
        at({"2012-02-29", "2013-03-01", "2014-03-01", "2015-03-01", "2016-02-29", "2017-03-01"}));
    EXPECT_EQ(expand_utc("RSCALE=GREGORIAN;FREQ=YEARLY;SKIP=BACKWARD;COUNT=5", "20120229T090000"),
              at({"2012-02-29", "2013-02-28", "2014-02-28", "2015-02-28", "2016-02-29"}));
    EXPECT_EQ(expand_utc("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;RSCALE=GREGORIAN;SKIP=BACKWARD;"
                         "COUNT=3",
                         "20270228T090000"),
              at({"2027-02-28", "2028-02-29", "2029-02-28"}));
    // 2100 is not a leap year.
    const FixedOffsetTimeZone utc(0);
    EXPECT_EQ(describe_all(
                  expand("FREQ=YEARLY;INTERVAL=4;SKIP=BACKWARD;COUNT=3", local("20920229T090000"),
                         utc, kFarPast, timegm_of(2200, 1, 1, 0, 0, 0)),
                  utc),
              at({"2092-02-29", "2096-02-29", "2100-02-28"}));
}

TEST(RecurrenceSkip, MovedDatesMergeAndFeedBydayAndBysetpos) {
    // February 30 moved back onto February 28 is one instance.
    EXPECT_EQ(expand_utc("FREQ=MONTHLY;BYMONTHDAY=28,30;SKIP=BACKWARD;COUNT=5", "20260128T090000"),
              at({"2026-01-28", "2026-01-30", "2026-02-28", "2026-03-28", "2026-03-30"}));
    // February 31 moved forward onto March 1, which March also has: one instance.
    EXPECT_EQ(expand_utc("FREQ=MONTHLY;BYMONTHDAY=1,31;SKIP=FORWARD;COUNT=5", "20260131T090000"),
              at({"2026-01-31", "2026-02-01", "2026-03-01", "2026-03-31", "2026-04-01"}));
    // BYDAY filters the moved date (2026-02-28 is a Saturday).
    EXPECT_EQ(
        expand_utc("FREQ=MONTHLY;BYMONTHDAY=31;BYDAY=SA;SKIP=BACKWARD;COUNT=4", "20260131T090000"),
        at({"2026-01-31", "2026-02-28", "2026-10-31", "2027-07-31"}));
    // BYMONTH applies to the month that generated the date.
    EXPECT_EQ(
        expand_utc("FREQ=MONTHLY;BYMONTH=1,2;BYMONTHDAY=31;SKIP=FORWARD", "20260131T090000", 3),
        at({"2026-01-31", "2026-03-01", "2027-01-31"}));
    // BYSETPOS sees the moved dates.
    EXPECT_EQ(expand_utc("FREQ=MONTHLY;BYMONTHDAY=29,30,31;BYSETPOS=-1;SKIP=BACKWARD;COUNT=4",
                         "20260131T090000"),
              at({"2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"}));
    // The second of {1, 31} is the 31st; with SKIP=BACKWARD February has a second
    // day too (its 28th), without SKIP it has not.
    EXPECT_EQ(expand_utc("FREQ=MONTHLY;BYMONTHDAY=1,31;BYSETPOS=2;SKIP=BACKWARD;COUNT=5",
                         "20260101T090000"),
              at({"2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31"}));
    EXPECT_EQ(expand_utc("FREQ=MONTHLY;BYMONTHDAY=1,31;BYSETPOS=2;COUNT=5", "20260101T090000"),
              at({"2026-01-31", "2026-03-31", "2026-05-31", "2026-07-31", "2026-08-31"}));
}

TEST(RecurrenceSkip, NegativeDaysAndLimitingRulesAreNotMoved) {
    // -29 does not exist in a 28-day February: dropped whatever SKIP says.
    EXPECT_EQ(expand_utc("FREQ=MONTHLY;BYMONTHDAY=-29;SKIP=BACKWARD;COUNT=3", "20260103T090000"),
              at({"2026-01-03", "2026-03-03", "2026-04-02"}));
    // FREQ=DAILY only limits by BYMONTHDAY: it generates no invalid date to move.
    EXPECT_EQ(expand_utc("FREQ=DAILY;BYMONTHDAY=31;SKIP=BACKWARD;COUNT=3", "20260131T090000"),
              at({"2026-01-31", "2026-03-31", "2026-05-31"}));
}

// ---------------------------------------------------------------------------
// Other semantics

TEST(RecurrenceSemantics, LastDayOfTheMonth) {
    EXPECT_EQ(expand_utc("FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=5", "20240131T090000"),
              at({"2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"}));
    EXPECT_EQ(
        expand_utc("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3", "20260101T090000"),
        at({"2026-01-30", "2026-02-27", "2026-03-31"}));
}

TEST(RecurrenceSemantics, DtstartIsAnOccurrenceOnlyWhenItMatches) {
    EXPECT_EQ(expand_utc("FREQ=MONTHLY;BYMONTHDAY=15;COUNT=2", "20260110T090000"),
              at({"2026-01-15", "2026-02-15"}));
    EXPECT_EQ(expand_utc("FREQ=MONTHLY;BYMONTHDAY=10,15;COUNT=2", "20260110T090000"),
              at({"2026-01-10", "2026-01-15"}));
    // Same day, earlier time of day: not an occurrence either.
    EXPECT_EQ(expand_utc("FREQ=DAILY;BYHOUR=8;COUNT=2", "20260110T090000"),
              at({"2026-01-11", "2026-01-12"}, "08:00"));
}

TEST(RecurrenceSemantics, TimeOfDayFromByhourAndByminute) {
    EXPECT_EQ(expand_utc("FREQ=WEEKLY;BYDAY=MO;BYHOUR=17;BYMINUTE=30;COUNT=3", "20260105T090000"),
              at({"2026-01-05", "2026-01-12", "2026-01-19"}, "17:30"));
    EXPECT_EQ(expand_utc("FREQ=DAILY;BYSECOND=15;COUNT=1", "20260105T090000"),
              std::vector<std::string>{"2026-01-05 09:00:15 UTC"});
}

TEST(RecurrenceSemantics, CountCountsFromDtstartBeforeTheRange) {
    const FixedOffsetTimeZone utc(0);
    const auto actual = expand("FREQ=DAILY;COUNT=10", local("20260101T090000"), utc,
                               timegm_of(2026, 1, 5, 0, 0, 0), kFarFuture);
    EXPECT_EQ(describe_all(actual, utc), at({"2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08",
                                             "2026-01-09", "2026-01-10"}));
}

TEST(RecurrenceSemantics, UntilForms) {
    // A date: the whole local day is included.
    EXPECT_EQ(expand_utc("FREQ=DAILY;UNTIL=20260103", "20260101T090000"),
              at({"2026-01-01", "2026-01-02", "2026-01-03"}));
    // A local date-time, inclusive.
    EXPECT_EQ(expand_utc("FREQ=DAILY;UNTIL=20260103T090000", "20260101T090000"),
              at({"2026-01-01", "2026-01-02", "2026-01-03"}));
    EXPECT_EQ(expand_utc("FREQ=DAILY;UNTIL=20260103T085959", "20260101T090000"),
              at({"2026-01-01", "2026-01-02"}));
    // UTC, compared with the instant: 09:00 EST is 14:00Z.
    const IcuTimeZone new_york("America/New_York");
    const auto actual = expand("FREQ=DAILY;UNTIL=20260103T140000Z", local("20260101T090000"),
                               new_york, kFarPast, kFarFuture);
    EXPECT_EQ(actual.size(), 3U);
    const auto earlier = expand("FREQ=DAILY;UNTIL=20260103T135959Z", local("20260101T090000"),
                                new_york, kFarPast, kFarFuture);
    EXPECT_EQ(earlier.size(), 2U);
    // UNTIL before dtstart: nothing.
    EXPECT_TRUE(expand_utc("FREQ=DAILY;UNTIL=20251231", "20260101T090000").empty());
}

TEST(RecurrenceSemantics, RangeIsHalfOpenAndMayBeEmpty) {
    const FixedOffsetTimeZone utc(0);
    const std::int64_t jan2 = timegm_of(2026, 1, 2, 9, 0, 0);
    const std::int64_t jan4 = timegm_of(2026, 1, 4, 9, 0, 0);
    EXPECT_EQ(describe_all(expand("FREQ=DAILY", local("20260101T090000"), utc, jan2, jan4), utc),
              at({"2026-01-02", "2026-01-03"}));
    EXPECT_TRUE(expand("FREQ=DAILY", local("20260101T090000"), utc, jan4, jan2).empty());
    EXPECT_TRUE(expand("FREQ=DAILY", local("20260101T090000"), utc, jan2, jan2).empty());
    EXPECT_TRUE(expand("0 9 * * *", local("20260101T090000"), utc, jan4, jan2).empty());
}

TEST(RecurrenceSemantics, WeeklyLimitedByMonthAndDailyLimitedByWeekday) {
    EXPECT_EQ(expand_utc("FREQ=WEEKLY;BYMONTH=2;COUNT=5", "20260105T090000"),
              at({"2026-02-02", "2026-02-09", "2026-02-16", "2026-02-23", "2027-02-01"}));
    EXPECT_EQ(expand_utc("FREQ=DAILY;BYDAY=SA,SU;COUNT=4", "20260101T090000"),
              at({"2026-01-03", "2026-01-04", "2026-01-10", "2026-01-11"}));
}

TEST(RecurrenceSemantics, WeekNumbersAcrossYearBoundaries) {
    // Week 1 of 2026 (weeks from Monday) starts on Monday 2025-12-29.
    EXPECT_EQ(expand_utc("FREQ=YEARLY;BYWEEKNO=1", "20251201T090000", 10),
              at({"2025-12-29", "2025-12-30", "2025-12-31", "2026-01-01", "2026-01-02",
                  "2026-01-03", "2026-01-04", "2027-01-04", "2027-01-05", "2027-01-06"}));
    // 2026 has 53 ISO weeks (it starts on a Thursday): -1 is week 53.
    EXPECT_EQ(expand_utc("FREQ=YEARLY;BYWEEKNO=-1;BYDAY=MO", "20260101T090000", 2),
              at({"2026-12-28", "2027-12-27"}));
}

TEST(RecurrenceSemantics, SkippingAheadGivesTheSameOccurrencesAsWalking) {
    // Without COUNT the expansion jumps near range_start; with a huge COUNT it must
    // walk from dtstart. Both must agree on the same rule.
    const IcuTimeZone berlin("Europe/Berlin");
    const std::int64_t start = timegm_of(2026, 1, 1, 0, 0, 0);
    const std::int64_t end = timegm_of(2027, 1, 1, 0, 0, 0);
    for (const std::string rule :
         {"FREQ=DAILY;INTERVAL=3", "FREQ=WEEKLY;INTERVAL=5;BYDAY=MO,FR",
          "FREQ=WEEKLY;INTERVAL=2;WKST=SU;BYDAY=SU,SA", "FREQ=MONTHLY;INTERVAL=7;BYMONTHDAY=-1",
          "FREQ=MONTHLY;INTERVAL=5;BYDAY=2TU", "FREQ=YEARLY;INTERVAL=4;BYMONTH=1,7;BYDAY=1MO",
          "FREQ=YEARLY;BYYEARDAY=1,-1", "FREQ=MONTHLY;INTERVAL=4;SKIP=FORWARD"}) {
        SCOPED_TRACE(rule);
        const LocalDateTime dtstart = local("19701231T093000");
        const auto jumped = expand(rule, dtstart, berlin, start, end);
        const auto walked = expand(rule + ";COUNT=2000000000", dtstart, berlin, start, end);
        EXPECT_FALSE(jumped.empty());
        EXPECT_EQ(jumped, walked);
    }
}

// ---------------------------------------------------------------------------
// Daylight-saving time

TEST(RecurrenceDst, NineOClockStaysNineOClock) {
    const IcuTimeZone new_york("America/New_York");
    const auto march =
        expand("FREQ=DAILY;COUNT=5", local("20260306T090000"), new_york, kFarPast, kFarFuture);
    EXPECT_EQ(describe_all(march, new_york),
              cat({days(2026, 3, {6, 7}, "EST"), days(2026, 3, {8, 9, 10}, "EDT")}));
    EXPECT_EQ(march, utc_all(describe_all(march, new_york)));
    EXPECT_EQ(march[2] - march[1], 23 * kHour);  // the short day
    const auto november =
        expand("FREQ=DAILY;COUNT=4", local("20261030T090000"), new_york, kFarPast, kFarFuture);
    EXPECT_EQ(describe_all(november, new_york),
              cat({days(2026, 10, {30, 31}, "EDT"), days(2026, 11, {1, 2}, "EST")}));
    EXPECT_EQ(november[2] - november[1], 25 * kHour);  // the long day
    // Monthly in Europe/Berlin across both changes.
    const IcuTimeZone berlin("Europe/Berlin");
    EXPECT_EQ(describe_all(expand("FREQ=MONTHLY;COUNT=4", local("20260215T090000"), berlin,
                                  kFarPast, kFarFuture),
                           berlin),
              cat({days(2026, 2, {15}, "CET"), days(2026, 3, {15}, "CET"),
                   days(2026, 4, {15}, "CEST"), days(2026, 5, {15}, "CEST")}));
}

TEST(RecurrenceDst, TimeInTheSpringForwardGapMovesForward) {
    const IcuTimeZone new_york("America/New_York");
    const auto actual =
        expand("FREQ=DAILY;COUNT=3", local("20260307T023000"), new_york, kFarPast, kFarFuture);
    EXPECT_EQ(describe_all(actual, new_york),
              std::vector<std::string>(
                  {"2026-03-07 02:30 EST", "2026-03-08 03:30 EDT", "2026-03-09 02:30 EDT"}));
}

TEST(RecurrenceDst, AmbiguousTimeIsTheFirst) {
    const IcuTimeZone new_york("America/New_York");
    const auto actual =
        expand("FREQ=DAILY;COUNT=3", local("20261031T013000"), new_york, kFarPast, kFarFuture);
    EXPECT_EQ(describe_all(actual, new_york),
              std::vector<std::string>(
                  {"2026-10-31 01:30 EDT", "2026-11-01 01:30 EDT", "2026-11-02 01:30 EST"}));
}

// ---------------------------------------------------------------------------
// Cron

std::vector<std::string> cron_ny(std::string_view rule, const char *from, const char *to,
                                 std::size_t take = kAll) {
    const IcuTimeZone new_york("America/New_York");
    return describe_all(
        expand(rule, local("20000101T000000"), new_york, utc_of(from), utc_of(to), take), new_york);
}

TEST(RecurrenceCron, WeekdaysAtNine) {
    EXPECT_EQ(cron_ny("0 9 * * 1-5", "2026-03-05 00:00 EST", "2026-03-12 00:00 EDT"),
              cat({days(2026, 3, {5, 6}, "EST"), days(2026, 3, {9, 10, 11}, "EDT")}));
    EXPECT_EQ(cron_ny("0 9 * * MON-FRI", "2026-03-05 00:00 EST", "2026-03-12 00:00 EDT"),
              cron_ny("0 9 * * 1-5", "2026-03-05 00:00 EST", "2026-03-12 00:00 EDT"));
}

TEST(RecurrenceCron, ListsRangesStepsAndNames) {
    EXPECT_EQ(cron_ny("*/15 9-10 1 * *", "2026-01-01 00:00 EST", "2026-02-01 00:00 EST"),
              std::vector<std::string>({"2026-01-01 09:00 EST", "2026-01-01 09:15 EST",
                                        "2026-01-01 09:30 EST", "2026-01-01 09:45 EST",
                                        "2026-01-01 10:00 EST", "2026-01-01 10:15 EST",
                                        "2026-01-01 10:30 EST", "2026-01-01 10:45 EST"}));
    EXPECT_EQ(cron_ny("5/20 12 1 jan,Jul *", "2026-01-01 00:00 EST", "2027-01-01 00:00 EST"),
              std::vector<std::string>({"2026-01-01 12:05 EST", "2026-01-01 12:25 EST",
                                        "2026-01-01 12:45 EST", "2026-07-01 12:05 EDT",
                                        "2026-07-01 12:25 EDT", "2026-07-01 12:45 EDT"}));
    EXPECT_EQ(cron_ny("0 12 10-20/5 2 *", "2026-01-01 00:00 EST", "2027-01-01 00:00 EST"),
              days(2026, 2, {10, 15, 20}, "EST", "12:00"));
    // 0 and 7 are both Sunday.
    EXPECT_EQ(cron_ny("0 8 * * 7", "2026-01-01 00:00 EST", "2026-01-20 00:00 EST"),
              cron_ny("0 8 * * 0", "2026-01-01 00:00 EST", "2026-01-20 00:00 EST"));
    EXPECT_EQ(cron_ny("0 8 * * sun", "2026-01-01 00:00 EST", "2026-01-20 00:00 EST"),
              days(2026, 1, {4, 11, 18}, "EST", "08:00"));
}

TEST(RecurrenceCron, DayOfMonthOrDayOfWeek) {
    // Both restricted: either matches (the 1st, the 15th and every Monday).
    EXPECT_EQ(cron_ny("0 0 1,15 * MON", "2026-01-01 00:00 EST", "2026-02-01 00:00 EST"),
              days(2026, 1, {1, 5, 12, 15, 19, 26}, "EST", "00:00"));
    // A '*' field does not restrict: both must match ("*/2" still starts with '*').
    EXPECT_EQ(cron_ny("0 0 */2 * MON", "2026-01-01 00:00 EST", "2026-02-01 00:00 EST"),
              days(2026, 1, {5, 19}, "EST", "00:00"));
    EXPECT_EQ(cron_ny("0 0 13 * *", "2026-01-01 00:00 EST", "2026-04-01 00:00 EDT"),
              cat({days(2026, 1, {13}, "EST", "00:00"), days(2026, 2, {13}, "EST", "00:00"),
                   days(2026, 3, {13}, "EDT", "00:00")}));
}

TEST(RecurrenceCron, Macros) {
    EXPECT_EQ(cron_ny("@monthly", "2026-01-15 00:00 EST", "2026-04-15 00:00 EDT"),
              cat({days(2026, 2, {1}, "EST", "00:00"), days(2026, 3, {1}, "EST", "00:00"),
                   days(2026, 4, {1}, "EDT", "00:00")}));
    EXPECT_EQ(cron_ny("@weekly", "2026-01-01 00:00 EST", "2026-01-15 00:00 EST"),
              days(2026, 1, {4, 11}, "EST", "00:00"));
    EXPECT_EQ(cron_ny("@YEARLY", "2026-01-01 00:00 EST", "2028-01-01 00:00 EST"),
              cat({days(2026, 1, {1}, "EST", "00:00"), days(2027, 1, {1}, "EST", "00:00")}));
    EXPECT_EQ(cron_ny("@daily", "2026-01-01 00:00 EST", "2026-01-03 00:00 EST"),
              cron_ny("0 0 * * *", "2026-01-01 00:00 EST", "2026-01-03 00:00 EST"));
}

TEST(RecurrenceCron, LeapDayOnly) {
    EXPECT_EQ(cron_ny("0 0 29 2 *", "2026-01-01 00:00 EST", "2037-01-01 00:00 EST"),
              cat({days(2028, 2, {29}, "EST", "00:00"), days(2032, 2, {29}, "EST", "00:00"),
                   days(2036, 2, {29}, "EST", "00:00")}));
}

TEST(RecurrenceCron, SpringForwardAndFallBack) {
    // 02:30 does not exist on 2026-03-08: it runs at 03:30 EDT.
    EXPECT_EQ(cron_ny("30 2 * * *", "2026-03-07 00:00 EST", "2026-03-10 00:00 EDT"),
              std::vector<std::string>(
                  {"2026-03-07 02:30 EST", "2026-03-08 03:30 EDT", "2026-03-09 02:30 EDT"}));
    // Every half hour: the moved 02:00 and 02:30 coincide with the real 03:00 and
    // 03:30, and run once each, in order.
    EXPECT_EQ(cron_ny("0,30 * 8 3 *", "2026-03-08 01:00 EST", "2026-03-08 04:30 EDT"),
              std::vector<std::string>({"2026-03-08 01:00 EST", "2026-03-08 01:30 EST",
                                        "2026-03-08 03:00 EDT", "2026-03-08 03:30 EDT",
                                        "2026-03-08 04:00 EDT"}));
    // 01:30 happens twice on 2026-11-01: the job runs once, at the first.
    EXPECT_EQ(cron_ny("30 1 * * *", "2026-10-31 00:00 EDT", "2026-11-03 00:00 EST"),
              std::vector<std::string>(
                  {"2026-10-31 01:30 EDT", "2026-11-01 01:30 EDT", "2026-11-02 01:30 EST"}));
    EXPECT_EQ(cron_ny("0 * 1 11 *", "2026-11-01 00:00 EDT", "2026-11-01 04:00 EST"),
              std::vector<std::string>({"2026-11-01 00:00 EDT", "2026-11-01 01:00 EDT",
                                        "2026-11-01 02:00 EST", "2026-11-01 03:00 EST"}));
}

TEST(RecurrenceCron, DtstartIsALowerBoundAndMinutesRoundUp) {
    const IcuTimeZone new_york("America/New_York");
    const auto from_dtstart =
        expand("0 9 * * *", local("20260110T120000"), new_york, utc_of("2026-01-01 00:00 EST"),
               utc_of("2026-01-13 00:00 EST"));
    EXPECT_EQ(describe_all(from_dtstart, new_york), days(2026, 1, {11, 12}, "EST"));
    // A range starting in the middle of a minute does not include that minute.
    const auto mid_minute =
        expand("* * * * *", local("20000101T000000"), new_york, utc_of("2026-01-01 09:00 EST") + 30,
               utc_of("2026-01-01 09:03 EST"));
    EXPECT_EQ(describe_all(mid_minute, new_york),
              std::vector<std::string>({"2026-01-01 09:01 EST", "2026-01-01 09:02 EST"}));
}

TEST(RecurrenceCron, ParsedFields) {
    const Rule rule = parse_rule("  0,30 9-17/4 1,15 JAN-MAR MON,fri  ");
    ASSERT_EQ(rule.kind(), Rule::Kind::Cron);
    EXPECT_EQ(rule.text(), "0,30 9-17/4 1,15 JAN-MAR MON,fri");
    const auto &cron = rule.cron();
    EXPECT_EQ(cron.minutes.count(), 2U);
    EXPECT_TRUE(cron.minutes[0] && cron.minutes[30]);
    EXPECT_EQ(cron.hours.count(), 3U);
    EXPECT_TRUE(cron.hours[9] && cron.hours[13] && cron.hours[17]);
    EXPECT_TRUE(cron.days_of_month[1] && cron.days_of_month[15]);
    EXPECT_EQ(cron.months.count(), 3U);
    EXPECT_TRUE(cron.days_of_week[static_cast<int>(Weekday::Monday)]);
    EXPECT_TRUE(cron.days_of_week[static_cast<int>(Weekday::Friday)]);
    EXPECT_EQ(cron.days_of_week.count(), 2U);
    EXPECT_TRUE(cron.day_of_month_restricted);
    EXPECT_TRUE(cron.day_of_week_restricted);
    expect_error([&] { rule.rrule(); }, ErrorKind::Internal,
                 "recurrence rule is a cron expression, not an RRULE");
}

// ---------------------------------------------------------------------------
// Parsing

TEST(RecurrenceParse, RruleSpellings) {
    for (const char *text :
         {"FREQ=MONTHLY;BYDAY=2TU", "RRULE:FREQ=MONTHLY;BYDAY=2TU", "rrule:freq=monthly;byday=2tu",
          "  FREQ = MONTHLY ; BYDAY = 2TU ; ", "BYDAY=+2TU;FREQ=MONTHLY"}) {
        SCOPED_TRACE(text);
        const Rule rule = parse_rule(text);
        ASSERT_EQ(rule.kind(), Rule::Kind::RRule);
        const auto &rrule = rule.rrule();
        EXPECT_EQ(rrule.frequency, mycelium::core::Frequency::Monthly);
        ASSERT_EQ(rrule.by_day.size(), 1U);
        EXPECT_EQ(rrule.by_day[0].ordinal, 2);
        EXPECT_EQ(rrule.by_day[0].weekday, Weekday::Tuesday);
    }
    const Rule full = parse_rule(
        "FREQ=YEARLY;INTERVAL=2;UNTIL=20301231T235959Z;BYMONTH=3,1,3;BYMONTHDAY=-1,1;"
        "BYSETPOS=1,-1;WKST=SU;RSCALE=gregorian;SKIP=backward;BYHOUR=9;BYMINUTE=5;BYSECOND=0");
    const auto &rrule = full.rrule();
    EXPECT_EQ(rrule.interval, 2);
    ASSERT_TRUE(rrule.until.has_value());
    EXPECT_EQ(rrule.until->kind, mycelium::core::Until::Kind::Utc);
    EXPECT_EQ(rrule.until->utc, timegm_of(2030, 12, 31, 23, 59, 59));
    EXPECT_EQ(rrule.by_month, (std::vector<int>{1, 3}));
    EXPECT_EQ(rrule.by_month_day, (std::vector<int>{-1, 1}));
    EXPECT_EQ(rrule.by_set_pos, (std::vector<int>{-1, 1}));
    EXPECT_EQ(rrule.week_start, Weekday::Sunday);
    EXPECT_EQ(rrule.skip, mycelium::core::Skip::Backward);
    EXPECT_EQ(rrule.by_hour, 9);
    EXPECT_EQ(rrule.by_minute, 5);
    EXPECT_EQ(rrule.by_second, 0);
    expect_error([&] { full.cron(); }, ErrorKind::Internal,
                 "recurrence rule is an RRULE, not a cron expression");
    // Cases that look odd but can match are accepted.
    parse_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;SKIP=BACKWARD");
    parse_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29");
    parse_rule("FREQ=YEARLY;BYMONTH=12;BYYEARDAY=366");
    parse_rule("FREQ=MONTHLY;BYDAY=-5FR");
    parse_rule("FREQ=YEARLY;BYDAY=53MO");
}

TEST(RecurrenceParse, MalformedRrules) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"FREQ=FORTNIGHTLY",
         "recurrence rule: FREQ=FORTNIGHTLY is not a frequency (DAILY, WEEKLY, MONTHLY or "
         "YEARLY)"},
        {"FREQ=SECONDLY",
         "recurrence rule: FREQ=SECONDLY is not supported: sub-daily recurrence is not supported "
         "for deliverables"},
        {"INTERVAL=2", "recurrence rule: FREQ is missing"},
        {"RRULE:", "recurrence rule: FREQ is missing"},
        {"FREQ=DAILY;FREQ=WEEKLY", "recurrence rule: FREQ appears more than once"},
        {"FREQ=DAILY;COUNT=2;count=3", "recurrence rule: COUNT appears more than once"},
        {"FREQ=DAILY;FOO=1", "recurrence rule: unknown part \"FOO\""},
        {"FREQ=DAILY;X-NAME=1", "recurrence rule: unknown part \"X-NAME\""},
        {"DTSTART:19970902T090000\nRRULE:FREQ=DAILY",
         "recurrence rule: DTSTART is not part of a rule"},
        {"FREQ=DAILY;COUNT", "recurrence rule: \"COUNT\" is not a NAME=VALUE part"},
        {"FREQ=DAILY;COUNT=", "recurrence rule: COUNT has no value"},
        {"FREQ=DAILY;;COUNT=2", "recurrence rule: empty part between two ';'"},
        {"FREQ=DAILY;COUNT=0", "recurrence rule: COUNT=0 is out of range (1..2147483647)"},
        {"FREQ=DAILY;COUNT=-1", "recurrence rule: COUNT=-1 is out of range (1..2147483647)"},
        {"FREQ=DAILY;COUNT=2147483648",
         "recurrence rule: COUNT=2147483648 is out of range (1..2147483647)"},
        {"FREQ=DAILY;COUNT=99999999999999999999",
         "recurrence rule: COUNT=99999999999999999999 is not a whole number (1..2147483647)"},
        {"FREQ=DAILY;COUNT=ten",
         "recurrence rule: COUNT=ten is not a whole number (1..2147483647)"},
        {"FREQ=DAILY;INTERVAL=0", "recurrence rule: INTERVAL=0 is out of range (1..10000)"},
        {"FREQ=DAILY;INTERVAL=1.5",
         "recurrence rule: INTERVAL=1.5 is not a whole number (1..10000)"},
        {"FREQ=DAILY;COUNT=5;UNTIL=20260101",
         "recurrence rule: COUNT and UNTIL cannot be used together"},
        {"FREQ=DAILY;UNTIL=2026-01-01",
         "recurrence rule: UNTIL=2026-01-01 is not a date (YYYYMMDD) or a UTC date-time "
         "(YYYYMMDDTHHMMSSZ)"},
        {"FREQ=DAILY;UNTIL=20260101T0900Z",
         "recurrence rule: UNTIL=20260101T0900Z is not a date (YYYYMMDD) or a UTC date-time "
         "(YYYYMMDDTHHMMSSZ)"},
        {"FREQ=DAILY;UNTIL=20260230",
         "recurrence rule: UNTIL=20260230 is not a valid date and time"},
        {"FREQ=DAILY;UNTIL=20260101T240000Z",
         "recurrence rule: UNTIL=20260101T240000Z is not a valid date and time"},
        {"FREQ=DAILY;UNTIL=00001231",
         "recurrence rule: UNTIL=00001231 is out of range: years 1 to 9999 are supported"},
        {"FREQ=MONTHLY;BYMONTHDAY=32",
         "recurrence rule: BYMONTHDAY=32 is out of range (-31..-1, 1..31)"},
        {"FREQ=MONTHLY;BYMONTHDAY=1,0",
         "recurrence rule: BYMONTHDAY=0 is out of range (-31..-1, 1..31)"},
        {"FREQ=MONTHLY;BYMONTHDAY=-32",
         "recurrence rule: BYMONTHDAY=-32 is out of range (-31..-1, 1..31)"},
        {"FREQ=MONTHLY;BYMONTHDAY=last",
         "recurrence rule: BYMONTHDAY=last is not a whole number (-31..-1, 1..31)"},
        {"FREQ=MONTHLY;BYMONTHDAY=1,,15", "recurrence rule: BYMONTHDAY=1,,15 has an empty item"},
        {"FREQ=YEARLY;BYMONTH=13", "recurrence rule: BYMONTH=13 is out of range (1..12)"},
        {"FREQ=YEARLY;BYMONTH=-1", "recurrence rule: BYMONTH=-1 is out of range (1..12)"},
        {"FREQ=YEARLY;BYYEARDAY=367",
         "recurrence rule: BYYEARDAY=367 is out of range (-366..-1, 1..366)"},
        {"FREQ=YEARLY;BYWEEKNO=54",
         "recurrence rule: BYWEEKNO=54 is out of range (-53..-1, 1..53)"},
        {"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0",
         "recurrence rule: BYSETPOS=0 is out of range (-366..-1, 1..366)"},
        {"FREQ=WEEKLY;BYDAY=XX",
         "recurrence rule: BYDAY=XX is not a weekday (MO, TU, WE, TH, FR, SA or SU, optionally "
         "with an ordinal such as 2TU or -1FR)"},
        {"FREQ=WEEKLY;BYDAY=MONDAY",
         "recurrence rule: BYDAY=MONDAY is not a weekday (MO, TU, WE, TH, FR, SA or SU, "
         "optionally with an ordinal such as 2TU or -1FR)"},
        {"FREQ=WEEKLY;BYDAY=MO,,TU", "recurrence rule: BYDAY=MO,,TU has an empty item"},
        {"FREQ=WEEKLY;BYDAY=2TU",
         "recurrence rule: BYDAY=2TU: an ordinal is only allowed with FREQ=MONTHLY or "
         "FREQ=YEARLY"},
        {"FREQ=DAILY;BYDAY=-1FR",
         "recurrence rule: BYDAY=-1FR: an ordinal is only allowed with FREQ=MONTHLY or "
         "FREQ=YEARLY"},
        {"FREQ=MONTHLY;BYDAY=6MO",
         "recurrence rule: BYDAY=6MO never matches: a month has at most 5 of each weekday"},
        {"FREQ=YEARLY;BYMONTH=3;BYDAY=-6MO",
         "recurrence rule: BYDAY=-6MO never matches: a month has at most 5 of each weekday"},
        {"FREQ=YEARLY;BYDAY=54MO",
         "recurrence rule: BYDAY=54MO: the ordinal is out of range (-53..-1, 1..53)"},
        {"FREQ=YEARLY;BYDAY=0MO",
         "recurrence rule: BYDAY=0MO: the ordinal is out of range (-53..-1, 1..53)"},
        {"FREQ=YEARLY;BYWEEKNO=20;BYDAY=1MO",
         "recurrence rule: BYDAY=1MO: an ordinal is not allowed with BYWEEKNO"},
        {"FREQ=WEEKLY;BYMONTHDAY=1", "recurrence rule: BYMONTHDAY is not allowed with FREQ=WEEKLY"},
        {"FREQ=MONTHLY;BYYEARDAY=1", "recurrence rule: BYYEARDAY is only allowed with FREQ=YEARLY"},
        {"FREQ=DAILY;BYWEEKNO=1", "recurrence rule: BYWEEKNO is only allowed with FREQ=YEARLY"},
        {"FREQ=DAILY;BYSETPOS=1",
         "recurrence rule: BYSETPOS needs another BYxxx part to select from"},
        {"FREQ=DAILY;BYHOUR=24", "recurrence rule: BYHOUR=24 is out of range (0..23)"},
        {"FREQ=DAILY;BYMINUTE=60", "recurrence rule: BYMINUTE=60 is out of range (0..59)"},
        {"FREQ=DAILY;BYSECOND=60", "recurrence rule: BYSECOND=60 is out of range (0..59)"},
        {"FREQ=DAILY;BYMINUTE=0,30",
         "recurrence rule: BYMINUTE=0,30 has more than one value: sub-daily recurrence is not "
         "supported for deliverables"},
        {"FREQ=WEEKLY;WKST=XX",
         "recurrence rule: WKST=XX is not a weekday (MO, TU, WE, TH, FR, SA or SU)"},
        {"FREQ=MONTHLY;RSCALE=HEBREW",
         "recurrence rule: RSCALE=HEBREW is not supported: only RSCALE=GREGORIAN is"},
        {"FREQ=MONTHLY;SKIP=YES", "recurrence rule: SKIP=YES is not OMIT, BACKWARD or FORWARD"},
        {"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
         "recurrence rule: BYMONTH=2 with BYMONTHDAY=30 never matches"},
        {"FREQ=MONTHLY;BYMONTH=4,6,9,11;BYMONTHDAY=31,-31",
         "recurrence rule: BYMONTH=4,6,9,11 with BYMONTHDAY=31,-31 never matches"},
        {"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;SKIP=BACKWARD",
         "recurrence rule: BYMONTH=2 with BYMONTHDAY=30 never matches"},
        {"FREQ=YEARLY;BYMONTH=1;BYYEARDAY=100",
         "recurrence rule: BYMONTH=1 with BYYEARDAY=100 never matches"},
        {"FREQ=DAILY;BYMONTHDAY=1\x01",
         "recurrence rule: BYMONTHDAY=1\\x01 is not a whole number (-31..-1, 1..31)"},
    };
    for (const auto &[rule, message] : cases) expect_invalid_rule(rule, message);
}

TEST(RecurrenceParse, MalformedCron) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"* * * *",
         "cron expression: expected 5 fields (minute hour day-of-month month day-of-week), "
         "found 4"},
        {"0 0 0 * * *",
         "cron expression: expected 5 fields (minute hour day-of-month month day-of-week), "
         "found 6"},
        {"garbage",
         "cron expression: expected 5 fields (minute hour day-of-month month day-of-week), "
         "found 1"},
        {"60 * * * *", "cron expression: 60 in the minute field is out of range (0..59)"},
        {"0 24 * * *", "cron expression: 24 in the hour field is out of range (0..23)"},
        {"0 0 0 * *", "cron expression: 0 in the day-of-month field is out of range (1..31)"},
        {"0 0 32 * *", "cron expression: 32 in the day-of-month field is out of range (1..31)"},
        {"0 0 * 13 *", "cron expression: 13 in the month field is out of range (1..12)"},
        {"0 0 * * 8", "cron expression: 8 in the day-of-week field is out of range (0..7)"},
        {"0 0 1 FOO *", "cron expression: \"FOO\" in the month field is not a valid value"},
        {"0 0 * * MONDAY",
         "cron expression: \"MONDAY\" in the day-of-week field is not a valid value"},
        {"0 0 * JAN MAR", "cron expression: \"MAR\" in the day-of-week field is not a valid value"},
        {"1,,2 * * * *", "cron expression: empty item in the minute field \"1,,2\""},
        {"5-1 * * * *", "cron expression: the range \"5-1\" in the minute field goes backwards"},
        {"-5 * * * *", "cron expression: a value is missing in the minute field"},
        {"*/0 * * * *",
         "cron expression: the step \"0\" in the minute field is out of range (1..60)"},
        {"*/61 * * * *",
         "cron expression: the step \"61\" in the minute field is out of range (1..60)"},
        {"*/x * * * *",
         "cron expression: the step \"x\" in the minute field is out of range (1..60)"},
        {"*/2/3 * * * *", "cron expression: \"*/2/3\" in the minute field has more than one '/'"},
        {"0 0 L * *",
         "cron expression: \"L\" in the day-of-month field uses a Quartz extension (L, W, # or "
         "?), which is not supported"},
        {"0 0 ? * MON",
         "cron expression: \"?\" in the day-of-month field uses a Quartz extension (L, W, # or "
         "?), which is not supported"},
        {"0 0 * * 5#3",
         "cron expression: \"5#3\" in the day-of-week field uses a Quartz extension (L, W, # or "
         "?), which is not supported"},
        {"0 0 15W * *",
         "cron expression: \"15W\" in the day-of-month field uses a Quartz extension (L, W, # or "
         "?), which is not supported"},
        {"@reboot", "cron expression: unknown macro \"@reboot\""},
        {"0 0 30 2 *", "cron expression: day-of-month \"30\" never occurs in month \"2\""},
        {"0 0 31 4,6,9,11 *",
         "cron expression: day-of-month \"31\" never occurs in month \"4,6,9,11\""},
        {"0 0 30,31 FEB */2",
         "cron expression: day-of-month \"30,31\" never occurs in month \"FEB\""},
    };
    for (const auto &[rule, message] : cases) expect_invalid_rule(rule, message);
    // Both day fields restricted: February 30 never happens, but every Monday of
    // February does.
    parse_rule("0 0 30 2 MON");
}

TEST(RecurrenceParse, EmptyAndOversizedInput) {
    expect_invalid_rule("", "recurrence rule is empty");
    expect_invalid_rule(" \t\n ", "recurrence rule is empty");
    const std::string longest =
        "FREQ=DAILY;COUNT=1" + std::string(kRecurrenceMaxInputBytes - 18, ' ');
    ASSERT_EQ(longest.size(), kRecurrenceMaxInputBytes);
    parse_rule(longest);
    expect_error([&] { parse_rule(longest + " "); }, ErrorKind::StringTooLong,
                 "recurrence rule is too long (1025 bytes; at most 1024)");
}

// ---------------------------------------------------------------------------
// Bounded cost

TEST(RecurrenceLimits, RuleThatNeverMatchesEndsWithAnError) {
    // The first Monday of a month is never the 31st; parse time cannot see it.
    const IcuTimeZone new_york("America/New_York");
    const std::string rule = "FREQ=MONTHLY;BYMONTHDAY=31;BYDAY=1MO";
    try {
        expand(rule, local("20260101T090000"), new_york, utc_of("2026-01-01 00:00 EST"),
               timegm_of(9999, 1, 1, 0, 0, 0));
        ADD_FAILURE() << "no error";
    } catch (const Error &error) {
        EXPECT_EQ(error.kind(), ErrorKind::ProgramLimitExceeded);
        EXPECT_EQ(std::string(error.what()),
                  "recurrence rule \"FREQ=MONTHLY;BYMONTHDAY=31;BYDAY=1MO\" exceeded "
                  "max_iterations_per_occurrence (100000)");
        EXPECT_NE(error.hint().find("narrow the range"), std::string::npos);
    }
    // Over a short range it simply has no occurrence.
    EXPECT_TRUE(expand(rule, local("20260101T090000"), new_york, utc_of("2026-01-01 00:00 EST"),
                       utc_of("2027-01-01 00:00 EST"))
                    .empty());
    // And the rules that parse time can see are refused there.
    expect_invalid_rule("FREQ=YEARLY;BYMONTHDAY=30;BYMONTH=2",
                        "recurrence rule: BYMONTH=2 with BYMONTHDAY=30 never matches");
    expect_invalid_rule("0 0 30 2 *",
                        "cron expression: day-of-month \"30\" never occurs in month \"2\"");
}

TEST(RecurrenceLimits, StartIn1900SkipsAheadArithmetically) {
    const IcuTimeZone new_york("America/New_York");
    // 1000 iterations would not get from 1900 to 2026 day by day.
    const Limits tight{10000, 1000};
    const std::int64_t start = utc_of("2026-01-01 00:00 EST");
    const std::int64_t end = utc_of("2026-02-01 00:00 EST");
    EXPECT_EQ(
        expand("FREQ=DAILY", local("19000101T090000"), new_york, start, end, kAll, tight).size(),
        31U);
    EXPECT_EQ(describe_all(expand("FREQ=WEEKLY;INTERVAL=2", local("19000101T090000"), new_york,
                                  start, end, kAll, tight),
                           new_york),
              // 1900-01-01 was a Monday; 2026-01-05 is 6575 weeks later, an odd number.
              days(2026, 1, {12, 26}, "EST"));
    EXPECT_EQ(describe_all(expand("FREQ=MONTHLY;BYMONTHDAY=-1", local("19000131T090000"), new_york,
                                  start, end, kAll, tight),
                           new_york),
              days(2026, 1, {31}, "EST"));
    EXPECT_EQ(describe_all(expand("FREQ=YEARLY;INTERVAL=2", local("19000115T090000"), new_york,
                                  start, timegm_of(2029, 1, 1, 0, 0, 0), kAll, tight),
                           new_york),
              cat({days(2026, 1, {15}, "EST"), days(2028, 1, {15}, "EST")}));
    // Cron does not walk from dtstart at all.
    EXPECT_EQ(
        expand("0 9 * * *", local("19000101T090000"), new_york, start, end, kAll, tight).size(),
        31U);
}

TEST(RecurrenceLimits, CountWithAnEarlyDtstartCountsFromDtstart) {
    const FixedOffsetTimeZone utc(0);
    // 1900-01-01 to 2026-01-01 is 46021 days, so 2026-01-01 is occurrence 46022 and
    // COUNT=46030 ends on 2026-01-09.
    const std::int64_t start = timegm_of(2026, 1, 1, 0, 0, 0);
    const std::int64_t end = timegm_of(2026, 2, 1, 0, 0, 0);
    const auto actual = expand("FREQ=DAILY;COUNT=46030", local("19000101T090000"), utc, start, end);
    EXPECT_EQ(describe_all(actual, utc),
              at({"2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05",
                  "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09"}));
    // The walk from 1900 counts toward the iteration limit.
    expect_error(
        [&] {
            expand("FREQ=DAILY;COUNT=46030", local("19000101T090000"), utc, start, end, kAll,
                   Limits{10000, 10000});
        },
        ErrorKind::ProgramLimitExceeded,
        "recurrence rule \"FREQ=DAILY;COUNT=46030\" exceeded max_iterations_per_occurrence "
        "(10000)");
    // From year 1 to 9000 is too far a walk even with the default limits, and fails
    // fast rather than hanging.
    expect_error(
        [&] {
            expand("FREQ=YEARLY;COUNT=100000", local("00010101T000000"), utc,
                   timegm_of(9000, 1, 1, 0, 0, 0), timegm_of(9999, 1, 1, 0, 0, 0));
        },
        ErrorKind::ProgramLimitExceeded,
        "recurrence rule \"FREQ=YEARLY;COUNT=100000\" exceeded max_iterations_per_occurrence "
        "(100000)");
}

TEST(RecurrenceLimits, HugeCountHitsTheOccurrenceCap) {
    const FixedOffsetTimeZone utc(0);
    const std::string rule = "FREQ=DAILY;COUNT=2147483647";
    EXPECT_EQ(expand(rule, local("20260101T090000"), utc, kFarPast, timegm_of(2026, 2, 1, 0, 0, 0))
                  .size(),
              31U);
    try {
        expand(rule, local("20260101T090000"), utc, kFarPast, kFarFuture);
        ADD_FAILURE() << "no error";
    } catch (const Error &error) {
        EXPECT_EQ(error.kind(), ErrorKind::ProgramLimitExceeded);
        EXPECT_EQ(std::string(error.what()),
                  "recurrence rule \"FREQ=DAILY;COUNT=2147483647\" exceeded max_occurrences "
                  "(10000)");
        EXPECT_EQ(error.detail(), "The range holds more than 10000 occurrences of the rule.");
    }
    // Exactly the cap is fine; one more is the error, not a silent cut.
    const Rule parsed = parse_rule(rule);
    Expansion expansion(parsed, local("20260101T090000"), utc, kFarPast, kFarFuture, Limits{100});
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(expansion.next().has_value());
    expect_error([&] { expansion.next(); }, ErrorKind::ProgramLimitExceeded,
                 "recurrence rule \"FREQ=DAILY;COUNT=2147483647\" exceeded max_occurrences (100)");
    EXPECT_FALSE(expansion.next().has_value());  // finished after the error
    const auto hundred = expand(rule, local("20260101T090000"), utc, kFarPast,
                                timegm_of(2026, 4, 11, 0, 0, 0), kAll, Limits{100});
    EXPECT_EQ(hundred.size(), 100U);
}

TEST(RecurrenceLimits, OutOfRangeDtstartAndRanges) {
    const FixedOffsetTimeZone utc(0);
    const Rule rule = parse_rule("FREQ=YEARLY");
    expect_error(
        [&] {
            Expansion(rule, LocalDateTime{0, 1, 1, 0, 0, 0}, utc, 0, 1);
        },
        ErrorKind::InvalidParameter, "dtstart is out of range: year 0 is not between 1 and 9999");
    expect_error(
        [&] {
            Expansion(rule, LocalDateTime{2026, 2, 30, 0, 0, 0}, utc, 0, 1);
        },
        ErrorKind::InvalidParameter, "dtstart 2026-02-30 00:00:00 is not a valid date and time");
    // A range beyond year 9999 is cut to it.
    const auto last =
        expand("FREQ=YEARLY", local("99970601T000000"), utc,
               std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(describe_all(last, utc),
              std::vector<std::string>(
                  {"9997-06-01 00:00 UTC", "9998-06-01 00:00 UTC", "9999-06-01 00:00 UTC"}));
    const auto first = expand("FREQ=DAILY;INTERVAL=100;COUNT=2", local("00010101T000000"), utc,
                              std::numeric_limits<std::int64_t>::min(), kFarFuture);
    EXPECT_EQ(describe_all(first, utc),
              std::vector<std::string>({"0001-01-01 00:00 UTC", "0001-04-11 00:00 UTC"}));
    const auto cron_last = expand("0 0 31 12 *", local("99980101T000000"), utc, 0,
                                  std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(describe_all(cron_last, utc),
              std::vector<std::string>({"9998-12-31 00:00 UTC", "9999-12-31 00:00 UTC"}));
}

// ---------------------------------------------------------------------------
// Streaming

TEST(RecurrenceStreaming, TakesTheFirstFewOfAnUnboundedRuleCheaply) {
    const IcuTimeZone new_york("America/New_York");
    const std::int64_t start = utc_of("2026-01-01 00:00 EST");
    const std::int64_t end = timegm_of(9999, 1, 1, 0, 0, 0);
    {
        CountingZone zone(new_york);
        const Rule rule = parse_rule("FREQ=DAILY");
        // A cap of 3 proves that nothing beyond the third occurrence is computed:
        // building the set first would fail before returning any.
        Expansion expansion(rule, local("20260101T090000"), zone, start, end, Limits{3});
        for (int i = 0; i < 3; ++i) ASSERT_TRUE(expansion.next().has_value());
        EXPECT_LE(zone.conversions, 3U);
        EXPECT_THROW(expansion.next(), Error);
    }
    {
        CountingZone zone(new_york);
        const Rule rule = parse_rule("* * * * *");
        Expansion expansion(rule, local("20260101T090000"), zone, start, end, Limits{3});
        std::vector<std::int64_t> first;
        for (int i = 0; i < 3; ++i) first.push_back(*expansion.next());
        EXPECT_EQ(describe_all(first, new_york),
                  std::vector<std::string>(
                      {"2026-01-01 09:00 EST", "2026-01-01 09:01 EST", "2026-01-01 09:02 EST"}));
        EXPECT_LE(zone.conversions, 2U * 1440U + 3U);  // at most two local days
    }
}

TEST(RecurrenceStreaming, RuleAndExpansionAreIndependentOfTheirSources) {
    const FixedOffsetTimeZone utc(0);
    std::optional<Expansion> expansion;
    {
        const Rule rule = parse_rule("FREQ=MONTHLY;BYMONTHDAY=1");
        expansion.emplace(rule, local("20260101T000000"), utc, 0, kFarFuture);
    }  // the Rule is gone; the expansion kept its own copy
    Expansion moved = std::move(*expansion);
    EXPECT_EQ(moved.next(), timegm_of(2026, 1, 1, 0, 0, 0));
    EXPECT_EQ(moved.next(), timegm_of(2026, 2, 1, 0, 0, 0));
    EXPECT_FALSE(expansion->next().has_value());  // moved from
}

}  // namespace
