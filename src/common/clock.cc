#include "common/clock.h"

#include <thread>

namespace ingress {

std::chrono::system_clock::time_point ClockImpl::now() const {
  return std::chrono::system_clock::now();
}

std::chrono::steady_clock::time_point ClockImpl::monotonicNow() const {
  return std::chrono::steady_clock::now();
}

void ClockImpl::sleepFor(std::chrono::nanoseconds d) { std::this_thread::sleep_for(d); }

}  // namespace ingress
