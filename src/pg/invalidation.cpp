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
// this table when the transaction commits.
MYCELIUM_FUNCTION(mycelium_announce_change) {
    mycelium::pg::guard([&] {
        if (!CALLED_AS_TRIGGER(fcinfo))
            ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                            errmsg("announce_change: not called by trigger manager"),
                            mycelium::pg::errschema()));
        auto *trigdata = reinterpret_cast<TriggerData *>(fcinfo->context);
        CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
    });
    return PointerGetDatum(nullptr);
}
