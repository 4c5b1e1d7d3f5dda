// The only translation unit that includes Beast (compile time): connection handling, framing,
// limits, timeouts and graceful stop. Routing and everything above it is in router.cc.
#include "api/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/errors.h"
#include "api/request_id.h"
#include "api/router.h"
#include "common/host_port.h"
#include "common/log.h"

namespace ingress::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr size_t kReadChunk = 4096;
// After an error response with Connection: close we keep reading (and discarding) what the
// client still sends for a moment, so that closing does not reset the connection before the
// client has read the response (it may still be sending an oversize body).
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr size_t kMaxLingerBytes = 16 << 20;
// After `grace` has passed in stop(), how long closed connections get to unwind.
constexpr auto kForceCloseWait = std::chrono::milliseconds(500);

class Session;

// What the acceptor and every session share. Owned by Server::Impl, which outlives every
// session: stop() joins all threads and Impl destroys the io_context before this.
struct Shared {
  Shared(const ServerOptions& o, const RequestHandler& h) : options(o), handler(h) {}

  const ServerOptions options;
  const RequestHandler& handler;
  asio::thread_pool* handlers = nullptr;  // set once before start()
  std::atomic<bool> stopping{false};

  std::mutex mu;
  std::condition_variable cv;                                     // signalled on session end
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // guarded by mu
  std::unordered_map<std::string, size_t> per_client;  // guarded by mu: source IP → open
};

// The metrics hook, which must never take the server down.
void reportResponse(const ServerOptions& options, std::string_view method, std::string_view target,
                    int status, std::chrono::nanoseconds elapsed) {
  if (!options.on_response) return;
  try {
    options.on_response(method, target, status, elapsed);
  } catch (const std::exception&) {
  }
}

// "http://host:port/path?q" → "/path?q" (RFC 9112 §3.2.2: absolute-form is routed like
// origin-form; the authority is not checked against anything). Other targets are unchanged.
std::string originForm(std::string_view target) {
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (target.size() < scheme.size() || !beast::iequals(target.substr(0, scheme.size()), scheme)) {
      continue;
    }
    std::string_view rest = target.substr(scheme.size());
    const size_t path = rest.find_first_of("/?#");
    if (path == std::string_view::npos) return "/";
    if (rest[path] == '/') return std::string(rest.substr(path));
    return "/" + std::string(rest.substr(path));
  }
  return std::string(target);
}

// The per-client key: the source IP, IPv4-mapped IPv6 addresses as their IPv4 form.
std::string clientKey(const tcp::endpoint& remote) {
  asio::ip::address a = remote.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  }
  return a.to_string();
}

bool isHttpParseError(const beast::error_code& ec) {
  return ec.category() == beast::http::make_error_code(http::error::bad_method).category();
}

bool iequals(std::string_view a, std::string_view b) { return beast::iequals(a, b); }

// What Beast tolerates but we do not (request smuggling hardening): a repeated or list-valued
// Content-Length (even with equal values), and any transfer coding other than plain "chunked".
template <class Header>
std::string framingProblem(const Header& req) {
  if (req.count(http::field::content_length) > 1) return "duplicate Content-Length";
  if (auto it = req.find(http::field::content_length); it != req.end()) {
    std::string_view v = it->value();
    if (v.empty() || v.find_first_not_of("0123456789") != std::string_view::npos) {
      return "invalid Content-Length";
    }
  }
  if (req.count(http::field::transfer_encoding) > 1) return "duplicate Transfer-Encoding";
  if (auto it = req.find(http::field::transfer_encoding); it != req.end()) {
    if (!iequals(it->value(), "chunked")) return "unsupported Transfer-Encoding";
  }
  return {};
}

// One connection. All members are touched only on the connection's strand; handler-pool jobs
// hold a shared_ptr and post their result back to the strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  // `client` is the per-client key the acceptor counted this connection under.
  Session(tcp::socket socket, Shared& shared, std::string client)
      : stream_(std::move(socket)), shared_(shared), client_(std::move(client)) {}

  ~Session() {
    std::lock_guard lock(shared_.mu);
    shared_.sessions.erase(this);
    if (auto it = shared_.per_client.find(client_); it != shared_.per_client.end()) {
      if (--it->second == 0) shared_.per_client.erase(it);
    }
    shared_.cv.notify_all();
  }

  void start() {
    {
      std::lock_guard lock(shared_.mu);
      shared_.sessions.emplace(this, weak_from_this());
    }
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->waitForRequest(self->shared_.options.request_timeout);
    });
  }

  // Any thread. Closes the connection if no request is in progress on it.
  void closeIfIdle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->phase_ == Phase::kIdle || self->phase_ == Phase::kLingering) self->close();
    });
  }

  // Any thread. Closes the connection whatever it is doing.
  void forceClose() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
  }

 private:
  enum class Phase { kIdle, kReading, kHandling, kWriting, kLingering, kClosed };

  void waitForRequest(std::chrono::milliseconds first_byte_timeout) {
    phase_ = Phase::kIdle;
    if (shared_.stopping) return close();
    if (buffer_.size() > 0) return readHeader();  // pipelined request already buffered
    stream_.expires_after(first_byte_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->close();
                              self->buffer_.commit(n);
                              self->readHeader();
                            });
  }

  void readHeader() {
    phase_ = Phase::kReading;
    request_started_ = std::chrono::steady_clock::now();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(shared_.options.max_header_bytes));
    parser_->body_limit(static_cast<uint64_t>(shared_.options.max_body_bytes));
    // One deadline for the whole request (header, 100-continue, body): slow drip is cut off.
    stream_.expires_after(shared_.options.request_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->onHeader(ec); });
  }

  void onHeader(beast::error_code ec) {
    if (ec) return onReadError(ec);
    const auto& req = parser_->get();
    if (std::string why = framingProblem(req); !why.empty()) {
      return writeError(400, "bad_request", "malformed HTTP request: " + why);
    }
    // RFC 9112 §3.2: a client MUST send Host in HTTP/1.1; a server MUST answer 400 to a request
    // without it or with more than one. Two Authorization headers are ambiguous (which one is
    // checked?), so they are refused too.
    if (req.count(http::field::host) > 1) {
      return writeError(400, "bad_request", "malformed HTTP request: duplicate Host header");
    }
    if (req.version() >= 11 && req.count(http::field::host) == 0) {
      return writeError(400, "bad_request", "malformed HTTP request: missing Host header");
    }
    if (req.count(http::field::authorization) > 1) {
      return writeError(400, "bad_request",
                        "malformed HTTP request: duplicate Authorization header");
    }
    if (!parser_->is_done() && req.version() >= 11 &&
        iequals(req[http::field::expect], "100-continue")) {
      continue_.emplace(http::status::continue_, req.version());
      return http::async_write(stream_, *continue_,
                               [self = shared_from_this()](beast::error_code wec, size_t) {
                                 if (wec) return self->close();
                                 self->readBody();
                               });
    }
    readBody();
  }

  void readBody() {
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->onRequest(ec); });
  }

  void onReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return writeError(
          413, "payload_too_large",
          "request body exceeds " + std::to_string(shared_.options.max_body_bytes) + " bytes");
    }
    if (ec == http::error::header_limit) {
      return writeError(
          431, "header_too_large",
          "request header exceeds " + std::to_string(shared_.options.max_header_bytes) + " bytes");
    }
    if (isHttpParseError(ec) && ec != http::error::end_of_stream &&
        ec != http::error::partial_message) {
      return writeError(400, "bad_request", "malformed HTTP request: " + ec.message());
    }
    close();  // the peer went away, timed out, or a socket error: nobody to answer
  }

  void onRequest(beast::error_code ec) {
    if (ec) return onReadError(ec);
    http::request<http::string_body> req = parser_->release();
    parser_.reset();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    ApiRequest api;
    api.method = std::string(req.method_string());
    api.target = originForm(req.target());
    api.content_type = std::string(req[http::field::content_type]);
    api.authorization = std::string(req[http::field::authorization]);
    api.body = std::move(req.body());
    api.request_id = newRequestId();
    phase_ = Phase::kHandling;
    asio::post(*shared_.handlers, [self = shared_from_this(), api = std::move(api)]() mutable {
      const auto started = std::chrono::steady_clock::now();  // metrics hook
      ApiResponse res;
      try {
        res = self->shared_.handler.handle(api);
      } catch (const std::exception& e) {
        res = errorFromStatus(internalError(std::string("handler threw: ") + e.what()),
                              api.request_id);
      }
      reportResponse(self->shared_.options, api.method, api.target, res.status,
                     std::chrono::steady_clock::now() - started);  // metrics hook
      asio::post(self->stream_.get_executor(),
                 [self, res = std::move(res), id = std::move(api.request_id)]() mutable {
                   self->writeResponse(std::move(res), id);
                 });
    });
  }

  // An answer of the server itself (the router never saw the request); reported to the metrics
  // hook with the method and target as far as they were parsed.
  void writeError(int status, std::string_view code, const std::string& message) {
    std::string method;
    std::string target;
    if (parser_) {  // the start line's parts as far as they were parsed (empty before)
      method = std::string(parser_->get().method_string());
      target = originForm(parser_->get().target());
    }
    reportResponse(shared_.options, method, target, status,
                   std::chrono::steady_clock::now() - request_started_);
    keep_alive_ = false;
    version_ = 11;
    writeResponse(errorResponse(status, code, message), newRequestId());
  }

  void writeResponse(ApiResponse r, const std::string& request_id) {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kWriting;
    res_ = {};
    res_.version(version_ == 10 ? 10 : 11);
    res_.result(static_cast<unsigned>(r.status));
    res_.set(http::field::server, "ingressd");
    res_.set("X-Request-Id", request_id);
    for (const auto& [name, value] : r.headers) res_.set(name, value);
    if (!r.content_type.empty()) res_.set(http::field::content_type, r.content_type);
    if (r.omit_body) {
      res_.content_length(r.body.size());  // HEAD: the size of what GET would send
    } else {
      res_.body() = std::move(r.body);
      if (r.status != 204 && r.status != 304 && r.status >= 200) res_.prepare_payload();
    }
    keep_alive_ = keep_alive_ && !shared_.stopping;
    res_.keep_alive(keep_alive_);
    stream_.expires_after(shared_.options.write_timeout);
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->close();
      if (!self->keep_alive_) return self->lingeringClose();
      self->waitForRequest(self->shared_.options.idle_timeout);
    });
  }

  void lingeringClose() {
    phase_ = Phase::kLingering;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec || shared_.stopping) return close();
    stream_.expires_after(kLingerTime);
    linger_buffer_.resize(kReadChunk);
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(linger_buffer_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kMaxLingerBytes) return self->close();
                              self->drain();
                            });
  }

  void close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  Shared& shared_;
  const std::string client_;
  std::chrono::steady_clock::time_point request_started_ = std::chrono::steady_clock::now();
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  http::response<http::string_body> res_;
  std::vector<char> linger_buffer_;
  size_t lingered_ = 0;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  Phase phase_ = Phase::kIdle;
};

}  // namespace

class Server::Impl {
 public:
  Impl(const ServerOptions& options, std::unique_ptr<Router> own_router,
       const RequestHandler& handler)
      : own_router_(std::move(own_router)),
        shared_(options, handler),
        handlers_(static_cast<size_t>(options.handler_threads)),
        work_(asio::make_work_guard(ioc_)),
        acceptor_(asio::make_strand(ioc_)),
        retry_timer_(acceptor_.get_executor()) {
    shared_.handlers = &handlers_;
  }

  ~Impl() { stop(std::chrono::milliseconds(0)); }

  Status bind(const HostPort& where) {
    beast::error_code ec;
    asio::ip::address address = asio::ip::make_address(where.host, ec);
    if (ec) return invalidArgument("listen host must be an IP address: " + where.host);
    tcp::endpoint endpoint(address, where.port);
    const std::string what = "listening on " + shared_.options.listen + ": ";
    if (acceptor_.open(endpoint.protocol(), ec)) return unavailable(what + ec.message());
    if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec)) {
      return unavailable(what + ec.message());
    }
    if (acceptor_.bind(endpoint, ec)) return unavailable(what + ec.message());
    if (acceptor_.listen(asio::socket_base::max_listen_connections, ec)) {
      return unavailable(what + ec.message());
    }
    port_ = acceptor_.local_endpoint(ec).port();
    return okStatus();
  }

  Status start() {
    if (started_ || stopped_) return failedPrecondition("server already started or stopped");
    started_ = true;
    asio::dispatch(acceptor_.get_executor(), [this] { accept(); });
    for (int i = 0; i < shared_.options.threads; ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
    }
    log::info(shared_.options.name + " listening",
              {{"listen", shared_.options.listen}, {"port", port_}});
    return okStatus();
  }

  void stop(std::chrono::milliseconds grace) {
    if (stopped_) return;
    stopped_ = true;
    shared_.stopping = true;
    if (!started_) {
      beast::error_code ec;
      acceptor_.close(ec);
      return;
    }
    asio::post(acceptor_.get_executor(), [this] {
      beast::error_code ec;
      retry_timer_.cancel();
      acceptor_.close(ec);
    });
    for (const auto& s : liveSessions()) s->closeIfIdle();
    if (!waitForSessions(grace)) {
      for (const auto& s : liveSessions()) s->forceClose();
      waitForSessions(kForceCloseWait);
    }
    work_.reset();
    ioc_.stop();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    handlers_.join();  // a service call cannot be interrupted; its connection is gone already
    log::info(shared_.options.name + " stopped", {{"port", port_}});
  }

  uint16_t port() const { return port_; }

 private:
  void accept() {
    acceptor_.async_accept(asio::make_strand(ioc_),
                           [this](beast::error_code ec, tcp::socket socket) {
                             if (ec == asio::error::operation_aborted || !acceptor_.is_open())
                               return;
                             if (ec) return onAcceptError(ec);
                             accept_failures_ = 0;
                             onAccepted(std::move(socket));
                             accept();
                           });
  }

  // On the acceptor's strand. Out of descriptors (or another accept error): log the first of a
  // streak and then every 100th, back off, and try again; never spin, never exit.
  void onAcceptError(const beast::error_code& ec) {
    const bool no_fds =
        ec == asio::error::no_descriptors ||
        ec == beast::errc::make_error_code(beast::errc::too_many_files_open_in_system);
    if (accept_failures_++ % 100 == 0) {
      log::error(no_fds ? shared_.options.name + ": out of file descriptors, not accepting for now"
                        : shared_.options.name + ": accept failed",
                 {{"error", ec.message()},
                  {"failures", accept_failures_},
                  {"open_connections", openConnections()}});
    }
    retry_timer_.expires_after(no_fds ? std::chrono::milliseconds(100)
                                      : std::chrono::milliseconds(50));
    retry_timer_.async_wait([this](beast::error_code tec) {
      if (!tec) accept();
    });
  }

  size_t openConnections() {
    std::lock_guard lock(shared_.mu);
    return shared_.sessions.size();
  }

  void onAccepted(tcp::socket socket) {
    beast::error_code ec;
    const tcp::endpoint remote = socket.remote_endpoint(ec);
    if (ec) return;  // already gone
    std::string client = clientKey(remote);
    std::string refusal;
    {
      std::lock_guard lock(shared_.mu);
      size_t& mine = shared_.per_client[client];
      if (shared_.sessions.size() >= shared_.options.max_connections) {
        refusal = "the server has " + std::to_string(shared_.options.max_connections) +
                  " connections open, its limit";
      } else if (mine >= shared_.options.max_connections_per_client) {
        refusal = "this client (" + client + ") has " +
                  std::to_string(shared_.options.max_connections_per_client) +
                  " connections open, the limit per client";
      }
      if (refusal.empty()) {
        ++mine;
      } else if (mine == 0) {
        shared_.per_client.erase(client);
      }
    }
    if (!refusal.empty()) return refuse(std::move(socket), client, refusal);
    socket.set_option(tcp::no_delay(true), ec);
    auto session = std::make_shared<Session>(std::move(socket), shared_, std::move(client));
    session->start();
  }

  // 503 written at once on the fresh socket (its send buffer is empty, so a non-blocking write
  // of a few hundred bytes goes out whole), then closed. What the client already sent is read
  // and dropped first, so that the close does not reset the connection under the answer.
  void refuse(tcp::socket socket, const std::string& client, const std::string& why) {
    ++refused_;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_refusal_log_ >= std::chrono::seconds(1)) {
      log::warn(shared_.options.name + ": connection refused, too many connections",
                {{"client", client}, {"reason", why}, {"refused_total", refused_}});
      last_refusal_log_ = now;
    }
    const std::string body =
        errorResponse(503, "too_many_connections", "too many connections: " + why).body;
    const std::string message =
        "HTTP/1.1 503 Service Unavailable\r\nServer: ingressd\r\nX-Request-Id: " + newRequestId() +
        "\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    beast::error_code ec;
    socket.non_blocking(true, ec);
    std::array<char, kReadChunk> sink{};
    socket.read_some(asio::buffer(sink), ec);  // would_block when nothing was sent yet
    socket.write_some(asio::buffer(message), ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    socket.read_some(asio::buffer(sink), ec);
    socket.close(ec);
    reportResponse(shared_.options, {}, {}, 503, std::chrono::nanoseconds(0));
  }

  std::vector<std::shared_ptr<Session>> liveSessions() {
    std::vector<std::weak_ptr<Session>> weak;
    {
      std::lock_guard lock(shared_.mu);
      for (const auto& [ptr, w] : shared_.sessions) weak.push_back(w);
    }
    std::vector<std::shared_ptr<Session>> out;
    for (auto& w : weak) {
      if (auto s = w.lock()) out.push_back(std::move(s));
    }
    return out;
  }

  // True when every session ended within `timeout`. Waits in real time: Asio's own timers
  // (the network deadlines) are real time too.
  bool waitForSessions(std::chrono::milliseconds timeout) {
    std::unique_lock lock(shared_.mu);
    return shared_.cv.wait_for(lock, timeout, [&] { return shared_.sessions.empty(); });
  }

  // Destruction order matters: the pool and the io_context (which may still hold sessions)
  // go before `shared_`, which sessions use in their destructor, and the router goes last.
  std::unique_ptr<Router> own_router_;  // set by the (service, auth) create()
  Shared shared_;
  asio::io_context ioc_;
  asio::thread_pool handlers_;
  // Keeps the I/O threads running while a session's only pending work is a service call on
  // the handler pool (otherwise run() returns once the acceptor is closed in stop()).
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  // Acceptor strand only.
  uint64_t accept_failures_ = 0;
  uint64_t refused_ = 0;
  std::chrono::steady_clock::time_point last_refusal_log_{};
  std::vector<std::thread> threads_;
  bool started_ = false;
  bool stopped_ = false;
  uint16_t port_ = 0;
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

StatusOr<std::unique_ptr<Server>> Server::create(const ServerOptions& options,
                                                 domain::IngressService& service,
                                                 const auth::Authenticator& auth) {
  auto router = std::make_unique<Router>(service, auth, options.readiness, options.certificates);
  const RequestHandler& handler = *router;
  return create(options, std::move(router), handler);
}

StatusOr<std::unique_ptr<Server>> Server::create(const ServerOptions& options,
                                                 const RequestHandler& handler) {
  return create(options, nullptr, handler);
}

StatusOr<std::unique_ptr<Server>> Server::create(const ServerOptions& options,
                                                 std::unique_ptr<Router> own_router,
                                                 const RequestHandler& handler) {
  StatusOr<HostPort> where = parseHostPort(options.listen, {.allow_port_zero = true});
  if (!where.ok()) {
    return invalidArgument(
        "listen address \"" + options.listen + "\": " + std::string(where.status().message()),
        "bad_request");
  }
  if (options.threads < 1 || options.threads > 64) {
    return invalidArgument("threads must be 1..64", "bad_request");
  }
  if (options.handler_threads < 1 || options.handler_threads > 256) {
    return invalidArgument("handler_threads must be 1..256", "bad_request");
  }
  if (options.max_header_bytes < 1024 || options.max_header_bytes > (1u << 20)) {
    return invalidArgument("max_header_bytes must be 1 KiB..1 MiB", "bad_request");
  }
  if (options.max_connections < 1 || options.max_connections > 1'000'000) {
    return invalidArgument("max_connections must be 1..1000000", "bad_request");
  }
  if (options.max_connections_per_client < 1 ||
      options.max_connections_per_client > options.max_connections) {
    return invalidArgument("max_connections_per_client must be 1..max_connections", "bad_request");
  }
  auto impl = std::make_unique<Impl>(options, std::move(own_router), handler);
  INGRESS_RETURN_IF_ERROR(impl->bind(*where));
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Status Server::start() { return impl_->start(); }
uint16_t Server::port() const { return impl_->port(); }
void Server::stop(std::chrono::milliseconds grace) { impl_->stop(grace); }

}  // namespace ingress::api
