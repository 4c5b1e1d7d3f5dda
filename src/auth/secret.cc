#include "auth/secret.h"

#include <openssl/rand.h>

#include <array>

namespace ingress::auth {
namespace {

constexpr size_t kRandomSecretBytes = 32;
constexpr size_t kMaxSecretFileBytes = 4096;

StatusOr<std::string> randomHexSecret() {
  std::array<unsigned char, kRandomSecretBytes> raw{};
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    return internalError("RAND_bytes failed to produce an API secret");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char b : raw) {
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return out;
}

}  // namespace

std::string apiSecretPath(const std::string& data_dir) {
  return joinPath(data_dir, kApiSecretFileName);
}

StatusOr<std::string> loadApiSecret(const Filesystem& fs, const std::string& path) {
  StatusOr<std::string> content = fs.readFileLimited(path, kMaxSecretFileBytes);
  if (!content.ok()) {
    if (content.status().code() == StatusCode::kNotFound) return content.status();
    return content.status().withContext("reading API secret " + path);
  }
  std::string secret = std::move(content).value();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r' ||
                             secret.back() == ' ' || secret.back() == '\t')) {
    secret.pop_back();
  }
  if (secret.empty()) return failedPrecondition("API secret file " + path + " is empty");
  if (secret.size() < kMinApiSecretBytes) {
    return failedPrecondition("API secret file " + path + " is too short (" +
                              std::to_string(secret.size()) + " bytes, need at least " +
                              std::to_string(kMinApiSecretBytes) + ")");
  }
  return secret;
}

StatusOr<std::string> loadOrCreateApiSecret(Filesystem& fs, const std::string& data_dir) {
  const std::string path = apiSecretPath(data_dir);
  StatusOr<std::string> existing = loadApiSecret(fs, path);
  if (existing.ok() || existing.status().code() != StatusCode::kNotFound) return existing;

  if (!fs.exists(data_dir)) {
    INGRESS_RETURN_IF_ERROR(fs.makeDirs(data_dir, 0700).withContext("creating data dir"));
  }
  INGRESS_ASSIGN_OR_RETURN(std::string secret, randomHexSecret());
  INGRESS_RETURN_IF_ERROR(
      fs.writeFileAtomic(path, secret, 0600).withContext("writing API secret " + path));
  return secret;
}

}  // namespace ingress::auth
