// Helpers shared by tests: temporary directories, free loopback ports, polling with a deadline.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace ingress::testing {

// A fresh directory under $TMPDIR, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
int freeLoopbackPort();

// Calls `condition` until it returns true or `timeout` passes; true if it held in time.
// This is how tests wait for readiness: never a bare sleep.
bool pollUntil(const std::function<bool()>& condition,
               std::chrono::milliseconds timeout = std::chrono::seconds(10),
               std::chrono::milliseconds interval = std::chrono::milliseconds(20));

// Paths of the real Envoy and of the built binaries.
std::string envoyBinary();
std::string ingressdBinary();
std::string sourceDir();

}  // namespace ingress::testing
