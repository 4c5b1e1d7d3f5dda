// Extraction of the embedded Envoy to {DATA_DIR}/system/binaries/envoy/v{MAJOR.MINOR}/{arch}/envoy.
//
// The file is trusted only when its sha256 equals the pinned hash: a missing, truncated or altered
// file is replaced (decompressed to a temp file, chmod 0755, renamed into place), so a crash
// mid-extraction never leaves a half-written binary at the final path. Not fsynced: a file torn
// by a power loss fails the hash check at the next start and is replaced then. Safe to call from
// several processes at once (each writes its own temp file; rename is atomic).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
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

// The check the supervisor makes before every spawn of Envoy: the extracted binary exists and
// its sha256 is the pinned one, else it is re-extracted (ensureExtracted: temp file + rename).
// Hashing ~100 MB takes ~0.3 s, so a file whose identity (device, inode, size, mtime, ctime) is
// the one last verified is trusted without hashing again; any write, replacement or deletion
// changes that identity (ctime cannot be set from user space). Not thread-safe.
//
//   BinaryGuard guard(fs, data_dir, embeddedEnvoy());
//   INGRESS_RETURN_IF_ERROR(guard.ensure().status());  // then spawn guard.path()
class BinaryGuard {
 public:
  BinaryGuard(Filesystem& fs, std::string data_dir, EnvoyBinarySource source);
  const std::string& path() const { return path_; }
  // ok with replaced=true when the file was (re)written; the error of ensureExtracted otherwise.
  StatusOr<ExtractResult> ensure();

 private:
  struct Identity {
    dev_t dev = 0;
    ino_t ino = 0;
    int64_t size = 0;
    int64_t mtime_ns = 0;
    int64_t ctime_ns = 0;
    uint32_t mode = 0;
    bool operator==(const Identity&) const = default;
  };
  std::optional<Identity> identity() const;

  Filesystem& fs_;
  std::string data_dir_;
  EnvoyBinarySource source_;
  std::string path_;
  std::optional<Identity> verified_;  // of the file last hashed (or written) and found good
};

}  // namespace ingress::envoy
