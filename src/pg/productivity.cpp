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

using mycelium::core::Error;
using mycelium::core::ErrorKind;

namespace {

namespace core = mycelium::core;

constexpr int kMaxPeriodDays = 3650;

// The cohort: deliverables assigned to the user, created in [window_start,
// as_of), not cancelled. Every figure is about it, so none can exceed another.
constexpr const char *kTallyQuery =
    "SELECT u.id::text, count(d.id), "
    "       count(d.id) FILTER (WHERE d.completed_at < $3), "
    "       count(d.id) FILTER (WHERE d.due_date < $3 AND (d.completed_at IS NULL OR "
    "d.completed_at > d.due_date)), "
    "       avg(extract(epoch FROM d.completed_at - d.created_at)) FILTER (WHERE d.completed_at < "
    "$3)::float8 "
    "FROM mycelium.users u "
    "LEFT JOIN mycelium.deliverables d "
    "       ON d.organization_id = u.organization_id AND d.assigned_user_id = u.id "
    "      AND d.created_at >= $2 AND d.created_at < $3 AND d.status <> 'CANCELLED' "
    "WHERE ($1::uuid IS NULL OR u.organization_id = $1) AND ($4::uuid IS NULL OR u.id = $4) "
    "GROUP BY u.organization_id, u.id "
    "ORDER BY u.organization_id, u.id";

struct Row {
    std::string user_id;
    core::ProductivityTally tally;
};

// Text cells of SPI's result, copied out before SPI_finish frees them.
struct RawRows {
    int rows;
    char **cells;  // rows * 5, NULL = SQL NULL
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

    // Its own SPI call rather than pg/spi.hpp's: it runs as the caller (row-level
    // security decides whose deliverables count), and with typed parameters, since
    // a timestamptz's text does not always read back (a zone's LMT years before 1900).
    RawRows *raw = mycelium::pg::guard([&] {
        MemoryContext caller = CurrentMemoryContext;
        SPI_connect();
        if (!org_null) {
            Oid type = UUIDOID;
            Datum value = org;
            SPI_execute_with_args("SELECT FROM mycelium.organizations WHERE id = $1", 1, &type,
                                  &value, nullptr, true, 1);
            if (SPI_processed == 0) {
                SPI_finish();
                return static_cast<RawRows *>(nullptr);
            }
        }
        Oid types[4] = {UUIDOID, TIMESTAMPTZOID, TIMESTAMPTZOID, UUIDOID};
        Datum values[4] = {org, TimestampTzGetDatum(window_start), TimestampTzGetDatum(as_of),
                           user};
        char nulls[4] = {org_null ? 'n' : ' ', ' ', ' ', user_null ? 'n' : ' '};
        SPI_execute_with_args(kTallyQuery, 4, types, values, nulls, true, 0);
        auto *out = static_cast<RawRows *>(MemoryContextAllocZero(caller, sizeof(RawRows)));
        out->rows = static_cast<int>(SPI_processed);
        out->cells = static_cast<char **>(
            MemoryContextAllocZero(caller, sizeof(char *) * (out->rows * 5 + 1)));
        for (int r = 0; r < out->rows; ++r)
            for (int c = 0; c < 5; ++c) {
                char *v = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c + 1);
                if (v != nullptr) out->cells[r * 5 + c] = MemoryContextStrdup(caller, v);
            }
        SPI_finish();
        return out;
    });
    if (raw == nullptr)
        throw Error(ErrorKind::InvalidParameter,
                    "productivity_scores: organization " + std::string(mycelium::pg::guard([&] {
                        return DatumGetCString(DirectFunctionCall1(uuid_out, org));
                    })) +
                        " does not exist");

    std::vector<Row> rows;
    rows.reserve(raw->rows);
    for (int r = 0; r < raw->rows; ++r) {
        char **cell = raw->cells + r * 5;
        Row row;
        row.user_id = cell[0];
        row.tally.assigned = to_int(cell[1]);
        row.tally.completed = to_int(cell[2]);
        row.tally.overdue = to_int(cell[3]);
        if (cell[4] != nullptr) row.tally.avg_completion_seconds = std::stod(cell[4]);
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
