// Cluster resources (envoy.config.cluster.v3.Cluster) of the named targets.
#include "envoy/cluster_builder.h"

#include <cstdio>

namespace ingress::envoy {
namespace {

constexpr char kClusterType[] = "type.googleapis.com/envoy.config.cluster.v3.Cluster";

// A google.protobuf.Duration in its JSON form ("5s", "0.250s").
std::string durationString(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%03llds", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  return buf;
}

Json cluster(const NamedTarget& t, const BuilderSettings& s) {
  return {
      {"@type", kClusterType},
      {"name", t.name},
      {"type", "STATIC"},
      {"connect_timeout", durationString(s.connect_timeout)},
      {"lb_policy", "ROUND_ROBIN"},
      // Envoy's edge best practice: bound what one upstream connection may buffer (as on the
      // listeners), so a slow reader cannot make Envoy hold a large response.
      {"per_connection_buffer_limit_bytes", s.edge.per_connection_buffer_limit_bytes},
      // No traffic to a host known to be unhealthy, even when it is the only one.
      {"common_lb_config", {{"healthy_panic_threshold", {{"value", 0}}}}},
      {"load_assignment",
       {{"cluster_name", t.name},
        {"endpoints",
         {{{"lb_endpoints",
            {{{"endpoint",
               {{"address",
                 {{"socket_address", {{"address", t.ip}, {"port_value", t.port}}}}}}}}}}}}}}},
  };
}

}  // namespace

std::string encodeCluster(const NamedTarget& target, const BuilderSettings& settings) {
  return dumpJson(cluster(target, settings));
}

namespace {

// The resources array's inside: the encoded clusters joined by commas, in name order.
std::string joined(const std::map<std::string, EncodedPtr>& clusters) {
  size_t size = 0;
  for (const auto& [name, c] : clusters) size += c->size() + 1;
  std::string out;
  out.reserve(size);
  for (const auto& [name, c] : clusters) {
    if (!out.empty()) out += ',';
    out += *c;
  }
  return out;
}

}  // namespace

ClusterSetPtr ClusterSet::make(std::map<std::string, EncodedPtr> clusters, std::string version) {
  auto s = std::shared_ptr<ClusterSet>(new ClusterSet());
  s->clusters_ = std::move(clusters);
  s->version_ = version.empty() ? contentVersion(joined(s->clusters_)) : std::move(version);
  return s;
}

ClusterSetPtr ClusterSet::fromJson(const Json& resources, std::string version) {
  std::map<std::string, EncodedPtr> clusters;
  if (resources.is_array()) {
    for (const auto& r : resources) {
      if (r.is_object()) {
        clusters[r.value("name", "")] = std::make_shared<const std::string>(dumpJson(r));
      }
    }
  }
  return make(std::move(clusters), std::move(version));
}

std::string ClusterSet::file() const {
  return "{\"version_info\":" + dumpJson(version_) + ",\"resources\":[" + joined(clusters_) +
         "]}\n";
}

Json ClusterSet::json() const {
  auto j = parseJsonStrict("[" + joined(clusters_) + "]", 64);
  return j.ok() ? *j : Json::array();
}

bool ClusterSet::covers(const ClusterSet& other) const {
  for (const auto& [name, c] : other.clusters_) {
    auto it = clusters_.find(name);
    if (it == clusters_.end() || (it->second != c && *it->second != *c)) return false;
  }
  return true;
}

bool ClusterSet::namesWithin(const ClusterSet& other) const {
  for (const auto& [name, c] : clusters_) {
    if (!other.clusters_.count(name)) return false;
  }
  return true;
}

ClusterSetPtr ClusterSet::unionWith(const ClusterSet& other) const {
  std::map<std::string, EncodedPtr> merged = clusters_;
  for (const auto& [name, c] : other.clusters_) merged[name] = c;
  return make(std::move(merged));
}

}  // namespace ingress::envoy
