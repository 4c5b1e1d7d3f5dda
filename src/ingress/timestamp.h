// RFC 3339 timestamps as the API and the store write them: UTC with exactly three fractional
// digits, "2026-11-28T03:04:05.123Z". Pure functions, thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ingress::domain {

using TimePoint = std::chrono::system_clock::time_point;

// Drops everything below a millisecond (towards the past), so that a value survives a round
// trip through formatTimestamp/parseTimestamp unchanged.
TimePoint truncateToMillis(TimePoint t);

// Years 0000..9999; the sub-millisecond part is dropped.
std::string formatTimestamp(TimePoint t);

// Accepts exactly the format formatTimestamp writes; anything else is kInvalidArgument
// "<field>: must be an RFC 3339 UTC timestamp like 2026-11-28T03:04:05.123Z".
StatusOr<TimePoint> parseTimestamp(std::string_view text, std::string_view field);

}  // namespace ingress::domain
