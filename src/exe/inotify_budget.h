// The inotify budget of Envoy's configuration. Every file-based xDS subscription costs Envoy one
// inotify instance: LDS and CDS (kEnvoyBaseInotifyInstances), plus one route subscription per
// listener port, at most MAX_LISTENER_PORTS, plus one secret (SDS) subscription per certificate
// in use, at most MAX_CERTIFICATES, and one for the default certificate. Linux counts instances per
// user for the whole host (fs.inotify.max_user_instances, 128 by default) and Envoy aborts when it
// cannot get one, so serve checks at start that what this user's other processes leave is enough:
//   - less than one Envoy's worst case (cap + base): serve refuses to start, naming the numbers;
//   - less than two (a hot restart runs both epochs for a moment): a warning.
//
//   InotifyBudget b = readInotifyBudget("/proc", ::geteuid(), {adopted_envoy_pid});
//   Status st = checkInotifyBudget(b, settings.max_listener_ports, settings.max_certificates,
//                                  &warning);
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

#include "common/status.h"

namespace ingress::exe {

// LDS and CDS, measured with the fetched Envoy (docs/operations.md "Listener ports").
inline constexpr size_t kEnvoyBaseInotifyInstances = 2;

struct InotifyBudget {
  long max_user_instances = 0;  // fs.inotify.max_user_instances; 0 when unknown
  long in_use = 0;              // instances held by this user's processes (but the excluded)
};

// Reads {proc}/sys/fs/inotify/max_user_instances and counts anon_inode:inotify descriptors of
// every {proc}/<pid> owned by `uid`, leaving out `exclude` (an Envoy this serve adopts: its
// instances are part of what is checked). Unreadable processes are skipped.
InotifyBudget readInotifyBudget(const std::string& proc, uid_t uid,
                                const std::vector<pid_t>& exclude);

// Ok when one Envoy with `max_listener_ports` route subscriptions and `max_certificates` (+1,
// the default) secret subscriptions fits; kFailedPrecondition naming MAX_LISTENER_PORTS,
// MAX_CERTIFICATES and the sysctl when not. `*warning` (may be null) is set when one fits but
// not two. An unknown maximum (0) passes.
Status checkInotifyBudget(const InotifyBudget& budget, size_t max_listener_ports,
                          size_t max_certificates, std::string* warning);

}  // namespace ingress::exe
