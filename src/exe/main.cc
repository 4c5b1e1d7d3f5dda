// ingressd: the ingress manager daemon.
//   ingressd serve                          API + manager (configured from the environment)
//   ingressd envoy-supervisor --data-dir D  Envoy's long-lived parent (started by serve)
//   ingressd --version
#include <CLI/CLI.hpp>
#include <iostream>

#include "common/clock.h"
#include "common/filesystem.h"
#include "common/http_client.h"
#include "common/log.h"
#include "common/process.h"
#include "envoy/embedded_envoy.h"
#include "envoy/supervisor.h"
#include "exe/serve.h"
#include "exe/settings.h"

#ifndef INGRESS_VERSION
#define INGRESS_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  CLI::App app{"ingressd: routes HTTP traffic to VM instances through Envoy"};
  app.require_subcommand(0, 1);
  bool version = false;
  app.add_flag("--version", version, "Print the ingressd and embedded Envoy versions");

  auto* serve = app.add_subcommand("serve", "Run the API and keep Envoy serving");
  auto* supervisor = app.add_subcommand("envoy-supervisor", "Run as Envoy's parent (internal)");
  std::string data_dir;
  supervisor->add_option("--data-dir", data_dir, "Data directory of the installation")->required();
  CLI11_PARSE(app, argc, argv);

  if (version) {
    const auto& envoy = ingress::envoy::embeddedEnvoy();
    std::cout << "ingressd " << INGRESS_VERSION << "\n"
              << "envoy " << envoy.version << " (" << envoy.arch << ", sha256 " << envoy.sha256
              << ")\n";
    return 0;
  }
  if (*serve) {
    auto settings = ingress::exe::loadSettings(ingress::exe::processEnvironment());
    if (!settings.ok()) {
      ingress::log::error("invalid configuration", {{"error", settings.status().message()}});
      std::cerr << "ingressd: " << settings.status().message() << "\n";
      return 2;
    }
    return ingress::exe::runServe(*settings);
  }
  if (*supervisor) {
    ingress::initHttpClientGlobal();
    ingress::ClockImpl clock;
    ingress::FilesystemImpl fs;
    ingress::ProcessLauncherImpl processes;
    // Before every spawn: the embedded Envoy's extracted copy exists and is intact (re-extracted
    // otherwise); an ENVOY_BINARY of the operator's must exist.
    ingress::envoy::BinaryGuard guard(fs, data_dir, ingress::envoy::embeddedEnvoy());
    auto before_spawn = [&](const ingress::envoy::LaunchSpec& launch) -> ingress::Status {
      if (launch.envoy_binary == guard.path()) return guard.ensure().status();
      if (!fs.exists(launch.envoy_binary)) {
        return ingress::notFound("ENVOY_BINARY \"" + launch.envoy_binary + "\" does not exist");
      }
      return ingress::okStatus();
    };
    return ingress::envoy::runSupervisor(data_dir, fs, processes, clock, before_spawn);
  }
  std::cout << app.help();
  return 2;
}
