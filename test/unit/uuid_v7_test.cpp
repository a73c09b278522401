#include "core/uuid_v7.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <random>
#include <regex>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

namespace {

using mycelium::core::to_string;
using mycelium::core::unix_ms;
using mycelium::core::Uuid;
using mycelium::core::UuidV7Generator;

using Random = std::array<std::uint8_t, 10>;

// The glue keeps a generator as a static; that is only free of a global
// constructor and destructor if both of these hold.
constexpr UuidV7Generator kConstantInitialised{};
static_assert(std::is_trivially_destructible_v<UuidV7Generator>);

constexpr std::int64_t kNsPerMs = 1'000'000;

Random random_bytes(std::mt19937_64 &rng) {
    Random r{};
    for (auto &b : r) b = static_cast<std::uint8_t>(rng());
    return r;
}

int version(const Uuid &id) { return id.bytes[6] >> 4; }
int variant(const Uuid &id) { return id.bytes[8] >> 6; }
int rand_a(const Uuid &id) { return ((id.bytes[6] & 0x0F) << 8) | id.bytes[7]; }

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

TEST(UuidV7, VersionAndVariantBits) {
    UuidV7Generator gen;
    for (std::uint8_t fill : {0x00, 0xFF, 0x5A}) {
        Random r;
        r.fill(fill);
        const Uuid id = gen.next(1'700'000'000'123'456'789, r);
        EXPECT_EQ(version(id), 7);
        EXPECT_EQ(variant(id), 0b10);
    }
}

TEST(UuidV7, RandBComesFromTheRandomBytes) {
    UuidV7Generator gen;
    const Random r{0xFF, 1, 2, 3, 4, 5, 6, 7, 0xEE, 0xEE};
    const Uuid id = gen.next(0, r);
    EXPECT_EQ(id.bytes[8], 0xBF);  // variant 10, then the low six bits of r[0]
    for (int i = 9; i < 16; ++i) EXPECT_EQ(id.bytes[i], r[i - 8]) << "byte " << i;
}

TEST(UuidV7, TimestampRoundTrip) {
    // The last millisecond an int64 of nanoseconds can express (in 2262).
    const std::int64_t last_ms = INT64_MAX / kNsPerMs - 1;
    for (std::int64_t ms : {std::int64_t{0}, std::int64_t{1}, std::int64_t{1'700'000'000'123},
                            std::int64_t{0x017F22E279B0}, last_ms}) {
        UuidV7Generator gen;
        const Uuid id = gen.next(ms * kNsPerMs + 999, Random{});
        EXPECT_EQ(unix_ms(id), ms);
    }
    UuidV7Generator gen;
    const std::int64_t ns = now_ns();
    EXPECT_EQ(unix_ms(gen.next(ns, Random{})), ns / kNsPerMs);
}

TEST(UuidV7, RandAIsTheSubMillisecondFraction) {
    UuidV7Generator gen;
    EXPECT_EQ(rand_a(gen.next(10 * kNsPerMs + 0, Random{})), 0);
    EXPECT_EQ(rand_a(gen.next(11 * kNsPerMs + 500'000, Random{})), 2048);
    EXPECT_EQ(rand_a(gen.next(12 * kNsPerMs + 250'000, Random{})), 1024);
    EXPECT_EQ(rand_a(gen.next(13 * kNsPerMs + 999'999, Random{})), 4095);
}

TEST(UuidV7, TimesBefore1970AreTakenAsTheEpoch) {
    UuidV7Generator gen;
    const Uuid a = gen.next(-5 * kNsPerMs, Random{});
    EXPECT_EQ(unix_ms(a), 0);
    EXPECT_EQ(rand_a(a), 0);
    const Uuid b = gen.next(INT64_MIN, Random{});
    EXPECT_LT(a.bytes, b.bytes);
}

TEST(UuidV7, TheLatestClockReadingFits) {
    UuidV7Generator gen;
    const Uuid a = gen.next(INT64_MAX, Random{});
    const Uuid b = gen.next(INT64_MAX, Random{});
    EXPECT_EQ(unix_ms(a), INT64_MAX / kNsPerMs);
    EXPECT_LT(a.bytes, b.bytes);
    EXPECT_EQ(version(b), 7);
}

TEST(UuidV7, ToStringMatchesTheRfcExample) {
    // RFC 9562 Appendix A.6: unix_ts_ms 0x017F22E279B0, rand_a 0xCC3,
    // rand_b 0x18C4DC0C0C07398F.
    const std::int64_t ms = 0x017F22E279B0;
    const std::int64_t rem = 797'608;  // floor(797608 * 4096 / 10^6) == 0xCC3
    UuidV7Generator gen;
    const Random r{0x18, 0xC4, 0xDC, 0x0C, 0x0C, 0x07, 0x39, 0x8F, 0, 0};
    const Uuid id = gen.next(ms * kNsPerMs + rem, r);
    EXPECT_EQ(to_string(id), "017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
}

TEST(UuidV7, ToStringFormat) {
    UuidV7Generator gen;
    std::mt19937_64 rng(7);
    const std::regex canonical(
        "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    for (int i = 0; i < 1000; ++i) {
        const std::string s = to_string(gen.next(now_ns(), random_bytes(rng)));
        EXPECT_TRUE(std::regex_match(s, canonical)) << s;
    }
}

TEST(UuidV7, StrictlyIncreasingWithAFrozenClock) {
    UuidV7Generator gen;
    std::mt19937_64 rng(1);
    const std::int64_t ns = 1'700'000'000'000'000'000;
    Uuid prev = gen.next(ns, random_bytes(rng));
    const int kCount = 1'000'000;
    for (int i = 1; i < kCount; ++i) {
        const Uuid id = gen.next(ns, random_bytes(rng));
        ASSERT_LT(prev.bytes, id.bytes) << "at " << i;
        prev = id;
    }
    // Each id takes the next 1/4096 ms: the burst borrowed this far into the future.
    EXPECT_EQ(unix_ms(prev), ns / kNsPerMs + (kCount - 1) / 4096);
    EXPECT_EQ(rand_a(prev), (kCount - 1) % 4096);
}

TEST(UuidV7, StrictlyIncreasingWithTheRealClock) {
    UuidV7Generator gen;
    std::mt19937_64 rng(2);
    Uuid prev = gen.next(now_ns(), random_bytes(rng));
    for (int i = 1; i < 1'000'000; ++i) {
        const Uuid id = gen.next(now_ns(), random_bytes(rng));
        ASSERT_LT(prev.bytes, id.bytes) << "at " << i;
        prev = id;
    }
}

TEST(UuidV7, UniqueAcrossGeneratorsSharingAClock) {
    // Four backends minting ids in the same instants: only rand_b separates them.
    std::array<UuidV7Generator, 4> gens{};
    std::mt19937_64 rng(3);
    std::vector<std::array<std::uint8_t, 16>> ids;
    ids.reserve(1'000'000);
    const std::int64_t start = now_ns();
    for (int i = 0; i < 1'000'000; ++i) {
        const std::int64_t ns = start + (i / 16) * 100;  // 16 ids per 100 ns tick
        ids.push_back(gens[i % gens.size()].next(ns, random_bytes(rng)).bytes);
    }
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
}

TEST(UuidV7, ClockGoingBackwardsKeepsTheOrder) {
    UuidV7Generator gen;
    const Uuid a = gen.next(5'000 * kNsPerMs + 123, Random{});
    const Uuid b = gen.next(4'000 * kNsPerMs, Random{});  // NTP stepped back a second
    const Uuid c = gen.next(4'999 * kNsPerMs, Random{});
    EXPECT_LT(a.bytes, b.bytes);
    EXPECT_LT(b.bytes, c.bytes);
    EXPECT_EQ(unix_ms(b), 5'000);
    EXPECT_EQ(rand_a(b), rand_a(a) + 1);
    EXPECT_EQ(unix_ms(c), 5'000);
    // Once the clock passes the last id again, the ids follow the clock.
    const Uuid d = gen.next(5'001 * kNsPerMs, Random{});
    EXPECT_LT(c.bytes, d.bytes);
    EXPECT_EQ(unix_ms(d), 5'001);
    EXPECT_EQ(rand_a(d), 0);
}

TEST(UuidV7, RandAOverflowCarriesIntoTheMillisecond) {
    UuidV7Generator gen;
    const std::int64_t ns = 42 * kNsPerMs + 999'999;
    const Uuid a = gen.next(ns, Random{});
    ASSERT_EQ(rand_a(a), 4095);
    const Uuid b = gen.next(ns, Random{});
    EXPECT_EQ(unix_ms(b), 43);
    EXPECT_EQ(rand_a(b), 0);
    EXPECT_LT(a.bytes, b.bytes);
    EXPECT_EQ(version(b), 7);
}

}  // namespace
