// Dates in words, in a locale's language: the "December 2026" of a generated
// deliverable's title. ICU's pattern generator picks each locale's own order and
// spelling of a skeleton ("yMMMM" is "December 2026" in en, "Dezember 2026" in de,
// "2026年12月" in ja), so nothing here hard-codes a language.
#pragma once

#include <string>
#include <string_view>

namespace mycelium::core {

// Locale ids and skeletons longer than this are refused: real ones are a few bytes.
inline constexpr std::size_t kLocaleMaxBytes = 64;
inline constexpr std::size_t kSkeletonMaxBytes = 16;

// Whether id is a BCP 47 language tag ("en-US", "de", "pt-BR") whose language ICU
// knows. Underscore forms ("en_US") are accepted as ICU accepts them.
bool is_known_locale(std::string_view id) noexcept;

// The calendar date year-month-day (proleptic Gregorian, whatever the locale's
// usual calendar) in the locale's words for an ICU date skeleton made only of the
// date fields y, M, L, d, E and c ("yMMMM", "yMMMd", "EEEEd"). The result is
// UTF-8. Throws Error(InvalidParameter) for an unknown locale, a bad skeleton or
// a date outside 1..9999.
std::string format_date_label(std::string_view locale, int year, int month, int day,
                              std::string_view skeleton);

}  // namespace mycelium::core
