// ConfigPublisher: where the Manager hands the complete set of ingresses after a change, before
// the change is written to the store. A later issue implements it by building and applying the
// Envoy configuration; until then the Manager runs without one.
//
// Contract: called with the Manager's mutation lock held, so calls never overlap and arrive in
// order. A non-ok Status vetoes the change: the Manager applies nothing (memory and disk stay as
// they were) and returns that Status to the caller unchanged (e.g. kAborted/"config_rejected").
// If the store write fails after a successful publish, the Manager publishes the previous set
// again (best effort) so the proxy and the store converge.
#pragma once

#include <vector>

#include "common/status.h"
#include "ingress/model.h"

namespace ingress::domain {

class ConfigPublisher {
 public:
  virtual ~ConfigPublisher() = default;
  virtual Status publish(const std::vector<Ingress>& all_ingresses_after_change) = 0;
};

}  // namespace ingress::domain
