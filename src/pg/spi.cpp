#include "pg/spi.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/rel.h"
#include "utils/uuid.h"
}

namespace mycelium::pg {

namespace {

// The result in PostgreSQL memory: plain C data, so it can cross PG_TRY.
struct RawRows {
    int rows;
    int columns;
    char **cells;  // NULL pointer = SQL NULL
};

// The extension's owner, read from pg_extension once per transaction (it
// changes only with REASSIGN OWNED, which no cache callback reports).
Oid extension_owner() {
    static Oid owner = InvalidOid;
    static LocalTransactionId read_in = InvalidLocalTransactionId;
    if (owner != InvalidOid && read_in == MyProc->lxid) return owner;
    const Oid extension = get_extension_oid("mycelium", false);
    Relation rel = table_open(ExtensionRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
                ObjectIdGetDatum(extension));
    SysScanDesc scan = systable_beginscan(rel, ExtensionOidIndexId, true, nullptr, 1, &key);
    HeapTuple tuple = systable_getnext(scan);
    if (!HeapTupleIsValid(tuple))
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                        errmsg("mycelium: the extension's catalogue row is missing"), errschema()));
    owner = reinterpret_cast<Form_pg_extension>(GETSTRUCT(tuple))->extowner;
    systable_endscan(scan);
    table_close(rel, AccessShareLock);
    read_in = MyProc->lxid;
    return owner;
}

RawRows *run(const char *sql, const std::vector<QueryParam> &params, bool as_owner, bool read_only,
             SavedQuery *saved = nullptr) {
    const int nargs = static_cast<int>(params.size());
    const QueryParam *param_data = params.data();
    return guard([&] {
        MemoryContext caller = CurrentMemoryContext;
        Oid *types = static_cast<Oid *>(palloc(sizeof(Oid) * (nargs + 1)));
        Datum *values = static_cast<Datum *>(palloc(sizeof(Datum) * (nargs + 1)));
        char *nulls = static_cast<char *>(palloc(nargs + 1));
        for (int i = 0; i < nargs; ++i) {
            types[i] = param_data[i].type;
            values[i] = param_data[i].value;
            nulls[i] = param_data[i].is_null ? 'n' : ' ';
        }
        Oid save_user;
        int save_sec;
        GetUserIdAndSecContext(&save_user, &save_sec);
        const Oid run_as = as_owner ? extension_owner() : save_user;
        const int save_nest = NewGUCNestLevel();
        RawRows *out = nullptr;
        // Restored by hand on error too, so that nothing between the error and
        // the (sub)transaction's abort runs as the owner or with this path.
        PG_TRY();
        {
            if (as_owner)
                SetUserIdAndSecContext(run_as, save_sec | SECURITY_LOCAL_USERID_CHANGE |
                                                   SECURITY_RESTRICTED_OPERATION);
            (void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET,
                                    PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
            SPI_connect();
            if (saved == nullptr) {
                SPI_execute_with_args(sql, nargs, types, values, nulls, read_only, 0);
            } else {
                // Prepared under the same user and search_path as it runs, so the
                // plan cache never sees a reason to re-plan it for either.
                if (saved->plan == nullptr) {
                    SPIPlanPtr plan = SPI_prepare(sql, nargs, types);
                    if (plan == nullptr)
                        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                                        errmsg_internal("mycelium: SPI_prepare failed: %s",
                                                        SPI_result_code_string(SPI_result)),
                                        errschema()));
                    SPI_keepplan(plan);
                    saved->plan = plan;
                }
                SPI_execute_plan(static_cast<SPIPlanPtr>(saved->plan), values, nulls, read_only, 0);
            }
            out = static_cast<RawRows *>(MemoryContextAllocZero(caller, sizeof(RawRows)));
            if (SPI_tuptable != nullptr) {
                out->rows = static_cast<int>(SPI_processed);
                out->columns = SPI_tuptable->tupdesc->natts;
                out->cells = static_cast<char **>(MemoryContextAllocZero(
                    caller, sizeof(char *) * (out->rows * out->columns + 1)));
                for (int r = 0; r < out->rows; ++r)
                    for (int c = 0; c < out->columns; ++c) {
                        char *v = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c + 1);
                        if (v != nullptr)
                            out->cells[r * out->columns + c] = MemoryContextStrdup(caller, v);
                    }
            }
            SPI_finish();
        }
        PG_FINALLY();
        {
            AtEOXact_GUC(false, save_nest);
            SetUserIdAndSecContext(save_user, save_sec);
        }
        PG_END_TRY();
        return out;
    });
}

TextRows to_text_rows(const RawRows *raw) {
    TextRows rows;
    rows.columns = raw->columns;
    rows.cells.reserve(static_cast<size_t>(raw->rows) * raw->columns);
    for (int i = 0; i < raw->rows * raw->columns; ++i)
        rows.cells.push_back(raw->cells[i] ? std::optional<std::string>(raw->cells[i])
                                           : std::nullopt);
    return rows;
}

}  // namespace

QueryParam QueryParam::uuid(const std::string &text) {
    const char *s = text.c_str();
    return {UUIDOID, guard([&] { return DirectFunctionCall1(uuid_in, CStringGetDatum(s)); }),
            false};
}

QueryParam QueryParam::text(const std::string &utf8) {
    const char *s = utf8.data();
    const int n = static_cast<int>(utf8.size());
    return {TEXTOID, guard([&] { return PointerGetDatum(cstring_to_text_with_len(s, n)); }), false};
}

TextRows query_as_owner(const char *sql, const std::vector<QueryParam> &params) {
    return to_text_rows(run(sql, params, true, true));
}

TextRows query_as_owner(SavedQuery &query, const std::vector<QueryParam> &params) {
    return to_text_rows(run(query.sql, params, true, true, &query));
}

TextRows query_as_caller(const char *sql, const std::vector<QueryParam> &params) {
    return to_text_rows(run(sql, params, false, true));
}

TextRows write_as_owner(const char *sql, const std::vector<QueryParam> &params) {
    return to_text_rows(run(sql, params, true, false));
}

}  // namespace mycelium::pg
