#include "ingress/ids.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>

#include "common/log.h"

namespace ingress::domain {
namespace {

constexpr std::string_view kLetters = "abcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

// Returns random bytes from getrandom(2), refilling a local buffer as needed.
class RandomBytes {
 public:
  uint8_t next() {
    if (pos_ == sizeof buf_) refill();
    return buf_[pos_++];
  }

 private:
  void refill() {
    size_t got = 0;
    while (got < sizeof buf_) {
      ssize_t n = ::getrandom(buf_ + got, sizeof buf_ - got, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        log::error("getrandom failed; cannot generate ids", {{"errno", errno}});
        std::abort();
      }
      got += static_cast<size_t>(n);
    }
    pos_ = 0;
  }

  uint8_t buf_[64] = {};
  size_t pos_ = sizeof buf_;
};

// Uniform pick from `alphabet` by rejection sampling: bytes at or above the largest multiple
// of the alphabet size are discarded, so `byte % size` has no bias.
char pick(RandomBytes& rnd, std::string_view alphabet) {
  const unsigned size = static_cast<unsigned>(alphabet.size());
  const unsigned limit = 256 - (256 % size);
  for (;;) {
    unsigned b = rnd.next();
    if (b < limit) return alphabet[b % size];
  }
}

}  // namespace

std::string RandomIdGenerator::newId() {
  RandomBytes rnd;
  std::string id;
  id.reserve(kIdLength);
  id += pick(rnd, kLetters);
  while (id.size() < kIdLength) id += pick(rnd, kAlphabet);
  return id;
}

bool isValidId(std::string_view id) {
  if (id.size() != kIdLength) return false;
  if (id.front() < 'a' || id.front() > 'z') return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace ingress::domain
