#include "exe/memory_policy.h"

#include <string>

namespace ingress::exe {

int arenaMaxToSet(const EnvLookup& env) {
  if (env("MALLOC_ARENA_MAX")) return 0;
  if (auto tunables = env("GLIBC_TUNABLES");
      tunables && tunables->find("glibc.malloc.arena_max") != std::string::npos) {
    return 0;
  }
  return kDefaultArenaMax;
}

MemoryTrimmer::MemoryTrimmer(std::function<void()> trim, std::chrono::milliseconds min_interval)
    : trim_(std::move(trim)), min_interval_(min_interval), thread_([this] { run(); }) {}

MemoryTrimmer::~MemoryTrimmer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void MemoryTrimmer::notify() {
  {
    std::lock_guard lock(mu_);
    pending_ = true;
  }
  cv_.notify_all();
}

uint64_t MemoryTrimmer::trims() const {
  std::lock_guard lock(mu_);
  return trims_;
}

void MemoryTrimmer::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return pending_ || stop_; });
    if (stop_) return;
    pending_ = false;
    lock.unlock();
    trim_();
    lock.lock();
    ++trims_;
    // The interval: notifications meanwhile only set pending_, answered by one trim after it.
    if (cv_.wait_for(lock, min_interval_, [&] { return stop_; })) return;
  }
}

}  // namespace ingress::exe
