#include "envoy/bootstrap.h"

#include "common/filesystem.h"

namespace ingress::envoy {
namespace {

Json pathConfigSource(const std::string& xds_dir, const std::string& file) {
  return {{"resource_api_version", "V3"},
          {"path_config_source",
           {{"path", joinPath(xds_dir, file)}, {"watched_directory", {{"path", xds_dir}}}}}};
}

}  // namespace

Json renderBootstrap(const BootstrapOptions& o) {
  Json b = {
      {"node", {{"id", o.node_id}, {"cluster", "ingressd"}}},
      {"admin",
       {{"address", {{"socket_address", {{"address", o.admin_address},
                                          {"port_value", o.admin_port}}}}}}},
      {"dynamic_resources",
       {{"lds_config", pathConfigSource(o.xds_dir, "lds.json")},
        {"cds_config", pathConfigSource(o.xds_dir, "cds.json")}}},
  };
  if (o.inject_invalid_field) b["admin"]["no_such_field_ingressd_test"] = true;
  return b;
}

std::string renderBootstrapText(const BootstrapOptions& options) {
  return dumpJson(renderBootstrap(options), 2) + "\n";
}

std::string emptyDiscoveryResponse() {
  return dumpJson(Json{{"version_info", "0"}, {"resources", Json::array()}}, 2) + "\n";
}

}  // namespace ingress::envoy
