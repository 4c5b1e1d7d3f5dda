#include "acme/ari.h"

#include <ctime>
#include <memory>

namespace ingress::acme {

std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view text) {
  const std::string s(text);
  std::tm tm{};
  const char* p = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (p == nullptr) p = strptime(s.c_str(), "%Y-%m-%dt%H:%M:%S", &tm);
  if (p == nullptr) return std::nullopt;
  std::chrono::nanoseconds fraction{0};
  if (*p == '.') {
    ++p;
    long long scale = 100000000;
    if (*p < '0' || *p > '9') return std::nullopt;
    while (*p >= '0' && *p <= '9') {
      fraction += std::chrono::nanoseconds((*p - '0') * scale);
      scale /= 10;
      ++p;
    }
  }
  std::chrono::seconds offset{0};
  if (*p == 'Z' || *p == 'z') {
    ++p;
  } else if (*p == '+' || *p == '-') {
    const int sign = *p == '+' ? 1 : -1;
    int hh = 0;
    int mm = 0;
    if (std::sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2) return std::nullopt;
    offset = std::chrono::seconds(sign * (hh * 3600 + mm * 60));
    p += 6;
  } else {
    return std::nullopt;
  }
  if (*p != '\0') return std::nullopt;
  auto t = std::chrono::system_clock::from_time_t(timegm(&tm)) - offset;
  return t + std::chrono::duration_cast<std::chrono::system_clock::duration>(fraction);
}

}  // namespace ingress::acme
