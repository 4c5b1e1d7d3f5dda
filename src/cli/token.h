// How ingressctl authenticates: an explicit bearer token, or one it mints itself from the
// daemon's signing secret (the CLI runs on the same host as ingressd, like `kubectl` with an
// admin kubeconfig).
//
// Precedence (first that applies):
//   1. --token / INGRESS_TOKEN                  used as given;
//   2. --secret-file PATH                       mint from that file;
//   3. JWT_SECRET (environment)                 mint from its value;
//   4. {--data-dir | DATA_DIR}/api-secret       mint from the daemon's secret file.
// Minted tokens live kDefaultCliTokenTtl (5 minutes): enough for one command, useless if leaked.
// The CLI never creates the secret file; only the daemon does.
//
// Pure functions apart from reading the secret file through the Filesystem passed in.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/filesystem.h"
#include "common/status.h"

namespace ingress::cli {

inline constexpr std::string_view kDefaultDataDir = "/var/lib/hypeman";
inline constexpr std::chrono::seconds kDefaultCliTokenTtl{300};
inline constexpr std::string_view kDefaultTokenSubject = "ingressctl";

struct AuthOptions {
  std::string token;                                    // --token / INGRESS_TOKEN; empty: mint one
  std::string secret_file;                              // --secret-file; empty: not given
  std::string data_dir = std::string(kDefaultDataDir);  // --data-dir / DATA_DIR
  std::string jwt_secret;                               // $JWT_SECRET; empty: unset
};

// The signing secret per the precedence above (ignores `token`). kNotFound / kFailedPrecondition
// / kInternal with a message that says which source failed and what to do about it.
StatusOr<std::string> loadSigningSecret(const AuthOptions& auth, const Filesystem& fs);

// {"sub": subject, "iat": now, "exp": now + ttl}, HS256.
std::string mintCliToken(std::string_view secret, std::string_view subject,
                         std::chrono::system_clock::time_point now, std::chrono::seconds ttl);

// The bearer token to send: `auth.token` when set, else a freshly minted 5-minute token.
StatusOr<std::string> resolveBearerToken(const AuthOptions& auth, const Filesystem& fs,
                                         std::chrono::system_clock::time_point now);

// "90s", "5m", "1h", "2h30m", "7d", or a bare number of seconds. kInvalidArgument when malformed,
// zero, or longer than a year.
StatusOr<std::chrono::seconds> parseTtl(std::string_view text);

}  // namespace ingress::cli
