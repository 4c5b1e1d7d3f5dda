#include "store/object_dir.h"

#include <chrono>

#include "common/log.h"

namespace ingress::store {
namespace {

constexpr std::string_view kSuffix = ".json";

bool isLeftoverTemp(std::string_view entry) {
  return entry.size() > 1 && entry.front() == '.' && entry.find(".tmp.") != std::string::npos;
}

}  // namespace

ObjectDir::ObjectDir(Filesystem& fs, Clock& clock, std::string dir, std::string kind,
                     KeyCheck valid_key)
    : fs_(fs),
      clock_(clock),
      dir_(std::move(dir)),
      kind_(std::move(kind)),
      valid_key_(std::move(valid_key)) {}

std::string ObjectDir::pathOf(std::string_view key) const {
  return joinPath(dir_, std::string(key) + std::string(kSuffix));
}

Status ObjectDir::load(const Accept& accept) {
  INGRESS_RETURN_IF_ERROR(fs_.makeDirs(dir_, kStoreDirMode));
  INGRESS_RETURN_IF_ERROR(fs_.makeDirs(joinPath(dir_, kQuarantineDir), kStoreDirMode));
  INGRESS_ASSIGN_OR_RETURN(std::vector<std::string> entries, fs_.listDir(dir_));
  for (const std::string& entry : entries) loadEntry(entry, accept);
  return okStatus();
}

void ObjectDir::loadEntry(const std::string& entry, const Accept& accept) {
  const std::string path = joinPath(dir_, entry);
  if (entry == kQuarantineDir) return;
  if (isLeftoverTemp(entry)) {
    Status st = fs_.removeFile(path);
    if (st.ok()) {
      log::info("removed leftover temp file", {{"path", path}});
    } else {
      log::warn("cannot remove leftover temp file", {{"path", path}, {"error", st.toString()}});
    }
    return;
  }
  const bool has_suffix =
      entry.size() > kSuffix.size() && std::string_view(entry).ends_with(kSuffix);
  if (!has_suffix) return quarantine(entry, "not a .json file");
  const std::string key = entry.substr(0, entry.size() - kSuffix.size());
  if (!valid_key_(key)) return quarantine(entry, "file name is not a valid " + kind_ + " key");
  auto info = fs_.stat(path);
  if (!info.ok()) return quarantine(entry, info.status().toString());
  if (!info->is_regular) return quarantine(entry, "not a regular file");
  auto text = fs_.readFileLimited(path, kMaxObjectFileBytes);
  if (!text.ok()) return quarantine(entry, text.status().toString());
  auto doc = parseJsonStrict(*text);
  if (!doc.ok()) return quarantine(entry, doc.status().toString());
  Status st = accept(key, *doc);
  if (!st.ok()) return quarantine(entry, st.toString());
}

void ObjectDir::quarantine(const std::string& entry, const std::string& why) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
          .count();
  const std::string qdir = joinPath(dir_, kQuarantineDir);
  std::string target = joinPath(qdir, entry + "." + std::to_string(ms));
  for (int n = 1; fs_.exists(target) && n < 1000; ++n) {
    target = joinPath(qdir, entry + "." + std::to_string(ms) + "-" + std::to_string(n));
  }
  Status st = fs_.rename(joinPath(dir_, entry), target);
  if (!st.ok()) {
    log::error("cannot quarantine " + kind_ + " file; ignoring it",
               {{"path", joinPath(dir_, entry)}, {"why", why}, {"error", st.toString()}});
    return;
  }
  log::warn("quarantined unreadable " + kind_ + " file",
            {{"path", joinPath(dir_, entry)}, {"moved_to", target}, {"why", why}});
}

Status ObjectDir::write(std::string_view key, const Json& doc) {
  if (!valid_key_(key)) return invalidArgument("invalid " + kind_ + " key", "bad_request");
  return fs_.writeFileAtomic(pathOf(key), dumpJson(doc, 2) + "\n", kStoreFileMode);
}

Status ObjectDir::remove(std::string_view key) {
  if (!valid_key_(key)) return invalidArgument("invalid " + kind_ + " key", "bad_request");
  return fs_.removeFile(pathOf(key));
}

}  // namespace ingress::store

namespace ingress::store {

Status ObjectDir::writeUnsynced(std::string_view key, const Json& doc) {
  if (!valid_key_(key)) return invalidArgument("invalid " + kind_ + " key", "bad_request");
  return fs_.writeFileAtomicNoDirSync(pathOf(key), dumpJson(doc, 2) + "\n", kStoreFileMode);
}

Status ObjectDir::removeUnsynced(std::string_view key) {
  if (!valid_key_(key)) return invalidArgument("invalid " + kind_ + " key", "bad_request");
  return fs_.removeFileNoDirSync(pathOf(key));
}

Status ObjectDir::sync() { return fs_.syncDir(dir_); }

}  // namespace ingress::store
