// mycelium_internal.touch_updated_at(): BEFORE UPDATE row trigger that sets updated_at to
// the transaction's timestamp (what the document's PL/pgSQL trigger does with
// CURRENT_TIMESTAMP), natively, because it runs for every updated row of every
// table and a PL/pgSQL call per row is most of the cost of a bulk update.
#include "pg/boundary.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/timestamp.h"
}

MYCELIUM_FUNCTION(mycelium_touch_updated_at) {
    return mycelium::pg::guard([&]() -> Datum {
        if (!CALLED_AS_TRIGGER(fcinfo))
            ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                            errmsg("touch_updated_at: not called by trigger manager"),
                            mycelium::pg::errschema()));
        auto *trigdata = reinterpret_cast<TriggerData *>(fcinfo->context);
        if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
            !TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
            !TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
            ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                            errmsg("touch_updated_at: must be fired BEFORE UPDATE FOR EACH ROW"),
                            mycelium::pg::errschema()));
        Relation rel = trigdata->tg_relation;
        int attnum = SPI_fnumber(rel->rd_att, "updated_at");
        if (attnum <= 0 || SPI_gettypeid(rel->rd_att, attnum) != TIMESTAMPTZOID)
            ereport(
                ERROR,
                (errcode(ERRCODE_UNDEFINED_COLUMN),
                 errmsg("touch_updated_at: table \"%s\" has no timestamptz column \"updated_at\"",
                        RelationGetRelationName(rel)),
                 errtablecolname(rel, "updated_at")));
        Datum now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
        bool isnull = false;
        HeapTuple updated = heap_modify_tuple_by_cols(trigdata->tg_newtuple, rel->rd_att, 1,
                                                      &attnum, &now, &isnull);
        return PointerGetDatum(updated);
    });
}
