#include "core/excerpt.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using mycelium::core::excerpt;

TEST(Excerpt, KeepsShortTextWhole) {
    EXPECT_EQ(excerpt("", 5), "");
    EXPECT_EQ(excerpt("abc", 3), "abc");
    EXPECT_EQ(excerpt("Łódź", 4), "Łódź");
}

TEST(Excerpt, CutsAtCharacterBoundaries) {
    EXPECT_EQ(excerpt("abcdef", 3), "abc…");
    EXPECT_EQ(excerpt("ééééé", 2), "éé…");                 // 2-byte characters
    EXPECT_EQ(excerpt("日本語のテキスト", 3), "日本語…");  // 3-byte characters
    EXPECT_EQ(excerpt("🎉🎉🎉", 1), "🎉…");                    // 4-byte characters
    EXPECT_EQ(excerpt("ab", 0), "…");
}

TEST(Excerpt, NeverSplitsASequence) {
    // Every cut of a long mixed text is valid UTF-8: no lead byte without its
    // continuation bytes at the end, before the ellipsis.
    const std::string text = "aé日🎉aé日🎉aé日🎉";
    for (std::size_t n = 0; n < 14; ++n) {
        const std::string cut = excerpt(text, n);
        const std::string body = cut.size() >= 3 && cut.compare(cut.size() - 3, 3, "…") == 0
                                     ? cut.substr(0, cut.size() - 3)
                                     : cut;
        EXPECT_EQ(text.compare(0, body.size(), body), 0) << n;
        ASSERT_LE(body.size(), text.size());
        if (body.size() < text.size()) {
            EXPECT_NE(static_cast<unsigned char>(text[body.size()]) & 0xC0, 0x80) << n;
        }
    }
}

}  // namespace
