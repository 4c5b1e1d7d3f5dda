#include "integration/load_client.h"

#include <curl/curl.h>

namespace ingress::testing {
namespace {

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

}  // namespace

LoadClient::LoadClient(std::string url, std::string host_header, uint64_t max_requests)
    : url_(std::move(url)), host_header_(std::move(host_header)), max_requests_(max_requests) {}

LoadClient::~LoadClient() { stop(); }

void LoadClient::start() { thread_ = std::thread([this] { run(); }); }

void LoadClient::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::vector<std::string> LoadClient::errors() const {
  std::lock_guard lock(mu_);
  return errors_;
}

void LoadClient::run() {
  CURL* c = curl_easy_init();
  curl_slist* headers = nullptr;
  if (!host_header_.empty()) headers = curl_slist_append(headers, ("Host: " + host_header_).c_str());
  curl_easy_setopt(c, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &discard);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  for (uint64_t i = 0; i < max_requests_ && !stop_; ++i) {
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    long connects = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
    connects_ += static_cast<uint64_t>(connects);
    if (rc == CURLE_OK && status >= 200 && status < 300) {
      ++ok_;
      continue;
    }
    ++failed_;
    std::lock_guard lock(mu_);
    if (errors_.size() < 5) {
      errors_.push_back(rc != CURLE_OK ? curl_easy_strerror(rc)
                                       : "HTTP " + std::to_string(status));
    }
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
}

}  // namespace ingress::testing
