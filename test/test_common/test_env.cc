#include "test_common/test_env.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace ingress::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/ingress-test.XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {

// One folder for every test process on the host, whatever their TMPDIR.
constexpr const char* kPortClaims = "/tmp/ingress-test-ports";

// True when a listener could bind `port` on 0.0.0.0 now (SO_REUSEADDR, as Envoy binds).
bool bindable(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_ANY);
  a.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

bool claimPort(int port) {
  ::mkdir(kPortClaims, 01777);
  ::chmod(kPortClaims, 01777);
  const std::string path = std::string(kPortClaims) + "/" + std::to_string(port);
  // CLOEXEC: the daemons a test starts must not keep the claim after the test exits. The
  // descriptor stays open (the claim held) until this process exits; flock locks belong to the
  // open file, so a second claim of the same port from this process fails too.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) return false;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return false;
  }
  return bindable(port);
}

bool waitToClaimPort(int port, std::chrono::milliseconds timeout) {
  return pollUntil([&] { return claimPort(port); }, timeout, std::chrono::milliseconds(100));
}

int freeLoopbackPort() {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      throw std::runtime_error("bind failed");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    const int port = ntohs(addr.sin_port);
    if (claimPort(port)) return port;
  }
  throw std::runtime_error("no free loopback port could be claimed");
}

bool pollUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
               std::chrono::milliseconds interval) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

std::string envoyBinary() { return INGRESS_TEST_ENVOY_BINARY; }
// INGRESS_BENCH_INGRESSD: another build's ingressd, for a bench comparing two builds side by side.
std::string ingressdBinary() {
  const char* other = std::getenv("INGRESS_BENCH_INGRESSD");
  return other != nullptr && *other != '\0' ? other : INGRESS_TEST_INGRESSD;
}
std::string sourceDir() { return INGRESS_TEST_SOURCE_DIR; }

}  // namespace ingress::testing
