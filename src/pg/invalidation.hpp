// Per-backend caches of Mycelium's own tables (keys, compiled field validators)
// are dropped when those tables change, in every backend: the statement trigger
// mycelium.announce_change() queues a relcache invalidation of the table, which
// PostgreSQL delivers to every backend when the changing transaction commits.
#pragma once

extern "C" {
#include "postgres.h"
}

namespace mycelium::pg {

// The oid of mycelium.<name>, or InvalidOid before the extension exists.
Oid mycelium_relid(const char *name);

}  // namespace mycelium::pg
