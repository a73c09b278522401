// Internals shared by recurrence.cpp, recurrence_rrule.cpp and recurrence_cron.cpp.
// Not part of the core's interface: nothing outside those files includes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/recurrence.hpp"

namespace mycelium::core::recurrence_detail {

inline constexpr std::int64_t kSecondsPerDay = 86400;

// Day numbers of the first and last supported dates, 0001-01-01 and 9999-12-31.
inline constexpr std::int64_t kMinDay = -719162;
inline constexpr std::int64_t kMaxDay = 2932896;

// Floor division and modulo, for day and second arithmetic before 1970.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
    const std::int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
constexpr std::int64_t floor_mod(std::int64_t a, std::int64_t b) noexcept {
    return a - floor_div(a, b) * b;
}

// User text as it may appear inside an error message: printable ASCII kept,
// everything else (control characters, bytes of multibyte characters, which may
// not even be valid UTF-8) written as \xNN, and cut after `max_chars`.
std::string quote_text(std::string_view text, std::size_t max_chars = 80);

// ASCII-only helpers: the rule grammars are ASCII and the server's locale must not
// change how a rule reads.
char ascii_upper(char c) noexcept;
std::string ascii_upper(std::string_view text);
bool is_space(char c) noexcept;
std::string_view trim(std::string_view text) noexcept;
// The pieces between separators, empty ones included ("a,,b" is three).
std::vector<std::string_view> split(std::string_view text, char separator);

// The cost accounting of one expansion. Every candidate day or minute that an
// engine examines is spent here; returning an occurrence resets it.
class Budget {
  public:
    Budget(std::size_t max_iterations, const std::string &rule_text) noexcept
        : max_(max_iterations), rule_text_(rule_text) {}

    // Throws Error(ProgramLimitExceeded) once more than max_iterations have been
    // spent since the last reset.
    void spend(std::size_t iterations);
    void reset() noexcept { used_ = 0; }

  private:
    std::size_t max_;
    std::size_t used_ = 0;
    const std::string &rule_text_;
};

// One kind of rule's expansion. Engines return candidate instants in increasing
// order and already bounded by the range; the Expansion wrapper counts them
// against max_occurrences.
class Engine {
  public:
    virtual ~Engine() = default;
    virtual std::optional<std::int64_t> next(Budget &budget) = 0;
};

// The range as the engines see it: already clipped to the supported years.
struct Range {
    std::int64_t start_utc;  // inclusive
    std::int64_t end_utc;    // exclusive, > start_utc
};

RRule parse_rrule(std::string_view text);
CronRule parse_cron(std::string_view text);

std::unique_ptr<Engine> make_rrule_engine(const RRule &rule, const LocalDateTime &dtstart,
                                          const TimeZoneConverter &zone, Range range);
std::unique_ptr<Engine> make_cron_engine(const CronRule &rule, const LocalDateTime &dtstart,
                                         const TimeZoneConverter &zone, Range range);

}  // namespace mycelium::core::recurrence_detail
