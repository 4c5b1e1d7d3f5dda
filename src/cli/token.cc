#include "cli/token.h"

#include "auth/jwt.h"
#include "auth/secret.h"

namespace ingress::cli {
namespace {

constexpr std::chrono::seconds kMaxTtl{366LL * 24 * 3600};

std::string howToAuthenticate() {
  return "pass --token (or INGRESS_TOKEN), or run as a user that can read the daemon's "
         "api-secret (see --data-dir, --secret-file, JWT_SECRET)";
}

}  // namespace

StatusOr<std::string> loadSigningSecret(const AuthOptions& auth, const Filesystem& fs) {
  if (auth.secret_file.empty() && !auth.jwt_secret.empty()) return auth.jwt_secret;
  const std::string path =
      auth.secret_file.empty() ? auth::apiSecretPath(auth.data_dir) : auth.secret_file;
  StatusOr<std::string> secret = auth::loadApiSecret(fs, path);
  if (secret.ok()) return secret;
  if (secret.status().code() == StatusCode::kNotFound) {
    return Status(StatusCode::kNotFound, "no API secret at " + path +
                                             " (is ingressd's data dir elsewhere?); " +
                                             howToAuthenticate());
  }
  return Status(secret.status().code(),
                "cannot mint a token: " + secret.status().message() + "; " + howToAuthenticate());
}

std::string mintCliToken(std::string_view secret, std::string_view subject,
                         std::chrono::system_clock::time_point now, std::chrono::seconds ttl) {
  const int64_t iat =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  Json claims = {{"sub", subject}, {"iat", iat}, {"exp", iat + ttl.count()}};
  return auth::mintJwtHs256(secret, claims);
}

StatusOr<std::string> resolveBearerToken(const AuthOptions& auth, const Filesystem& fs,
                                         std::chrono::system_clock::time_point now) {
  if (!auth.token.empty()) {
    // It ends up in an HTTP header line: whitespace or control characters would corrupt it.
    for (unsigned char c : auth.token) {
      if (c <= ' ' || c == 0x7f) {
        return invalidArgument("--token / INGRESS_TOKEN contains whitespace or control characters");
      }
    }
    return auth.token;
  }
  INGRESS_ASSIGN_OR_RETURN(std::string secret, loadSigningSecret(auth, fs));
  return mintCliToken(secret, kDefaultTokenSubject, now, kDefaultCliTokenTtl);
}

StatusOr<std::chrono::seconds> parseTtl(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return invalidArgument("--ttl \"" + std::string(text) + "\": " + std::string(why) +
                           " (examples: 90s, 5m, 1h, 2h30m, 7d)");
  };
  if (text.empty()) return bad("empty");
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    int64_t number = 0;
    size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (digits >= 9) return bad("number too large");
      number = number * 10 + (text[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return bad("expected a number");
    int64_t unit = 1;
    if (i < text.size()) {
      switch (text[i]) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        default: return bad("unknown unit");
      }
      ++i;
    } else if (total != 0) {
      return bad("missing unit");
    }
    total += number * unit;
    if (total > kMaxTtl.count()) return bad("longer than a year");
  }
  if (total == 0) return bad("must be positive");
  return std::chrono::seconds(total);
}

}  // namespace ingress::cli
