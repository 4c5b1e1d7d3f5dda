// `ingressd envoy-supervisor --data-dir D`: the long-lived parent of Envoy.
//
// Envoy with hot restart enabled dies with the thread that started it (PR_SET_PDEATHSIG), so it
// cannot be a child of `ingressd serve` if it is to outlive it. This process is started by serve in
// its own session and plays the role of Envoy's hot-restarter: it starts Envoy from
// {DATA_DIR}/envoy/launch.json, restarts it when it crashes, performs a hot restart on SIGHUP
// (re-reading launch.json), and on SIGTERM/SIGINT drains Envoy gracefully, stops it and exits.
// It keeps envoy.pid pointing at the serving Envoy, writes supervisor.pid and a state file
// (supervisor-state.json) that serve reads, reaps every child (and, as a subreaper, every orphaned
// grandchild), and holds an exclusive lock so only one supervisor runs per data dir.
#pragma once

#include <functional>
#include <string>

#include "common/clock.h"
#include "common/filesystem.h"
#include "common/process.h"
#include "envoy/launch.h"

namespace ingress::envoy {

// Called before every spawn of Envoy with the launch spec in force; a non-ok Status counts as a
// failed spawn (retried with backoff). ingressd's main makes it verify (and re-extract) the
// embedded Envoy binary, see BinaryGuard.
using BeforeEnvoySpawn = std::function<Status(const LaunchSpec&)>;

// Runs until stopped; returns the process exit code (0 after a requested stop).
int runSupervisor(const std::string& data_dir, Filesystem& fs, ProcessLauncher& processes,
                  Clock& clock, BeforeEnvoySpawn before_spawn = {});

}  // namespace ingress::envoy
