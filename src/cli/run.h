// Executes one parsed ingressctl command: builds the request, authenticates, calls the API and
// prints the answer. main.cc only parses arguments (CLI11) and wires the real HTTP client,
// filesystem and clock in; tests pass fakes through CliContext.
//
// Exit codes (scripts rely on them):
//   kExitOk 0; kExitApiError 1 (the server answered non-2xx: "error: <message> (<code>)");
//   kExitUsage 2 (bad arguments or no credentials; nothing was sent);
//   kExitUnreachable 3 ("cannot reach ingressd at HOST:PORT: ...").
// Not thread-safe (writes to the streams in the context); one call per process.
#pragma once

#include <chrono>
#include <functional>
#include <ostream>
#include <string>

#include "cli/endpoint.h"
#include "cli/requests.h"
#include "cli/token.h"
#include "common/filesystem.h"
#include "common/http_client.h"
#include "common/status.h"

namespace ingress::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitApiError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;

// Creating an ingress waits for Envoy to accept the new configuration: allow for that.
inline constexpr std::chrono::milliseconds kRequestTimeout{30000};
inline constexpr size_t kMaxDocumentBytes = 1 << 20;

enum class CommandKind {
  kNone,
  kCreate,
  kList,
  kGet,
  kDelete,
  kInstancesSet,
  kInstancesList,
  kInstancesGet,
  kInstancesDelete,
  kCertsList,
  kCertsGet,
  kCertsPut,
  kCertsDelete,
  kToken,
};

struct Command {
  CommandKind kind = CommandKind::kNone;
  std::string key;            // ID|NAME of an ingress, an instance or a certificate NAME
  std::string ip;             // instances set
  CreateRuleArgs create;      // create with flags
  bool create_flags = false;  // any of the rule flags (--host, --port, --tls, ...) was given
  std::string file;           // create -f; "-" is stdin
  std::string cert_file;      // certs put --cert (PEM chain); "-" is stdin
  std::string key_file;       // certs put --key (PEM private key); "-" is stdin
  bool json_output = false;   // -o json
  std::string ttl = "1h";     // token --ttl
  std::string subject = std::string(kDefaultTokenSubject);  // token --sub
};

struct Invocation {
  std::string api = std::string(kDefaultApi);  // --api / API_LISTEN
  AuthOptions auth;
  Command command;
};

struct CliContext {
  std::function<StatusOr<HttpResponse>(const HttpRequest&)> http;
  const Filesystem& fs;
  std::chrono::system_clock::time_point now;
  // All of stdin, for `create -f -` and `certs put --cert -` / `--key -`.
  std::function<StatusOr<std::string>()> read_stdin;
  std::ostream& out;
  std::ostream& err;
  std::string user_agent = "ingressctl";
};

// The REST request for an API command (reads the document for `create -f`, the PEM files for
// `certs put`, each at most kMaxDocumentBytes; stdin for one of them at most). kInvalidArgument
// for a usage error; file errors as the Filesystem reports them, naming the flag. Never prints:
// the `certs put` body holds the private key.
StatusOr<ApiRequest> requestForCommand(const Command& command, const Filesystem& fs,
                                       const std::function<StatusOr<std::string>()>& read_stdin);

// Runs the command; returns the process exit code.
int runCommand(const Invocation& invocation, CliContext& context);

}  // namespace ingress::cli
