// mycelium.productivity_scores: every user's tally from one GROUP BY over the
// deliverables, run as the caller (row-level security decides whose rows count),
// scored by src/core/productivity.
#include "pg/boundary.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
}

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/productivity.hpp"
#include "pg/spi.hpp"

using mycelium::core::Error;
using mycelium::core::ErrorKind;

namespace {

namespace core = mycelium::core;

constexpr int kMaxPeriodDays = 3650;

// The cohort: deliverables assigned to the user, created in [window_start,
// as_of), not cancelled. Every figure is about it, so none can exceed another.
constexpr const char *kTallyQuery =
    "SELECT u.id, pg_catalog.count(d.id), "
    "       pg_catalog.count(d.id) FILTER (WHERE d.completed_at < $3), "
    "       pg_catalog.count(d.id) FILTER (WHERE d.due_date < $3 AND (d.completed_at IS NULL OR "
    "d.completed_at > d.due_date)), "
    "       pg_catalog.avg(pg_catalog.date_part('epoch', d.completed_at - d.created_at)) "
    "           FILTER (WHERE d.completed_at < $3) "
    "FROM mycelium.users u "
    "LEFT JOIN mycelium.deliverables d "
    "       ON d.organization_id = u.organization_id AND d.assigned_user_id = u.id "
    "      AND d.created_at >= $2 AND d.created_at < $3 AND d.status <> 'CANCELLED' "
    "WHERE ($1 IS NULL OR u.organization_id = $1) AND ($4 IS NULL OR u.id = $4) "
    "GROUP BY u.organization_id, u.id "
    "ORDER BY u.organization_id, u.id";

struct Row {
    std::string user_id;
    core::ProductivityTally tally;
};

std::int64_t to_int(const char *s) { return std::stoll(s); }

Datum numeric_of(double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.2f", value);
    return mycelium::pg::guard([&] {
        return DirectFunctionCall3(numeric_in, CStringGetDatum(buffer),
                                   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
    });
}

}  // namespace

// productivity_scores(organization_id uuid, period_days integer, as_of timestamptz, user_id uuid)
//   RETURNS TABLE (user_id uuid, total_assigned integer, total_completed integer,
//                  completion_rate numeric, avg_completion_hours numeric,
//                  overdue_count integer, productivity_score numeric)
MYCELIUM_FUNCTION(mycelium_productivity_scores) {
    if (PG_ARGISNULL(1))
        throw Error(ErrorKind::InvalidParameter,
                    "productivity_scores: period_days must not be NULL");
    const int32 period_days = PG_GETARG_INT32(1);
    if (period_days < 1 || period_days > kMaxPeriodDays)
        throw Error(ErrorKind::InvalidParameter,
                    "productivity_scores: period_days must be between 1 and " +
                        std::to_string(kMaxPeriodDays) + ", not " + std::to_string(period_days));
    if (PG_ARGISNULL(2))
        throw Error(ErrorKind::InvalidParameter, "productivity_scores: as_of must not be NULL");
    const TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(2);
    if (TIMESTAMP_NOT_FINITE(as_of))
        throw Error(ErrorKind::InvalidParameter,
                    "productivity_scores: as_of must be a finite time");
    if (as_of > mycelium::pg::guard([] { return GetCurrentTransactionStartTimestamp(); }))
        throw Error(ErrorKind::InvalidParameter, "productivity_scores: as_of is in the future", "",
                    "Scores describe a period that has ended; omit as_of for now().");
    // A period reaching before the first representable time starts at -infinity.
    TimestampTz window_start = as_of - static_cast<TimestampTz>(period_days) * USECS_PER_DAY;
    if (!IS_VALID_TIMESTAMP(window_start)) TIMESTAMP_NOBEGIN(window_start);
    const bool org_null = PG_ARGISNULL(0);
    const bool user_null = PG_NARGS() < 4 || PG_ARGISNULL(3);
    const Datum org = org_null ? Datum(0) : PG_GETARG_DATUM(0);
    const Datum user = user_null ? Datum(0) : PG_GETARG_DATUM(3);

    // As the caller: row-level security decides whose deliverables count. Typed
    // parameters, since a timestamptz's text does not always read back (a zone's
    // LMT years before 1900).
    using mycelium::pg::QueryParam;
    if (!org_null &&
        mycelium::pg::query_as_caller("SELECT true FROM mycelium.organizations o WHERE o.id = $1",
                                      {QueryParam::of(UUIDOID, org)})
                .size() == 0)
        throw Error(ErrorKind::InvalidParameter,
                    "productivity_scores: organization " + std::string(mycelium::pg::guard([&] {
                        return DatumGetCString(DirectFunctionCall1(uuid_out, org));
                    })) +
                        " does not exist");
    const mycelium::pg::TextRows tally = mycelium::pg::query_as_caller(
        kTallyQuery, {QueryParam::of(UUIDOID, org, org_null),
                      QueryParam::of(TIMESTAMPTZOID, TimestampTzGetDatum(window_start)),
                      QueryParam::of(TIMESTAMPTZOID, TimestampTzGetDatum(as_of)),
                      QueryParam::of(UUIDOID, user, user_null)});

    std::vector<Row> rows;
    rows.reserve(tally.size());
    for (std::size_t r = 0; r < tally.size(); ++r) {
        Row row;
        row.user_id = *tally.at(r, 0);
        row.tally.assigned = to_int(tally.at(r, 1)->c_str());
        row.tally.completed = to_int(tally.at(r, 2)->c_str());
        row.tally.overdue = to_int(tally.at(r, 3)->c_str());
        if (tally.at(r, 4)) row.tally.avg_completion_seconds = std::stod(*tally.at(r, 4));
        rows.push_back(std::move(row));
    }

    mycelium::pg::guard([&] { InitMaterializedSRF(fcinfo, 0); });
    auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
    for (const Row &row : rows) {
        const core::ProductivityScore score = core::score_productivity(row.tally);
        Datum out[7];
        bool nulls[7] = {false, false, false, false, !score.avg_completion_hours.has_value(),
                         false, false};
        out[0] = mycelium::pg::guard(
            [&] { return DirectFunctionCall1(uuid_in, CStringGetDatum(row.user_id.c_str())); });
        out[1] = Int32GetDatum(static_cast<int32>(row.tally.assigned));
        out[2] = Int32GetDatum(static_cast<int32>(row.tally.completed));
        out[3] = numeric_of(score.completion_rate);
        out[4] = score.avg_completion_hours ? numeric_of(*score.avg_completion_hours) : Datum(0);
        out[5] = Int32GetDatum(static_cast<int32>(row.tally.overdue));
        out[6] = numeric_of(score.score);
        mycelium::pg::guard(
            [&] { tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, out, nulls); });
    }
    return Datum(0);
}
