// ObjectDir: one directory holding one JSON file per object, `{dir}/{key}.json`. The shared
// mechanics of IngressStore and InstanceStore: durable writes, removal, and a load pass that
// moves anything it cannot trust into `{dir}/quarantine/` instead of dropping or crashing.
//
// On load, for each directory entry:
//   `.{name}.tmp.{random}`          a leftover of an interrupted writeFileAtomic: deleted
//   `quarantine`                    the quarantine folder itself: skipped
//   `{key}.json` with a valid key   parsed (strict JSON, 1 MiB cap) and handed to `accept`;
//                                   a parse error or a non-ok `accept` quarantines it
//   anything else                   quarantined
// Quarantined entries are renamed to `{dir}/quarantine/{entry}.{unix-ms}` and logged with
// log::warn. The quarantine folder is outside the load pattern, so they are never re-read.
//
// Not thread-safe by itself; the stores that own one serialize calls.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/filesystem.h"
#include "common/json.h"
#include "common/status.h"

namespace ingress::store {

inline constexpr size_t kMaxObjectFileBytes = 1 << 20;
inline constexpr mode_t kStoreDirMode = 0700;
inline constexpr mode_t kStoreFileMode = 0600;
inline constexpr std::string_view kQuarantineDir = "quarantine";

class ObjectDir {
 public:
  using KeyCheck = std::function<bool(std::string_view key)>;
  // Called with the key (file name without ".json") and the parsed document; a non-ok Status
  // quarantines the file with that Status as the logged reason.
  using Accept = std::function<Status(const std::string& key, const Json& doc)>;

  // `fs` and `clock` must outlive this object.
  ObjectDir(Filesystem& fs, Clock& clock, std::string dir, std::string kind, KeyCheck valid_key);

  const std::string& dir() const { return dir_; }
  std::string pathOf(std::string_view key) const;

  // Creates the directories (mode 0700), then walks the entries as described above. Errors
  // only when the directory itself cannot be created or listed.
  Status load(const Accept& accept);

  // Durable when ok (writeFileAtomic, mode 0600). The key must pass `valid_key`.
  Status write(std::string_view key, const Json& doc);
  // Durable when ok; ok when the file did not exist.
  Status remove(std::string_view key);
  // Group durability: like write/remove (the file content is fsynced, the entry renamed into
  // place or unlinked) but the directory is not fsynced: not durable until sync() returned ok.
  Status writeUnsynced(std::string_view key, const Json& doc);
  Status removeUnsynced(std::string_view key);
  // One directory fsync for every unsynced write and removal before it.
  Status sync();

 private:
  void loadEntry(const std::string& entry, const Accept& accept);
  void quarantine(const std::string& entry, const std::string& why);

  Filesystem& fs_;
  Clock& clock_;
  std::string dir_;
  std::string kind_;  // "ingress" or "instance", for logs
  KeyCheck valid_key_;
};

}  // namespace ingress::store
