#include "common/filesystem.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <random>

namespace ingress {
namespace {

// Closes a descriptor on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Status writeAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoError("write " + path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return okStatus();
}

std::string randomSuffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s(12, 'x');
  for (char& c : s) c = kAlphabet[rng() % (sizeof kAlphabet - 1)];
  return s;
}

}  // namespace

std::string joinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (!b.empty() && b.front() == '/') return std::string(b);
  std::string out(a);
  if (out.back() != '/') out += '/';
  out += b;
  return out;
}

std::string dirName(std::string_view path) {
  auto pos = path.find_last_of('/');
  if (pos == std::string_view::npos) return ".";
  if (pos == 0) return "/";
  return std::string(path.substr(0, pos));
}

std::string baseName(std::string_view path) {
  auto pos = path.find_last_of('/');
  return std::string(pos == std::string_view::npos ? path : path.substr(pos + 1));
}

Status syncDirectory(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.fd < 0) return errnoError("open directory " + dir, errno);
  if (::fsync(fd.fd) != 0) return errnoError("fsync directory " + dir, errno);
  return okStatus();
}

StatusOr<std::string> Filesystem::readFileLimited(const std::string& path, size_t max_bytes) const {
  INGRESS_ASSIGN_OR_RETURN(std::string data, readFile(path));
  if (data.size() > max_bytes) {
    return resourceExhausted(path + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  return data;
}

StatusOr<std::string> FilesystemImpl::readFile(const std::string& path) const {
  return readFileLimited(path, SIZE_MAX);
}

StatusOr<std::string> FilesystemImpl::readFileLimited(const std::string& path,
                                                      size_t max_bytes) const {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0) {
    if (errno == ENOENT) return notFound(path + " does not exist");
    return errnoError("open " + path, errno);
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoError("read " + path, errno);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      return resourceExhausted(path + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

namespace {

// temp → (fsync) → chmod → rename; the temp file is removed on failure.
Status writeViaTemp(const std::string& path, std::string_view data, mode_t mode, bool sync,
                    bool sync_dir) {
  const std::string dir = dirName(path);
  const std::string tmp = joinPath(dir, "." + baseName(path) + ".tmp." + randomSuffix());
  Status st = [&]() -> Status {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (fd.fd < 0) return errnoError("create " + tmp, errno);
    INGRESS_RETURN_IF_ERROR(writeAll(fd.fd, data, tmp));
    if (::fchmod(fd.fd, mode) != 0) return errnoError("chmod " + tmp, errno);
    if (sync && ::fsync(fd.fd) != 0) return errnoError("fsync " + tmp, errno);
    if (::rename(tmp.c_str(), path.c_str()) != 0) return errnoError("rename to " + path, errno);
    return okStatus();
  }();
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return sync && sync_dir ? syncDirectory(dir) : okStatus();
}

}  // namespace

Status FilesystemImpl::writeFileAtomic(const std::string& path, std::string_view data,
                                       mode_t mode) {
  return writeViaTemp(path, data, mode, /*sync=*/true, /*sync_dir=*/true);
}

Status FilesystemImpl::writeFileAtomicNoSync(const std::string& path, std::string_view data,
                                             mode_t mode) {
  return writeViaTemp(path, data, mode, /*sync=*/false, /*sync_dir=*/false);
}

StatusOr<FileInfo> FilesystemImpl::stat(const std::string& path) const {
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return notFound(path + " does not exist");
    return errnoError("stat " + path, errno);
  }
  FileInfo info;
  info.is_regular = S_ISREG(sb.st_mode);
  info.is_directory = S_ISDIR(sb.st_mode);
  info.size = static_cast<uint64_t>(sb.st_size);
  info.mode = sb.st_mode & 07777;
  return info;
}

Status FilesystemImpl::makeDirs(const std::string& path, mode_t mode) {
  if (path.empty()) return invalidArgument("empty directory path");
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    partial = path.substr(0, pos);
    if (partial.empty() || partial == "/") continue;
    if (::mkdir(partial.c_str(), mode) != 0 && errno != EEXIST) {
      return errnoError("mkdir " + partial, errno);
    }
  }
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0) return errnoError("stat " + path, errno);
  if (!S_ISDIR(sb.st_mode)) return failedPrecondition(path + " exists and is not a directory");
  if ((sb.st_mode & 07777) != mode && ::chmod(path.c_str(), mode) != 0) {
    return errnoError("chmod " + path, errno);
  }
  return okStatus();
}

StatusOr<std::vector<std::string>> FilesystemImpl::listDir(const std::string& path) const {
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return notFound(path + " does not exist");
    return errnoError("opendir " + path, errno);
  }
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    names.emplace_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

Status FilesystemImpl::rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return errnoError("rename " + from + " to " + to, errno);
  }
  return syncDirectory(dirName(to));
}

Status FilesystemImpl::removeFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return okStatus();
    return errnoError("unlink " + path, errno);
  }
  return syncDirectory(dirName(path));
}

}  // namespace ingress

namespace ingress {

Status FilesystemImpl::writeFileAtomicNoDirSync(const std::string& path, std::string_view data,
                                                mode_t mode) {
  return writeViaTemp(path, data, mode, /*sync=*/true, /*sync_dir=*/false);
}

Status FilesystemImpl::removeFileNoDirSync(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errnoError("unlink " + path, errno);
  return okStatus();
}

Status FilesystemImpl::syncDir(const std::string& dir) { return syncDirectory(dir); }

}  // namespace ingress
