// The design document's productivity score, computed from one user's tally of
// deliverables in a period. The tally is counted by the database (one GROUP BY
// over the deliverables, src/pg/productivity.cpp); this is the arithmetic, kept
// in one place so that productivity_scores and calculate_user_productivity
// cannot disagree.
#pragma once

#include <cstdint>
#include <optional>

namespace mycelium::core {

// One user's deliverables of the period's cohort: those assigned to the user,
// created in the period, and not cancelled.
struct ProductivityTally {
    std::int64_t assigned = 0;   // the cohort
    std::int64_t completed = 0;  // of it, completed by the end of the period
    std::int64_t overdue =
        0;  // of it, past its due date at the end of the period and not done by then
    std::optional<double> avg_completion_seconds;  // created -> completed, over the completed ones
};

// The figures, rounded to two decimals as the document's JSON shows them.
struct ProductivityScore {
    double completion_rate = 0;                  // 0..100
    std::optional<double> avg_completion_hours;  // none when nothing was completed
    double score = 0;  // completion rate - 10 per overdue, clamped to 0..100
};

// Throws Error(InvalidParameter) for counts that cannot come from one cohort
// (negative, or more completed or overdue than assigned).
ProductivityScore score_productivity(const ProductivityTally &tally);

}  // namespace mycelium::core
