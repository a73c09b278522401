// Per-backend caches of Mycelium's own tables (keys, compiled field validators)
// are dropped when those tables change, in every backend: the statement trigger
// mycelium_internal.announce_change() queues a relcache invalidation of the table, which
// PostgreSQL delivers to every backend when the changing transaction commits.
#pragma once

#include <string>

extern "C" {
#include "postgres.h"
}

namespace mycelium::pg {

// The oid of mycelium.<name>, or InvalidOid before the extension exists.
Oid mycelium_relid(const char *name);

// One of the extension's own tables: mycelium_internal.<name>, or, in a database
// whose 0.1.0 SQL has not been updated yet, mycelium.<name>, so that one library
// serves both until ALTER EXTENSION UPDATE. relid is InvalidOid when neither
// exists; qualified is the name to query it by.
struct InternalTable {
    Oid relid = InvalidOid;
    std::string qualified;
};
InternalTable internal_table(const char *name);

}  // namespace mycelium::pg
