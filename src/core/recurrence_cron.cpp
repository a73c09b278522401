// 5-field cron expressions: the parser and the expansion engine.
//
// The engine walks local days. A day that matches (month, and day of month and/or
// day of week) gets its matching minutes converted to UTC, sorted, and handed out;
// so at most one day's minutes (1440) are held at a time. Sorting per day matters
// on spring-forward days, where 02:30 (moved to 03:30) is generated before a real
// 03:00.
#include <algorithm>
#include <array>
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

[[noreturn]] void fail(const std::string &message, std::string detail = {}, std::string hint = {}) {
    throw Error(ErrorKind::InvalidParameter, "cron expression: " + message, std::move(detail),
                std::move(hint));
}

constexpr std::string_view kFieldsHint =
    "A cron expression has 5 fields: minute (0-59), hour (0-23), day of month (1-31), month "
    "(1-12 or JAN-DEC) and day of week (0-7 or SUN-SAT, 0 and 7 are Sunday).";

struct FieldSpec {
    std::string_view name;
    int low;
    int high;       // highest value accepted when written out (7 for the day of week)
    int star_high;  // highest value that '*' covers (6 for the day of week)
    const std::array<std::string_view, 12> *names;  // or null
    int first_name_value;                           // the value of names[0]
};

constexpr std::array<std::string_view, 12> kMonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 12> kWeekdayNames = {"SUN", "MON", "TUE", "WED",
                                                            "THU", "FRI", "SAT"};

constexpr FieldSpec kFields[5] = {
    {"minute", 0, 59, 59, nullptr, 0},           {"hour", 0, 23, 23, nullptr, 0},
    {"day-of-month", 1, 31, 31, nullptr, 0},     {"month", 1, 12, 12, &kMonthNames, 1},
    {"day-of-week", 0, 7, 6, &kWeekdayNames, 0},
};

std::string in_field(const FieldSpec &spec) {
    return " in the " + std::string(spec.name) + " field";
}

// A number or a name of the field; Quartz's extensions get a message of their own.
int parse_value(std::string_view token, const FieldSpec &spec) {
    if (token.empty()) fail("a value is missing" + in_field(spec));
    if (token.size() <= 4 &&
        std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        int value = 0;
        for (const char c : token) value = value * 10 + (c - '0');
        if (value < spec.low || value > spec.high)
            fail(std::string(token) + in_field(spec) + " is out of range (" +
                 std::to_string(spec.low) + ".." + std::to_string(spec.high) + ")");
        return value;
    }
    const std::string upper = ascii_upper(token);
    if (spec.names != nullptr)
        for (std::size_t i = 0; i < spec.names->size(); ++i)
            if (!(*spec.names)[i].empty() && upper == (*spec.names)[i])
                return spec.first_name_value + static_cast<int>(i);
    if (upper.find_first_of("LW#?") != std::string::npos)
        fail("\"" + quote_text(token, 20) + "\"" + in_field(spec) +
                 " uses a Quartz extension (L, W, # or ?), which is not supported",
             {},
             "For the last day of the month, use the RRULE FREQ=MONTHLY;BYMONTHDAY=-1; for "
             "the last Friday, FREQ=MONTHLY;BYDAY=-1FR.");
    fail("\"" + quote_text(token, 20) + "\"" + in_field(spec) + " is not a valid value", {},
         std::string(kFieldsHint));
}

// Returns the field's values as a bit mask (bit n = value n).
std::uint64_t parse_field(std::string_view text, const FieldSpec &spec) {
    std::uint64_t mask = 0;
    for (const std::string_view item : split(text, ',')) {
        if (item.empty()) fail("empty item" + in_field(spec) + " \"" + quote_text(text, 40) + "\"");
        const std::vector<std::string_view> base_and_step = split(item, '/');
        if (base_and_step.size() > 2)
            fail("\"" + quote_text(item, 40) + "\"" + in_field(spec) + " has more than one '/'");
        const std::string_view base = base_and_step[0];
        int low = 0;
        int high = 0;
        if (base == "*") {
            low = spec.low;
            high = spec.star_high;
        } else if (const std::size_t dash = base.find('-'); dash != std::string_view::npos) {
            low = parse_value(base.substr(0, dash), spec);
            high = parse_value(base.substr(dash + 1), spec);
            if (low > high)
                fail("the range \"" + quote_text(base, 20) + "\"" + in_field(spec) +
                     " goes backwards");
        } else {
            low = parse_value(base, spec);
            // "5/15" is "5-59/15", as in cronie and most other crons.
            high = base_and_step.size() == 2 ? spec.star_high : low;
        }
        int step = 1;
        if (base_and_step.size() == 2) {
            const std::string_view step_text = base_and_step[1];
            const int widest = spec.star_high - spec.low + 1;
            const bool digits = !step_text.empty() && step_text.size() <= 4 &&
                                std::all_of(step_text.begin(), step_text.end(),
                                            [](char c) { return c >= '0' && c <= '9'; });
            step = 0;
            if (digits)
                for (const char c : step_text) step = step * 10 + (c - '0');
            if (step < 1 || step > widest)
                fail("the step \"" + quote_text(step_text, 20) + "\"" + in_field(spec) +
                     " is out of range (1.." + std::to_string(widest) + ")");
        }
        for (int value = low; value <= high; value += step) mask |= std::uint64_t{1} << value;
    }
    return mask;
}

struct Macro {
    std::string_view name;
    std::string_view fields;
};

constexpr Macro kMacros[] = {
    {"@YEARLY", "0 0 1 1 *"}, {"@ANNUALLY", "0 0 1 1 *"}, {"@MONTHLY", "0 0 1 * *"},
    {"@WEEKLY", "0 0 * * 0"}, {"@DAILY", "0 0 * * *"},    {"@MIDNIGHT", "0 0 * * *"},
    {"@HOURLY", "0 * * * *"},
};

}  // namespace

CronRule parse_cron(std::string_view text) {
    if (!text.empty() && text.front() == '@') {
        const std::string upper = ascii_upper(trim(text));
        const Macro *found = nullptr;
        for (const Macro &macro : kMacros)
            if (macro.name == upper) found = &macro;
        if (found == nullptr)
            fail("unknown macro \"" + quote_text(text, 20) + "\"", {},
                 "The macros are @yearly, @annually, @monthly, @weekly, @daily, @midnight and "
                 "@hourly.");
        text = found->fields;
    }
    std::vector<std::string_view> fields;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_space(text[i])) ++i;
        const std::size_t start = i;
        while (i < text.size() && !is_space(text[i])) ++i;
        if (i > start) fields.push_back(text.substr(start, i - start));
    }
    if (fields.size() != 5)
        fail("expected 5 fields (minute hour day-of-month month day-of-week), found " +
                 std::to_string(fields.size()),
             fields.size() > 5 ? "Fields for seconds or years (6- and 7-field crons) are not "
                                 "supported."
                               : std::string(),
             std::string(kFieldsHint) +
                 " Or write an RFC 5545 RRULE such as FREQ=MONTHLY;BYMONTHDAY=1.");

    std::array<std::uint64_t, 5> masks{};
    for (std::size_t field = 0; field < 5; ++field)
        masks[field] = parse_field(fields[field], kFields[field]);

    CronRule rule;
    for (int value = 0; value < 60; ++value) rule.minutes[value] = (masks[0] >> value) & 1;
    for (int value = 0; value < 24; ++value) rule.hours[value] = (masks[1] >> value) & 1;
    for (int value = 1; value <= 31; ++value) rule.days_of_month[value] = (masks[2] >> value) & 1;
    for (int value = 1; value <= 12; ++value) rule.months[value] = (masks[3] >> value) & 1;
    // Cron counts weekdays from Sunday = 0 (and 7); Weekday from Monday = 0.
    for (int value = 0; value <= 7; ++value)
        if ((masks[4] >> value) & 1)
            rule.days_of_week.set(static_cast<std::size_t>((value + 6) % 7));
    // Vixie cron's test for "restricted": the field does not start with '*'. So
    // "*/2" in the day-of-month field still combines with the day of week by AND.
    rule.day_of_month_restricted = fields[2].front() != '*';
    rule.day_of_week_restricted = fields[4].front() != '*';

    // Unless the day of week can rescue it (both day fields restricted: either
    // matches), a day of the month that none of the months has never matches.
    if (!(rule.day_of_month_restricted && rule.day_of_week_restricted)) {
        bool possible = false;
        for (int month = 1; month <= 12; ++month) {
            if (!rule.months[month]) continue;
            for (int day = 1; day <= civil::days_in_month(2004, month); ++day)
                if (rule.days_of_month[day]) possible = true;
        }
        if (!possible)
            fail("day-of-month \"" + quote_text(fields[2], 40) + "\" never occurs in month \"" +
                     quote_text(fields[3], 40) + "\"",
                 "None of the months has any of the days, so the expression never matches.",
                 "For the last day of the month, use the RRULE FREQ=MONTHLY;BYMONTHDAY=-1.");
    }
    return rule;
}

namespace {

class CronEngine final : public Engine {
  public:
    CronEngine(const CronRule &rule, const LocalDateTime &dtstart, const TimeZoneConverter &zone,
               Range range)
        : rule_(rule), zone_(zone), end_(range.end_utc) {
        // dtstart is a lower bound: nothing before it, whatever the range says.
        lower_ = std::max(range.start_utc, zone.local_to_utc(dtstart));
        done_ = lower_ >= end_;
        if (done_) return;
        // From the local day before the first instant (a time in a gap just before
        // midnight moves into the next day) to the local day of the last one.
        const LocalDateTime first = zone.utc_to_local(lower_);
        const LocalDateTime last = zone.utc_to_local(end_ - 1);
        day_ = std::max(kMinDay, civil::days_from_civil(first.year, first.month, first.day) - 1);
        last_day_ = std::min(kMaxDay, civil::days_from_civil(last.year, last.month, last.day));
    }

    std::optional<std::int64_t> next(Budget &budget) override {
        while (!done_) {
            while (position_ < instants_.size()) {
                const std::int64_t instant = instants_[position_++];
                if (instant < lower_) continue;
                if (instant >= end_) {
                    done_ = true;
                    return std::nullopt;
                }
                // A time moved forward out of a gap can coincide with a real one.
                if (last_ && instant <= *last_) continue;
                last_ = instant;
                return instant;
            }
            if (day_ > last_day_) {
                done_ = true;
                break;
            }
            fill_day(budget);
            ++day_;
        }
        return std::nullopt;
    }

  private:
    void fill_day(Budget &budget) {
        instants_.clear();
        position_ = 0;
        budget.spend(1);
        const civil::Date date = civil::civil_from_days(day_);
        if (!rule_.months[static_cast<std::size_t>(date.month)]) return;
        const bool dom = rule_.days_of_month[static_cast<std::size_t>(date.day)];
        const bool dow =
            rule_.days_of_week[static_cast<std::size_t>(civil::weekday_from_days(day_))];
        const bool matches = rule_.day_of_month_restricted && rule_.day_of_week_restricted
                                 ? (dom || dow)
                                 : (dom && dow);
        if (!matches) return;
        LocalDateTime local{static_cast<int>(date.year), date.month, date.day, 0, 0, 0};
        for (int hour = 0; hour < 24; ++hour) {
            if (!rule_.hours[static_cast<std::size_t>(hour)]) continue;
            for (int minute = 0; minute < 60; ++minute) {
                if (!rule_.minutes[static_cast<std::size_t>(minute)]) continue;
                local.hour = hour;
                local.minute = minute;
                instants_.push_back(zone_.local_to_utc(local));
            }
        }
        budget.spend(instants_.size());
        std::sort(instants_.begin(), instants_.end());
        instants_.erase(std::unique(instants_.begin(), instants_.end()), instants_.end());
    }

    const CronRule rule_;
    const TimeZoneConverter &zone_;
    const std::int64_t end_;
    std::int64_t lower_ = 0;
    std::int64_t day_ = 0;
    std::int64_t last_day_ = 0;
    std::vector<std::int64_t> instants_;  // the current day's, sorted
    std::size_t position_ = 0;
    std::optional<std::int64_t> last_;
    bool done_ = false;
};

}  // namespace

std::unique_ptr<Engine> make_cron_engine(const CronRule &rule, const LocalDateTime &dtstart,
                                         const TimeZoneConverter &zone, Range range) {
    return std::make_unique<CronEngine>(rule, dtstart, zone, range);
}

}  // namespace mycelium::core::recurrence_detail
