// IngressStore: the durable set of ingresses, one file per ingress at
// `{data_dir}/ingresses/{id}.json` (store format of ingress/codec.h, mode 0600, dir 0700).
//
// load() reads every file once at start; afterwards reads are served from memory and only
// put/remove touch the disk. Corrupt or foreign files are quarantined (see object_dir.h).
// put/remove are durable when they return ok; when they fail, memory and disk are unchanged.
//
// Thread-safe: reads share a lock, writes are exclusive (and include the disk write).
// `fs` and `clock` are borrowed and must outlive the store.
#pragma once

#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ingress/model.h"
#include "store/object_dir.h"

namespace ingress::store {

class IngressStore {
 public:
  IngressStore(Filesystem& fs, Clock& clock, std::string_view data_dir);

  // Creates the directory if needed and loads (or quarantines) every file. Call once, before
  // anything else; a second call reloads.
  Status load();

  // Sorted by created_at, then id.
  std::vector<domain::Ingress> all() const;
  std::optional<domain::Ingress> get(std::string_view id) const;
  size_t size() const;

  // Creates or replaces by id. kInvalidArgument for an id that isn't one (never touches disk).
  Status put(const domain::Ingress& ingress);
  // kNotFound when there is no such id.
  Status remove(std::string_view id);
  // Group durability (one directory fsync for a batch): putUnsynced/removeUnsynced change memory
  // and disk like put/remove, but are durable only once sync() returned ok. A caller that
  // acknowledges a change must sync() first; when sync() fails it must undo (put/remove) what it
  // wrote, since it cannot know whether the change survives a crash.
  Status putUnsynced(const domain::Ingress& ingress);
  Status removeUnsynced(std::string_view id);
  Status sync();

  const std::string& dir() const { return dir_.dir(); }

 private:
  Status putImpl(const domain::Ingress& ingress, bool sync);
  Status removeImpl(std::string_view id, bool sync);

  mutable std::shared_mutex mu_;
  ObjectDir dir_;                                              // guarded by mu_
  std::map<std::string, domain::Ingress, std::less<>> by_id_;  // guarded by mu_
};

}  // namespace ingress::store
