#include "integration/load_harness.h"

#include <curl/curl.h>

#include <algorithm>

namespace ingress::testing {
namespace {

using Clock = std::chrono::steady_clock;

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

}  // namespace

std::string LoadReport::summary() const {
  std::string s = "sent=" + std::to_string(sent) + " ok=" + std::to_string(ok) +
                  " non_2xx=" + std::to_string(non_2xx) +
                  " connection_errors=" + std::to_string(connection_errors) +
                  " connects=" + std::to_string(connects) +
                  " longest_gap_ms=" + std::to_string(longest_gap.count()) +
                  " duration_ms=" + std::to_string(duration.count());
  for (const auto& e : first_errors) s += " [" + e + "]";
  return s;
}

LoadHarness::LoadHarness(std::vector<LoadTarget> targets, int workers, int max_seconds,
                         uint64_t max_requests)
    : targets_(std::move(targets)),
      workers_(workers),
      max_seconds_(max_seconds),
      max_requests_(max_requests),
      successes_(static_cast<size_t>(workers)) {}

LoadHarness::~LoadHarness() { stop(); }

void LoadHarness::start() {
  started_ = Clock::now();
  for (int i = 0; i < workers_; ++i) threads_.emplace_back([this, i] { worker(i); });
}

void LoadHarness::worker(int index) {
  const LoadTarget& target = targets_[static_cast<size_t>(index) % targets_.size()];
  CURL* c = curl_easy_init();
  curl_slist* headers = curl_slist_append(nullptr, ("Host: " + target.host).c_str());
  curl_easy_setopt(c, CURLOPT_URL, target.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &discard);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  auto& mine = successes_[static_cast<size_t>(index)];
  mine.reserve(1 << 16);
  const auto deadline = started_ + std::chrono::seconds(max_seconds_);
  while (!stop_ && sent_.fetch_add(1) < max_requests_ && Clock::now() < deadline) {
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    long connects = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
    connects_ += static_cast<uint64_t>(connects);
    if (rc == CURLE_OK && status >= 200 && status < 300) {
      ++ok_;
      mine.push_back(Clock::now());
      continue;
    }
    (rc == CURLE_OK ? non_2xx_ : conn_errors_)++;
    std::lock_guard lock(mu_);
    if (errors_.size() < 5) {
      errors_.push_back(
          target.host + ": " +
          (rc != CURLE_OK ? curl_easy_strerror(rc) : "HTTP " + std::to_string(status)));
    }
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
}

LoadReport LoadHarness::stop() {
  stop_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  LoadReport r;
  const auto ended = Clock::now();
  r.ok = ok_.load();
  r.non_2xx = non_2xx_.load();
  r.connection_errors = conn_errors_.load();
  r.sent = r.ok + r.non_2xx + r.connection_errors;
  r.connects = connects_.load();
  r.duration = std::chrono::duration_cast<std::chrono::milliseconds>(ended - started_);
  std::vector<Clock::time_point> all;
  for (const auto& v : successes_) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  Clock::time_point prev = started_;
  Clock::duration longest{0};
  for (const auto& t : all) {
    longest = std::max(longest, t - prev);
    prev = t;
  }
  if (!threads_.empty()) longest = std::max(longest, ended - prev);
  threads_.clear();
  r.longest_gap = std::chrono::duration_cast<std::chrono::milliseconds>(longest);
  std::lock_guard lock(mu_);
  r.first_errors = errors_;
  return r;
}

}  // namespace ingress::testing
