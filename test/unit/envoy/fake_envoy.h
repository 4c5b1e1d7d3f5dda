// FakeEnvoy: a scriptable stand-in for a running Envoy behind AdminApi and PortProbe, for unit
// tests of the applier. On every admin call or probe it reads the xDS files from disk the way
// Envoy's file subscriptions would: a file with a new version_info is accepted (its version
// becomes version_text; lds ports open) unless the script rejects it (update_rejected rises)
// or Envoy is frozen (nothing is confirmed: timeouts). A route subscription exists once its
// port has been listened on; a watched route file that disappears counts as update_failure.
//
//   FakeEnvoy envoy(fs, dir);
//   envoy.rejectContaining("bad.example.com");
//   XdsApplier applier(fs, envoy, envoy, clock, dir);
//
// Thread-safe (one mutex); borrows `fs`.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/filesystem.h"
#include "common/json.h"
#include "envoy/admin_api.h"
#include "envoy/port_probe.h"
#include "envoy/xds_layers.h"

namespace ingress::testing {

class FakeEnvoy final : public envoy::AdminApi, public envoy::PortProbe {
 public:
  FakeEnvoy(Filesystem& fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}

  // Script.
  void rejectContaining(std::string s) {
    std::lock_guard l(mu_);
    reject_substring_ = std::move(s);
  }
  void freeze(bool frozen) {
    std::lock_guard l(mu_);
    frozen_ = frozen;
  }
  void holdPort(uint16_t p) {  // the port never opens (another process holds it)
    std::lock_guard l(mu_);
    held_.insert(p);
  }

  // Observations.
  std::string version(const std::string& prefix) const {
    std::lock_guard l(mu_);
    sync();
    auto it = subs_.find(prefix);
    return it == subs_.end() ? "" : it->second.accepted;
  }
  uint64_t failures() const {
    std::lock_guard l(mu_);
    sync();
    uint64_t n = 0;
    for (const auto& [p, s] : subs_) n += s.failures;
    return n;
  }
  // How many times the stats (a walk of every stat, in the real Envoy) were read.
  int statsReads() const {
    std::lock_guard l(mu_);
    return stats_reads_;
  }
  // Envoy restarted: every subscription's counters start from 0 again (versions stay: the
  // restarted Envoy loads the same files).
  void restartCounters() {
    std::lock_guard l(mu_);
    sync();
    for (auto& [p, sub] : subs_) sub.rejected = sub.failures = 0;
  }
  // Every accepted (prefix, version), in order.
  std::vector<std::pair<std::string, std::string>> history() const {
    std::lock_guard l(mu_);
    return history_;
  }

  bool ready() const override { return true; }
  // The version_text readouts alone (not a walk of every stat: not counted in statsReads()).
  StatusOr<std::map<std::string, std::string>> textReadoutsMatching(
      const std::string&) const override {
    std::lock_guard l(mu_);
    sync();
    std::map<std::string, std::string> out;
    for (const auto& [prefix, s] : subs_) out[prefix + "version_text"] = s.accepted;
    return out;
  }
  StatusOr<std::map<std::string, std::string>> statsMatching(const std::string&) const override {
    std::lock_guard l(mu_);
    ++stats_reads_;
    sync();
    std::map<std::string, std::string> out;
    for (const auto& [prefix, s] : subs_) {
      out[prefix + "version_text"] = s.accepted;
      out[prefix + "update_rejected"] = std::to_string(s.rejected);
      out[prefix + "update_failure"] = std::to_string(s.failures);
    }
    return out;
  }
  bool accepts(uint16_t port) const override {
    std::lock_guard l(mu_);
    sync();
    return listening_.count(port) && !held_.count(port);
  }

 private:
  struct Sub {
    std::string seen;      // last version_info looked at
    std::string accepted;  // version_text
    uint64_t rejected = 0;
    uint64_t failures = 0;
    bool had_file = false;
  };

  // Returns the accepted resources when a new version was accepted.
  bool load(const std::string& prefix, const std::string& file, Json* resources) const {
    Sub& s = subs_[prefix];
    auto text = fs_.readFile(joinPath(dir_, file));
    if (!text.ok()) {
      if (s.had_file) ++s.failures, s.had_file = false;
      return false;
    }
    s.had_file = true;
    if (frozen_) return false;
    Json parsed;
    if (file.ends_with(".pb")) {  // a route file: binary protobuf (route_builder.h)
      auto table = envoy::parseRouteFile(0, *text);
      if (!table.ok()) return false;  // Envoy ignores a .pb file that does not parse
      parsed = {{"version_info", (*table)->version},
                {"resources", Json::array({(*table)->json()})}};
    } else {
      auto j = parseJsonStrict(*text, 64);
      if (!j.ok()) return false;
      parsed = std::move(*j);
    }
    const Json* j = &parsed;
    const std::string v = (*j)["version_info"].get<std::string>();
    if (v == s.seen) return false;
    s.seen = v;
    if (!reject_substring_.empty() && text->find(reject_substring_) != std::string::npos) {
      ++s.rejected;
      return false;
    }
    s.accepted = v;
    history_.emplace_back(prefix, v);
    *resources = (*j)["resources"];
    return true;
  }

  void sync() const {
    Json res;
    load(envoy::cdsStatPrefix(), envoy::kCdsFile, &res);
    if (load(envoy::ldsStatPrefix(), envoy::kLdsFile, &res)) {
      listening_.clear();
      for (const auto& l : res) {
        const uint16_t p = l["address"]["socket_address"]["port_value"].get<uint16_t>();
        if (held_.count(p)) continue;
        listening_.insert(p);
        ever_listened_.insert(p);
      }
    }
    for (uint16_t p : ever_listened_) load(envoy::rdsStatPrefix(p), envoy::rdsFileName(p), &res);
  }

  Filesystem& fs_;
  std::string dir_;
  mutable std::mutex mu_;
  std::string reject_substring_;
  bool frozen_ = false;
  std::set<uint16_t> held_;
  mutable std::map<std::string, Sub> subs_;
  mutable int stats_reads_ = 0;
  mutable std::set<uint16_t> listening_, ever_listened_;
  mutable std::vector<std::pair<std::string, std::string>> history_;
};

}  // namespace ingress::testing
