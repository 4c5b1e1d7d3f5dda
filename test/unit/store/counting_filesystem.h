// CountingFilesystem: a Filesystem wrapper that counts durable steps, to prove how many directory
// fsyncs a batch of store writes costs.
//
//   CountingFilesystem fs(real);
//   store.putUnsynced(a); store.putUnsynced(b); store.sync();
//   EXPECT_EQ(fs.dirSyncs(), 1);
//
// A dir sync is counted for every call that fsyncs a directory: writeFileAtomic, rename,
// removeFile and syncDir (the *NoDirSync calls count none). Thread-safe. Borrows `inner`.
#pragma once

#include <mutex>

#include "common/filesystem.h"

namespace ingress::testing {

class CountingFilesystem final : public Filesystem {
 public:
  explicit CountingFilesystem(Filesystem& inner) : inner_(inner) {}

  int dirSyncs() const {
    std::lock_guard lock(mu_);
    return dir_syncs_;
  }
  int fileWrites() const {
    std::lock_guard lock(mu_);
    return file_writes_;
  }
  // While set, syncDir fails (after counting) without syncing.
  void failSyncDir(bool fail) {
    std::lock_guard lock(mu_);
    fail_sync_dir_ = fail;
  }

  StatusOr<std::string> readFile(const std::string& path) const override {
    return inner_.readFile(path);
  }
  StatusOr<std::string> readFileLimited(const std::string& path, size_t max) const override {
    return inner_.readFileLimited(path, max);
  }
  Status writeFileAtomic(const std::string& path, std::string_view data, mode_t mode) override {
    count(1, 1);
    return inner_.writeFileAtomic(path, data, mode);
  }
  Status writeFileAtomicNoDirSync(const std::string& path, std::string_view data,
                                  mode_t mode) override {
    count(1, 0);
    return inner_.writeFileAtomicNoDirSync(path, data, mode);
  }
  StatusOr<FileInfo> stat(const std::string& path) const override { return inner_.stat(path); }
  Status makeDirs(const std::string& path, mode_t mode) override {
    return inner_.makeDirs(path, mode);
  }
  StatusOr<std::vector<std::string>> listDir(const std::string& path) const override {
    return inner_.listDir(path);
  }
  Status rename(const std::string& from, const std::string& to) override {
    count(0, 1);
    return inner_.rename(from, to);
  }
  Status removeFile(const std::string& path) override {
    count(0, 1);
    return inner_.removeFile(path);
  }
  Status removeFileNoDirSync(const std::string& path) override {
    return inner_.removeFileNoDirSync(path);
  }
  Status syncDir(const std::string& dir) override {
    count(0, 1);
    {
      std::lock_guard lock(mu_);
      if (fail_sync_dir_) return internalError("injected fault: fsync directory " + dir);
    }
    return inner_.syncDir(dir);
  }

 private:
  void count(int writes, int dir_syncs) {
    std::lock_guard lock(mu_);
    file_writes_ += writes;
    dir_syncs_ += dir_syncs;
  }

  Filesystem& inner_;
  mutable std::mutex mu_;
  int file_writes_ = 0;         // guarded by mu_
  int dir_syncs_ = 0;           // guarded by mu_
  bool fail_sync_dir_ = false;  // guarded by mu_
};

}  // namespace ingress::testing
