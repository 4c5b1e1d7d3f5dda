// CertificateStore: durable storage of certificates with their private keys, one JSON file per
// certificate at `{dir}/{id}.json` (mode 0600, directory 0700), e.g. {DATA_DIR}/certs.
//
// Every write goes through Filesystem::writeFileAtomic (temp file, fsync, rename, fsync of the
// directory): after a crash a file holds either the old or the new certificate, never half.
// The store keeps no cache: loadAll() reads the directory, put()/remove() write it. Contents are
// not validated here (tls::validateUpload is the caller's job); only ids, sources and sizes are.
// Key material is never logged nor put in an error message.
//
//   CertificateStore store(fs, joinPath(data_dir, "certs"));
//   INGRESS_RETURN_IF_ERROR(store.init());
//   INGRESS_RETURN_IF_ERROR(store.put({.id = "user.shop", .source = "user", .name = "shop",
//                                      .chain_pem = chain, .key_pem = key,
//                                      .stored_at = clock.now()}));
//   INGRESS_ASSIGN_OR_RETURN(std::vector<StoredCertificate> all, store.loadAll());
//
// Not synchronized: callers serialize put/remove (the certificate manager owns the store).
// `fs` is borrowed and must outlive the store.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/filesystem.h"
#include "common/status.h"

namespace ingress::tls {

inline constexpr std::string_view kSourceUser = "user";
inline constexpr std::string_view kSourceAcme = "acme";
// A stored file larger than this is skipped on load (a chain and a key are at most 64 KiB each).
inline constexpr size_t kMaxStoredCertificateFileBytes = 256 * 1024;
inline constexpr size_t kMaxCertificateIdLength = 200;

struct StoredCertificate {
  std::string id;      // [a-z0-9_.-]+, not starting with '.', e.g. "user.shop", "acme.3f2a..."
  std::string source;  // kSourceUser or kSourceAcme
  std::string name;    // the user's name for it, or the ACME order key
  std::vector<std::string> requested_names;  // ACME: the names ordered; empty for uploads
  std::string chain_pem;
  std::string key_pem;
  std::chrono::system_clock::time_point stored_at;  // stored with millisecond precision

  bool operator==(const StoredCertificate&) const = default;
};

// True for an id a file may be named after: 1..kMaxCertificateIdLength of [a-z0-9_.-], not
// starting with '.' (no path separators, no "." / "..", no clash with temp files).
bool isValidCertificateId(std::string_view id);

class CertificateStore {
 public:
  CertificateStore(Filesystem& fs, std::string dir);

  const std::string& dir() const { return dir_; }

  // Creates the directory (mode 0700) if needed. Errors only when it cannot be created.
  Status init();

  // Every readable certificate, sorted by id. A file that is not `{valid id}.json`, is too large,
  // is not valid JSON of this format or whose id does not match its name is skipped and logged
  // (log::warn, without its content); leftover temp files of interrupted writes are removed.
  // Errors only when the directory cannot be listed.
  StatusOr<std::vector<StoredCertificate>> loadAll();

  // Creates or replaces `{dir}/{id}.json`; durable when ok, old file untouched when not.
  // kInvalidArgument for an invalid id or source, an empty chain or key, or a PEM larger than
  // 64 KiB (nothing is written then).
  Status put(const StoredCertificate& cert);

  // Durable when ok; ok when there was no such file. kInvalidArgument for an invalid id.
  Status remove(const std::string& id);

 private:
  std::string pathOf(std::string_view id) const;

  Filesystem& fs_;
  std::string dir_;
};

}  // namespace ingress::tls
