// Extraction of the embedded Envoy to {DATA_DIR}/system/binaries/envoy/v{MAJOR.MINOR}/{arch}/envoy.
//
// The file is trusted only when its sha256 equals the pinned hash: a missing, truncated or altered
// file is replaced (decompressed to a temp file, fsynced, chmod 0755, renamed into place), so a
// crash mid-extraction never leaves a half-written binary at the final path. Safe to call from
// several processes at once (each writes its own temp file; rename is atomic).
#pragma once

#include <string>
#include <string_view>

#include "common/filesystem.h"
#include "common/status.h"

namespace ingress::envoy {

struct EnvoyBinarySource {
  std::string_view compressed_zstd;  // a zstd frame holding the binary
  std::string version;               // "1.40.0"
  std::string sha256;                // of the uncompressed binary, lowercase hex
  std::string arch;                  // "x86_64"
};

// "v1.40" for "1.40.0".
std::string majorMinorDir(std::string_view version);
// {data_dir}/system/binaries/envoy/v{MAJOR.MINOR}/{arch}/envoy
std::string extractedEnvoyPath(const std::string& data_dir, const EnvoyBinarySource& source);

// Decompresses a zstd frame; kInvalidArgument when it is not one or is damaged.
StatusOr<std::string> zstdDecompress(std::string_view compressed, size_t max_bytes);

struct ExtractResult {
  std::string path;
  bool replaced = false;  // true when the file was (re)written
};
StatusOr<ExtractResult> ensureExtracted(Filesystem& fs, const std::string& data_dir,
                                        const EnvoyBinarySource& source);

}  // namespace ingress::envoy
