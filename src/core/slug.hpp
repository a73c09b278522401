// URL slugs: "Café Münster & Co." -> "cafe-munster-co".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mycelium::core {

// Longer input is refused before any work is done: transliteration costs time in
// proportion to the input (about half a second for 64 KB of Chinese text, the
// slowest script), and a slug only ever keeps its first kSlugMaxLength characters.
inline constexpr std::size_t kSlugMaxInputBytes = 65536;

// Slugs are cut to this many characters, so they fit in URLs and unique indexes.
inline constexpr std::size_t kSlugMaxLength = 80;

// Turns UTF-8 text into lower-case ASCII words joined by single '-'.
//
// The text is transliterated by ICU ("NFKC; Any-Latin; Latin-ASCII; Lower"): NFKC
// first so that compatibility forms (ﬁ, ①, ², ℌ, full-width letters, mathematical
// bold) become their plain letters and digits; then every script is romanised and
// accents are dropped. Precomposed and decomposed accents give the same slug.
// Then every run of characters outside [a-z0-9] becomes one '-', and '-' is
// trimmed from both ends. So apostrophes separate words ("O'Brien's" ->
// "o-brien-s"), and symbols and emoji vanish ("🎉 Party 🎉" -> "party").
//
// Romanisation is ICU's, which reads Han characters as Mandarin pinyin whatever the
// language: "東京" -> "dong-jing", not "tokyo". Kana and Hangul are romanised
// phonetically ("ｶﾀｶﾅ" -> "katakana", "서울" -> "seoul"), and "Ærøskøbing" ->
// "aeroskobing", "Straße" -> "strasse", "Москва" -> "moskva".
//
// A slug longer than kSlugMaxLength is cut at the last '-' that keeps it within
// the limit (a single word longer than the limit is cut inside the word); it never
// ends in '-'. slugify(slugify(x)) == slugify(x).
//
// Throws Error with
//   StringTooLong     the input is over kSlugMaxInputBytes bytes;
//   InvalidParameter  the input is not valid UTF-8, or it has no letter or digit
//                     that survives (empty, only spaces, punctuation or emoji);
//   Internal          ICU failed (the detail names the ICU error code).
// Not thread-safe: the ICU transliterator is created once per process, without a
// lock, and shared; PostgreSQL backends are single-threaded.
std::string slugify(std::string_view utf8);

}  // namespace mycelium::core
