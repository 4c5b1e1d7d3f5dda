// The cluster builder: one STATIC Envoy Cluster per named target, sorted by name. Pure and
// deterministic.
//
// Built by difference, like the route tables: each cluster is encoded on its own
// (encodeCluster: compact JSON of the Cluster resource) and a ClusterSet holds the encoded
// clusters by name, shared by pointer between sets; cds.json is their join. A change of one
// target encodes one cluster; the file is a copy of bytes.
//
//   ClusterSetPtr set = ClusterSet::make({{name, std::make_shared<const
//   std::string>(encodeCluster(t, s))}}); std::string file = set->file();   // cds.json: a
//   DiscoveryResponse under set->version
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/json.h"
#include "common/status.h"
#include "envoy/builder_settings.h"
#include "envoy/routing_plan.h"

namespace ingress::envoy {

using EncodedPtr = std::shared_ptr<const std::string>;

class ClusterSet;
using ClusterSetPtr = std::shared_ptr<const ClusterSet>;

// Immutable.
class ClusterSet {
 public:
  // `version` empty: the content hash of the clusters (what a fresh build gives).
  static ClusterSetPtr make(std::map<std::string, EncodedPtr> clusters, std::string version = {});
  static ClusterSetPtr empty() { return make({}); }
  // From the resources of a cds.json (`version`: its version_info).
  static ClusterSetPtr fromJson(const Json& resources, std::string version = {});

  const std::map<std::string, EncodedPtr>& clusters() const { return clusters_; }
  const std::string& version() const { return version_; }
  size_t size() const { return clusters_.size(); }
  // cds.json: a DiscoveryResponse holding the clusters under `version`.
  std::string file() const;
  Json json() const;  // the array of Cluster resources (tests, goldens)

  // Every cluster of `other` is here with the same content.
  bool covers(const ClusterSet& other) const;
  // Every name here is a name of `other`.
  bool namesWithin(const ClusterSet& other) const;
  // This set with `other`'s clusters added or replacing those of the same name.
  ClusterSetPtr unionWith(const ClusterSet& other) const;

 private:
  ClusterSet() = default;
  std::map<std::string, EncodedPtr> clusters_;
  std::string version_;
};

std::string encodeCluster(const NamedTarget& target, const BuilderSettings& settings);

}  // namespace ingress::envoy
