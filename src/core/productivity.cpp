#include "core/productivity.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/no_postgres.hpp"

namespace mycelium::core {
namespace {

// Half away from zero, like PostgreSQL's round(numeric, 2).
double round2(double value) { return std::round(value * 100.0) / 100.0; }

}  // namespace

ProductivityScore score_productivity(const ProductivityTally &tally) {
    if (tally.assigned < 0 || tally.completed < 0 || tally.overdue < 0 ||
        tally.completed > tally.assigned || tally.overdue > tally.assigned)
        throw Error(ErrorKind::InvalidParameter, "productivity: inconsistent tally");
    ProductivityScore out;
    if (tally.avg_completion_seconds)
        out.avg_completion_hours = round2(*tally.avg_completion_seconds / 3600.0);
    if (tally.assigned == 0) return out;
    const double rate =
        static_cast<double>(tally.completed) * 100.0 / static_cast<double>(tally.assigned);
    out.completion_rate = round2(rate);
    out.score = round2(std::clamp(rate - 10.0 * static_cast<double>(tally.overdue), 0.0, 100.0));
    return out;
}

}  // namespace mycelium::core
