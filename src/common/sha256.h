// SHA-256 of memory or a file, as lowercase hex (OpenSSL's EVP underneath).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace ingress {

std::string sha256Hex(std::string_view data);
// The 32-byte digest itself (JWK thumbprints, DNS-01 values).
std::string sha256Raw(std::string_view data);
// Streams the file; kNotFound when it does not exist.
StatusOr<std::string> sha256File(const std::string& path);

}  // namespace ingress
