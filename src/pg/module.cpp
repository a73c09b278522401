// Module registration: the magic block and _PG_init.
#include "pg/boundary.hpp"
#include "pg/context.hpp"
#include "pg/interrupts.hpp"
#include "pg/strict.hpp"

extern "C" {
#include "utils/guc.h"
}

_Pragma("GCC visibility push(default)") extern "C" {
    PG_MODULE_MAGIC;

    MYCELIUM_EXPORT void _PG_init(void);
}
_Pragma("GCC visibility pop")

    namespace {
    // Read by the activity-log and notification triggers through current_setting();
    // the variable itself is unused.
    bool in_job_statement = false;
    // Read by mycelium_internal.guard_schema() through current_setting().
    bool allow_schema_changes = false;
    // Read by mycelium.development_token() through current_setting().
    bool development_tokens = false;

}  // namespace

void _PG_init(void) {
    // Settings of this extension live under mycelium.*; reserving the prefix
    // turns a typo such as SET mycelium.contxt into an error instead of a
    // silently ignored placeholder.
    mycelium::pg::define_context_settings();
    // Long work in the core (pattern matching above all) stops when the statement
    // is cancelled, times out or the backend is terminated.
    mycelium::pg::install_interrupt_check();
    // mycelium.require_context: no tenant context is an error, not an empty answer.
    mycelium::pg::install_strict_mode();
    // Mycelium's own bulk jobs (generation, the overdue sweep) write one summary
    // row per organization to the activity log instead of one per deliverable,
    // and make their own notifications. They turn this on around their one
    // statement, and the row-by-row triggers stand aside. PGC_SUSET so that only
    // they (SECURITY DEFINER, owned by a superuser) can: no application can use
    // it to write changes the log does not see.
    DefineCustomBoolVariable(
        "mycelium.in_job_statement",
        "The current statement is a Mycelium job's, which logs and notifies for itself.",
        "Set only by Mycelium's own functions, for one statement.", &in_job_statement, false,
        PGC_SUSET, GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE, nullptr, nullptr,
        nullptr);
    // An operator's explicit permission, for one transaction, to change a Mycelium
    // table outside the extension's scripts (src/sql/code/85_schema_guard.sql).
    // PGC_SUSET: only a role that could change the table anyway may give it.
    DefineCustomBoolVariable("mycelium.allow_schema_changes",
                             "Let DDL change Mycelium's tables outside the extension's scripts.",
                             "Such changes are recorded in mycelium_internal.schema_manifest; a "
                             "dump of this database then "
                             "restores only into tables changed the same way.",
                             &allow_schema_changes, false, PGC_SUSET,
                             GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE, nullptr, nullptr, nullptr);
    // Read by mycelium.development_token() through current_setting(). PGC_SIGHUP:
    // only the server's configuration may turn it on, never a database, a role
    // or a session, so a database restored onto another server cannot.
    DefineCustomBoolVariable("mycelium.development_tokens",
                             "Let mycelium.development_token() issue tokens for seeded accounts.",
                             "For local development only; off on every other server.",
                             &development_tokens, false, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("mycelium");
}
