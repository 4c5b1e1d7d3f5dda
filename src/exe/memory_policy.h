// How `serve` keeps glibc's heap from holding on to memory it no longer uses.
//
// Every handler thread can be the committer of a batch, and a commit builds the whole xDS
// configuration as temporary JSON (tens of MB at 10,000 ingresses). glibc gives each thread that
// allocates concurrently an arena of its own, up to 8 per core, and an arena keeps its peak: at
// 10,000 ingresses serve grew to 1.2 GB RSS under 8 clients (71 MB after a restart). Two
// measures, both measured in docs/benchmarks.md ("Memory under churn"):
//   - arenas are capped (mallopt M_ARENA_MAX, kDefaultArenaMax) unless the operator chose a
//     value with glibc's own MALLOC_ARENA_MAX or GLIBC_TUNABLES=glibc.malloc.arena_max;
//   - after publishes, a background thread returns free heap pages to the kernel
//     (malloc_trim), at most once per interval, so a burst of changes costs one trim and no
//     request waits for it.
//
//   if (int n = arenaMaxToSet(env); n > 0) ::mallopt(M_ARENA_MAX, n);
//   MemoryTrimmer trimmer([] { ::malloc_trim(0); }, std::chrono::seconds(1));
//   publisher.setApplyObserver([&](auto...) { trimmer.notify(); });
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "exe/settings.h"

namespace ingress::exe {

inline constexpr int kDefaultArenaMax = 2;

// The M_ARENA_MAX serve sets: kDefaultArenaMax, or 0 (leave glibc alone) when the environment
// already sets it through MALLOC_ARENA_MAX or GLIBC_TUNABLES' glibc.malloc.arena_max.
int arenaMaxToSet(const EnvLookup& env);

// Calls `trim` on its own thread after notify(), at most once per `min_interval`; notifications
// during the interval coalesce into one trim at its end. Thread-safe; the destructor stops the
// thread (a pending trim is dropped).
class MemoryTrimmer {
 public:
  MemoryTrimmer(std::function<void()> trim, std::chrono::milliseconds min_interval);
  ~MemoryTrimmer();
  MemoryTrimmer(const MemoryTrimmer&) = delete;
  MemoryTrimmer& operator=(const MemoryTrimmer&) = delete;

  void notify();
  uint64_t trims() const;  // how many trims ran

 private:
  void run();

  std::function<void()> trim_;
  std::chrono::milliseconds min_interval_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;
  bool stop_ = false;
  uint64_t trims_ = 0;
  std::thread thread_;
};

}  // namespace ingress::exe
