// RouteConfiguration resources (envoy.config.route.v3.RouteConfiguration), one per port, in
// protobuf's binary wire format: Envoy picks its parser by the file's extension, and parses
// `.pb` several times faster than JSON (docs/benchmarks.md). Each virtual host is serialized on
// its own with Envoy's generated messages (ingress_envoy_proto); a table is its header fields
// followed by the serialized hosts, each as one `virtual_hosts` field: the wire format lets a
// repeated message field be written as consecutive length-delimited records, so joining bytes
// is the same as serializing the whole message. The file (a DiscoveryResponse holding the table
// as an Any) is assembled the same way.
#include "envoy/route_builder.h"

#include <google/protobuf/util/json_util.h>

#include "envoy/config/route/v3/route.pb.h"
#include "envoy/service/discovery/v3/discovery.pb.h"

namespace ingress::envoy {
namespace {

namespace route = ::envoy::config::route::v3;
namespace discovery = ::envoy::service::discovery::v3;

constexpr char kRouteType[] = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

void appendVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// One length-delimited field (wire type 2): tag, length, bytes.
void appendField(std::string& out, int field, std::string_view bytes) {
  appendVarint(out, (static_cast<uint64_t>(field) << 3) | 2);
  appendVarint(out, bytes.size());
  out.append(bytes);
}

void addChallengeRoute(route::VirtualHost& vh) {
  route::Route* r = vh.add_routes();
  r->mutable_match()->set_prefix(kAcmeChallengePrefix);
  r->mutable_route()->set_cluster(kAcmeCluster);
}

// The `*` host: 404 for any hostname without an ingress (after the ACME challenge route on
// http_port: a challenge for a name not routed yet still reaches the daemon).
const std::string& notFoundHost(bool challenge) {
  static const auto encode = [](bool with_challenge) {
    route::VirtualHost vh;
    vh.set_name("no_ingress");
    vh.add_domains(std::string("*"));
    if (with_challenge) addChallengeRoute(vh);
    route::Route* r = vh.add_routes();
    r->mutable_match()->set_prefix("/");
    r->mutable_direct_response()->set_status(404);
    r->mutable_direct_response()->mutable_body()->set_inline_string(kNotFoundBody);
    return vh.SerializeAsString();
  };
  static const std::string plain = encode(false), with_challenge = encode(true);
  return challenge ? with_challenge : plain;
}

}  // namespace

std::string encodeVirtualHost(const PlannedVirtualHost& planned) {
  route::VirtualHost vh;
  vh.set_name("host_" + planned.hostname);
  vh.add_domains(planned.hostname);
  for (const auto& r : planned.routes) {
    if (r.kind == PlannedRoute::Kind::kChallenge) {
      addChallengeRoute(vh);
      continue;
    }
    route::Route* out = vh.add_routes();
    out->mutable_match()->set_prefix(r.prefix);
    if (!r.unless_chain.empty()) {
      // Present and not equal to this chain's id (a missing header: not on a certificate's
      // chain, e.g. the default chain, which removes it). Two matchers, both must hold.
      auto* present = out->mutable_match()->add_headers();
      present->set_name(kChainHeader);
      present->set_present_match(true);
      auto* other = out->mutable_match()->add_headers();
      other->set_name(kChainHeader);
      other->mutable_string_match()->set_exact(r.unless_chain);
      other->set_invert_match(true);
    }
    switch (r.kind) {
      case PlannedRoute::Kind::kForward:
        out->mutable_route()->set_cluster(r.target);
        // timeout 0s (set, not absent): no limit on the whole response (long polls, streams,
        // websockets).
        out->mutable_route()->mutable_timeout();
        break;
      case PlannedRoute::Kind::kRedirect: {
        auto* redirect = out->mutable_redirect();
        redirect->set_https_redirect(true);
        // 443 is https's default: left out, the Location has no port (http_port's listener
        // strips the request's port, listener_builder.cc).
        if (r.https_port != 443) redirect->set_port_redirect(r.https_port);
        // 308 keeps the method and body (Envoy's default is 301).
        redirect->set_response_code(route::RedirectAction::PERMANENT_REDIRECT);
        break;
      }
      case PlannedRoute::Kind::kDirectResponse:
        out->mutable_direct_response()->set_status(r.status);
        out->mutable_direct_response()->mutable_body()->set_inline_string(r.body);
        break;
      case PlannedRoute::Kind::kChallenge: break;
    }
  }
  return vh.SerializeAsString();
}

RouteTablePtr assembleRouteTable(uint16_t port, const std::vector<std::string_view>& encoded_hosts,
                                 TableOptions options) {
  auto t = std::make_shared<RouteTable>();
  t->port = port;
  t->virtual_hosts = encoded_hosts.size();
  route::RouteConfiguration head;
  head.set_name(listenerName(port));
  head.set_ignore_port_in_host_matching(true);
  // The chain header is ours (set by each TLS chain for the 421 route): never sent upstream.
  if (options.tls) head.add_request_headers_to_remove(kChainHeader);
  std::string out = head.SerializeAsString();
  const std::string& fallback = notFoundHost(options.challenge);
  size_t size = out.size() + fallback.size() + 16;
  for (const auto& h : encoded_hosts) size += h.size() + 16;
  out.reserve(size);
  for (const auto& h : encoded_hosts) {
    appendField(out, route::RouteConfiguration::kVirtualHostsFieldNumber, h);
  }
  appendField(out, route::RouteConfiguration::kVirtualHostsFieldNumber, fallback);
  t->version = contentVersion(out);
  t->resource = std::move(out);
  return t;
}

Json RouteTable::json() const {
  route::RouteConfiguration rc;
  if (!rc.ParseFromString(resource)) return Json();
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(rc, &text, options).ok()) return Json();
  auto j = parseJsonStrict(text, 64);
  if (!j.ok()) return Json();
  (*j)["@type"] = kRouteType;
  return *j;
}

std::string routeFileContent(const RouteTable& table) {
  std::string any;
  any.reserve(table.resource.size() + sizeof kRouteType + 16);
  appendField(any, google::protobuf::Any::kTypeUrlFieldNumber, kRouteType);
  appendField(any, google::protobuf::Any::kValueFieldNumber, table.resource);
  std::string out;
  out.reserve(any.size() + table.version.size() + 16);
  appendField(out, discovery::DiscoveryResponse::kVersionInfoFieldNumber, table.version);
  appendField(out, discovery::DiscoveryResponse::kResourcesFieldNumber, any);
  return out;
}

StatusOr<RouteTablePtr> parseRouteFile(uint16_t port, const std::string& content) {
  discovery::DiscoveryResponse file;
  if (!file.ParseFromString(content) || file.resources_size() != 1 ||
      file.resources(0).type_url() != kRouteType) {
    return invalidArgument("not a route file of one RouteConfiguration");
  }
  route::RouteConfiguration rc;
  if (!rc.ParseFromString(file.resources(0).value())) {
    return invalidArgument("the route file's RouteConfiguration does not parse");
  }
  auto t = std::make_shared<RouteTable>();
  t->port = port;
  t->version = file.version_info();
  t->resource = file.resources(0).value();
  t->virtual_hosts = rc.virtual_hosts_size() > 0 ? rc.virtual_hosts_size() - 1 : 0;
  return RouteTablePtr(std::move(t));
}

TableOptions tableOptions(const PlannedPort& port) { return {port.tls, port.challenge}; }

std::map<uint16_t, RouteTablePtr> buildRouteTables(const RoutingPlan& plan) {
  std::map<uint16_t, RouteTablePtr> out;
  for (const auto& [port, planned] : plan.ports) {
    std::vector<std::string> encoded;
    encoded.reserve(planned.hosts.size());
    for (const auto& vh : planned.hosts) encoded.push_back(encodeVirtualHost(vh));
    out[port] = assembleRouteTable(port, {encoded.begin(), encoded.end()}, tableOptions(planned));
  }
  return out;
}

}  // namespace ingress::envoy
