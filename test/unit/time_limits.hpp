// The time limits of the unit tests guard complexity: linear rather than
// quadratic work, hostile input refused before it is read, a pattern stopped at
// its limit. Built with the sanitizers (-DMYCELIUM_SANITIZE=ON), every memory
// access is checked and nothing is optimised, so the same work takes several
// times longer; the limits grow by that factor and still catch a change of
// complexity, which costs orders of magnitude.
#pragma once

namespace mycelium::test {

#ifdef MYCELIUM_SANITIZED
inline constexpr double kTimeLimitScale = 10.0;
#else
inline constexpr double kTimeLimitScale = 1.0;
#endif

}  // namespace mycelium::test
