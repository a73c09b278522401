#include "pg/spi.hpp"

extern "C" {
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
}

namespace mycelium::pg {

namespace {

// The result in PostgreSQL memory: plain C data, so it can cross PG_TRY.
struct RawRows {
    int rows;
    int columns;
    char **cells;  // NULL pointer = SQL NULL
};

}  // namespace

TextRows query_as_owner(const char *sql, const std::vector<const char *> &params) {
    const int nargs = static_cast<int>(params.size());
    const char *const *param_data = params.data();
    RawRows *raw = guard([&] {
        MemoryContext caller = CurrentMemoryContext;
        Oid save_user;
        int save_sec;
        GetUserIdAndSecContext(&save_user, &save_sec);
        SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID, save_sec | SECURITY_LOCAL_USERID_CHANGE |
                                                          SECURITY_RESTRICTED_OPERATION);
        Oid *types = static_cast<Oid *>(palloc(sizeof(Oid) * (nargs + 1)));
        Datum *values = static_cast<Datum *>(palloc(sizeof(Datum) * (nargs + 1)));
        char *nulls = static_cast<char *>(palloc(nargs + 1));
        for (int i = 0; i < nargs; ++i) {
            types[i] = TEXTOID;
            values[i] = param_data[i] ? CStringGetTextDatum(param_data[i]) : Datum(0);
            nulls[i] = param_data[i] ? ' ' : 'n';
        }
        SPI_connect();
        SPI_execute_with_args(sql, nargs, types, values, nulls, true, 0);
        auto *out = static_cast<RawRows *>(MemoryContextAllocZero(caller, sizeof(RawRows)));
        if (SPI_tuptable != nullptr) {
            out->rows = static_cast<int>(SPI_processed);
            out->columns = SPI_tuptable->tupdesc->natts;
            out->cells = static_cast<char **>(
                MemoryContextAllocZero(caller, sizeof(char *) * (out->rows * out->columns + 1)));
            for (int r = 0; r < out->rows; ++r)
                for (int c = 0; c < out->columns; ++c) {
                    char *v = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c + 1);
                    if (v != nullptr)
                        out->cells[r * out->columns + c] = MemoryContextStrdup(caller, v);
                }
        }
        SPI_finish();
        SetUserIdAndSecContext(save_user, save_sec);
        return out;
    });
    TextRows rows;
    rows.columns = raw->columns;
    rows.cells.reserve(static_cast<size_t>(raw->rows) * raw->columns);
    for (int i = 0; i < raw->rows * raw->columns; ++i)
        rows.cells.push_back(raw->cells[i] ? std::optional<std::string>(raw->cells[i])
                                           : std::nullopt);
    return rows;
}

}  // namespace mycelium::pg
