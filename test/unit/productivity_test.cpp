#include "core/productivity.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace core = mycelium::core;

TEST(Productivity, NothingAssignedScoresZero) {
    const auto s = core::score_productivity({});
    EXPECT_EQ(s.completion_rate, 0);
    EXPECT_EQ(s.score, 0);
    EXPECT_FALSE(s.avg_completion_hours.has_value());
}

TEST(Productivity, TheDocumentsFormula) {
    // 7 of 9 done (77.78%), one overdue: 77.78 - 10 = 67.78.
    const auto s = core::score_productivity({9, 7, 1, 36.0 * 3600 + 90});
    EXPECT_DOUBLE_EQ(s.completion_rate, 77.78);
    EXPECT_DOUBLE_EQ(s.score, 67.78);
    ASSERT_TRUE(s.avg_completion_hours.has_value());
    EXPECT_DOUBLE_EQ(*s.avg_completion_hours, 36.03);
}

TEST(Productivity, ClampedToZeroAndHundred) {
    EXPECT_EQ(core::score_productivity({10, 2, 5, std::nullopt}).score, 0);
    EXPECT_EQ(core::score_productivity({4, 4, 0, 60.0}).score, 100);
}

TEST(Productivity, RoundsHalfAwayFromZero) {
    // 1 of 8 = 12.5 exactly; 1 of 3 = 33.333...
    EXPECT_DOUBLE_EQ(core::score_productivity({8, 1, 0, 1.0}).completion_rate, 12.5);
    EXPECT_DOUBLE_EQ(core::score_productivity({3, 1, 0, 1.0}).completion_rate, 33.33);
    EXPECT_DOUBLE_EQ(core::score_productivity({3, 2, 0, 1.0}).completion_rate, 66.67);
}

TEST(Productivity, InconsistentTalliesAreRefused) {
    EXPECT_THROW(core::score_productivity({1, 2, 0, std::nullopt}), core::Error);
    EXPECT_THROW(core::score_productivity({1, 0, 2, std::nullopt}), core::Error);
    EXPECT_THROW(core::score_productivity({-1, 0, 0, std::nullopt}), core::Error);
}
