#include "core/date_labels.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "core/error.hpp"

namespace core = mycelium::core;

namespace {

core::ErrorKind kind_of(const std::function<void()> &f) {
    try {
        f();
    } catch (const core::Error &e) {
        return e.kind();
    }
    ADD_FAILURE() << "no error";
    return core::ErrorKind::Internal;
}

}  // namespace

TEST(DateLabels, MonthAndYearInTheLocalesWords) {
    EXPECT_EQ(core::format_date_label("en-US", 2026, 12, 1, "yMMMM"), "December 2026");
    EXPECT_EQ(core::format_date_label("de-DE", 2026, 12, 1, "yMMMM"), "Dezember 2026");
    EXPECT_EQ(core::format_date_label("fr", 2026, 3, 1, "yMMMM"), "mars 2026");
    EXPECT_EQ(core::format_date_label("ja-JP", 2026, 12, 1, "yMMMM"), "2026年12月");
}

TEST(DateLabels, UnderscoreFormsAreAccepted) {
    EXPECT_EQ(core::format_date_label("en_GB", 2026, 12, 7, "yMMMd"), "7 Dec 2026");
}

TEST(DateLabels, TheGregorianCalendarWhateverTheLocalesUsualOne) {
    // Thai usually counts Buddhist-era years (2569); a period label must not.
    EXPECT_NE(core::format_date_label("th-TH", 2026, 12, 1, "yMMMM").find("2026"),
              std::string::npos);
}

TEST(DateLabels, ProlepticGregorianBefore1582) {
    // 1500-03-01 is a Thursday in the proleptic Gregorian calendar (Julian: Saturday).
    EXPECT_EQ(core::format_date_label("en", 1500, 3, 1, "EEEE"), "Thursday");
}

TEST(DateLabels, KnownLocales) {
    EXPECT_TRUE(core::is_known_locale("en-US"));
    EXPECT_TRUE(core::is_known_locale("pt_BR"));
    EXPECT_TRUE(core::is_known_locale("de"));
    EXPECT_FALSE(core::is_known_locale(""));
    EXPECT_FALSE(core::is_known_locale("xx-YY"));
    EXPECT_FALSE(core::is_known_locale("not a locale"));
    EXPECT_FALSE(core::is_known_locale(std::string(200, 'a')));
}

TEST(DateLabels, BadInputIsRefused) {
    EXPECT_EQ(kind_of([] { core::format_date_label("xx", 2026, 1, 1, "yMMMM"); }),
              core::ErrorKind::InvalidParameter);
    EXPECT_EQ(kind_of([] { core::format_date_label("en", 2026, 1, 1, "HH:mm"); }),
              core::ErrorKind::InvalidParameter);
    EXPECT_EQ(kind_of([] { core::format_date_label("en", 2026, 1, 1, ""); }),
              core::ErrorKind::InvalidParameter);
    EXPECT_EQ(kind_of([] { core::format_date_label("en", 2026, 1, 1, "yyyyyyyyyyyyyyyyyyyy"); }),
              core::ErrorKind::InvalidParameter);
    EXPECT_EQ(kind_of([] { core::format_date_label("en", 2026, 2, 30, "yMMMd"); }),
              core::ErrorKind::InvalidParameter);
    EXPECT_EQ(kind_of([] { core::format_date_label("en", 10000, 1, 1, "yMMMd"); }),
              core::ErrorKind::InvalidParameter);
}
