// The API signing secret: the HS256 key shared by ingressd (verifies tokens) and local clients
// such as ingressctl (mint tokens). It lives in `{data_dir}/api-secret`, mode 0600.
//
//   StatusOr<std::string> secret = loadOrCreateApiSecret(fs, "/var/lib/hypeman");
//
// The file holds the secret as text; trailing whitespace (a newline from `echo >`) is ignored.
// Anything shorter than kMinApiSecretBytes is refused: RFC 7518 §3.2 requires an HS256 key of at
// least 256 bits, and a truncated file must not silently become a guessable key.
// Thread-safety: as safe as the Filesystem passed in; two processes creating the secret at the
// same moment each write a complete file (writeFileAtomic) and the last rename wins.
#pragma once

#include <cstddef>
#include <string>

#include "common/filesystem.h"
#include "common/status.h"

namespace ingress::auth {

inline constexpr std::string_view kApiSecretFileName = "api-secret";
inline constexpr size_t kMinApiSecretBytes = 32;

// `{data_dir}/api-secret`.
std::string apiSecretPath(const std::string& data_dir);

// Reads an existing secret file. kNotFound when it does not exist; kFailedPrecondition naming
// the file when it is empty or too short; other read errors as the Filesystem reports them.
StatusOr<std::string> loadApiSecret(const Filesystem& fs, const std::string& path);

// Reads `{data_dir}/api-secret` or, when it does not exist, creates it: 32 random bytes
// (RAND_bytes) as 64 lowercase hex characters, written atomically with mode 0600. A missing
// data_dir is created with mode 0700 (an existing one keeps its mode).
StatusOr<std::string> loadOrCreateApiSecret(Filesystem& fs, const std::string& data_dir);

}  // namespace ingress::auth
