#include "integration/load_harness.h"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>

namespace ingress::testing {
namespace {

using Clock = std::chrono::steady_clock;

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

// Nearest-rank percentile of a sorted sample.
double rank(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto r = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, r == 0 ? 0 : r - 1)];
}

}  // namespace

std::string LoadReport::summary() const {
  std::string s = "sent=" + std::to_string(sent) + " ok=" + std::to_string(ok) +
                  " non_2xx=" + std::to_string(non_2xx) +
                  " connection_errors=" + std::to_string(connection_errors) +
                  " connects=" + std::to_string(connects) +
                  " longest_gap_ms=" + std::to_string(longest_gap.count()) +
                  " p50_ms=" + std::to_string(p50_ms) + " p99_ms=" + std::to_string(p99_ms) +
                  " max_ms=" + std::to_string(max_ms) +
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
      samples_(static_cast<size_t>(workers)) {}

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
  auto& mine = samples_[static_cast<size_t>(index)];
  mine.reserve(1 << 16);
  const auto deadline = started_ + std::chrono::seconds(max_seconds_);
  while (!stop_ && sent_.fetch_add(1) < max_requests_ && Clock::now() < deadline) {
    const auto t0 = Clock::now();
    CURLcode rc = curl_easy_perform(c);
    const auto t1 = Clock::now();
    const auto ms = static_cast<float>(std::chrono::duration<double, std::milli>(t1 - t0).count());
    long status = 0;
    long connects = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
    connects_ += static_cast<uint64_t>(connects);
    if (rc == CURLE_OK && status >= 200 && status < 300) {
      ++ok_;
      mine.push_back({t1, ms, Sample::Outcome::kOk});
      continue;
    }
    mine.push_back(
        {t1, ms, rc == CURLE_OK ? Sample::Outcome::kNon2xx : Sample::Outcome::kConnectionError});
    (rc == CURLE_OK ? non_2xx_ : conn_errors_)++;
    {
      std::lock_guard lock(mu_);
      if (errors_.size() < 5) {
        errors_.push_back(
            target.host + ": " +
            (rc != CURLE_OK ? curl_easy_strerror(rc) : "HTTP " + std::to_string(status)));
      }
    }
    // A refused connect returns in microseconds; retrying at once would spin a core (~40,000
    // connects/s per worker) and starve the very recovery being measured on a 2-core machine.
    // A client's pause of 1 ms keeps the gap's resolution at ~1 ms.
    if (rc != CURLE_OK) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
}

LoadReport LoadHarness::stop() {
  stop_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  const bool ran = !threads_.empty();
  threads_.clear();
  if (ran) ended_ = Clock::now();
  LoadReport r = window(started_, ended_ + std::chrono::nanoseconds(1));
  r.connects = connects_.load();
  std::lock_guard lock(mu_);
  r.first_errors = errors_;
  return r;
}

LoadReport LoadHarness::window(Clock::time_point from, Clock::time_point to) const {
  LoadReport r;
  std::vector<Clock::time_point> ok_at;
  std::vector<double> ms;
  for (const auto& v : samples_) {
    for (const Sample& s : v) {
      if (s.end < from || s.end >= to) continue;
      ++r.sent;
      switch (s.outcome) {
        case Sample::Outcome::kOk:
          ++r.ok;
          ok_at.push_back(s.end);
          ms.push_back(s.ms);
          break;
        case Sample::Outcome::kNon2xx: ++r.non_2xx; break;
        case Sample::Outcome::kConnectionError: ++r.connection_errors; break;
      }
    }
  }
  const Clock::time_point end = std::min(to, ended_);
  r.duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(end - std::max(from, started_));
  std::sort(ok_at.begin(), ok_at.end());
  Clock::time_point prev = std::max(from, started_);
  Clock::duration longest{0};
  for (const auto& t : ok_at) {
    longest = std::max(longest, t - prev);
    prev = t;
  }
  longest = std::max(longest, end - prev);
  r.longest_gap = std::chrono::duration_cast<std::chrono::milliseconds>(longest);
  std::sort(ms.begin(), ms.end());
  r.p50_ms = rank(ms, 50);
  r.p99_ms = rank(ms, 99);
  r.max_ms = ms.empty() ? 0 : ms.back();
  return r;
}

}  // namespace ingress::testing
