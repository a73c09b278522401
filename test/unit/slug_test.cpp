#include "core/slug.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "time_limits.hpp"

namespace {

using mycelium::core::Error;
using mycelium::core::ErrorKind;
using mycelium::core::kSlugMaxInputBytes;
using mycelium::core::kSlugMaxLength;
using mycelium::core::slugify;

// Runs slugify, expecting it to throw; returns the error for the caller to inspect.
Error slugify_error(std::string_view input) {
    try {
        const std::string slug = slugify(input);
        ADD_FAILURE() << "expected an error, got \"" << slug << "\"";
    } catch (const Error &e) {
        return e;
    }
    return Error(ErrorKind::Internal, "no error");
}

bool is_slug(const std::string &s) {
    if (s.empty() || s.size() > kSlugMaxLength || s.front() == '-' || s.back() == '-') return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const bool ok =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && s[i - 1] != '-');
        if (!ok) return false;
    }
    return true;
}

std::string repeat(std::string_view unit, std::size_t times) {
    std::string out;
    out.reserve(unit.size() * times);
    for (std::size_t i = 0; i < times; ++i) out.append(unit);
    return out;
}

TEST(Slugify, Ascii) {
    EXPECT_EQ(slugify("GTG Builders"), "gtg-builders");
    EXPECT_EQ(slugify("  Hello---World  "), "hello-world");
    EXPECT_EQ(slugify("Q3 2024 Report"), "q3-2024-report");
    EXPECT_EQ(slugify("already-a-slug"), "already-a-slug");
    EXPECT_EQ(slugify("a"), "a");
}

TEST(Slugify, Accents) {
    EXPECT_EQ(slugify("Café Münster & Co."), "cafe-munster-co");
    EXPECT_EQ(slugify("Ærøskøbing"), "aeroskobing");
    EXPECT_EQ(slugify("Straße"), "strasse");
    EXPECT_EQ(slugify("Łódź"), "lodz");
    EXPECT_EQ(slugify("İstanbul"), "istanbul");
    EXPECT_EQ(slugify("Crème brûlée"), "creme-brulee");
}

TEST(Slugify, DecomposedAndPrecomposedAccentsAgree) {
    const std::string precomposed = "Caf\u00e9";  // U+00E9
    const std::string decomposed = "Cafe\u0301";  // e + U+0301 COMBINING ACUTE
    ASSERT_NE(precomposed, decomposed);
    EXPECT_EQ(slugify(precomposed), "cafe");
    EXPECT_EQ(slugify(decomposed), "cafe");
    EXPECT_EQ(slugify("Mu\u0308nster"), slugify("M\u00fcnster"));
}

TEST(Slugify, CompatibilityForms) {
    EXPECT_EQ(slugify("\uFB01nance"), "finance");                   // ﬁ ligature
    EXPECT_EQ(slugify("\uFF21\uFF22\uFF23\uFF11\uFF12"), "abc12");  // full-width
    EXPECT_EQ(slugify("x\u00b2"), "x2");
    EXPECT_EQ(slugify("Step \u2460"), "step-1");  // circled digit
}

TEST(Slugify, Cyrillic) {
    EXPECT_EQ(slugify("Москва"), "moskva");
    EXPECT_EQ(slugify("Санкт-Петербург"), "sankt-peterburg");
}

TEST(Slugify, Greek) { EXPECT_EQ(slugify("Ελλάδα"), "ellada"); }

TEST(Slugify, Cjk) {
    // ICU reads Han as Mandarin pinyin, whatever the language.
    EXPECT_EQ(slugify("東京"), "dong-jing");
    EXPECT_EQ(slugify("ｶﾀｶﾅ"), "katakana");
    EXPECT_EQ(slugify("서울"), "seoul");
    EXPECT_TRUE(is_slug(slugify("東京タワー")));
}

TEST(Slugify, Emoji) {
    EXPECT_EQ(slugify("🎉 Party 🎉"), "party");
    EXPECT_EQ(slugify("Launch🚀Day"), "launch-day");
}

TEST(Slugify, Mixed) {
    EXPECT_EQ(slugify("O'Brien's"), "o-brien-s");  // apostrophes separate words
    EXPECT_EQ(slugify("Müller & Söhne — Москва 2024!"), "muller-sohne-moskva-2024");
    EXPECT_EQ(slugify("C++/C# devs"), "c-c-devs");
    EXPECT_EQ(slugify("tab\tnew\nline"), "tab-new-line");
    EXPECT_EQ(slugify(std::string_view("nul\0byte", 8)), "nul-byte");
}

TEST(Slugify, EmptyInput) {
    const Error e = slugify_error("");
    EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter);
    EXPECT_STREQ(e.what(), "slugify: the text has no letters or digits to make a slug from");
    EXPECT_EQ(e.detail(), "The input is empty.");
}

TEST(Slugify, NothingToKeep) {
    for (const char *input : {"   ", " \t\n ", "---", "!?.,;:", "🎉🎉", "🎉 & 🎊", "\u3000"}) {
        const Error e = slugify_error(input);
        EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter) << input;
        EXPECT_EQ(e.detail(), std::string("The input was \"") + input + "\".") << input;
    }
}

TEST(Slugify, NothingToKeepQuotesAtMostFortyCharacters) {
    // 50 four-byte emoji: the detail keeps 40 whole characters, not 40 bytes.
    const Error e = slugify_error(repeat("🎉", 50));
    EXPECT_EQ(e.detail(), "The input was \"" + repeat("🎉", 40) + "…\".");
}

TEST(Slugify, InvalidUtf8) {
    const std::vector<std::string> inputs = {
        "\x80",              // continuation byte with no lead
        "abc\xff",           // never valid
        "\xc3",              // truncated two-byte sequence
        "\xe2\x82",          // truncated three-byte sequence
        "\xc0\xaf",          // overlong '/'
        "\xe0\x80\xaf",      // overlong '/'
        "\xed\xa0\x80",      // UTF-16 surrogate U+D800
        "\xf4\x90\x80\x80",  // U+110000, past the last code point
        "caf\xe9",           // Latin-1 é
    };
    for (const std::string &input : inputs) {
        const Error e = slugify_error(input);
        EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter);
        EXPECT_STREQ(e.what(), "slugify: input is not valid UTF-8");
    }
    EXPECT_EQ(slugify_error("caf\xe9").detail(),
              "The byte 0xE9 at offset 3 does not begin a valid UTF-8 sequence.");
}

TEST(Slugify, InputExactlyAtTheLimit) {
    const std::string ascii =
        repeat("ab ", kSlugMaxInputBytes / 3) + std::string(kSlugMaxInputBytes % 3, 'z');
    ASSERT_EQ(ascii.size(), kSlugMaxInputBytes);
    EXPECT_TRUE(is_slug(slugify(ascii)));

    const std::string two_byte = repeat("é", kSlugMaxInputBytes / 2);
    ASSERT_EQ(two_byte.size(), kSlugMaxInputBytes);
    EXPECT_EQ(slugify(two_byte), std::string(kSlugMaxLength, 'e'));

    // 64 KB of Han, the slowest script to romanise, still works.
    const std::string han = repeat("東", kSlugMaxInputBytes / 3);
    EXPECT_TRUE(is_slug(slugify(han)));
}

TEST(Slugify, InputOverTheLimit) {
    const Error e = slugify_error(std::string(kSlugMaxInputBytes + 1, 'a'));
    EXPECT_EQ(e.kind(), ErrorKind::StringTooLong);
    EXPECT_STREQ(e.what(), "slugify: input is too long");
    EXPECT_EQ(e.detail(), "The input is 65537 bytes; the limit is 65536.");
}

TEST(Slugify, HugeInputIsRefusedWithoutBeingRead) {
    // Invalid UTF-8 throughout: had slugify looked at it, the error would differ.
    const std::string huge(10 * 1024 * 1024, '\xff');
    const auto start = std::chrono::steady_clock::now();
    const Error e = slugify_error(huge);
    const auto elapsed =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
    EXPECT_EQ(e.kind(), ErrorKind::StringTooLong);
    EXPECT_EQ(e.detail(), "The input is 10485760 bytes; the limit is 65536.");
    EXPECT_LT(elapsed.count(), 100.0 * mycelium::test::kTimeLimitScale);
}

TEST(Slugify, TruncatesAtAWordBoundary) {
    // "abcdefghi-" x 20: the 80th character is a '-', so eight words of nine fit.
    const std::string slug = slugify(repeat("abcdefghi ", 20));
    EXPECT_EQ(slug, repeat("abcdefghi-", 7) + "abcdefghi");
    EXPECT_EQ(slug.size(), 79u);
}

TEST(Slugify, KeepsAWordThatEndsExactlyAtTheLimit) {
    // Ten words of seven letters joined by '-' are 79 characters; one more letter
    // in the last word makes exactly 80, followed by '-'.
    const std::string input = repeat("abcdefg ", 9) + "abcdefgh more words";
    const std::string slug = slugify(input);
    EXPECT_EQ(slug.size(), kSlugMaxLength);
    EXPECT_EQ(slug, repeat("abcdefg-", 9) + "abcdefgh");
}

TEST(Slugify, CutsAWordLongerThanTheLimit) {
    EXPECT_EQ(slugify(std::string(200, 'x')), std::string(kSlugMaxLength, 'x'));
    EXPECT_EQ(slugify(std::string(100, 'x') + " tail"), std::string(kSlugMaxLength, 'x'));
}

TEST(Slugify, TruncatesTransliteratedText) {
    // Transliteration grows the text: 30 Han characters become about 150 letters.
    const std::string slug = slugify(repeat("東京", 15));
    EXPECT_TRUE(is_slug(slug)) << slug;
    EXPECT_EQ(slug.substr(0, 10), "dong-jing-");
}

TEST(Slugify, IsIdempotent) {
    const std::vector<std::string> inputs = {
        "Café Münster & Co.",
        "Москва",
        "東京",
        "Ærøskøbing",
        "O'Brien's",
        "🎉 Party 🎉",
        repeat("abcdefghi ", 20),
        std::string(200, 'x'),
        repeat("東京", 15),
        "  Hello---World  ",
    };
    for (const std::string &input : inputs) {
        const std::string once = slugify(input);
        EXPECT_TRUE(is_slug(once)) << input << " -> " << once;
        EXPECT_EQ(slugify(once), once) << input;
    }
}

}  // namespace
