#include "cli/run.h"

#include "auth/jwt.h"
#include "cli/endpoint.h"
#include "cli/format.h"
#include "common/json.h"

namespace ingress::cli {
namespace {

StatusOr<std::string> readDocument(const std::string& file, const Filesystem& fs,
                                   const std::function<StatusOr<std::string>()>& read_stdin) {
  if (file == "-") {
    if (!read_stdin) return invalidArgument("reading stdin is not available");
    INGRESS_ASSIGN_OR_RETURN(std::string text, read_stdin());
    if (text.size() > kMaxDocumentBytes) return invalidArgument("stdin document is too large");
    return text;
  }
  return fs.readFileLimited(file, kMaxDocumentBytes);
}

StatusOr<ApiRequest> createRequest(const Command& c, const Filesystem& fs,
                                   const std::function<StatusOr<std::string>()>& read_stdin) {
  if (!c.file.empty()) {
    if (!c.create.name.empty() || c.create_flags) {
      return invalidArgument("give either -f FILE or NAME with --host/--instance/--target-port");
    }
    INGRESS_ASSIGN_OR_RETURN(std::string text, readDocument(c.file, fs, read_stdin));
    return createIngressRequestFromDocument(text);
  }
  return createIngressRequest(c.create);
}

StatusOr<ApiRequest> putCertificate(const Command& c, const Filesystem& fs,
                                    const std::function<StatusOr<std::string>()>& read_stdin) {
  if (c.cert_file.empty()) return invalidArgument("--cert FILE is required");
  if (c.key_file.empty()) return invalidArgument("--key FILE is required");
  if (c.cert_file == "-" && c.key_file == "-") {
    return invalidArgument("--cert and --key cannot both be '-': stdin holds one file");
  }
  StatusOr<std::string> chain = readDocument(c.cert_file, fs, read_stdin);
  if (!chain.ok()) return chain.status().withContext("--cert");
  StatusOr<std::string> key = readDocument(c.key_file, fs, read_stdin);
  if (!key.ok()) return key.status().withContext("--key");
  return putCertificateRequest(c.key, *chain, *key);
}

int fail(CliContext& ctx, int code, std::string_view message) {
  ctx.err << "error: " << message << "\n";
  return code;
}

// "GET http://x/y: Couldn't connect" → "Couldn't connect": the endpoint is named already.
std::string transportReason(const Status& st) {
  const std::string& m = st.message();
  const size_t pos = m.find(": ");
  return pos == std::string::npos ? m : m.substr(pos + 2);
}

void printBody(const Command& c, const HttpResponse& response, CliContext& ctx) {
  if (response.status == 204 || response.body.empty()) {
    if (c.kind == CommandKind::kDelete) ctx.out << "ingress " << c.key << " deleted\n";
    if (c.kind == CommandKind::kInstancesDelete) ctx.out << "instance " << c.key << " deleted\n";
    if (c.kind == CommandKind::kCertsDelete) ctx.out << "certificate " << c.key << " deleted\n";
    return;
  }
  StatusOr<Json> j = parseJsonStrict(response.body, 64);
  if (!j.ok()) {
    // Not JSON: show it as it came rather than hide it.
    ctx.out << response.body;
    if (response.body.back() != '\n') ctx.out << "\n";
    return;
  }
  if (c.json_output) {
    ctx.out << dumpJson(*j, 2) << "\n";
    return;
  }
  switch (c.kind) {
    case CommandKind::kInstancesSet:
    case CommandKind::kInstancesList:
    case CommandKind::kInstancesGet: ctx.out << formatInstanceTable(*j); return;
    case CommandKind::kDelete: ctx.out << "ingress " << c.key << " deleted\n"; return;
    case CommandKind::kInstancesDelete: ctx.out << "instance " << c.key << " deleted\n"; return;
    case CommandKind::kCertsList:
    case CommandKind::kCertsGet:
    case CommandKind::kCertsPut: ctx.out << formatCertificateTable(*j); return;
    case CommandKind::kCertsDelete: ctx.out << "certificate " << c.key << " deleted\n"; return;
    default: ctx.out << formatIngressTable(*j); return;
  }
}

int runToken(const Invocation& inv, CliContext& ctx) {
  StatusOr<std::chrono::seconds> ttl = parseTtl(inv.command.ttl);
  if (!ttl.ok()) return fail(ctx, kExitUsage, ttl.status().message());
  if (inv.command.subject.empty()) return fail(ctx, kExitUsage, "--sub must not be empty");
  StatusOr<std::string> secret = loadSigningSecret(inv.auth, ctx.fs);
  if (!secret.ok()) return fail(ctx, kExitUsage, secret.status().message());
  ctx.out << mintCliToken(*secret, inv.command.subject, ctx.now, *ttl) << "\n";
  if (*ttl > auth::kDefaultTokenMaxLifetime) {
    // Still printed: the daemon's TOKEN_MAX_LIFETIME may have been raised.
    ctx.err << "warning: ingressd refuses tokens living longer than TOKEN_MAX_LIFETIME ("
            << auth::kDefaultTokenMaxLifetime.count()
            << " s by default); this one works only if it was raised\n";
  }
  return kExitOk;
}

}  // namespace

StatusOr<ApiRequest> requestForCommand(const Command& c, const Filesystem& fs,
                                       const std::function<StatusOr<std::string>()>& read_stdin) {
  switch (c.kind) {
    case CommandKind::kCreate: return createRequest(c, fs, read_stdin);
    case CommandKind::kList: return listIngressesRequest();
    case CommandKind::kGet: return getIngressRequest(c.key);
    case CommandKind::kDelete: return deleteIngressRequest(c.key);
    case CommandKind::kInstancesSet: return putInstanceRequest(c.key, c.ip);
    case CommandKind::kInstancesList: return listInstancesRequest();
    case CommandKind::kInstancesGet: return getInstanceRequest(c.key);
    case CommandKind::kInstancesDelete: return deleteInstanceRequest(c.key);
    case CommandKind::kCertsList: return listCertificatesRequest();
    case CommandKind::kCertsGet: return getCertificateRequest(c.key);
    case CommandKind::kCertsPut: return putCertificate(c, fs, read_stdin);
    case CommandKind::kCertsDelete: return deleteCertificateRequest(c.key);
    case CommandKind::kToken:
    case CommandKind::kNone: break;
  }
  return invalidArgument("no API command given");
}

int runCommand(const Invocation& inv, CliContext& ctx) {
  if (inv.command.kind == CommandKind::kToken) return runToken(inv, ctx);

  StatusOr<ApiEndpoint> endpoint = parseApiEndpoint(inv.api);
  if (!endpoint.ok()) return fail(ctx, kExitUsage, endpoint.status().message());
  StatusOr<ApiRequest> request = requestForCommand(inv.command, ctx.fs, ctx.read_stdin);
  if (!request.ok()) return fail(ctx, kExitUsage, request.status().message());
  StatusOr<std::string> token = resolveBearerToken(inv.auth, ctx.fs, ctx.now);
  if (!token.ok()) return fail(ctx, kExitUsage, token.status().message());

  HttpRequest http;
  http.method = request->method;
  http.url = buildUrl(*endpoint, request->path);
  http.unix_socket = endpoint->unix_socket;
  http.timeout = kRequestTimeout;
  http.headers = {{"Authorization", "Bearer " + *token},
                  {"Accept", "application/json"},
                  {"User-Agent", ctx.user_agent}};
  if (request->body) {
    http.body = *request->body;
    http.headers.emplace_back("Content-Type", "application/json");
  }

  StatusOr<HttpResponse> response = ctx.http(http);
  if (!response.ok()) {
    if (response.status().code() == StatusCode::kUnavailable) {
      return fail(ctx, kExitUnreachable,
                  "cannot reach ingressd at " + endpoint->display + ": " +
                      transportReason(response.status()));
    }
    return fail(ctx, kExitApiError, response.status().message());
  }
  if (response->status < 200 || response->status > 299) {
    return fail(ctx, kExitApiError, describeApiError(response->status, response->body));
  }
  printBody(inv.command, *response, ctx);
  return kExitOk;
}

}  // namespace ingress::cli
