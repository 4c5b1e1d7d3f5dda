// FaultyFilesystem: a Filesystem wrapper that fails chosen operations (LevelDB's
// fault_injection_test idea), to prove that a failed write leaves memory and disk unchanged.
//
//   FaultyFilesystem fs(real);
//   fs.failNthWrite(1);          // the next writeFileAtomic fails, nothing reaches `real`
//
// Thread-safe (counters behind a mutex). Borrows `inner`.
#pragma once

#include <mutex>

#include "common/filesystem.h"

namespace ingress::testing {

class FaultyFilesystem final : public Filesystem {
 public:
  explicit FaultyFilesystem(Filesystem& inner) : inner_(inner) {}

  // The n-th writeFileAtomic from now (1 = the next one) fails; 0 disarms.
  void failNthWrite(int n) {
    std::lock_guard lock(mu_);
    fail_write_in_ = n;
  }
  // Every writeFileAtomic from the n-th from now on fails (1 = the next one); 0 disarms.
  void failWritesFrom(int n) {
    std::lock_guard lock(mu_);
    fail_writes_from_ = n;
  }
  void failRemoves(bool fail) {
    std::lock_guard lock(mu_);
    fail_removes_ = fail;
  }
  void failRenames(bool fail) {
    std::lock_guard lock(mu_);
    fail_renames_ = fail;
  }
  // Injected faults fail like the system call would with `err` (errnoError, e.g. EMFILE) instead
  // of an internal error; 0 restores the default.
  void setFaultErrno(int err) {
    std::lock_guard lock(mu_);
    fault_errno_ = err;
  }
  int writes() const {
    std::lock_guard lock(mu_);
    return writes_;
  }

  StatusOr<std::string> readFile(const std::string& path) const override {
    return inner_.readFile(path);
  }
  StatusOr<std::string> readFileLimited(const std::string& path, size_t max) const override {
    return inner_.readFileLimited(path, max);
  }
  Status writeFileAtomic(const std::string& path, std::string_view data, mode_t mode) override {
    {
      std::lock_guard lock(mu_);
      ++writes_;
      if (fail_write_in_ > 0 && --fail_write_in_ == 0) {
        return fault("injected fault: write " + path);
      }
      if (fail_writes_from_ > 1) {
        --fail_writes_from_;
      } else if (fail_writes_from_ == 1) {
        return fault("injected fault: write " + path);
      }
    }
    return inner_.writeFileAtomic(path, data, mode);
  }
  StatusOr<FileInfo> stat(const std::string& path) const override { return inner_.stat(path); }
  Status makeDirs(const std::string& path, mode_t mode) override {
    return inner_.makeDirs(path, mode);
  }
  StatusOr<std::vector<std::string>> listDir(const std::string& path) const override {
    return inner_.listDir(path);
  }
  Status rename(const std::string& from, const std::string& to) override {
    {
      std::lock_guard lock(mu_);
      if (fail_renames_) return fault("injected fault: rename " + from);
    }
    return inner_.rename(from, to);
  }
  Status removeFile(const std::string& path) override {
    {
      std::lock_guard lock(mu_);
      if (fail_removes_) return fault("injected fault: remove " + path);
    }
    return inner_.removeFile(path);
  }

 private:
  // Called with mu_ held.
  Status fault(const std::string& what) const {
    return fault_errno_ != 0 ? errnoError(what, fault_errno_) : internalError(what);
  }

  Filesystem& inner_;
  mutable std::mutex mu_;
  int fail_write_in_ = 0;      // guarded by mu_
  int fail_writes_from_ = 0;   // guarded by mu_
  bool fail_removes_ = false;  // guarded by mu_
  bool fail_renames_ = false;  // guarded by mu_
  int writes_ = 0;             // guarded by mu_
  int fault_errno_ = 0;        // guarded by mu_
};

}  // namespace ingress::testing
