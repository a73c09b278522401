// Strict mode. Without a context every policy matches nothing, so a query run
// outside the request's transaction (a pool's other connection, a commit in the
// middle of a request) returns no rows and changes nothing, silently. With
// mycelium.require_context on (an operator's setting, per role or database), such
// a statement is an error of its own, SQLSTATE 28M01, naming the table.
//
// The check runs when the statement starts to run (ExecutorRun), not when the
// executor starts: the library may be loaded only by the executor's start, when
// it first initializes a policy's function, and a hook installed then would miss
// that first statement. It costs nothing while the setting is off, and while it
// is on, a look at the statement's tables.
#include "pg/strict.hpp"

#include "pg/boundary.hpp"

extern "C" {
#include "access/parallel.h"
#include "catalog/namespace.h"
#include "executor/executor.h"
#include "nodes/parsenodes.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rls.h"

// The SQL function mycelium.current_organization_id() (context.cpp): called
// through fmgr, so that its C++ runs inside its own error boundary.
Datum mycelium_current_organization_id(PG_FUNCTION_ARGS);
}

namespace mycelium::pg {
namespace {

bool require_context = false;
ExecutorRun_hook_type previous_executor_run = nullptr;

bool has_context() {
    LOCAL_FCINFO(fcinfo, 0);
    InitFunctionCallInfoData(*fcinfo, nullptr, 0, InvalidOid, nullptr, nullptr);
    (void)mycelium_current_organization_id(fcinfo);
    return !fcinfo->isnull;
}

// The first table of schema mycelium that row-level security applies to for this
// statement (as the user who reads it: a view's owner for its tables), or
// InvalidOid.
Oid first_tenant_table(const PlannedStmt *stmt) {
    const Oid schema = get_namespace_oid("mycelium", true);
    if (!OidIsValid(schema)) return InvalidOid;
    ListCell *cell;
    foreach (cell, stmt->rtable) {
        const auto *rte = static_cast<const RangeTblEntry *>(lfirst(cell));
        if (rte->rtekind != RTE_RELATION || get_rel_namespace(rte->relid) != schema) continue;
        if (check_enable_rls(rte->relid, rte->checkAsUser, true) == RLS_ENABLED) return rte->relid;
    }
    return InvalidOid;
}

void check_then_run(QueryDesc *query, ScanDirection direction, uint64 count, bool execute_once) {
    // A parallel worker runs part of a statement its leader has already checked.
    if (require_context && !IsParallelWorker() && query->plannedstmt != nullptr) {
        const Oid table = first_tenant_table(query->plannedstmt);
        if (OidIsValid(table) && !has_context()) {
            const char *name = get_rel_name(table);
            ereport(
                ERROR,
                (errcode(kNoTenantContext),
                 errmsg("mycelium.%s needs a tenant context: mycelium.require_context is on", name),
                 errdetail("Without a context the statement would see no rows and change none."),
                 errhint("Call mycelium.authenticate(token) or mycelium.set_context(...) first, in "
                         "the same transaction: the context ends with it."),
                 err_generic_string(PG_DIAG_SCHEMA_NAME, "mycelium"),
                 err_generic_string(PG_DIAG_TABLE_NAME, name)));
        }
    }
    if (previous_executor_run != nullptr)
        previous_executor_run(query, direction, count, execute_once);
    else
        standard_ExecutorRun(query, direction, count, execute_once);
}

}  // namespace

void install_strict_mode() {
    DefineCustomBoolVariable(
        "mycelium.require_context",
        "Statements on tenant tables without a tenant context fail (SQLSTATE 28M01).",
        "Off: such a statement sees no rows and changes none, as row-level security does. Set it "
        "for the application's roles or database.",
        &require_context, false, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    previous_executor_run = ExecutorRun_hook;
    ExecutorRun_hook = check_then_run;
}

}  // namespace mycelium::pg
