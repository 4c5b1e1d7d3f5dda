#include "common/status.h"

#include <cerrno>
#include <cstring>
#include <string>

namespace ingress {

std::string_view statusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kAlreadyExists: return "already_exists";
    case StatusCode::kFailedPrecondition: return "failed_precondition";
    case StatusCode::kResourceExhausted: return "resource_exhausted";
    case StatusCode::kUnsupported: return "unsupported";
    case StatusCode::kDeadlineExceeded: return "deadline_exceeded";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kAborted: return "aborted";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

std::string Status::toString() const {
  if (ok()) return "ok";
  std::string out(statusCodeName(code_));
  if (!reason_.empty()) out += "/" + reason_;
  out += ": " + message_;
  return out;
}

Status Status::withContext(std::string_view context) const {
  if (ok()) return *this;
  return Status(code_, std::string(context) + ": " + message_, reason_);
}

Status errnoError(std::string_view what, int err) {
  char buf[256];
  // GNU strerror_r returns a char* that may or may not point into buf.
  const char* text = strerror_r(err, buf, sizeof buf);
  std::string message = std::string(what) + ": " + text;
  const char* exhausted = nullptr;
  switch (err) {
    case EMFILE: exhausted = "ingressd ran out of file descriptors (RLIMIT_NOFILE)"; break;
    case ENFILE: exhausted = "the host ran out of file descriptors (fs.file-max)"; break;
    case ENOMEM: exhausted = "ingressd ran out of memory"; break;
    case ENOSPC:
    case EDQUOT: exhausted = "the disk holding DATA_DIR is full"; break;
    default: break;
  }
  if (exhausted == nullptr) return internalError(std::move(message));
  return resourceExhausted(std::string(exhausted) + ": " + message, "resource_exhausted");
}

}  // namespace ingress
