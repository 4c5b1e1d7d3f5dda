#include "exe/serve.h"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <memory>

#include "api/metrics_handler.h"
#include "api/readiness.h"
#include "api/server.h"
#include "auth/auth.h"
#include "auth/secret.h"
#include "common/clock.h"
#include "common/filesystem.h"
#include "common/http_client.h"
#include "common/log.h"
#include "common/process.h"
#include "envoy/admin_client.h"
#include "envoy/binary.h"
#include "envoy/daemon.h"
#include "envoy/embedded_envoy.h"
#include "envoy/route_publisher.h"
#include "envoy/watchdog.h"
#include "envoy/xds_applier.h"
#include "exe/https.h"
#include "exe/inotify_budget.h"
#include "exe/memory_policy.h"
#include "exe/own_sockets.h"
#include "ingress/ids.h"
#include "ingress/manager.h"
#include "instances/caching_resolver.h"
#include "instances/hypeman_resolver.h"
#include "instances/reconciler.h"
#include "instances/registry_resolver.h"
#include "store/ingress_store.h"
#include "store/instance_store.h"
#include "telemetry/ingressd_metrics.h"  // metrics (issue 6)
#include "telemetry/registry.h"

namespace ingress::exe {
namespace {

StatusOr<std::string> canonicalDataDir(Filesystem& fs, const std::string& dir) {
  if (!fs.exists(dir)) INGRESS_RETURN_IF_ERROR(fs.makeDirs(dir, 0700));
  char buf[PATH_MAX];
  if (::realpath(dir.c_str(), buf) == nullptr) return errnoError("realpath " + dir, errno);
  return std::string(buf);
}

// Held for the life of the process: one `serve` per data dir.
Status lockDataDir(const std::string& data_dir) {
  const std::string path = joinPath(data_dir, "ingressd.lock");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return errnoError("open " + path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return failedPrecondition("another ingressd serve is running with DATA_DIR=" + data_dir);
  }
  return okStatus();  // fd intentionally kept open
}

std::string selfExe() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "ingressd";
  return std::string(buf, static_cast<size_t>(n));
}

// Where this host reaches Envoy's listeners: the listen address, or loopback for a wildcard.
std::string probeAddress(const std::string& listen_address) {
  if (listen_address == "0.0.0.0") return "127.0.0.1";
  if (listen_address == "::") return "::1";
  return listen_address;
}

// Raise the soft RLIMIT_NOFILE to the hard limit (every connection, Envoy
// admin call and store file is a descriptor) and return the soft limit in force.
uint64_t raiseFileLimit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  const uint64_t before = lim.rlim_cur;
  if (lim.rlim_cur != lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  log::info("file descriptor limit", {{"soft_before", before},
                                      {"soft", static_cast<uint64_t>(lim.rlim_cur)},
                                      {"hard", static_cast<uint64_t>(lim.rlim_max)}});
  return lim.rlim_cur;
}

// Descriptors kept free of API connections: metrics connections, Envoy admin calls, the store,
// logs, the resolver.
constexpr uint64_t kReservedFds = 256;
constexpr size_t kMetricsMaxConnections = 64;

// ok unless the watchdog is replacing a dead supervisor (or backing off after a failed try).
api::ReadinessCheck watchdogCheck(const envoy::WatchdogStatus& w) {
  const bool recovering =
      w.state == envoy::WatchdogState::kRecovering || w.state == envoy::WatchdogState::kBackoff;
  std::string detail = "the envoy-supervisor died; the watchdog is ";
  detail += w.state == envoy::WatchdogState::kBackoff ? "backing off after a failed recovery"
                                                      : "starting a new one";
  if (!w.counters.last_error.empty()) detail += " (last error: " + w.counters.last_error + ")";
  return api::checkOf("watchdog_recovering", !recovering, detail);
}

int fail(const Status& st) {
  log::error("ingressd cannot start", {{"error", st.message()}});
  return 1;
}

envoy::EdgeLimits edgeLimits(const Settings& s) {
  envoy::EdgeLimits e;
  e.request_headers_timeout = s.envoy_request_headers_timeout;
  e.idle_timeout = s.envoy_idle_timeout;
  e.stream_idle_timeout = s.envoy_stream_idle_timeout;
  e.request_timeout = s.envoy_request_timeout;
  e.max_request_headers_kb = s.envoy_max_request_headers_kb;
  e.max_headers_count = s.envoy_max_headers_count;
  e.max_connections_per_listener = s.envoy_max_connections_per_listener;
  return e;
}

// Envoy inherits serve's descriptor limit through the supervisor (each raises its soft limit
// to the hard one), so the default connection cap is sized from it.
envoy::OverloadOptions overloadOptions(const Settings& s, uint64_t fd_limit) {
  envoy::OverloadOptions o;
  o.max_downstream_connections = s.envoy_max_downstream_connections != 0
                                     ? s.envoy_max_downstream_connections
                                     : envoy::defaultMaxDownstreamConnections(fd_limit);
  o.max_heap_bytes = s.envoy_max_heap_bytes;
  return o;
}

envoy::DaemonOptions daemonOptions(const Settings& settings, const std::string& data_dir,
                                   const std::string& envoy_binary, uint64_t fd_limit) {
  envoy::DaemonOptions options;
  options.data_dir = data_dir;
  options.self_exe = selfExe();
  options.envoy_binary = envoy_binary;
  options.bootstrap.admin_address = settings.envoy_admin_address;
  options.bootstrap.admin_port = settings.envoy_admin_port;
  options.bootstrap.otel.enabled = settings.otel_enabled;
  options.bootstrap.otel.collector_host = settings.otel_collector_host;
  options.bootstrap.otel.collector_port = settings.otel_collector_port;
  options.bootstrap.otel.service_name = settings.otel_service_name;
  options.bootstrap.otel.service_instance_id = settings.otel_service_instance_id;
  options.bootstrap.otel.environment = settings.deployment_environment;
  options.bootstrap.otel.flush_interval_s = settings.otel_flush_interval_s;
  options.bootstrap.overload = overloadOptions(settings, fd_limit);
  options.drain_time_s = settings.envoy_drain_time_s;
  options.parent_shutdown_time_s = settings.envoy_parent_shutdown_time_s;
  options.envoy_log_level = settings.envoy_log_level;
  options.envoy_log_max_bytes = settings.envoy_log_max_bytes;
  options.ready_timeout = settings.envoy_ready_timeout;
  return options;
}

}  // namespace

int runServe(const Settings& settings) {
  log::setComponent("serve");
  if (auto level = log::parseLevel(settings.log_level); level.ok()) log::setLevel(*level);
  // Stop signals are taken synchronously by sigwait(); block them before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  initHttpClientGlobal();
  const uint64_t fd_limit = raiseFileLimit();
  // Before any thread allocates: a bounded number of glibc arenas (memory_policy.h).
  const int arena_max = arenaMaxToSet(processEnvironment());
  if (arena_max > 0) ::mallopt(M_ARENA_MAX, arena_max);
  log::info("malloc arenas", {{"max", arena_max > 0 ? std::to_string(arena_max)
                                                    : std::string("set by the environment")}});

  ClockImpl clock;
  FilesystemImpl fs;
  ProcessLauncherImpl processes;

  auto data_dir = canonicalDataDir(fs, settings.data_dir);
  if (!data_dir.ok()) return fail(data_dir.status().withContext("DATA_DIR"));
  if (Status st = lockDataDir(*data_dir); !st.ok()) return fail(st);

  // 1. The store is the source of truth: load it first.
  store::IngressStore ingress_store(fs, clock, *data_dir);
  store::InstanceStore instance_store(fs, clock, *data_dir);
  if (Status st = ingress_store.load(); !st.ok()) return fail(st.withContext("loading ingresses"));
  if (Status st = instance_store.load(); !st.ok()) return fail(st.withContext("loading instances"));
  std::unique_ptr<instances::InstanceResolver> resolver;
  if (settings.hypeman_api_url.empty()) {
    resolver = std::make_unique<instances::RegistryResolver>(instance_store);
  } else {
    resolver = std::make_unique<instances::CachingResolver>(
        std::make_unique<instances::HypemanResolver>(settings.hypeman_api_url,
                                                     settings.hypeman_api_token),
        clock, instances::CachingResolverOptions{.ttl = settings.hypeman_cache_ttl});
  }

  std::string envoy_binary = settings.envoy_binary;
  if (envoy_binary.empty()) {
    auto extracted = envoy::ensureExtracted(fs, *data_dir, envoy::embeddedEnvoy());
    if (!extracted.ok()) return fail(extracted.status().withContext("extracting Envoy"));
    envoy_binary = extracted->path;
  } else if (!fs.exists(envoy_binary)) {
    return fail(invalidArgument("ENVOY_BINARY=\"" + envoy_binary + "\" does not exist"));
  }

  const envoy::DaemonOptions daemon_options =
      daemonOptions(settings, *data_dir, envoy_binary, fd_limit);
  log::info(
      "envoy edge limits",
      {{"max_downstream_connections", daemon_options.bootstrap.overload.max_downstream_connections},
       {"max_heap_bytes", daemon_options.bootstrap.overload.max_heap_bytes},
       {"max_connections_per_listener", settings.envoy_max_connections_per_listener},
       {"request_headers_timeout_s", settings.envoy_request_headers_timeout.count()}});
  envoy::EnvoyDaemon daemon(daemon_options, fs, processes, clock);
  envoy::AdminClient admin(daemon.adminBaseUrl(), std::chrono::milliseconds(2000));
  envoy::XdsApplier applier(fs, admin, clock, daemon.paths().xds_dir,
                            probeAddress(settings.envoy_listen_address),
                            settings.envoy_listen_address);
  // HTTPS: certificates (uploads and ACME), the default certificate, the ACME challenge listener.
  auto https = Https::create(settings, fs, clock, processes, *data_dir);
  if (!https.ok()) return fail(https.status().withContext("HTTPS"));
  envoy::BuilderSettings builder;
  builder.listen_address = settings.envoy_listen_address;
  builder.xds_dir = daemon.paths().xds_dir;
  builder.sds_dir = joinPath(daemon.paths().dir, "sds");
  builder.edge = edgeLimits(settings);
  builder.tls = (*https)->tlsSettings();
  envoy::RoutePublisher publisher(applier, builder, settings.envoy_apply_timeout);
  // Free heap pages go back to the kernel after publishes (memory_policy.h); declared before
  // everything that can publish, so it outlives them.
  MemoryTrimmer trimmer([] { ::malloc_trim(0); }, std::chrono::seconds(1));
  // --- metrics (issue 6): event hooks now, scrape-time sources once the manager exists ---
  telemetry::Registry metrics_registry;
  telemetry::MetricSources metric_sources;
  domain::Manager* metrics_manager = nullptr;  // set below, before the listener starts
  metric_sources.rules = [&metrics_manager] {
    telemetry::RuleCounts c;
    if (metrics_manager == nullptr) return c;
    const domain::SnapshotPtr s = metrics_manager->current();  // no resolver call
    c.ingresses = s->ingresses().size();
    c.active = s->activeRules();
    c.unresolved = s->unresolvedRules();
    c.shadowed = s->shadowed().size();
    return c;
  };
  metric_sources.pending_mutations = [&metrics_manager] {
    return metrics_manager == nullptr ? size_t{0} : metrics_manager->pendingMutations();
  };
  metric_sources.envoy_counts = [&fs, &daemon]() -> std::optional<telemetry::EnvoyCounts> {
    auto st = envoy::readSupervisorState(fs, daemon.paths().state);
    if (!st.ok()) return std::nullopt;
    return telemetry::EnvoyCounts{st->envoy_restarts, st->hot_restarts};
  };
  // Short-timeout admin calls for /metrics and /ready (AdminClient is thread-safe).
  envoy::AdminClient probe_admin(daemon.adminBaseUrl(), std::chrono::milliseconds(500));
  metric_sources.envoy_ready = [&probe_admin] { return probe_admin.ready(); };
  // The watchdog: replaces a dead supervisor (which restarts Envoy), then re-applies the last
  // configuration Envoy confirmed. Started once Envoy serves; its state feeds /ready and /metrics.
  envoy::Watchdog watchdog(
      clock, envoy::WatchdogTimings{},
      envoy::WatchdogHooks{
          .probe =
              [&daemon, &probe_admin] {
                return envoy::WatchdogProbe{.supervisor_alive = daemon.supervisorRunning(),
                                            .envoy_live = probe_admin.ready()};
              },
          .recover =
              [&daemon, &publisher] {
                INGRESS_RETURN_IF_ERROR(daemon.recover());
                return publisher.reapplyCurrent().withContext("re-applying the configuration");
              }});
  metric_sources.watchdog = [&watchdog, &fs, &envoy_binary] {
    const envoy::WatchdogStatus w = watchdog.status();
    return telemetry::WatchdogCounts{.supervisor_restarts = w.counters.supervisor_restarts,
                                     .recovery_failures = w.counters.recovery_failures,
                                     .state = std::string(envoy::watchdogStateName(w.state)),
                                     .binary_present = fs.exists(envoy_binary)};
  };
  metric_sources.certificates = [&metrics_manager, &https] {
    telemetry::CertificateCounts c;
    c.acme_orders = (*https)->certificates().ordersCreated();
    if (metrics_manager == nullptr) return c;
    const domain::SnapshotPtr s = metrics_manager->current();
    const auto now = std::chrono::system_clock::now();
    for (const auto& e : s->ingresses()) {
      for (const domain::Rule& rule : e->ingress.rules) {
        if (!rule.tls) continue;
        const domain::CertificateStatus st = (*https)->certificates().status(rule, *s);
        switch (st.state) {
          case domain::CertificateStatus::State::kPending: ++c.pending; break;
          case domain::CertificateStatus::State::kActive: ++c.active; break;
          case domain::CertificateStatus::State::kRenewing: ++c.renewing; break;
          case domain::CertificateStatus::State::kFailed: ++c.failed; break;
        }
        if (st.expires_at) {
          const double left = std::chrono::duration<double>(*st.expires_at - now).count();
          if (!c.soonest_expiry_seconds || left < *c.soonest_expiry_seconds) {
            c.soonest_expiry_seconds = left;
          }
        }
      }
    }
    return c;
  };
  telemetry::IngressdMetrics metrics(metrics_registry, std::move(metric_sources));
  publisher.setApplyObserver(
      [&metrics, &trimmer](const Status& st, std::chrono::nanoseconds elapsed) {
        metrics.recordApply(st, elapsed);
        trimmer.notify();
      });
  // --- end metrics ---

  // 2. The use cases index the store (a stored ingress that conflicts with an older one is left
  //    out and logged). Envoy gets exactly the Manager's set, so the API and Envoy agree: every
  //    Envoy file is regenerated from it, then Envoy is started or adopted. A running Envoy gets
  //    the configuration through the ordered applier instead, so nothing misroutes.
  //    Targets are checked against TARGET_DENY_CIDRS and this daemon's own sockets.
  const std::vector<Cidr> local_addresses = localAddresses();
  domain::TargetPolicy target_policy(settings.target_deny_cidrs);
  addOwnSockets(target_policy, settings, local_addresses);
  domain::RandomIdGenerator ids;
  domain::Manager manager(
      ingress_store, instance_store, *resolver, clock, ids, &publisher,
      domain::ManagerLimits{.max_ingresses = settings.max_ingresses,
                            .max_listener_ports = settings.max_listener_ports,
                            .max_rules_per_ingress = settings.max_rules_per_ingress},
      &target_policy, &(*https)->certificates());
  (*https)->attach(manager);
  if (uint16_t p = (*https)->challengePort(); p != 0) {
    addListenSocket(target_policy, "127.0.0.1:" + std::to_string(p), p, "ACME challenge listener",
                    local_addresses);
  }
  // 3. The API and metrics sockets, and the API secret, before Envoy is started or adopted: an
  //    unusable address (in use, not local) or secret stops serve with nothing started. The
  //    sockets are bound now and accept once Envoy serves (early clients wait in the backlog).
  std::string secret = settings.jwt_secret;
  if (secret.empty()) {
    auto loaded = auth::loadOrCreateApiSecret(fs, *data_dir);
    if (!loaded.ok()) return fail(loaded.status().withContext("API secret"));
    secret = *loaded;
  }
  auth::JwtAuthenticator auth(secret, clock, {.max_lifetime = settings.token_max_lifetime});
  api::ServerOptions server_options;
  server_options.listen = settings.api_listen;
  // Mutations wait for Envoy; many handler threads let them meet in one group commit (with 4,
  // 32 concurrent clients reached 1.3× one client's creates/s; with 64, 7.6×).
  server_options.handler_threads = 64;
  // Connection caps, timeouts, sizes, readiness.
  server_options.max_connections = settings.api_max_connections;
  server_options.max_connections_per_client = settings.api_max_connections_per_client;
  server_options.request_timeout = settings.api_request_timeout;
  server_options.idle_timeout = settings.api_idle_timeout;
  server_options.max_body_bytes = settings.api_max_body_bytes;
  server_options.max_header_bytes = settings.api_max_header_bytes;
  if (fd_limit != 0 &&
      server_options.max_connections + kMetricsMaxConnections + kReservedFds > fd_limit) {
    // The cap must stay below the descriptor limit so that accept() never meets EMFILE.
    const size_t capped = fd_limit > kMetricsMaxConnections + kReservedFds + 16
                              ? fd_limit - kMetricsMaxConnections - kReservedFds
                              : 16;
    log::warn("API_MAX_CONNECTIONS is above what the file descriptor limit allows; lowered",
              {{"API_MAX_CONNECTIONS", settings.api_max_connections},
               {"effective", capped},
               {"RLIMIT_NOFILE", fd_limit}});
    server_options.max_connections = capped;
    server_options.max_connections_per_client =
        std::min(server_options.max_connections_per_client, capped);
  }
  // Readiness: one named check per line; the data plane serves when every check is ok.
  server_options.readiness = [&probe_admin, &daemon, &watchdog, &fs, &envoy_binary] {
    api::Readiness r;
    r.checks.push_back(api::checkOf("supervisor_alive", daemon.supervisorRunning(),
                                    "the envoy-supervisor process is not running"));
    r.checks.push_back(api::checkOf("envoy_admin_live", probe_admin.ready(),
                                    "Envoy's admin /ready does not answer LIVE"));
    r.checks.push_back(
        api::checkOf("envoy_binary_present", fs.exists(envoy_binary),
                     envoy_binary + " is missing (re-extracted before Envoy's next start)"));
    r.checks.push_back(watchdogCheck(watchdog.status()));
    return r;
  };
  server_options.certificates = &(*https)->certificates();
  server_options.on_response = [&metrics](std::string_view method, std::string_view target,
                                          int status, std::chrono::nanoseconds elapsed) {
    metrics.recordApiRequest(method, target, status, elapsed);  // metrics (issue 6)
  };
  auto server = api::Server::create(server_options, manager, auth);
  if (!server.ok()) return fail(server.status().withContext("API_LISTEN=" + settings.api_listen));
  addListenSocket(target_policy, settings.api_listen, (*server)->port(), "API listener",
                  local_addresses);
  // --- metrics (issue 6): GET /metrics on METRICS_LISTEN; like every setting, a listen address
  //     that cannot be used stops startup. ---
  //     Same server machinery, limits and timeouts as the API; no authentication, no API hook.
  metrics_manager = &manager;
  api::MetricsHandler metrics_handler([&metrics_registry] { return metrics_registry.render(); },
                                      server_options.readiness);
  api::ServerOptions metrics_options = server_options;
  metrics_options.max_connections = kMetricsMaxConnections;
  metrics_options.max_connections_per_client =
      std::min(kMetricsMaxConnections, server_options.max_connections_per_client);
  metrics_options.name = "metrics";
  metrics_options.listen = settings.metrics_listen;
  metrics_options.threads = 1;
  metrics_options.handler_threads = 2;
  metrics_options.on_response = nullptr;
  auto metrics_server = api::Server::create(metrics_options, metrics_handler);
  if (!metrics_server.ok()) {
    return fail(metrics_server.status().withContext("METRICS_LISTEN=" + settings.metrics_listen));
  }
  addListenSocket(target_policy, settings.metrics_listen, (*metrics_server)->port(),
                  "metrics listener", local_addresses);
  // --- end metrics ---

  const domain::SnapshotPtr initial = manager.current();
  applier.loadCurrent();
  const bool adopting = daemon.supervisorRunning();
  // 4a. Envoy's inotify budget: one instance per route subscription, per user for the whole host.
  {
    std::vector<pid_t> ours;
    if (adopting) {
      if (auto state = daemon.state(); state.ok() && state->envoy_pid > 0) {
        ours.push_back(state->envoy_pid);
      }
    }
    std::string warning;
    const InotifyBudget budget = readInotifyBudget("/proc", ::geteuid(), ours);
    if (Status st = checkInotifyBudget(budget, settings.max_listener_ports,
                                       settings.max_certificates, &warning);
        !st.ok()) {
      return fail(st);
    }
    if (!warning.empty()) log::warn("the inotify budget is tight", {{"detail", warning}});
  }
  // Adopting an Envoy that serves an older xDS layout (another directory): its bootstrap
  // differs, so daemon.start() hot restarts it onto this one; the new epoch must find every
  // file already there (the old epoch does not watch this directory).
  const bool new_layout = !fs.exists(joinPath(daemon.paths().xds_dir, envoy::kLdsFile));
  if (adopting && new_layout) {
    log::info("the running Envoy serves another xDS layout; moving it by hot restart",
              {{"xds_dir", daemon.paths().xds_dir}});
  }
  if (!adopting || new_layout) {
    if (Status st = fs.makeDirs(daemon.paths().dir, 0700); !st.ok()) return fail(st);
    if (Status st = publisher.writeInitial(initial); !st.ok()) {
      return fail(st.withContext("writing Envoy configuration"));
    }
  }
  if (Status st = daemon.start(); !st.ok()) return fail(st.withContext("starting Envoy"));
  if (daemon.adopted()) {
    if (Status st = publisher.publish(initial); !st.ok()) {
      log::error("the running Envoy did not take the stored configuration; it keeps its own",
                 {{"error", st.message()}});
    }
  }
  auto state = daemon.state();
  log::info("envoy is serving", {{"adopted", daemon.adopted()},
                                 {"supervisor_pid", daemon.supervisorPid()},
                                 {"envoy_pid", state.ok() ? state->envoy_pid : 0},
                                 {"admin", daemon.adminBaseUrl()},
                                 {"ingresses", initial->ingresses().size()}});

  // 4. Serve the API and /metrics.
  if (Status st = (*server)->start(); !st.ok()) return fail(st.withContext("starting the API"));
  if (Status st = (*metrics_server)->start(); !st.ok()) {
    return fail(st.withContext("METRICS_LISTEN=" + settings.metrics_listen));
  }

  // 5. From now on a dead supervisor is replaced (and Envoy with it).
  watchdog.start();
  // Certificates: ACME orders and renewals, answering challenges.
  if (Status st = (*https)->start(); !st.ok()) return fail(st.withContext("HTTPS"));

  // 6. The periodic reconcile: notices instances that moved or vanished at the source (hypeman)
  //    without any API call here, and commits a new snapshot when a resolution changed.
  instances::Reconciler reconciler(clock, settings.instance_reconcile_interval,
                                   [&manager] { return manager.reconcileInstances(); });
  reconciler.start();

  int sig = 0;
  sigwait(&stop_signals, &sig);
  log::info("stop signal received", {{"signal", sig}});
  watchdog.stop();  // first: a stop must not be mistaken for a death
  reconciler.stop();
  (*https)->stop();
  (*server)->stop(std::chrono::seconds(10));
  (*metrics_server)->stop(std::chrono::seconds(1));  // metrics (issue 6)

  if (settings.envoy_stop_on_shutdown) {
    auto timeout = std::chrono::seconds(settings.envoy_parent_shutdown_time_s +
                                        settings.envoy_drain_time_s + 15);
    if (Status st = daemon.stop(timeout); !st.ok()) {
      log::error("envoy did not stop cleanly", {{"error", st.message()}});
      return 1;
    }
    log::info("envoy stopped");
  }
  return 0;
}

}  // namespace ingress::exe
