#include "cli/format.h"

#include <algorithm>

namespace ingress::cli {
namespace {

constexpr std::string_view kColumnGap = "   ";
constexpr size_t kMaxErrorExcerpt = 200;

std::string sanitize(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  return out;
}

// The text of a cell: strings as they are, numbers and booleans printed, absent values "-".
std::string cell(const Json& j) {
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    return s.empty() ? "-" : sanitize(s);
  }
  if (j.is_null() || j.is_discarded()) return "-";
  return sanitize(dumpJson(j));
}

const Json& field(const Json& object, std::string_view key) {
  static const Json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

// An array as is, a single object as a one-element list, anything else as empty.
std::vector<const Json*> items(const Json& j) {
  std::vector<const Json*> out;
  if (j.is_array()) {
    for (const Json& e : j) out.push_back(&e);
  } else if (j.is_object()) {
    out.push_back(&j);
  }
  return out;
}

std::string targetCell(const Json& target) {
  const Json& instance = field(target, "instance");
  const Json& port = field(target, "port");
  if (instance.is_null() && port.is_null()) return "-";
  return cell(instance) + ":" + cell(port);
}

// A list of strings joined with ",": dns_names, serving. "-" when absent or empty.
std::string listCell(const Json& j) {
  if (!j.is_array()) return cell(j);
  std::string out;
  for (const Json& e : j) {
    if (!out.empty()) out += ',';
    out += cell(e);
  }
  return out.empty() ? "-" : out;
}

// A rule is TLS when it says so, or when the server shows a certificate for it.
std::string tlsCell(const Json& rule) {
  const Json& certificate = field(rule, "certificate");
  const bool tls = field(rule, "tls") == Json(true) || certificate.is_object();
  if (!tls) return "-";
  const Json& state = field(certificate, "state");
  std::string out = state.is_string() ? cell(state) : std::string("tls");
  if (field(rule, "redirect_http") == Json(true)) out += "+redirect";
  return out;
}

}  // namespace

std::string formatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += kColumnGap;
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size(), ' ');
    }
    out += line;
    out += '\n';
  }
  return out;
}

std::string formatIngressTable(const Json& ingresses) {
  std::vector<std::vector<std::string>> rows = {
      {"ID", "NAME", "HOSTNAME", "PORT", "TLS", "TARGET", "STATUS", "CREATED"}};
  for (const Json* ingress : items(ingresses)) {
    const std::string id = cell(field(*ingress, "id"));
    const std::string name = cell(field(*ingress, "name"));
    const std::string created = cell(field(*ingress, "created_at"));
    const Json& rules = field(*ingress, "rules");
    if (!rules.is_array() || rules.empty()) {
      rows.push_back({id, name, "-", "-", "-", "-", "-", created});
      continue;
    }
    for (const Json& rule : rules) {
      const Json& match = field(rule, "match");
      rows.push_back({id, name, cell(field(match, "hostname")), cell(field(match, "port")),
                      tlsCell(rule), targetCell(field(rule, "target")), cell(field(rule, "status")),
                      created});
    }
  }
  return formatTable(rows);
}

std::string formatInstanceTable(const Json& instances) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "IP"}};
  for (const Json* instance : items(instances)) {
    rows.push_back({cell(field(*instance, "name")), cell(field(*instance, "ip"))});
  }
  return formatTable(rows);
}

std::string formatCertificateTable(const Json& certificates) {
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "SOURCE", "NAMES", "EXPIRES", "SERIAL", "SERVING"}};
  for (const Json* c : items(certificates)) {
    rows.push_back({cell(field(*c, "name")), cell(field(*c, "source")),
                    listCell(field(*c, "dns_names")), cell(field(*c, "not_after")),
                    cell(field(*c, "serial")), listCell(field(*c, "serving"))});
  }
  return formatTable(rows);
}

std::string describeApiError(long http_status, std::string_view body) {
  const std::string fallback_code = "HTTP " + std::to_string(http_status);
  StatusOr<Json> j = parseJsonStrict(body);
  if (j.ok() && j->is_object()) {
    const Json& message = field(*j, "message");
    const Json& code = field(*j, "code");
    if (message.is_string() || code.is_string()) {
      return (message.is_string() ? sanitize(message.get_ref<const std::string&>())
                                  : std::string("request failed")) +
             " (" +
             (code.is_string() ? sanitize(code.get_ref<const std::string&>()) : fallback_code) +
             ")";
    }
  }
  std::string excerpt(body.substr(0, std::min(body.size(), kMaxErrorExcerpt)));
  while (!excerpt.empty() &&
         (excerpt.back() == '\n' || excerpt.back() == ' ' || excerpt.back() == '\r')) {
    excerpt.pop_back();
  }
  if (excerpt.empty()) return "request failed (" + fallback_code + ")";
  return sanitize(excerpt) + " (" + fallback_code + ")";
}

}  // namespace ingress::cli
