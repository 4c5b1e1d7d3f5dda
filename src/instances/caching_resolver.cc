// CachingResolver: see caching_resolver.h.
#include "instances/caching_resolver.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace ingress::instances {
namespace {

bool isNegative(const Status& st) {
  return st.code() == StatusCode::kNotFound || st.code() == StatusCode::kFailedPrecondition;
}

}  // namespace

CachingResolver::CachingResolver(std::unique_ptr<InstanceResolver> inner, const Clock& clock,
                                 CachingResolverOptions options)
    : inner_(std::move(inner)), clock_(clock), options_([&] {
        options.negative_ttl = std::min(options.negative_ttl, options.ttl);
        options.max_entries = std::max<size_t>(options.max_entries, 1);
        return options;
      }()) {}

bool CachingResolver::exists(std::string_view name) {
  auto r = resolve(name);
  return r.ok() || r.status().code() == StatusCode::kFailedPrecondition;
}

StatusOr<std::string> CachingResolver::resolve(std::string_view name) {
  if (options_.ttl.count() == 0) return inner_->resolve(name);
  std::unique_lock lock(mu_);
  if (auto it = entries_.find(name); it != entries_.end()) {
    if (clock_.monotonicNow() < it->second.expires) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      return it->second.result;
    }
  }
  if (auto f = flights_.find(name); f != flights_.end()) {
    std::shared_ptr<Flight> flight = f->second;
    flight_done_.wait(lock, [&] { return flight->done; });
    return flight->result;
  }
  auto flight = std::make_shared<Flight>();
  flights_.emplace(std::string(name), flight);
  const uint64_t seq = ++next_seq_;
  lock.unlock();
  return lookup(name, seq, flight);
}

StatusOr<std::string> CachingResolver::resolveFresh(std::string_view name) {
  if (options_.ttl.count() == 0) return inner_->resolveFresh(name);
  uint64_t seq;
  {
    std::lock_guard lock(mu_);
    seq = ++next_seq_;
  }
  return lookup(name, seq, nullptr);
}

StatusOr<std::string> CachingResolver::lookup(std::string_view name, uint64_t seq,
                                              const std::shared_ptr<Flight>& flight) {
  // Completes the flight on every exit, so waiters never hang on a throwing inner resolver.
  struct Finish {
    CachingResolver& self;
    const std::string name;
    const uint64_t seq;
    const std::shared_ptr<Flight>& flight;
    std::optional<StatusOr<std::string>> answer;  // unset when the inner resolver threw
    ~Finish() {
      std::lock_guard lock(self.mu_);
      if (answer) self.store(name, *answer, seq);
      if (flight) {
        if (answer) flight->result = *answer;
        flight->done = true;
        self.flights_.erase(name);
        self.flight_done_.notify_all();
      }
    }
  } finish{*this, std::string(name), seq, flight, std::nullopt};
  finish.answer = flight ? inner_->resolve(name) : inner_->resolveFresh(name);
  return *finish.answer;
}

void CachingResolver::store(const std::string& name, const StatusOr<std::string>& result,
                            uint64_t seq) {
  if (!result.ok() && !isNegative(result.status())) return;
  const auto expires = clock_.monotonicNow() + (result.ok() ? options_.ttl : options_.negative_ttl);
  if (auto it = entries_.find(name); it != entries_.end()) {
    if (it->second.seq > seq) return;  // a lookup that started later already answered
    it->second.result = result;
    it->second.expires = expires;
    it->second.seq = seq;
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return;
  }
  while (entries_.size() >= options_.max_entries) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(name);
  entries_.emplace(name, Entry{result, expires, seq, lru_.begin()});
}

size_t CachingResolver::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace ingress::instances
