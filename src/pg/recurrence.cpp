// mycelium.expand_recurrence, check_recurrence_rule and date_label: the
// recurrence engine and the date labels of src/core, with PostgreSQL's time zone
// database (the same one timestamptz uses) as the local <-> UTC converter.
#include "pg/boundary.hpp"

extern "C" {
#include "funcapi.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"
}

#include <algorithm>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <string>

#include "core/date_labels.hpp"
#include "core/error.hpp"
#include "core/excerpt.hpp"
#include "core/recurrence.hpp"
#include "pg/context.hpp"
#include "pg/spi.hpp"
#include "pg/text.hpp"

using mycelium::core::Error;
using mycelium::core::ErrorKind;

namespace {

namespace core = mycelium::core;

// Seconds between the Unix epoch and PostgreSQL's (2000-01-01).
constexpr std::int64_t kPostgresEpochUnixSeconds =
    static_cast<std::int64_t>(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;

// Far enough outside years 1..9999 that the core cuts the range to them.
constexpr std::int64_t kRangeFloor = -70000000000LL;    // about year -250
constexpr std::int64_t kRangeCeiling = 300000000000LL;  // about year 11476

std::int64_t unix_seconds(TimestampTz t) {
    if (TIMESTAMP_IS_NOBEGIN(t)) return kRangeFloor;
    if (TIMESTAMP_IS_NOEND(t)) return kRangeCeiling;
    // Floor division: an instant before 2000 with a fraction belongs to the second
    // that starts before it.
    std::int64_t seconds = t / USECS_PER_SEC;
    if (t % USECS_PER_SEC < 0) --seconds;
    return seconds + kPostgresEpochUnixSeconds;
}

TimestampTz timestamptz_of(std::int64_t unix) {
    return static_cast<TimestampTz>(unix - kPostgresEpochUnixSeconds) * USECS_PER_SEC;
}

// The names is_valid_time_zone accepts: IANA Area/Location names, and UTC or GMT.
// Refused although PostgreSQL's database has them:
// - POSIX offset strings such as 'UTC+3', which mean three hours *west* of UTC;
// - single names such as CET or EST5EDT: SQL's AT TIME ZONE reads an abbreviation
//   before a zone file, so 'CET' would be a fixed +01:00 in the install script's
//   SQL and a zone with summer time here;
// - Etc/GMT+3 and its kind, whose sign is POSIX's too (Etc/UTC stays);
// - the right/ and posix/ copies of the database: right/ counts leap seconds,
//   which timestamptz does not.
bool looks_like_zone_name(const std::string &name) {
    if (name.empty() || name.size() > 100) return false;
    const char *s = name.c_str();
    if (pg_strcasecmp(s, "UTC") == 0 || pg_strcasecmp(s, "GMT") == 0 ||
        pg_strcasecmp(s, "Etc/UTC") == 0)
        return true;
    if (name.find('/') == std::string::npos || pg_strncasecmp(s, "right/", 6) == 0 ||
        pg_strncasecmp(s, "posix/", 6) == 0 || pg_strncasecmp(s, "etc/", 4) == 0)
        return false;
    bool first_segment = true;
    bool segment_start = true;
    for (char c : name) {
        if (c == '/') {
            if (segment_start) return false;
            first_segment = false;
            segment_start = true;
            continue;
        }
        const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        const bool ok = alpha || (c >= '0' && c <= '9') || c == '_' ||
                        (!first_segment && (c == '+' || c == '-'));
        if (!ok || (segment_start && first_segment && !alpha)) return false;
        segment_start = false;
    }
    return !segment_start;
}

// A zone of PostgreSQL's time zone database. pg_tzset caches zones for the life
// of the backend, so the pointer stays valid; pg_localtime never raises an error.
class PgTimeZone final : public core::TimeZoneConverter {
  public:
    explicit PgTimeZone(const pg_tz *tz) : tz_(tz) {}

    std::int64_t local_to_utc(const core::LocalDateTime &local) const override {
        // RFC 5545's rule (recurrence.hpp): in a gap, the offset before it; in an
        // overlap, the earlier instant. Offsets a day either side bracket any
        // real transition.
        const std::int64_t wall = core::civil::to_seconds(local);
        const std::int64_t before = offset_at(wall - 86400);
        const std::int64_t after = offset_at(wall + 86400);
        if (before == after) return wall - before;
        const std::int64_t as_before = wall - before;
        const std::int64_t as_after = wall - after;
        const bool before_valid = offset_at(as_before) == before;
        const bool after_valid = offset_at(as_after) == after;
        if (before_valid && after_valid) return std::min(as_before, as_after);
        if (after_valid) return as_after;
        return as_before;
    }

    core::LocalDateTime utc_to_local(std::int64_t unix) const override {
        return core::civil::from_seconds(unix + offset_at(unix));
    }

  private:
    std::int64_t offset_at(std::int64_t unix) const {
        pg_time_t t = static_cast<pg_time_t>(unix);
        const struct pg_tm *tm = pg_localtime(&t, tz_);
        return tm == nullptr ? 0 : tm->tm_gmtoff;
    }

    const pg_tz *tz_;
};

const pg_tz *find_zone(const std::string &name) {
    return looks_like_zone_name(name) ? mycelium::pg::guard([&] { return pg_tzset(name.c_str()); })
                                      : nullptr;
}

const pg_tz *zone_named(const std::string &name) {
    const pg_tz *tz = find_zone(name);
    if (tz == nullptr)
        throw Error(ErrorKind::InvalidParameter,
                    "expand_recurrence: unknown time zone \"" + core::excerpt(name, 100) + "\"", "",
                    "Use an Area/Location name from pg_timezone_names, such as Europe/Berlin, "
                    "or UTC.");
    return tz;
}

// The organization's zone when the caller has a tenant context, else the session's.
const pg_tz *default_zone() {
    if (auto ctx = mycelium::pg::current_context()) {
        const auto rows = mycelium::pg::query_as_owner(
            "SELECT s.timezone FROM mycelium.organization_settings s WHERE s.organization_id = $1",
            {mycelium::pg::QueryParam::uuid(ctx->organization_id)});
        if (rows.size() == 1 && rows.at(0, 0)) return zone_named(*rows.at(0, 0));
    }
    return session_timezone;
}

TimestampTz timestamptz_arg(FunctionCallInfo fcinfo, int argno, const char *name) {
    if (PG_ARGISNULL(argno))
        throw Error(ErrorKind::InvalidParameter,
                    std::string("expand_recurrence: ") + name + " must not be NULL");
    return PG_GETARG_TIMESTAMPTZ(argno);
}

// What survives between the calls of the set-returning function. It lives on the
// C++ heap and is deleted by a callback of the SRF's memory context, which runs
// at the end of the set, when the query stops early (LIMIT) and on error.
struct ExpansionState {
    ExpansionState(const pg_tz *tz, const core::Rule &rule, TimestampTz dtstart,
                   TimestampTz range_start, TimestampTz range_end)
        : zone(tz),
          expansion(rule, zone.utc_to_local(unix_seconds(dtstart)), zone, unix_seconds(range_start),
                    unix_seconds(range_end)) {}

    PgTimeZone zone;  // declared first: the expansion refers to it
    core::Expansion expansion;
};

void delete_state(void *arg) { delete static_cast<ExpansionState *>(arg); }

}  // namespace

// expand_recurrence(rule text, dtstart timestamptz, range_start timestamptz,
//                   range_end timestamptz, time_zone text DEFAULT NULL)
//   RETURNS SETOF timestamptz, one value per call.
MYCELIUM_FUNCTION(mycelium_expand_recurrence) {
    FuncCallContext *funcctx;
    if (SRF_IS_FIRSTCALL()) {
        if (PG_ARGISNULL(0))
            throw Error(ErrorKind::InvalidParameter, "expand_recurrence: rule must not be NULL");
        const std::string rule_text = mycelium::pg::text_arg_utf8(fcinfo, 0);
        const TimestampTz dtstart = timestamptz_arg(fcinfo, 1, "dtstart");
        const TimestampTz range_start = timestamptz_arg(fcinfo, 2, "range_start");
        const TimestampTz range_end = timestamptz_arg(fcinfo, 3, "range_end");
        if (TIMESTAMP_NOT_FINITE(dtstart))
            throw Error(ErrorKind::InvalidParameter,
                        "expand_recurrence: dtstart must be a finite time");
        const pg_tz *tz =
            PG_ARGISNULL(4) ? default_zone() : zone_named(mycelium::pg::text_arg_utf8(fcinfo, 4));

        const core::Rule rule = core::parse_rule(rule_text);
        auto state = std::make_unique<ExpansionState>(tz, rule, dtstart, range_start, range_end);

        funcctx = mycelium::pg::guard([&] {
            FuncCallContext *ctx = SRF_FIRSTCALL_INIT();
            auto *callback = static_cast<MemoryContextCallback *>(
                MemoryContextAllocZero(ctx->multi_call_memory_ctx, sizeof(MemoryContextCallback)));
            callback->func = delete_state;
            callback->arg = state.get();
            MemoryContextRegisterResetCallback(ctx->multi_call_memory_ctx, callback);
            ctx->user_fctx = state.get();
            return ctx;
        });
        state.release();  // owned by the callback now
    }
    funcctx = mycelium::pg::guard([&] { return SRF_PERCALL_SETUP(); });
    auto *state = static_cast<ExpansionState *>(funcctx->user_fctx);
    if (std::optional<std::int64_t> next = state->expansion.next()) {
        const Datum value = TimestampTzGetDatum(timestamptz_of(*next));
        funcctx->call_cntr++;
        auto *rsi = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
        rsi->isDone = ExprMultipleResult;
        return value;
    }
    mycelium::pg::guard([&] { end_MultiFuncCall(fcinfo, funcctx); });
    auto *rsi = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
    rsi->isDone = ExprEndResult;
    fcinfo->isnull = true;
    return Datum(0);
}

// check_recurrence_rule(rule text) RETURNS boolean: true, or 22023 naming the
// bad part. Used by the CHECK constraint on deliverables.recurrence_rule, so that
// a template's rule is known to parse before generation ever expands it.
MYCELIUM_FUNCTION(mycelium_check_recurrence_rule) {
    core::parse_rule(mycelium::pg::text_arg_utf8(fcinfo, 0));
    PG_RETURN_BOOL(true);
}

// date_label(day date, locale text, skeleton text) RETURNS text
MYCELIUM_FUNCTION(mycelium_date_label) {
    for (int i = 0; i < 3; ++i)
        if (PG_ARGISNULL(i))
            throw Error(ErrorKind::InvalidParameter,
                        "date_label: day, locale and skeleton must not be NULL");
    const DateADT day = PG_GETARG_DATEADT(0);
    if (DATE_NOT_FINITE(day))
        throw Error(ErrorKind::InvalidParameter, "date_label: day must be a finite date");
    int year = 0, month = 0, mday = 0;
    j2date(day + POSTGRES_EPOCH_JDATE, &year, &month, &mday);
    if (year < core::kRecurrenceMinYear || year > core::kRecurrenceMaxYear)
        throw Error(ErrorKind::InvalidParameter,
                    "date_label: day must be between 0001-01-01 and 9999-12-31");
    const std::string label =
        core::format_date_label(mycelium::pg::text_arg_utf8(fcinfo, 1), year, month, mday,
                                mycelium::pg::text_arg_utf8(fcinfo, 2));
    PG_RETURN_TEXT_P(mycelium::pg::utf8_to_text(label));
}

// is_valid_time_zone(tz text) RETURNS boolean: what expand_recurrence accepts.
MYCELIUM_FUNCTION(mycelium_is_valid_time_zone) {
    PG_RETURN_BOOL(find_zone(mycelium::pg::text_arg_utf8(fcinfo, 0)) != nullptr);
}

// is_known_locale(locale text) RETURNS boolean
MYCELIUM_FUNCTION(mycelium_is_known_locale) {
    PG_RETURN_BOOL(core::is_known_locale(mycelium::pg::text_arg_utf8(fcinfo, 0)));
}
