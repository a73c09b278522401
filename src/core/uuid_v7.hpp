// RFC 9562 version 7 UUIDs: time-ordered ids that index like a bigserial (new
// rows land at the right edge of the B-tree) yet can be minted anywhere without
// coordination.
//
// The core is pure and deterministic: the caller supplies the clock and the
// random bytes, so the tests can replay any sequence of clock readings, and the
// glue chooses the clock and the CSPRNG (pg_strong_random).
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace mycelium::core {

struct Uuid {
    std::array<std::uint8_t, 16> bytes;
};

// Layout (big-endian, RFC 9562 §5.7):
//   bits   0..47  unix_ts_ms  milliseconds since 1970-01-01 UTC
//   bits  48..51  version     0b0111
//   bits  52..63  rand_a      the sub-millisecond fraction scaled to 12 bits
//                             (§6.2 method 3), so ids from one clock reading sort
//                             by the time they were made, even across backends
//   bits  64..65  variant     0b10
//   bits  66..127 rand_b      62 bits taken from the caller's random bytes
//
// Monotonic: each id of one generator is strictly greater, byte for byte, than the
// one before it. When the clock has not moved past the last (ms, rand_a) pair,
// because it is coarse, calls come faster than 1/4096 ms, or the clock stepped
// backwards, the generator uses the last pair plus one, carrying from rand_a into
// the millisecond (so a long burst borrows a few milliseconds from the future and
// the embedded time runs ahead of the clock until the clock catches up).
//
// Times before 1970 are taken as 1970-01-01 (version 7 cannot express them). The
// far end needs no rule: an int64 of nanoseconds ends in the year 2262, long before
// the 48-bit millisecond field does (in 10889), so the counter never runs out.
class UuidV7Generator {
  public:
    // constexpr and trivially destructible, so that the glue can keep one per
    // backend as a static without a global constructor or destructor.
    constexpr UuidV7Generator() = default;

    // unix_time_ns: wall clock in nanoseconds since the epoch.
    // random: 10 bytes from a CSPRNG; the first 8 fill rand_b (62 bits of them),
    // the last 2 are reserved and currently unused, since rand_a carries time.
    Uuid next(std::int64_t unix_time_ns, const std::array<std::uint8_t, 10> &random) noexcept;

  private:
    // (unix_ts_ms << 12) | rand_a of the last id: the 60 bits that order the ids.
    std::uint64_t last_ = 0;
    bool has_last_ = false;
};

// The canonical lower-case 8-4-4-4-12 form, e.g. 017f22e2-79b0-7cc3-98c4-dc0c0c07398f.
std::string to_string(const Uuid &id);

// The 48-bit unix_ts_ms field. It does not check the version: the caller decides
// whether a non-v7 UUID is an error.
std::int64_t unix_ms(const Uuid &id);

}  // namespace mycelium::core
