// RoutePublisher: the Manager's ConfigPublisher backed by Envoy. publish() builds the xDS
// configuration from the snapshot (by difference with the previous one: XdsBuilder) (every target
// already resolved there) and applies it through the XdsApplier, returning only when Envoy serves
// it (or the error: kAborted/"config_rejected", kDeadlineExceeded/"apply_timeout", a write error;
// in every case the last good configuration is restored).
//
// Thread-safety: publish() serializes itself (the applier is single-threaded).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>

#include "envoy/xds_applier.h"
#include "envoy/xds_builder.h"
#include "ingress/publisher.h"

namespace ingress::envoy {

class RoutePublisher final : public domain::ConfigPublisher {
 public:
  RoutePublisher(XdsApplier& applier, BuilderSettings settings,
                 std::chrono::milliseconds apply_timeout);

  Status publish(const domain::SnapshotPtr& next) override;
  // Writes the files without waiting for Envoy (before Envoy starts).
  Status writeInitial(const domain::SnapshotPtr& snapshot);
  // After Envoy was restarted underneath us (serve's watchdog): applies again the last
  // configuration Envoy confirmed, under the publish lock, so it cannot overtake or undo a
  // publish in progress. When a rollback could not be confirmed (Envoy died mid-apply) this
  // rewrites every file; otherwise it confirms that the restarted Envoy serves those files.
  Status reapplyCurrent();

  // Metrics hook (optional): told the result and duration of every apply publish() makes. Set
  // before the first publish(); called with the publish lock held, so it must be quick.
  using ApplyObserver = std::function<void(const Status& result, std::chrono::nanoseconds)>;
  void setApplyObserver(ApplyObserver observer) { observer_ = std::move(observer); }

 private:
  Status applyLocked(const XdsConfig& config, size_t ingresses,
                     std::chrono::steady_clock::time_point build_started);
  std::mutex mu_;
  XdsApplier& applier_;
  XdsBuilder builder_;  // builds by difference with the last snapshot it built
  std::chrono::milliseconds apply_timeout_;
  ApplyObserver observer_;
};

}  // namespace ingress::envoy
