// Base64url (RFC 4648 §5) without padding, as JWS compact serialization uses it.
//
// The decoder is strict because it guards an authentication boundary: it accepts only the
// URL-safe alphabet, no '=' padding, no whitespace, no impossible lengths (len % 4 == 1), and no
// non-canonical encodings (unused trailing bits must be zero), so every byte string has exactly
// one accepted encoding. Pure functions; thread-safe.
//
//   std::string s = base64UrlEncode("hi");             // "aGk"
//   std::optional<std::string> raw = base64UrlDecode(s);  // "hi"
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ingress {

std::string base64UrlEncode(std::string_view data);

// std::nullopt for any input that is not the canonical unpadded base64url form of some bytes.
std::optional<std::string> base64UrlDecode(std::string_view text);

}  // namespace ingress
