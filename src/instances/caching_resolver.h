// CachingResolver: an InstanceResolver in front of another (the hypeman API resolver), keeping
// each answer for a bounded time so that publishes, views and /metrics scrapes do not make one
// HTTP call per instance each.
//
//   auto cached = std::make_unique<CachingResolver>(
//       std::make_unique<HypemanResolver>(url, token), clock, CachingResolverOptions{5000ms});
//
// What is cached, and for how long (measured on clock.monotonicNow() from when the answer came):
//   an address                            ttl
//   kNotFound, kFailedPrecondition        negative_ttl (never longer than ttl): short, so an
//                                         instance created or given an address just now becomes
//                                         resolvable soon
//   anything else (kUnavailable, ...)     not cached: an outage is never remembered
// ttl 0 turns the cache off: every call goes to the inner resolver.
//
// Concurrent lookups of one name that is not cached are coalesced: one caller asks the inner
// resolver, the others wait for its answer. At most max_entries names are kept (least recently
// used first out). resolveFresh() always asks the inner resolver and caches what it says, unless
// an answer from a lookup that started later is already there.
//
// Thread-safe. Owns the inner resolver; borrows the clock, which must outlive it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "instances/resolver.h"

namespace ingress::instances {

struct CachingResolverOptions {
  std::chrono::milliseconds ttl{5000};           // HYPEMAN_CACHE_TTL; 0: no cache
  std::chrono::milliseconds negative_ttl{1000};  // capped at ttl
  size_t max_entries = 4096;                     // at least 1
};

class CachingResolver final : public InstanceResolver {
 public:
  CachingResolver(std::unique_ptr<InstanceResolver> inner, const Clock& clock,
                  CachingResolverOptions options);

  // True when resolve() finds an address or kFailedPrecondition (the instance exists).
  bool exists(std::string_view name) override;
  StatusOr<std::string> resolve(std::string_view name) override;
  StatusOr<std::string> resolveFresh(std::string_view name) override;

  // Names currently held (fresh or expired, never more than max_entries).
  size_t size() const;

 private:
  struct Entry {
    StatusOr<std::string> result;
    std::chrono::steady_clock::time_point expires;
    uint64_t seq;                          // order in which its lookup started
    std::list<std::string>::iterator lru;  // position in lru_
  };
  // A lookup in progress that other callers of resolve() wait for.
  struct Flight {
    bool done = false;  // guarded by mu_
    StatusOr<std::string> result = internalError("instance lookup did not finish");
  };

  // Asks the inner resolver without mu_ and caches the answer. `flight` (may be null) is
  // completed and removed even if the inner resolver throws.
  StatusOr<std::string> lookup(std::string_view name, uint64_t seq,
                               const std::shared_ptr<Flight>& flight);
  // Caller holds mu_.
  void store(const std::string& name, const StatusOr<std::string>& result, uint64_t seq);

  const std::unique_ptr<InstanceResolver> inner_;
  const Clock& clock_;
  const CachingResolverOptions options_;

  mutable std::mutex mu_;
  std::condition_variable flight_done_;
  std::map<std::string, Entry, std::less<>> entries_;                    // guarded by mu_
  std::list<std::string> lru_;                                           // guarded by mu_
  std::map<std::string, std::shared_ptr<Flight>, std::less<>> flights_;  // guarded by mu_
  uint64_t next_seq_ = 0;                                                // guarded by mu_
};

}  // namespace ingress::instances
