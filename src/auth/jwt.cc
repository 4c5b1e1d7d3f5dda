#include "auth/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cctype>
#include <optional>

#include "common/base64url.h"

namespace ingress::auth {
namespace {

constexpr size_t kSha256Bytes = 32;

// HMAC-SHA256 of `data`; std::nullopt only if OpenSSL itself fails.
std::optional<std::string> hmacSha256(std::string_view key, std::string_view data) {
  // OpenSSL wants a non-null key pointer even for an empty key.
  static const unsigned char kEmpty = 0;
  const void* key_ptr = key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
           &mac_len) == nullptr ||
      mac_len != kSha256Bytes) {
    return std::nullopt;
  }
  return std::string(reinterpret_cast<const char*>(mac.data()), mac_len);
}

// Seconds since the epoch, fractional, as JWT NumericDate values are compared.
double epochSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

StatusOr<Json> decodeJsonObject(std::string_view segment, std::string_view what) {
  std::optional<std::string> raw = base64UrlDecode(segment);
  if (!raw) return unauthenticated("malformed token: " + std::string(what) + " is not base64url");
  StatusOr<Json> j = parseJsonStrict(*raw);
  if (!j.ok()) return unauthenticated("malformed token: " + std::string(what) + " is not JSON");
  if (!j->is_object()) {
    return unauthenticated("malformed token: " + std::string(what) + " is not a JSON object");
  }
  return j;
}

Status checkHeader(const Json& header) {
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string()) return unauthenticated("token has no alg");
  if (alg->get_ref<const std::string&>() != "HS256") {
    return unauthenticated("unsupported token alg (only HS256 is accepted)");
  }
  auto typ = header.find("typ");
  if (typ != header.end() && (!typ->is_string() || typ->get_ref<const std::string&>() != "JWT")) {
    return unauthenticated("unsupported token typ");
  }
  // RFC 7515 §4.1.11: a recipient must refuse a token whose "crit" lists an extension it does
  // not understand. We understand none, so every "crit" is refused; the message names the first
  // extension so the issuer can see what to drop.
  if (auto crit = header.find("crit"); crit != header.end()) {
    if (!crit->is_array() || crit->empty() || !(*crit)[0].is_string()) {
      return unauthenticated("token header crit must be a non-empty array of extension names");
    }
    // The name comes from a header not yet authenticated: echo only a short, plain form.
    std::string name = (*crit)[0].get<std::string>().substr(0, 64);
    for (char& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.' &&
          c != ':') {
        c = '?';
      }
    }
    return unauthenticated("token header crit names an extension this server does not support: \"" +
                           name + "\"");
  }
  return okStatus();
}

Status checkTimes(const Json& claims, std::chrono::system_clock::time_point now,
                  const JwtPolicy& policy) {
  const double t = epochSeconds(now);
  const double slack = static_cast<double>(policy.leeway.count());
  const double max_lifetime = static_cast<double>(policy.max_lifetime.count());
  auto exp = claims.find("exp");
  if (exp == claims.end()) return unauthenticated("token has no exp claim");
  if (!exp->is_number()) return unauthenticated("token exp is not a number");
  const double expires = exp->get<double>();
  if (t >= expires + slack) return unauthenticated("token expired");
  const auto too_long = [&] {
    return unauthenticated("token lifetime exceeds TOKEN_MAX_LIFETIME (" +
                           std::to_string(policy.max_lifetime.count()) + " s)");
  };
  if (auto iat = claims.find("iat"); iat != claims.end()) {
    if (!iat->is_number()) return unauthenticated("token iat is not a number");
    if (expires - iat->get<double>() > max_lifetime) return too_long();
  }
  // Also without iat, or with an iat in the future: what is left may not exceed the cap.
  if (expires - t > max_lifetime + slack) return too_long();
  if (auto nbf = claims.find("nbf"); nbf != claims.end()) {
    if (!nbf->is_number()) return unauthenticated("token nbf is not a number");
    if (t + slack < nbf->get<double>()) return unauthenticated("token not yet valid");
  }
  return okStatus();
}

// `header_b64` "." base64url(claims) "." signature.
std::string signEncodedHeader(std::string_view secret, const std::string& header_b64,
                              const Json& claims) {
  std::string signing_input = header_b64 + "." + base64UrlEncode(dumpJson(claims));
  std::optional<std::string> mac = hmacSha256(secret, signing_input);
  // HMAC-SHA256 with a valid digest cannot fail short of memory exhaustion; an unsigned-looking
  // token would still never verify, so no Status is needed here.
  return signing_input + "." + base64UrlEncode(mac.value_or(std::string()));
}

}  // namespace

std::string signJwtHs256(std::string_view secret, const Json& header, const Json& claims) {
  return signEncodedHeader(secret, base64UrlEncode(dumpJson(header)), claims);
}

std::string mintJwtHs256(std::string_view secret, const Json& claims) {
  static const std::string kHeader = base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})");
  return signEncodedHeader(secret, kHeader, claims);
}

StatusOr<Json> verifyJwtHs256(std::string_view token, std::string_view secret,
                              std::chrono::system_clock::time_point now, const JwtPolicy& policy) {
  if (token.size() > kMaxJwtBytes) return unauthenticated("token too large");
  if (secret.empty()) return unauthenticated("no token secret configured");

  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return unauthenticated("malformed token: expected 3 segments");
  }
  const std::string_view header_b64 = token.substr(0, dot1);
  const std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_b64 = token.substr(dot2 + 1);

  INGRESS_ASSIGN_OR_RETURN(Json header, decodeJsonObject(header_b64, "header"));
  INGRESS_RETURN_IF_ERROR(checkHeader(header));

  std::optional<std::string> signature = base64UrlDecode(signature_b64);
  if (!signature) return unauthenticated("malformed token: signature is not base64url");
  std::optional<std::string> expected = hmacSha256(secret, token.substr(0, dot2));
  if (!expected) return unauthenticated("cannot compute token signature");
  if (signature->size() != expected->size() ||
      CRYPTO_memcmp(signature->data(), expected->data(), expected->size()) != 0) {
    return unauthenticated("bad signature");
  }

  // The payload is parsed only after the signature holds: untrusted JSON never reaches the
  // parser unless it was signed with our key.
  INGRESS_ASSIGN_OR_RETURN(Json claims, decodeJsonObject(payload_b64, "payload"));
  INGRESS_RETURN_IF_ERROR(checkTimes(claims, now, policy));
  return claims;
}

}  // namespace ingress::auth
