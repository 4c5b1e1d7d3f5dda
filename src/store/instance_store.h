// InstanceStore: the built-in instance registry, one file per instance at
// `{data_dir}/instances/{name}.json` (store format of ingress/codec.h, mode 0600, dir 0700).
//
// Same contract as IngressStore: load() once at start, reads from memory, put/remove durable
// when ok and without effect when not, corrupt files quarantined.
//
// Thread-safe: reads share a lock, writes are exclusive. `fs` and `clock` must outlive it.
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

class InstanceStore {
 public:
  InstanceStore(Filesystem& fs, Clock& clock, std::string_view data_dir);

  Status load();

  // Sorted by name.
  std::vector<domain::Instance> all() const;
  std::optional<domain::Instance> get(std::string_view name) const;

  // Creates or replaces by name. The instance must already be valid (validateInstance);
  // an invalid name is kInvalidArgument and never reaches the disk.
  Status put(const domain::Instance& instance);
  // kNotFound when there is no such name.
  Status remove(std::string_view name);

  const std::string& dir() const { return dir_.dir(); }

 private:
  mutable std::shared_mutex mu_;
  ObjectDir dir_;                                                 // guarded by mu_
  std::map<std::string, domain::Instance, std::less<>> by_name_;  // guarded by mu_
};

}  // namespace ingress::store
