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

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released) and that
// no other test process on this host has been handed: each port handed out is claimed with a
// lock file under /tmp/ingress-test-ports, held until this process exits, so tests running in
// parallel (ctest -j) never give two Envoys the same listener port.
int freeLoopbackPort();

// Claims `port` the same way (for a test that wants a given port, e.g. 80): true when this
// process now holds the claim and the port can be bound on every address right now; false when
// another test process holds it or something else listens on it.
bool claimPort(int port);

// claimPort(port), retried until `timeout`: for a test that needs exactly that port and can wait
// for another test process to finish with it.
bool waitToClaimPort(int port, std::chrono::milliseconds timeout);

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
