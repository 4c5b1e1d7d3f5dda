// A keep-alive HTTP/1.1 client looping GETs against one URL on a thread (libcurl, one reused
// connection), counting successes and failures. Bounded: stops at stop() or after max_requests.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ingress::testing {

class LoadClient {
 public:
  explicit LoadClient(std::string url, std::string host_header = {},
                      uint64_t max_requests = 2'000'000);
  ~LoadClient();
  void start();
  void stop();
  uint64_t ok() const { return ok_.load(); }
  uint64_t failed() const { return failed_.load(); }
  // New TCP connections the client had to open (1 when keep-alive held throughout).
  uint64_t connects() const { return connects_.load(); }
  std::vector<std::string> errors() const;  // the first few failures, for messages

 private:
  void run();
  std::string url_;
  std::string host_header_;
  uint64_t max_requests_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> ok_{0};
  std::atomic<uint64_t> failed_{0};
  std::atomic<uint64_t> connects_{0};
  mutable std::mutex mu_;
  std::vector<std::string> errors_;
  std::thread thread_;
};

}  // namespace ingress::testing
