// The SDS builder: one file per certificate in use, `<sds_dir>/<id>.json`, and one for the
// default certificate (`default.json`): a DiscoveryResponse holding one Secret named after the
// certificate, its chain and key inline. Every TLS filter chain names its secret and file
// (listener_builder.h: path_config_source), so a rotation rewrites this file only: no listener
// changes, existing connections stay, new ones get the new certificate.
//
//   SecretPtr s = buildSecret(settings.sds_dir, cert.id, cert.chain_pem, cert.key_pem,
//                             cert.serial);
//   s->path;     // where the applier renames it into place (mode 0600: the key is inside)
//   s->content;  // the file, under s->version
//
// Pure and deterministic. The SDS directory is not the xDS directory: a rename there wakes no
// listener, cluster or route subscription.
#pragma once

#include <memory>
#include <string>

#include "common/json.h"

namespace ingress::envoy {

struct Secret {
  std::string id;       // the Secret's name (a certificate id, or kDefaultSecret)
  std::string path;     // sdsPath(sds_dir, id)
  std::string version;  // content hash: the file's version_info (sds.<id>.version_text)
  std::string content;  // the file
  std::string serial;   // the certificate's serial as Envoy's /certs shows it; empty: unknown
  Json json() const;    // the Secret resource (tests, goldens)
};
using SecretPtr = std::shared_ptr<const Secret>;

std::string sdsPath(const std::string& sds_dir, const std::string& id);
SecretPtr buildSecret(const std::string& sds_dir, const std::string& id,
                      const std::string& chain_pem, const std::string& key_pem, std::string serial);
// A secret file read back (loadCurrent); null when it does not parse.
SecretPtr parseSecretFile(const std::string& path, const std::string& content);

}  // namespace ingress::envoy
