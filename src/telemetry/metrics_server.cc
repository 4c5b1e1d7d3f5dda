#include "telemetry/metrics_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/host_port.h"
#include "common/log.h"

namespace ingress::telemetry {
namespace {

using Clock = std::chrono::steady_clock;

std::string response(int code, std::string_view reason, std::string_view content_type,
                     const std::string& body, bool head_only, std::string_view extra = {}) {
  std::string out = "HTTP/1.1 " + std::to_string(code) + " " + std::string(reason) + "\r\n";
  out += "Content-Type: " + std::string(content_type) + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += extra;
  out += "Connection: close\r\n\r\n";
  if (!head_only) out += body;
  return out;
}

int remainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

void setNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

}  // namespace

std::string metricsResponse(std::string_view head, const MetricsServer::Render& render) {
  const std::string_view text_plain = "text/plain; charset=utf-8";
  auto eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol == std::string_view::npos ? head.size() : eol);
  auto sp1 = line.find(' ');
  auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos || sp1 == 0 ||
      line.find(' ', sp2 + 1) != std::string_view::npos ||
      line.substr(sp2 + 1).substr(0, 7) != "HTTP/1.") {
    return response(400, "Bad Request", text_plain, "bad request\n", false);
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view path = target.substr(0, target.find('?'));
  const bool head_only = method == "HEAD";
  if (path != "/metrics") return response(404, "Not Found", text_plain, "not found\n", head_only);
  if (method != "GET" && !head_only) {
    return response(405, "Method Not Allowed", text_plain, "method not allowed\n", false,
                    "Allow: GET, HEAD\r\n");
  }
  std::string body;
  try {
    body = render();
  } catch (const std::exception& e) {
    log::error("rendering metrics failed", {{"error", e.what()}});
    return response(500, "Internal Server Error", text_plain, "internal error\n", head_only);
  }
  return response(200, "OK", "text/plain; version=0.0.4; charset=utf-8", body, head_only);
}

StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::create(
    const MetricsServerOptions& options, Render render) {
  const std::string& l = options.listen;
  StatusOr<HostPort> hp = parseHostPort(l, {.allow_port_zero = true});
  if (!hp.ok()) {
    return invalidArgument("metrics listen address \"" + l + "\": " +
                           std::string(hp.status().message()));
  }
  const std::string& host = hp->host;
  const uint16_t port = hp->port;
  const bool v6 = isIpv6Literal(host);
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family = AF_INET;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    if (::inet_pton(AF_INET6, host.c_str(), &a->sin6_addr) != 1) {
      return invalidArgument("metrics listen host must be an IP address: " + l);
    }
    family = AF_INET6;
    len = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    if (::inet_pton(AF_INET, host.c_str(), &a->sin_addr) != 1) {
      return invalidArgument("metrics listen host must be an IP address: " + l);
    }
    len = sizeof(sockaddr_in);
  }
  int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errnoError("metrics socket", errno);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 64) != 0) {
    int err = errno;
    ::close(fd);
    return unavailable("listening on " + l + ": " + std::strerror(err));
  }
  sockaddr_storage bound{};
  socklen_t blen = sizeof bound;
  uint16_t actual = 0;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &blen) == 0) {
    actual = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                      : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  }
  setNonBlocking(fd);
  return std::unique_ptr<MetricsServer>(new MetricsServer(options, std::move(render), fd, actual));
}

MetricsServer::MetricsServer(MetricsServerOptions options, Render render, int listen_fd,
                             uint16_t port)
    : options_(std::move(options)), render_(std::move(render)), listen_fd_(listen_fd),
      port_(port) {}

MetricsServer::~MetricsServer() {
  stop();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

Status MetricsServer::start() {
  if (started_ || stopped_) return failedPrecondition("metrics server already started or stopped");
  if (::pipe2(wake_fds_, O_CLOEXEC | O_NONBLOCK) != 0) return errnoError("pipe", errno);
  started_ = true;
  thread_ = std::thread([this] { run(); });
  log::info("metrics listening", {{"listen", options_.listen}, {"port", port_}});
  return okStatus();
}

void MetricsServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (!started_) return;
  char c = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fds_[1], &c, 1);
  if (thread_.joinable()) thread_.join();
  ::close(wake_fds_[0]);
  ::close(wake_fds_[1]);
}

void MetricsServer::run() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fds_[0], POLLIN, 0}};
    int r = ::poll(fds, 2, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      log::error("metrics poll failed", {{"error", std::strerror(errno)}});
      return;
    }
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of resources: back off instead of spinning (and keep watching for stop).
        pollfd wake = {wake_fds_[0], POLLIN, 0};
        if (::poll(&wake, 1, 50) > 0) return;
      }
      continue;
    }
    try {
      serve(fd);
    } catch (const std::exception& e) {
      log::warn("metrics request failed", {{"error", e.what()}});
    }
    ::close(fd);
  }
}

void MetricsServer::serve(int fd) {
  std::string buf;
  const auto read_deadline = Clock::now() + options_.read_timeout;
  std::string out;
  for (;;) {
    if (auto end = buf.find("\r\n\r\n"); end != std::string::npos) {
      out = metricsResponse(std::string_view(buf).substr(0, end + 4), render_);
      break;
    }
    if (buf.size() >= options_.max_request_bytes) {
      out = response(431, "Request Header Fields Too Large", "text/plain; charset=utf-8",
                     "request header too large\n", false);
      break;
    }
    pollfd p = {fd, POLLIN, 0};
    int left = remainingMs(read_deadline);
    if (left == 0) {
      if (buf.empty()) return;  // nothing sent: just close
      out = response(408, "Request Timeout", "text/plain; charset=utf-8", "request timeout\n",
                     false);
      break;
    }
    int r = ::poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;  // timeout: handled at the top of the loop
    char chunk[2048];
    size_t want = std::min(sizeof chunk, options_.max_request_bytes - buf.size());
    ssize_t n = ::recv(fd, chunk, want, 0);
    if (n == 0) return;  // peer closed
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      return;
    }
    buf.append(chunk, static_cast<size_t>(n));
  }
  const auto write_deadline = Clock::now() + options_.write_timeout;
  size_t sent = 0;
  while (sent < out.size()) {
    ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return;
    int left = remainingMs(write_deadline);
    if (left == 0) return;
    pollfd p = {fd, POLLOUT, 0};
    ::poll(&p, 1, left);
  }
  ::shutdown(fd, SHUT_WR);
  // Drain briefly so closing with unread request bytes does not reset the response away.
  const auto linger_deadline = Clock::now() + std::chrono::milliseconds(200);
  char sink[1024];
  for (size_t drained = 0; drained < (64u << 10);) {
    pollfd p = {fd, POLLIN, 0};
    int left = remainingMs(linger_deadline);
    if (left == 0 || ::poll(&p, 1, left) <= 0) return;
    ssize_t n = ::recv(fd, sink, sizeof sink, 0);
    if (n <= 0) return;
    drained += static_cast<size_t>(n);
  }
}

}  // namespace ingress::telemetry
