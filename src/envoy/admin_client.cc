#include "envoy/admin_client.h"

#include "common/http_client.h"
#include "common/json.h"

namespace ingress::envoy {

AdminClient::AdminClient(std::string base_url, std::chrono::milliseconds timeout)
    : base_url_(std::move(base_url)), timeout_(timeout) {}

StatusOr<std::string> AdminClient::get(const std::string& path_and_query) const {
  INGRESS_ASSIGN_OR_RETURN(HttpResponse r, httpGet(base_url_ + path_and_query, timeout_));
  if (r.status != 200) {
    return unavailable("envoy admin " + path_and_query + " answered " + std::to_string(r.status));
  }
  return std::move(r.body);
}

bool AdminClient::ready() const {
  auto r = httpGet(base_url_ + "/ready", timeout_);
  return r.ok() && r->status == 200;
}

StatusOr<ServerInfo> AdminClient::serverInfo() const {
  INGRESS_ASSIGN_OR_RETURN(std::string body, get("/server_info"));
  auto j = parseJsonStrict(body, 64);
  if (!j.ok()) return unavailable("envoy admin /server_info: " + j.status().message());
  try {
    ServerInfo info;
    info.state = j->at("state").get<std::string>();
    info.version = j->value("version", "");
    const Json& opts = j->at("command_line_options");
    info.restart_epoch = opts.at("restart_epoch").get<uint32_t>();
    // base_id is a string in Envoy's JSON (uint64 → string in proto3 JSON).
    const Json& base = opts.at("base_id");
    info.base_id = base.is_string() ? static_cast<uint32_t>(std::stoul(base.get<std::string>()))
                                    : base.get<uint32_t>();
    info.config_path = opts.at("config_path").get<std::string>();
    return info;
  } catch (const std::exception& e) {
    return unavailable(std::string("envoy admin /server_info: unexpected shape: ") + e.what());
  }
}

StatusOr<uint64_t> AdminClient::stat(const std::string& name) const {
  std::string filter;
  for (char c : name) {
    if (c == '.')
      filter += "\\.";
    else
      filter += c;
  }
  INGRESS_ASSIGN_OR_RETURN(std::string body, get("/stats?usedonly=false&filter=^" + filter + "$"));
  // Lines look like "server.total_connections: 3".
  const std::string prefix = name + ": ";
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string::npos) end = body.size();
    std::string_view line(body.data() + pos, end - pos);
    if (line.substr(0, prefix.size()) == prefix) {
      try {
        return static_cast<uint64_t>(std::stoull(std::string(line.substr(prefix.size()))));
      } catch (const std::exception&) {
        return unavailable("envoy stat " + name + " is not a number");
      }
    }
    pos = end + 1;
  }
  return notFound("envoy has no stat " + name);
}

namespace {

// /stats text ("name: value" lines; text readouts quoted) → name → value.
std::map<std::string, std::string> parseStatsText(const std::string& body) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string::npos) end = body.size();
    std::string_view line(body.data() + pos, end - pos);
    pos = end + 1;
    auto sep = line.find(": ");
    if (sep == std::string_view::npos) continue;
    std::string value(line.substr(sep + 2));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    out.emplace(std::string(line.substr(0, sep)), std::move(value));
  }
  return out;
}
}  // namespace

// Envoy tests `usedonly` for presence: "usedonly=false" still leaves out counters that never
// rose, which callers read as 0.
StatusOr<std::map<std::string, std::string>> AdminClient::statsMatching(
    const std::string& regex) const {
  INGRESS_ASSIGN_OR_RETURN(std::string body,
                           get("/stats?usedonly=false&filter=" + percentEncode(regex)));
  return parseStatsText(body);
}

StatusOr<std::map<std::string, std::string>> AdminClient::textReadoutsMatching(
    const std::string& regex) const {
  INGRESS_ASSIGN_OR_RETURN(std::string body,
                           get("/stats?type=TextReadouts&filter=" + percentEncode(regex)));
  return parseStatsText(body);
}

StatusOr<std::map<std::string, std::string>> parseListenerErrors(const std::string& body) {
  auto j = parseJsonStrict(body, 128);
  if (!j.ok()) return unavailable("envoy admin /config_dump: " + j.status().message());
  std::map<std::string, std::string> out;
  auto take = [&out](const Json& dl) {
    if (!dl.is_object() || !dl.contains("error_state")) return;
    const Json& es = dl["error_state"];
    if (!es.is_object() || !es.contains("details") || !es["details"].is_string()) return;
    out[dl.value("name", "")] = es["details"].get<std::string>();
  };
  // With ?resource= every element of `configs` is one DynamicListener; without it, one
  // ListenersConfigDump holds them in `dynamic_listeners`. Both are accepted.
  if (!j->is_object() || !(*j)["configs"].is_array()) return out;
  for (const Json& c : (*j)["configs"]) {
    if (c.is_object() && c.contains("dynamic_listeners") && c["dynamic_listeners"].is_array()) {
      for (const Json& dl : c["dynamic_listeners"]) take(dl);
    } else {
      take(c);
    }
  }
  return out;
}

StatusOr<std::map<std::string, std::string>> AdminClient::listenerErrors() const {
  INGRESS_ASSIGN_OR_RETURN(std::string body, get("/config_dump?resource=dynamic_listeners"));
  return parseListenerErrors(body);
}

StatusOr<std::set<std::string>> AdminClient::servedCertificateSerials() const {
  INGRESS_ASSIGN_OR_RETURN(std::string body, get("/certs"));
  auto j = parseJsonStrict(body, 16);
  if (!j.ok() || !j->is_object()) return unavailable("/certs did not answer JSON");
  std::set<std::string> out;
  for (const auto& c : j->value("certificates", Json::array())) {
    if (!c.is_object()) continue;
    for (const auto& link : c.value("cert_chain", Json::array())) {
      if (link.is_object() && link.contains("serial_number") && link["serial_number"].is_string()) {
        out.insert(link["serial_number"].get<std::string>());
      }
    }
  }
  return out;
}

Status AdminClient::drainListenersGracefully() const {
  HttpRequest req;
  req.method = "POST";
  req.url = base_url_ + "/drain_listeners?graceful";
  req.timeout = timeout_;
  INGRESS_ASSIGN_OR_RETURN(HttpResponse r, httpCall(req));
  if (r.status != 200) return unavailable("drain_listeners answered " + std::to_string(r.status));
  return okStatus();
}

}  // namespace ingress::envoy
