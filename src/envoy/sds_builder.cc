// Secret resources (envoy.extensions.transport_sockets.tls.v3.Secret) in SDS files.
#include "envoy/sds_builder.h"

#include "common/filesystem.h"
#include "envoy/builder_settings.h"

namespace ingress::envoy {
namespace {

constexpr char kSecretType[] =
    "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

}  // namespace

std::string sdsPath(const std::string& sds_dir, const std::string& id) {
  return joinPath(sds_dir, id + ".json");
}

SecretPtr buildSecret(const std::string& sds_dir, const std::string& id,
                      const std::string& chain_pem, const std::string& key_pem,
                      std::string serial) {
  const Json resource = {{"@type", kSecretType},
                         {"name", id},
                         {"tls_certificate",
                          {{"certificate_chain", {{"inline_string", chain_pem}}},
                           {"private_key", {{"inline_string", key_pem}}}}}};
  auto s = std::make_shared<Secret>();
  s->id = id;
  s->path = sdsPath(sds_dir, id);
  const std::string body = dumpJson(resource);
  s->version = contentVersion(body);
  s->content = "{\"version_info\":" + dumpJson(s->version) + ",\"resources\":[" + body + "]}\n";
  s->serial = std::move(serial);
  return s;
}

SecretPtr parseSecretFile(const std::string& path, const std::string& content) {
  auto j = parseJsonStrict(content, 16);
  if (!j.ok() || !j->is_object() || !(*j)["version_info"].is_string() ||
      !(*j)["resources"].is_array() || (*j)["resources"].size() != 1 ||
      !(*j)["resources"][0].is_object()) {
    return nullptr;
  }
  auto s = std::make_shared<Secret>();
  s->id = (*j)["resources"][0].value("name", "");
  s->path = path;
  s->version = (*j)["version_info"];
  s->content = content;
  return s;
}

Json Secret::json() const {
  auto j = parseJsonStrict(content, 16);
  if (!j.ok() || !(*j)["resources"].is_array() || (*j)["resources"].empty()) return Json();
  return (*j)["resources"][0];
}

}  // namespace ingress::envoy
