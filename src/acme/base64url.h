// Base64url without padding (RFC 4648 §5), the encoding of every binary field in ACME/JWS
// (RFC 8555 §6.1), and raw SHA-256 for thumbprints and DNS-01 values. Encoding only: the client
// never needs to decode what the CA sends. Pure functions; thread-safe.
//
//   base64UrlEncode("hi") == "aGk";  base64UrlEncode(sha256Raw(key_authorization))
#pragma once

#include <string>
#include <string_view>

namespace ingress::acme {

std::string base64UrlEncode(std::string_view data);

// The 32-byte SHA-256 digest (not hex).
std::string sha256Raw(std::string_view data);

}  // namespace ingress::acme
