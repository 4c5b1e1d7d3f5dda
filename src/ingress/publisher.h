// ConfigPublisher: where the use cases hand each new ConfigSnapshot, before the change it
// carries is written to the store. Implemented by envoy::RoutePublisher (build + apply); the
// Manager runs without one in tests that do not care.
//
// Contract: calls never overlap and arrive in commit order (the committer makes them). A non-ok
// Status vetoes the change: the Manager applies nothing (memory and disk stay as they were) and
// returns that Status to the caller unchanged (e.g. kAborted/"config_rejected"). After a failed
// publish the proxy serves exactly the last snapshot that was published successfully.
#pragma once

#include "common/status.h"
#include "ingress/snapshot.h"

namespace ingress::domain {

class ConfigPublisher {
 public:
  virtual ~ConfigPublisher() = default;
  virtual Status publish(const SnapshotPtr& next) = 0;
};

}  // namespace ingress::domain
