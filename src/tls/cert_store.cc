#include "tls/cert_store.h"

#include <algorithm>

#include "common/json.h"
#include "common/log.h"
#include "tls/x509.h"

namespace ingress::tls {
namespace {

constexpr std::string_view kSuffix = ".json";
constexpr int kFormatVersion = 1;
constexpr mode_t kDirMode = 0700;
constexpr mode_t kFileMode = 0600;

bool isLeftoverTemp(std::string_view entry) {
  return entry.size() > 1 && entry.front() == '.' && entry.find(".tmp.") != std::string::npos;
}

bool isValidSource(std::string_view source) {
  return source == kSourceUser || source == kSourceAcme;
}

int64_t toUnixMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Json toJson(const StoredCertificate& cert) {
  return Json{{"version", kFormatVersion},
              {"id", cert.id},
              {"source", cert.source},
              {"name", cert.name},
              {"requested_names", cert.requested_names},
              {"stored_at_unix_ms", toUnixMs(cert.stored_at)},
              {"chain_pem", cert.chain_pem},
              {"key_pem", cert.key_pem}};
}

Status formatError(std::string message) { return invalidArgument(std::move(message)); }

StatusOr<std::string> stringField(const Json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end() || !it->is_string()) {
    return formatError(std::string("\"") + field + "\" is missing or not a string");
  }
  return it->get<std::string>();
}

StatusOr<StoredCertificate> fromJson(const Json& j) {
  if (!j.is_object()) return formatError("not a JSON object");
  auto version = j.find("version");
  if (version == j.end() || !version->is_number_integer() ||
      version->get<int64_t>() != kFormatVersion) {
    return formatError("unknown \"version\"");
  }
  StoredCertificate cert;
  INGRESS_ASSIGN_OR_RETURN(cert.id, stringField(j, "id"));
  INGRESS_ASSIGN_OR_RETURN(cert.source, stringField(j, "source"));
  INGRESS_ASSIGN_OR_RETURN(cert.name, stringField(j, "name"));
  INGRESS_ASSIGN_OR_RETURN(cert.chain_pem, stringField(j, "chain_pem"));
  INGRESS_ASSIGN_OR_RETURN(cert.key_pem, stringField(j, "key_pem"));
  auto names = j.find("requested_names");
  if (names == j.end() || !names->is_array()) {
    return formatError("\"requested_names\" is missing or not an array");
  }
  for (const Json& name : *names) {
    if (!name.is_string()) return formatError("\"requested_names\" holds a non-string");
    cert.requested_names.push_back(name.get<std::string>());
  }
  auto stored_at = j.find("stored_at_unix_ms");
  if (stored_at == j.end() || !stored_at->is_number_integer()) {
    return formatError("\"stored_at_unix_ms\" is missing or not an integer");
  }
  // Bounded to ±200 years so the nanosecond time_point cannot overflow.
  constexpr int64_t kLimitMs = int64_t{200} * 366 * 24 * 3600 * 1000;
  int64_t ms = stored_at->get<int64_t>();
  if (ms < -kLimitMs || ms > kLimitMs) return formatError("\"stored_at_unix_ms\" out of range");
  cert.stored_at = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::milliseconds(ms)));
  if (!isValidCertificateId(cert.id)) return formatError("invalid \"id\"");
  if (!isValidSource(cert.source)) return formatError("invalid \"source\"");
  return cert;
}

}  // namespace

bool isValidCertificateId(std::string_view id) {
  if (id.empty() || id.size() > kMaxCertificateIdLength || id.front() == '.') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}

CertificateStore::CertificateStore(Filesystem& fs, std::string dir)
    : fs_(fs), dir_(std::move(dir)) {}

std::string CertificateStore::pathOf(std::string_view id) const {
  return joinPath(dir_, std::string(id) + std::string(kSuffix));
}

Status CertificateStore::init() { return fs_.makeDirs(dir_, kDirMode); }

StatusOr<std::vector<StoredCertificate>> CertificateStore::loadAll() {
  INGRESS_ASSIGN_OR_RETURN(std::vector<std::string> entries, fs_.listDir(dir_));
  std::vector<StoredCertificate> out;
  for (const std::string& entry : entries) {
    const std::string path = joinPath(dir_, entry);
    if (isLeftoverTemp(entry)) {
      Status removed = fs_.removeFile(path);
      if (!removed.ok()) {
        log::warn("cannot remove a leftover temp file",
                  {{"file", path}, {"error", removed.toString()}});
      }
      continue;
    }
    auto skip = [&](const Status& why) {
      log::warn("skipping a certificate file", {{"file", path}, {"error", why.message()}});
    };
    const bool json_name =
        entry.size() > kSuffix.size() && entry.ends_with(kSuffix) &&
        isValidCertificateId(std::string_view(entry).substr(0, entry.size() - kSuffix.size()));
    if (!json_name) {
      skip(formatError("not named {id}.json"));
      continue;
    }
    StatusOr<FileInfo> info = fs_.stat(path);
    if (!info.ok() || !info->is_regular) {
      skip(formatError("not a regular file"));
      continue;
    }
    StatusOr<std::string> text = fs_.readFileLimited(path, kMaxStoredCertificateFileBytes);
    if (!text.ok()) {
      skip(text.status());
      continue;
    }
    StatusOr<Json> doc = parseJsonStrict(*text);
    if (!doc.ok()) {
      skip(doc.status());
      continue;
    }
    StatusOr<StoredCertificate> cert = fromJson(*doc);
    if (!cert.ok()) {
      skip(cert.status());
      continue;
    }
    if (entry != cert->id + std::string(kSuffix)) {
      skip(formatError("the \"id\" inside does not match the file name"));
      continue;
    }
    out.push_back(std::move(*cert));
  }
  // listDir is sorted by file name; "{id}.json" order can differ from id order ("a-b" vs "a.b").
  std::sort(out.begin(), out.end(),
            [](const StoredCertificate& a, const StoredCertificate& b) { return a.id < b.id; });
  return out;
}

Status CertificateStore::put(const StoredCertificate& cert) {
  if (!isValidCertificateId(cert.id)) {
    return invalidArgument("id: 1 to 200 characters of [a-z0-9_.-], not starting with '.'");
  }
  if (!isValidSource(cert.source)) return invalidArgument("source: must be \"user\" or \"acme\"");
  if (cert.chain_pem.empty() || cert.chain_pem.size() > kMaxPemBytes) {
    return invalidArgument("chain_pem: must be 1 byte to 64 KiB");
  }
  if (cert.key_pem.empty() || cert.key_pem.size() > kMaxPemBytes) {
    return invalidArgument("key_pem: must be 1 byte to 64 KiB");
  }
  return fs_.writeFileAtomic(pathOf(cert.id), dumpJson(toJson(cert), 2) + "\n", kFileMode);
}

Status CertificateStore::remove(const std::string& id) {
  if (!isValidCertificateId(id)) return invalidArgument("id: not a certificate id");
  return fs_.removeFile(pathOf(id));
}

}  // namespace ingress::tls
