#include "ingress/timestamp.h"

#include <cstdio>

namespace ingress::domain {

using std::chrono::days;
using std::chrono::milliseconds;

TimePoint truncateToMillis(TimePoint t) { return std::chrono::floor<milliseconds>(t); }

std::string formatTimestamp(TimePoint t) {
  const auto ms = std::chrono::floor<milliseconds>(t);
  const auto day = std::chrono::floor<days>(ms);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{ms - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int{ymd.year()},
                unsigned{ymd.month()}, unsigned{ymd.day()}, static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                static_cast<int>(hms.subseconds().count()));
  return buf;
}

StatusOr<TimePoint> parseTimestamp(std::string_view text, std::string_view field) {
  auto bad = [&] {
    return invalidArgument(
        std::string(field) + ": must be an RFC 3339 UTC timestamp like 2026-11-28T03:04:05.123Z",
        "bad_request");
  };
  // Positions of the separators in "YYYY-MM-DDTHH:MM:SS.mmmZ".
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (text.size() != kShape.size()) return bad();
  for (size_t i = 0; i < kShape.size(); ++i) {
    if (kShape[i] == 'd' ? (text[i] < '0' || text[i] > '9') : text[i] != kShape[i]) return bad();
  }
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  const std::chrono::year_month_day ymd{std::chrono::year{num(0, 4)},
                                        std::chrono::month{static_cast<unsigned>(num(5, 2))},
                                        std::chrono::day{static_cast<unsigned>(num(8, 2))}};
  const int h = num(11, 2), m = num(14, 2), s = num(17, 2), frac = num(20, 3);
  if (!ymd.ok() || h > 23 || m > 59 || s > 59) return bad();
  return TimePoint{std::chrono::sys_days{ymd}} + std::chrono::hours{h} + std::chrono::minutes{m} +
         std::chrono::seconds{s} + milliseconds{frac};
}

}  // namespace ingress::domain
