#include "pg/invalidation.hpp"

#include "pg/boundary.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
}

namespace mycelium::pg {

Oid mycelium_relid(const char *name) {
    return guard([&] {
        Oid nsp = get_namespace_oid("mycelium", true);
        return nsp == InvalidOid ? InvalidOid : get_relname_relid(name, nsp);
    });
}

InternalTable internal_table(const char *name) {
    for (const char *schema : {"mycelium_internal", "mycelium"}) {
        const Oid relid = guard([&] {
            Oid nsp = get_namespace_oid(schema, true);
            return nsp == InvalidOid ? InvalidOid : get_relname_relid(name, nsp);
        });
        if (relid != InvalidOid) return InternalTable{relid, std::string(schema) + "." + name};
    }
    return InternalTable{};
}

}  // namespace mycelium::pg

// AFTER ... FOR EACH STATEMENT trigger: every backend drops what it cached of
// this table when the transaction commits. With an argument, of the extension's
// table of that name instead: the tables a cache is made from announce their
// changes as one (what authenticate keeps of the tokens it accepted is dropped
// on a change of any table that decides whether a token is accepted, announced as
// mycelium_internal.session_floors; docs/security.md, "Tokens accepted again").
MYCELIUM_FUNCTION(mycelium_announce_change) {
    mycelium::pg::guard([&] {
        if (!CALLED_AS_TRIGGER(fcinfo))
            ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                            errmsg("announce_change: not called by trigger manager"),
                            mycelium::pg::errschema()));
        auto *trigdata = reinterpret_cast<TriggerData *>(fcinfo->context);
        Oid relid = RelationGetRelid(trigdata->tg_relation);
        if (trigdata->tg_trigger->tgnargs > 0) {
            const char *name = trigdata->tg_trigger->tgargs[0];
            relid = mycelium::pg::internal_table(name).relid;
            if (relid == InvalidOid)
                ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                                errmsg("announce_change: no table mycelium_internal.%s", name),
                                errhint("Run ALTER EXTENSION mycelium UPDATE."),
                                mycelium::pg::errschema()));
        }
        CacheInvalidateRelcacheByRelid(relid);
    });
    return PointerGetDatum(nullptr);
}
