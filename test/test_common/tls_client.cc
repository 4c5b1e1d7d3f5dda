#include "test_common/tls_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/bn.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace ingress::testing {
namespace {

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t collectHeader(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  std::string lower = line;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower.rfind("location:", 0) == 0) {
    std::string v = line.substr(9);
    while (!v.empty() && (v.front() == ' ')) v.erase(0, 1);
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n')) v.pop_back();
    *static_cast<std::string*>(out) = v;
  }
  return size * n;
}

std::string serialOf(X509* cert) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr);
  char* hex = BN_bn2hex(bn);
  std::string s(hex);
  OPENSSL_free(hex);
  BN_free(bn);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

TlsSession::TlsSession(TlsSessionOptions options) : options_(std::move(options)) {
  curl_ = curl_easy_init();
}

TlsSession::~TlsSession() {
  if (resolve_ != nullptr) curl_slist_free_all(static_cast<curl_slist*>(resolve_));
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

StatusOr<TlsResponse> TlsSession::get(const std::string& host, const std::string& path) {
  CURL* c = static_cast<CURL*>(curl_);
  const std::string port = std::to_string(options_.port);
  const std::string url_host = !options_.send_sni          ? "127.0.0.1"
                               : options_.sni_host.empty() ? host
                                                           : options_.sni_host;
  if (resolve_ == nullptr && options_.send_sni) {
    resolve_ = curl_slist_append(nullptr, (url_host + ":" + port + ":127.0.0.1").c_str());
  }
  TlsResponse out;
  std::string location;
  curl_slist* headers = curl_slist_append(nullptr, ("Host: " + host).c_str());
  curl_easy_setopt(c, CURLOPT_URL, ("https://" + url_host + ":" + port + path).c_str());
  if (resolve_ != nullptr) curl_easy_setopt(c, CURLOPT_RESOLVE, static_cast<curl_slist*>(resolve_));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION,
                   options_.http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
  if (options_.ca_file.empty()) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  } else {
    curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  }
  curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, options_.timeout_ms);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collectHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &location);
  const CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    return unavailable(std::string("GET https://") + url_host + ":" + port + path + ": " +
                       curl_easy_strerror(rc));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &out.new_connections);
  long version = 0;
  curl_easy_getinfo(c, CURLINFO_HTTP_VERSION, &version);
  out.http_version = version == CURL_HTTP_VERSION_2_0 ? 2 : 11;
  out.location = location;
  curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_CERTINFO, &info) == CURLE_OK && info != nullptr &&
      info->num_of_certs > 0) {
    for (curl_slist* s = info->certinfo[0]; s != nullptr; s = s->next) {
      std::string line = s->data;
      if (line.rfind("Serial Number:", 0) != 0) continue;
      std::string v;
      for (char ch : line.substr(14)) {
        if (std::isxdigit(static_cast<unsigned char>(ch))) {
          v.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
        }
      }
      // Whole leading zero bytes go, as in BN_bn2hex (what Envoy's /certs prints).
      while (v.size() > 2 && v.compare(0, 2, "00") == 0) v.erase(0, 2);
      out.serial = v;
    }
  }
  return out;
}

StatusOr<std::string> servedSerial(int port, const std::string& sni) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string result;
  Status error;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    error = unavailable("connect to port " + std::to_string(port) + " failed");
  } else {
    SSL_set_fd(ssl, fd);
    if (!sni.empty()) SSL_set_tlsext_host_name(ssl, sni.c_str());
    if (SSL_connect(ssl) != 1) {
      error = unavailable("TLS handshake with port " + std::to_string(port) + " failed");
    } else if (X509* cert = SSL_get1_peer_certificate(ssl); cert != nullptr) {
      result = serialOf(cert);
      X509_free(cert);
    } else {
      error = unavailable("no certificate presented");
    }
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  ::close(fd);
  if (!error.ok()) return error;
  return result;
}

}  // namespace ingress::testing
