// A raw-socket HTTP/1.1 client for server tests: send exactly the bytes a test wants (broken
// framing, slow drip, oversize bodies) and read one response. Blocking, with poll() deadlines.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ingress::api::testing {

struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  // Value of the first header `name` (lowercase); nullopt when absent.
  std::optional<std::string> header(std::string_view name) const;
};

class RawConnection {
 public:
  // Connects to 127.0.0.1:port; ok() is false when that failed.
  explicit RawConnection(uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool ok() const { return fd_ >= 0; }
  // False if the peer closed or reset the connection.
  bool send(std::string_view data);
  // Reads one response (Content-Length or chunked-free body; no body for 204).
  std::optional<RawResponse> readResponse(
      std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // True when the server closed the connection (EOF or reset) within `timeout`.
  bool closedByPeer(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  void close();

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);  // reads more into buffer_
  int fd_ = -1;
  std::string buffer_;
};

// One request over a fresh connection; nullopt when no response came back.
std::optional<RawResponse> rawRequest(uint16_t port, std::string_view request,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(5));

// "METHOD target HTTP/1.1" with Host, optional bearer token and JSON body, Connection: close.
std::string buildRequest(std::string_view method, std::string_view target,
                         std::string_view token = {}, std::optional<std::string> json_body = {},
                         std::string_view content_type = "application/json");

}  // namespace ingress::api::testing
