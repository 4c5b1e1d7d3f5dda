// ingressctl: command-line client of ingressd's REST API. This file only parses arguments
// (CLI11 is included here alone, for compile time) and wires the real HTTP client, filesystem
// and clock into runCommand(); everything testable lives in the ingress_cli library.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string>

#include "cli/run.h"
#include "common/clock.h"
#include "common/filesystem.h"
#include "common/http_client.h"

#ifndef INGRESS_VERSION
#define INGRESS_VERSION "unknown"
#endif

namespace {

using ingress::cli::CommandKind;
using ingress::cli::Invocation;

ingress::StatusOr<std::string> readStdin() {
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  if (std::cin.bad()) return ingress::internalError("reading stdin failed");
  return text;
}

void addOutputFlag(CLI::App* cmd, Invocation& inv, std::string& output) {
  cmd->add_option("-o,--output", output, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->each([&inv](const std::string& v) { inv.command.json_output = v == "json"; });
}

void setKind(CLI::App* cmd, Invocation& inv, CommandKind kind) {
  cmd->callback([&inv, kind] { inv.command.kind = kind; });
}

}  // namespace

int main(int argc, char** argv) {
  Invocation inv;
  if (const char* secret = std::getenv("JWT_SECRET")) inv.auth.jwt_secret = secret;
  std::string output;  // -o; its value is copied into inv.command.json_output

  CLI::App app{"ingressctl: manage ingresses, instances and certificates of ingressd",
               "ingressctl"};
  app.set_version_flag("--version", std::string("ingressctl ") + INGRESS_VERSION);
  app.require_subcommand(1);
  // Global options are also accepted after the subcommand: `ingressctl list --api host:port`.
  app.fallthrough();
  app.add_option("--api", inv.api, "ingressd API: host:port, http(s)://host:port or unix:/path")
      ->envname("API_LISTEN")
      ->capture_default_str();
  app.add_option("--token", inv.auth.token, "Bearer token (default: mint a 5-minute token)")
      ->envname("INGRESS_TOKEN");
  app.add_option("--secret-file", inv.auth.secret_file,
                 "Signing secret to mint tokens with (default: DATA_DIR/api-secret or "
                 "$JWT_SECRET)");
  app.add_option("--data-dir", inv.auth.data_dir, "ingressd data directory")
      ->envname("DATA_DIR")
      ->capture_default_str();

  auto& cmd = inv.command;
  CLI::App* create = app.add_subcommand("create", "Create an ingress (one rule, or -f FILE)");
  create->add_option("name", cmd.create.name, "Ingress name");
  const auto flagged = [&cmd](auto&&) { cmd.create_flags = true; };
  create->add_option("--host", cmd.create.hostname, "Hostname to match")->each(flagged);
  create
      ->add_option_function<int>(
          "--port", [&cmd](const int& port) { cmd.create.port = port; },
          "Port to match (default 80, or 443 with --tls)")
      ->check(CLI::Range(1, 65535))
      ->each(flagged);
  create->add_option("--instance", cmd.create.instance, "Target instance")->each(flagged);
  create->add_option("--target-port", cmd.create.target_port, "Target port")
      ->check(CLI::Range(1, 65535))
      ->each(flagged);
  create
      ->add_flag("--tls", cmd.create.tls,
                 "Serve the hostname over TLS (a certificate from ACME "
                 "or an uploaded one: see `certs`)")
      ->each(flagged);
  create
      ->add_flag("--redirect-http", cmd.create.redirect_http,
                 "Answer plain HTTP for the hostname (on HTTP_PORT, 80) with a redirect to "
                 "HTTPS (needs --tls)")
      ->each(flagged);
  create->add_option("-f,--file", cmd.file, "Full ingress JSON document ('-' for stdin)");
  addOutputFlag(create, inv, output);
  setKind(create, inv, CommandKind::kCreate);

  CLI::App* list = app.add_subcommand("list", "List ingresses");
  addOutputFlag(list, inv, output);
  setKind(list, inv, CommandKind::kList);

  CLI::App* get = app.add_subcommand("get", "Show one ingress");
  get->add_option("id", cmd.key, "Ingress ID or name")->required();
  addOutputFlag(get, inv, output);
  setKind(get, inv, CommandKind::kGet);

  CLI::App* del = app.add_subcommand("delete", "Delete an ingress");
  del->add_option("id", cmd.key, "Ingress ID or name")->required();
  setKind(del, inv, CommandKind::kDelete);

  CLI::App* instances = app.add_subcommand("instances", "Manage the instance registry");
  instances->require_subcommand(1);
  instances->fallthrough();
  CLI::App* iset = instances->add_subcommand("set", "Register or update an instance's IP");
  iset->add_option("name", cmd.key, "Instance name")->required();
  iset->add_option("ip", cmd.ip, "Instance IP address")->required();
  addOutputFlag(iset, inv, output);
  setKind(iset, inv, CommandKind::kInstancesSet);
  CLI::App* ilist = instances->add_subcommand("list", "List instances");
  addOutputFlag(ilist, inv, output);
  setKind(ilist, inv, CommandKind::kInstancesList);
  CLI::App* iget = instances->add_subcommand("get", "Show one instance");
  iget->add_option("name", cmd.key, "Instance name")->required();
  addOutputFlag(iget, inv, output);
  setKind(iget, inv, CommandKind::kInstancesGet);
  CLI::App* idel = instances->add_subcommand("delete", "Remove an instance");
  idel->add_option("name", cmd.key, "Instance name")->required();
  setKind(idel, inv, CommandKind::kInstancesDelete);

  CLI::App* certs = app.add_subcommand("certs", "Manage TLS certificates");
  certs->require_subcommand(1);
  certs->fallthrough();
  CLI::App* clist = certs->add_subcommand("list", "List certificates (uploaded and from ACME)");
  addOutputFlag(clist, inv, output);
  setKind(clist, inv, CommandKind::kCertsList);
  CLI::App* cget = certs->add_subcommand("get", "Show one certificate");
  cget->add_option("name", cmd.key, "Certificate name")->required();
  addOutputFlag(cget, inv, output);
  setKind(cget, inv, CommandKind::kCertsGet);
  CLI::App* cput = certs->add_subcommand(
      "put", "Upload or replace a certificate with its key (the key is never shown)");
  cput->add_option("name", cmd.key, "Certificate name")->required();
  cput->add_option("--cert", cmd.cert_file, "PEM certificate chain, leaf first ('-' for stdin)")
      ->required();
  cput->add_option("--key", cmd.key_file, "PEM private key ('-' for stdin)")->required();
  addOutputFlag(cput, inv, output);
  setKind(cput, inv, CommandKind::kCertsPut);
  CLI::App* cdel = certs->add_subcommand("delete", "Delete an uploaded certificate");
  cdel->add_option("name", cmd.key, "Certificate name")->required();
  setKind(cdel, inv, CommandKind::kCertsDelete);

  CLI::App* token = app.add_subcommand("token", "Print a JWT signed with the API secret");
  token
      ->add_option("--ttl", cmd.ttl,
                   "Lifetime, e.g. 30m, 1h, 7d (ingressd accepts up to its TOKEN_MAX_LIFETIME, "
                   "30d by default)")
      ->capture_default_str();
  token->add_option("--sub", cmd.subject, "Subject claim")->capture_default_str();
  setKind(token, inv, CommandKind::kToken);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // prints help, version or the parse error
    return rc == 0 ? ingress::cli::kExitOk : ingress::cli::kExitUsage;
  }

  ingress::initHttpClientGlobal();
  ingress::FilesystemImpl fs;
  ingress::ClockImpl clock;
  ingress::cli::CliContext context{
      .http = [](const ingress::HttpRequest& r) { return ingress::httpCall(r); },
      .fs = fs,
      .now = clock.now(),
      .read_stdin = readStdin,
      .out = std::cout,
      .err = std::cerr,
      .user_agent = std::string("ingressctl/") + INGRESS_VERSION,
  };
  return ingress::cli::runCommand(inv, context);
}
