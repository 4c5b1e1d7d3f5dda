// Filesystem: every file effect of the product goes through this seam (LevelDB's Env idea), so
// tests can use InMemoryFilesystem or inject faults.
//
// Durability contract of writeFileAtomic (the only way the product writes state):
//   write `<dir>/.<name>.tmp.<random>` → fsync → chmod → rename over `path` → fsync(dir).
// When it returns ok the new content survives kill -9 and power loss; when it fails the old file
// is untouched and the temp file is removed. Readers never see a half-written file.
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ingress {

struct FileInfo {
  bool is_regular = false;
  bool is_directory = false;
  uint64_t size = 0;
  mode_t mode = 0;  // permission bits only
};

class Filesystem {
 public:
  virtual ~Filesystem() = default;

  virtual StatusOr<std::string> readFile(const std::string& path) const = 0;
  // Reads at most `max_bytes`; a longer file is kResourceExhausted.
  virtual StatusOr<std::string> readFileLimited(const std::string& path, size_t max_bytes) const;
  virtual Status writeFileAtomic(const std::string& path, std::string_view data,
                                 mode_t mode = 0644) = 0;
  // Atomic (temp + rename) but not durable: readers never see a torn file, but after a power
  // loss the old content may be back. For files regenerated from durable state at every start
  // (Envoy's xDS files). Defaults to the durable write.
  virtual Status writeFileAtomicNoSync(const std::string& path, std::string_view data,
                                       mode_t mode = 0644) {
    return writeFileAtomic(path, data, mode);
  }
  // kNotFound when the path does not exist.
  virtual StatusOr<FileInfo> stat(const std::string& path) const = 0;
  bool exists(const std::string& path) const { return stat(path).ok(); }
  // Creates `path` and missing parents with `mode`; an existing directory gets `mode` applied.
  virtual Status makeDirs(const std::string& path, mode_t mode) = 0;
  // Names (not paths) of the entries of a directory, sorted, without "." and "..".
  virtual StatusOr<std::vector<std::string>> listDir(const std::string& path) const = 0;
  // Atomic rename, then fsync of the destination directory.
  virtual Status rename(const std::string& from, const std::string& to) = 0;
  // Removes a file; ok when it did not exist. Fsyncs the directory.
  virtual Status removeFile(const std::string& path) = 0;
  // Group durability: writeFileAtomicNoDirSync fsyncs the file and renames it into place, and
  // removeFileNoDirSync unlinks, both without the directory fsync; neither is durable until
  // syncDir(dir) returned ok. The defaults are the durable calls (then syncDir has nothing to do).
  virtual Status writeFileAtomicNoDirSync(const std::string& path, std::string_view data,
                                          mode_t mode = 0644) {
    return writeFileAtomic(path, data, mode);
  }
  virtual Status removeFileNoDirSync(const std::string& path) { return removeFile(path); }
  virtual Status syncDir(const std::string& dir) {
    (void)dir;
    return okStatus();
  }
};

// The real filesystem. Thread-safe (no state of its own).
class FilesystemImpl final : public Filesystem {
 public:
  StatusOr<std::string> readFile(const std::string& path) const override;
  StatusOr<std::string> readFileLimited(const std::string& path, size_t max_bytes) const override;
  Status writeFileAtomic(const std::string& path, std::string_view data, mode_t mode) override;
  Status writeFileAtomicNoSync(const std::string& path, std::string_view data,
                               mode_t mode) override;
  StatusOr<FileInfo> stat(const std::string& path) const override;
  Status makeDirs(const std::string& path, mode_t mode) override;
  StatusOr<std::vector<std::string>> listDir(const std::string& path) const override;
  Status rename(const std::string& from, const std::string& to) override;
  Status removeFile(const std::string& path) override;
  Status writeFileAtomicNoDirSync(const std::string& path, std::string_view data,
                                  mode_t mode) override;
  Status removeFileNoDirSync(const std::string& path) override;
  Status syncDir(const std::string& dir) override;
};

// Path helpers (pure).
std::string joinPath(std::string_view a, std::string_view b);
std::string dirName(std::string_view path);
std::string baseName(std::string_view path);

// Fsyncs a directory so that a rename or unlink in it is durable.
Status syncDirectory(const std::string& dir);

}  // namespace ingress
