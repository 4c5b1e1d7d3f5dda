// parseListenAddress (declared in server.h), kept out of the Beast translation unit.
#include <charconv>
#include <string>

#include "api/server.h"

namespace ingress::api {

StatusOr<ListenAddress> parseListenAddress(std::string_view listen) {
  auto bad = [&](std::string_view why) {
    return invalidArgument("listen address \"" + std::string(listen) + "\": " + std::string(why),
                           "bad_request");
  };
  ListenAddress out;
  std::string_view port;
  if (!listen.empty() && listen.front() == '[') {
    size_t close = listen.find(']');
    if (close == std::string_view::npos) return bad("missing ']'");
    out.host = std::string(listen.substr(1, close - 1));
    if (close + 1 >= listen.size() || listen[close + 1] != ':') return bad("missing :port");
    port = listen.substr(close + 2);
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos) return bad("missing :port");
    out.host = std::string(listen.substr(0, colon));
    if (out.host.find(':') != std::string::npos) return bad("IPv6 hosts go in brackets");
    port = listen.substr(colon + 1);
  }
  if (out.host.empty()) return bad("missing host");
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return bad("port must be 0..65535");
  }
  out.port = static_cast<uint16_t>(value);
  return out;
}

}  // namespace ingress::api
