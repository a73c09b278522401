// mycelium.uuid_v7(), mycelium.uuid_v7_time(uuid) and mycelium.uuid_among(uuid, uuid[]).
#include "pg/boundary.hpp"

#include <array>
#include <cstring>
#include <ctime>

#include "core/error.hpp"
#include "core/uuid_v7.hpp"

extern "C" {
#include "port.h"
#include "utils/timestamp.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
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

// mycelium.uuid_among(value, ids): value = ANY (ids), for the staff policies.
// PostgreSQL 15 hashes `= ANY` only for a constant array; a policy's array is
// a parameter (the user's clients, computed once per statement), so it is
// searched element by element for every row: with 100 clients, 56 ms over
// 50,000 rows against 9 ms hashed (docs/performance.md). Here the array is
// sorted once per call site and each row costs a binary search. The set is
// rebuilt whenever the array differs from the one it was built from (compared
// byte for byte, so a different array at the same address is never mistaken
// for it), which keeps any call correct, not only a policy's.
namespace {

struct AmongSet {
    Size bytes;   // size of the flat array the set was built from
    char *array;  // a copy of it, to recognise it
    int count;    // non-null elements, sorted
    pg_uuid_t *sorted;
    bool has_null;
};

int compare_uuid(const void *a, const void *b) { return std::memcmp(a, b, UUID_LEN); }

}  // namespace

MYCELIUM_FUNCTION(mycelium_uuid_among) {
    const pg_uuid_t *value = PG_GETARG_UUID_P(0);
    // Flat and detoasted (a copy only if it was toasted or expanded).
    ArrayType *ids = mycelium::pg::guard([&] { return PG_GETARG_ARRAYTYPE_P(1); });
    const Size bytes = VARSIZE(ids);
    auto *set = static_cast<AmongSet *>(fcinfo->flinfo->fn_extra);
    if (set == nullptr || set->bytes != bytes || std::memcmp(set->array, ids, bytes) != 0) {
        if (ARR_NDIM(ids) > 1)
            throw mycelium::core::Error(mycelium::core::ErrorKind::InvalidParameter,
                                        "uuid_among: ids must be a one-dimensional array");
        set = mycelium::pg::guard([&] {
            MemoryContext cache = fcinfo->flinfo->fn_mcxt;
            auto *s = static_cast<AmongSet *>(fcinfo->flinfo->fn_extra);
            if (s == nullptr) {
                s = static_cast<AmongSet *>(MemoryContextAllocZero(cache, sizeof(AmongSet)));
                fcinfo->flinfo->fn_extra = s;
            } else {
                if (s->array != nullptr) pfree(s->array);
                if (s->sorted != nullptr) pfree(s->sorted);
                s->array = nullptr;
                s->sorted = nullptr;
                s->bytes = 0;
            }
            Datum *elements = nullptr;
            bool *nulls = nullptr;
            int n = 0;
            deconstruct_array(ids, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR, &elements, &nulls, &n);
            s->sorted = static_cast<pg_uuid_t *>(
                MemoryContextAlloc(cache, sizeof(pg_uuid_t) * static_cast<Size>(n > 0 ? n : 1)));
            s->count = 0;
            s->has_null = false;
            for (int i = 0; i < n; ++i) {
                if (nulls[i])
                    s->has_null = true;
                else
                    s->sorted[s->count++] = *DatumGetUUIDP(elements[i]);
            }
            pfree(elements);
            pfree(nulls);
            qsort(s->sorted, static_cast<size_t>(s->count), sizeof(pg_uuid_t), compare_uuid);
            s->array = static_cast<char *>(MemoryContextAlloc(cache, bytes));
            std::memcpy(s->array, ids, bytes);
            s->bytes = bytes;
            return s;
        });
    }
    if (std::bsearch(value, set->sorted, static_cast<size_t>(set->count), sizeof(pg_uuid_t),
                     compare_uuid) != nullptr)
        PG_RETURN_BOOL(true);
    // As `= ANY`: not found among the values, but a NULL might have been it.
    if (set->has_null) PG_RETURN_NULL();
    PG_RETURN_BOOL(false);
}
