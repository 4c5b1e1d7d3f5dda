// LoadHarness: constant HTTP/1.1 keep-alive load through Envoy at several hosts while a scenario
// runs. Each worker thread owns one keep-alive connection (libcurl easy handle) and loops GETs
// against one host of the list (round-robin assignment). Bounded: stops at stop(), after
// `max_seconds`, or after `max_requests` in total.
//
// Reports requests sent, 2xx, non-2xx, connection errors, new connections opened, latency
// percentiles of the successful requests, and the longest gap during which no worker got a
// successful response (computed from every success timestamp, so a stall of all workers at once
// shows even when each worker recovers). After stop(), window() reports any time span of the
// run, so one set of connections can be measured across phases.
//
// Why a small C++ client rather than wrk/h2load: the scenarios need per-request outcomes, the
// longest gap without success, and a Host header per worker, assertable inside the test.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ingress::testing {

struct LoadTarget {
  std::string url;   // http://127.0.0.1:PORT/path
  std::string host;  // Host header
};

struct LoadReport {
  uint64_t sent = 0;
  uint64_t ok = 0;
  uint64_t non_2xx = 0;
  uint64_t connection_errors = 0;
  uint64_t connects = 0;
  std::chrono::milliseconds longest_gap{0};
  std::chrono::milliseconds duration{0};
  double p50_ms = 0;  // latency of the successful requests
  double p99_ms = 0;
  double max_ms = 0;
  std::vector<std::string> first_errors;
  uint64_t failed() const { return non_2xx + connection_errors; }
  std::string summary() const;
};

class LoadHarness {
 public:
  LoadHarness(std::vector<LoadTarget> targets, int workers = 4, int max_seconds = 300,
              uint64_t max_requests = 50'000'000);
  ~LoadHarness();
  void start();
  LoadReport stop();
  uint64_t okSoFar() const { return ok_.load(); }
  // After stop(): the requests that ended in [from, to) (connects and first_errors not split).
  LoadReport window(std::chrono::steady_clock::time_point from,
                    std::chrono::steady_clock::time_point to) const;

 private:
  struct Sample {
    std::chrono::steady_clock::time_point end;
    float ms;
    enum class Outcome : uint8_t { kOk, kNon2xx, kConnectionError } outcome;
  };
  void worker(int index);

  std::vector<LoadTarget> targets_;
  int workers_;
  int max_seconds_;
  uint64_t max_requests_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> sent_{0};
  std::atomic<uint64_t> ok_{0};
  std::atomic<uint64_t> non_2xx_{0};
  std::atomic<uint64_t> conn_errors_{0};
  std::atomic<uint64_t> connects_{0};
  std::chrono::steady_clock::time_point started_;
  mutable std::mutex mu_;
  std::vector<std::vector<Sample>> samples_;  // per worker, every request
  std::chrono::steady_clock::time_point ended_;
  std::vector<std::string> errors_;
  std::vector<std::thread> threads_;
};

}  // namespace ingress::testing
