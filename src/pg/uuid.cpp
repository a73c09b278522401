// mycelium.uuid_v7() and mycelium.uuid_v7_time(uuid).
#include "pg/boundary.hpp"

#include <array>
#include <cstring>
#include <ctime>

#include "core/error.hpp"
#include "core/uuid_v7.hpp"

extern "C" {
#include "port.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
}

namespace {

// One generator per backend keeps ids monotonic within the backend. It is
// constant-initialised and trivially destructible, so it is safe as a static.
mycelium::core::UuidV7Generator generator;

}  // namespace

MYCELIUM_FUNCTION(mycelium_uuid_v7) {
    std::array<std::uint8_t, 10> random{};
    if (!pg_strong_random(random.data(), random.size()))
        throw mycelium::core::Error(mycelium::core::ErrorKind::Internal,
                                    "uuid_v7: could not generate random bytes");
    struct timespec now {};
    clock_gettime(CLOCK_REALTIME, &now);
    const std::int64_t ns = static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
    const mycelium::core::Uuid id = generator.next(ns, random);

    auto *out = mycelium::pg::guard([] { return static_cast<pg_uuid_t *>(palloc(UUID_LEN)); });
    std::memcpy(out->data, id.bytes.data(), UUID_LEN);
    PG_RETURN_UUID_P(out);
}

MYCELIUM_FUNCTION(mycelium_uuid_v7_time) {
    const pg_uuid_t *in = PG_GETARG_UUID_P(0);
    mycelium::core::Uuid id{};
    std::memcpy(id.bytes.data(), in->data, UUID_LEN);
    if ((id.bytes[6] >> 4) != 7)
        throw mycelium::core::Error(
            mycelium::core::ErrorKind::InvalidParameter, "uuid_v7_time: not a version 7 UUID",
            "The version nibble is " + std::to_string(id.bytes[6] >> 4) + ", not 7.");
    const std::int64_t ms = mycelium::core::unix_ms(id);
    // PostgreSQL timestamps count microseconds from 2000-01-01.
    const TimestampTz ts =
        (ms - (static_cast<std::int64_t>(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY *
               1000)) *
        1000;
    PG_RETURN_TIMESTAMPTZ(ts);
}
