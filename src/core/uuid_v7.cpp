#include "core/uuid_v7.hpp"

#include <cstdint>
#include <type_traits>

#include "core/no_postgres.hpp"

namespace mycelium::core {

static_assert(std::is_trivially_destructible_v<UuidV7Generator>,
              "the glue keeps a generator as a static; it must need no destructor");

namespace {

constexpr std::int64_t kNsPerMs = 1'000'000;
constexpr int kRandABits = 12;

// Any clock reading fits the 48-bit field, with room for every carry that calls
// could ever borrow, so neither the field nor the 60-bit counter needs a clamp.
static_assert(INT64_MAX / kNsPerMs < (std::int64_t{1} << 47),
              "an int64 of nanoseconds must fit the 48-bit millisecond field with room");

// The 60-bit (ms, rand_a) value that the clock reading alone would give.
std::uint64_t counter_from_clock(std::int64_t unix_time_ns) noexcept {
    if (unix_time_ns < 0) return 0;  // version 7 cannot express times before 1970
    const auto ms = static_cast<std::uint64_t>(unix_time_ns / kNsPerMs);
    const auto rem = static_cast<std::uint64_t>(unix_time_ns % kNsPerMs);
    // RFC 9562 §6.2 method 3: floor(fraction * 4096); rem < 10^6 keeps this < 4096.
    const std::uint64_t rand_a = (rem << kRandABits) / kNsPerMs;
    return (ms << kRandABits) | rand_a;
}

}  // namespace

Uuid UuidV7Generator::next(std::int64_t unix_time_ns,
                           const std::array<std::uint8_t, 10> &random) noexcept {
    std::uint64_t counter = counter_from_clock(unix_time_ns);
    // Adding one to the combined value is what carries a rand_a overflow into the
    // millisecond, and it covers a stalled clock and a clock stepped backwards alike.
    if (has_last_ && counter <= last_) counter = last_ + 1;
    last_ = counter;
    has_last_ = true;

    const std::uint64_t ms = counter >> kRandABits;
    const auto rand_a = static_cast<std::uint16_t>(counter & 0xFFF);

    Uuid id{};
    for (int i = 0; i < 6; ++i) id.bytes[i] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
    id.bytes[6] = static_cast<std::uint8_t>(0x70 | (rand_a >> 8));
    id.bytes[7] = static_cast<std::uint8_t>(rand_a & 0xFF);
    id.bytes[8] = static_cast<std::uint8_t>(0x80 | (random[0] & 0x3F));
    for (int i = 9; i < 16; ++i) id.bytes[i] = random[i - 8];
    return id;
}

std::string to_string(const Uuid &id) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < id.bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(kHex[id.bytes[i] >> 4]);
        out.push_back(kHex[id.bytes[i] & 0x0F]);
    }
    return out;
}

std::int64_t unix_ms(const Uuid &id) {
    std::int64_t ms = 0;
    for (int i = 0; i < 6; ++i) ms = (ms << 8) | id.bytes[i];
    return ms;
}

}  // namespace mycelium::core
