#include "ingress/codec.h"

#include <initializer_list>
#include <optional>
#include <string>

#include "ingress/ids.h"
#include "ingress/timestamp.h"
#include "ingress/validation.h"

namespace ingress::domain {
namespace {

Status bad(std::string_view field, std::string_view problem) {
  return invalidArgument(std::string(field) + ": " + std::string(problem), "bad_request");
}

std::string fieldPath(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : std::string(parent) + "." + std::string(key);
}

// A client-chosen key, made safe to put into a message: printable ASCII only, bounded length.
std::string printableKey(std::string_view key) {
  std::string out;
  for (char c : key.substr(0, 64)) {
    auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  if (key.size() > 64) out += "...";
  return out;
}

Status typeError(std::string_view field, std::string_view expected, const Json& got) {
  return bad(field,
             "expected " + std::string(expected) + ", got " + std::string(jsonTypeName(got)));
}

// `j` must be an object with no keys outside `allowed`.
Status checkObject(const Json& j, std::string_view path,
                   std::initializer_list<std::string_view> allowed) {
  if (!j.is_object()) return typeError(path.empty() ? "body" : path, "object", j);
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || key == a;
    if (!known) return bad(fieldPath(path, printableKey(key)), "unknown field");
  }
  return okStatus();
}

const Json* member(const Json& obj, std::string_view key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

// An optional boolean member: false when absent.
StatusOr<bool> optionalBool(const Json& obj, std::string_view key, std::string_view path) {
  const Json* v = member(obj, key);
  if (v == nullptr) return false;
  if (!v->is_boolean()) return typeError(fieldPath(path, key), "boolean", *v);
  return v->get<bool>();
}

StatusOr<std::string> requiredString(const Json& obj, std::string_view key, std::string_view path) {
  const std::string field = fieldPath(path, key);
  const Json* v = member(obj, key);
  if (v == nullptr) return bad(field, "is required");
  if (!v->is_string()) return typeError(field, "string", *v);
  return v->get<std::string>();
}

const Json* requiredObject(const Json& obj, std::string_view key) { return member(obj, key); }

// A port: a JSON integer in 1..65535. Absent means `fallback`, or "is required" without one.
StatusOr<uint16_t> readPort(const Json& obj, std::string_view key, std::string_view path,
                            std::optional<uint16_t> fallback) {
  const std::string field = fieldPath(path, key);
  const Json* v = member(obj, key);
  if (v == nullptr) {
    if (fallback) return *fallback;
    return bad(field, "is required");
  }
  if (!v->is_number_integer()) return typeError(field, "integer", *v);
  if (v->is_number_unsigned() && v->get<uint64_t>() > 65535) {
    return validatePort(65536, field);
  }
  const int64_t port = v->get<int64_t>();
  INGRESS_RETURN_IF_ERROR(validatePort(port, field));
  return static_cast<uint16_t>(port);
}

StatusOr<Rule> decodeRule(const Json& j, const std::string& path) {
  INGRESS_RETURN_IF_ERROR(checkObject(j, path, {"match", "target", "tls", "redirect_http"}));
  Rule rule;
  INGRESS_ASSIGN_OR_RETURN(rule.tls, optionalBool(j, "tls", path));
  INGRESS_ASSIGN_OR_RETURN(rule.redirect_http, optionalBool(j, "redirect_http", path));
  const std::string match_path = path + ".match";
  const Json* match = requiredObject(j, "match");
  if (match == nullptr) return bad(match_path, "is required");
  INGRESS_RETURN_IF_ERROR(checkObject(*match, match_path, {"hostname", "port"}));
  INGRESS_ASSIGN_OR_RETURN(rule.match.hostname, requiredString(*match, "hostname", match_path));
  INGRESS_ASSIGN_OR_RETURN(rule.match.port,
                           readPort(*match, "port", match_path, kDefaultMatchPort));
  const std::string target_path = path + ".target";
  const Json* target = requiredObject(j, "target");
  if (target == nullptr) return bad(target_path, "is required");
  INGRESS_RETURN_IF_ERROR(checkObject(*target, target_path, {"instance", "port"}));
  INGRESS_ASSIGN_OR_RETURN(rule.target.instance, requiredString(*target, "instance", target_path));
  INGRESS_ASSIGN_OR_RETURN(rule.target.port, readPort(*target, "port", target_path, std::nullopt));
  return rule;
}

// The "name" and "rules" members shared by the request and the stored form.
Status decodeNameAndRules(const Json& j, std::string& name, std::vector<Rule>& rules) {
  INGRESS_ASSIGN_OR_RETURN(name, requiredString(j, "name", ""));
  const Json* list = member(j, "rules");
  if (list == nullptr) return bad("rules", "is required");
  if (!list->is_array()) return typeError("rules", "array", *list);
  // Checked before decoding so that a huge array costs nothing.
  if (list->size() > kMaxRules) {
    return bad("rules", "at most " + std::to_string(kMaxRules) + " rules are allowed");
  }
  rules.clear();
  for (size_t i = 0; i < list->size(); ++i) {
    INGRESS_ASSIGN_OR_RETURN(Rule rule, decodeRule((*list)[i], rulePath(i)));
    rules.push_back(std::move(rule));
  }
  return okStatus();
}

Json encodeRule(const Rule& rule) {
  return Json{{"match", {{"hostname", rule.match.hostname}, {"port", rule.match.port}}},
              {"target", {{"instance", rule.target.instance}, {"port", rule.target.port}}},
              {"tls", rule.tls},
              {"redirect_http", rule.redirect_http}};
}

Status checkVersion(const Json& j) {
  const Json* v = member(j, "version");
  if (v == nullptr) return bad("version", "is required");
  if (!v->is_number_integer()) return typeError("version", "integer", *v);
  if (*v != kStoreFormatVersion) return bad("version", "unsupported store format version");
  return okStatus();
}

}  // namespace

StatusOr<IngressSpec> decodeIngressSpec(const Json& body) {
  INGRESS_RETURN_IF_ERROR(checkObject(body, "", {"name", "rules"}));
  IngressSpec spec;
  INGRESS_RETURN_IF_ERROR(decodeNameAndRules(body, spec.name, spec.rules));
  return spec;
}

const char* certificateStateName(CertificateStatus::State state) {
  switch (state) {
    case CertificateStatus::State::kPending: return "pending";
    case CertificateStatus::State::kActive: return "active";
    case CertificateStatus::State::kRenewing: return "renewing";
    case CertificateStatus::State::kFailed: return "failed";
  }
  return "pending";
}

Json encodeCertificateStatus(const CertificateStatus& c) {
  Json j{{"state", certificateStateName(c.state)}, {"source", c.source}};
  if (!c.id.empty()) j["id"] = c.id;
  if (!c.serial.empty()) j["serial"] = c.serial;
  if (c.expires_at) j["expires_at"] = formatTimestamp(*c.expires_at);
  if (!c.last_error.empty()) j["last_error"] = c.last_error;
  if (c.last_error_at) j["last_error_at"] = formatTimestamp(*c.last_error_at);
  if (c.next_attempt_at) j["next_attempt_at"] = formatTimestamp(*c.next_attempt_at);
  return j;
}

Json encodeIngressView(const IngressView& view) {
  const Ingress& ing = view.ingress;
  Json rules = Json::array();
  for (size_t i = 0; i < ing.rules.size(); ++i) {
    Json r = encodeRule(ing.rules[i]);
    const bool unresolved =
        i < view.rule_status.size() && view.rule_status[i].state == RuleStatus::State::kUnresolved;
    r["status"] = unresolved ? "unresolved" : "active";
    if (unresolved) r["reason"] = view.rule_status[i].reason;
    if (i < view.rule_status.size() && view.rule_status[i].certificate) {
      r["certificate"] = encodeCertificateStatus(*view.rule_status[i].certificate);
    }
    rules.push_back(std::move(r));
  }
  return Json{{"id", ing.id},
              {"name", ing.name},
              {"rules", std::move(rules)},
              {"created_at", formatTimestamp(ing.created_at)}};
}

Json encodeStoredIngress(const Ingress& ingress) {
  Json rules = Json::array();
  for (const Rule& rule : ingress.rules) rules.push_back(encodeRule(rule));
  return Json{{"version", kStoreFormatVersion},
              {"id", ingress.id},
              {"name", ingress.name},
              {"created_at", formatTimestamp(ingress.created_at)},
              {"rules", std::move(rules)}};
}

StatusOr<Ingress> decodeStoredIngress(const Json& j) {
  INGRESS_RETURN_IF_ERROR(checkObject(j, "", {"version", "id", "name", "created_at", "rules"}));
  INGRESS_RETURN_IF_ERROR(checkVersion(j));
  Ingress ingress;
  INGRESS_ASSIGN_OR_RETURN(ingress.id, requiredString(j, "id", ""));
  if (!isValidId(ingress.id)) {
    return bad("id", "must be 24 lowercase letters or digits, starting with a letter");
  }
  IngressSpec spec;
  INGRESS_RETURN_IF_ERROR(decodeNameAndRules(j, spec.name, spec.rules));
  INGRESS_RETURN_IF_ERROR(validateIngressSpec(spec));
  ingress.name = std::move(spec.name);
  ingress.rules = std::move(spec.rules);
  INGRESS_ASSIGN_OR_RETURN(std::string created, requiredString(j, "created_at", ""));
  INGRESS_ASSIGN_OR_RETURN(ingress.created_at, parseTimestamp(created, "created_at"));
  return ingress;
}

StatusOr<Instance> decodeInstanceSpec(std::string_view name, const Json& body) {
  INGRESS_RETURN_IF_ERROR(checkObject(body, "", {"ip"}));
  Instance instance;
  instance.name = std::string(name);
  INGRESS_ASSIGN_OR_RETURN(instance.ip, requiredString(body, "ip", ""));
  INGRESS_RETURN_IF_ERROR(validateInstance(instance));
  return instance;
}

Json encodeInstance(const Instance& instance) {
  return Json{{"name", instance.name}, {"ip", instance.ip}};
}

Json encodeStoredInstance(const Instance& instance) {
  return Json{{"version", kStoreFormatVersion}, {"name", instance.name}, {"ip", instance.ip}};
}

StatusOr<Instance> decodeStoredInstance(const Json& j) {
  INGRESS_RETURN_IF_ERROR(checkObject(j, "", {"version", "name", "ip"}));
  INGRESS_RETURN_IF_ERROR(checkVersion(j));
  Instance instance;
  INGRESS_ASSIGN_OR_RETURN(instance.name, requiredString(j, "name", ""));
  INGRESS_ASSIGN_OR_RETURN(instance.ip, requiredString(j, "ip", ""));
  INGRESS_RETURN_IF_ERROR(validateInstance(instance));
  return instance;
}

}  // namespace ingress::domain
