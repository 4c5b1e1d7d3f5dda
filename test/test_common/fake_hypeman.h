// FakeHypeman: a loopback stand-in for the hypeman API, for end-to-end tests of ingressd with
// HYPEMAN_API_URL set. Answers GET /instances/<name> the way src/instances/hypeman_resolver.cc
// reads it: 200 {"name": ..., "network": {"ip": ...}} for a known instance, 404 otherwise.
// The test moves and removes instances while ingressd runs:
//
//   FakeHypeman hypeman;
//   hypeman.set("vm-a", "127.0.0.2");   // known, at 127.0.0.2
//   inst.env()["HYPEMAN_API_URL"] = hypeman.url();
//   hypeman.set("vm-a", "127.0.0.3");   // it moved
//   hypeman.remove("vm-a");             // it vanished: 404 from now on
//   hypeman.lookups("vm-a");            // GET /instances/vm-a answered so far
//
// Served by FakeHttpServer (one request per connection). Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "test_common/fake_http_server.h"

namespace ingress::testing {

class FakeHypeman {
 public:
  FakeHypeman() : server_([this](const std::string& head) { return respond(head); }) {}

  std::string url() const { return server_.url(); }

  // The instance `name` now has address `ip`.
  void set(const std::string& name, const std::string& ip) {
    std::lock_guard lock(mu_);
    ips_[name] = ip;
  }
  // The instance `name` no longer exists (404).
  void remove(const std::string& name) {
    std::lock_guard lock(mu_);
    ips_.erase(name);
  }
  // How many lookups of `name` were answered.
  int lookups(const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = lookups_.find(name);
    return it == lookups_.end() ? 0 : it->second;
  }

 private:
  // The response to a request head "GET /instances/<name> HTTP/1.1 ...".
  std::string respond(const std::string& head) {
    static const std::string kPrefix = "GET /instances/";
    const std::string not_found = FakeHttpServer::json(404, R"({"code":"not_found"})");
    if (head.rfind(kPrefix, 0) != 0) return not_found;
    const size_t end = head.find(' ', kPrefix.size());
    if (end == std::string::npos) return not_found;
    const std::string name = head.substr(kPrefix.size(), end - kPrefix.size());
    std::lock_guard lock(mu_);
    ++lookups_[name];
    auto it = ips_.find(name);
    if (it == ips_.end()) return not_found;
    // Names reaching here passed isValidHypemanInstanceRef: no characters to escape in JSON.
    return FakeHttpServer::json(
        200,
        R"({"name":")" + name + R"(","state":"Running","network":{"ip":")" + it->second + R"("}})");
  }

  mutable std::mutex mu_;
  std::map<std::string, std::string> ips_;  // guarded by mu_
  std::map<std::string, int> lookups_;      // guarded by mu_
  FakeHttpServer server_;                   // last: stops (joins) before the maps go
};

}  // namespace ingress::testing
