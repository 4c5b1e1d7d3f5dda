// Status and StatusOr<T>: the error vocabulary of every module.
//
// A Status carries a canonical code (what kind of failure), an optional API reason (the
// snake_case `code` a REST client sees, e.g. "hostname_in_use"; empty means "derive it from the
// canonical code") and a human message. Only api/ maps codes to HTTP statuses.
//
//   StatusOr<Ingress> r = manager.get("my-api");
//   if (!r.ok()) return r.status();
//   use(*r);
#pragma once

#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ingress {

enum class StatusCode {
  kOk,
  kInvalidArgument,     // bad input from the caller (400)
  kUnauthenticated,     // missing or bad credentials (401)
  kNotFound,            // the named thing does not exist (404)
  kAlreadyExists,       // a uniqueness constraint (409)
  kFailedPrecondition,  // the system is not in a state to do this
  kResourceExhausted,   // a size or count limit (413 for bodies)
  kUnsupported,         // e.g. a media type we do not accept (415)
  kDeadlineExceeded,    // gave up waiting
  kUnavailable,         // a dependency is down; retrying may help
  kAborted,             // a dependency refused the change (e.g. Envoy rejected config)
  kInternal,            // a bug or an unexpected OS failure
};

std::string_view statusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::string reason = {})
      : code_(code), message_(std::move(message)), reason_(std::move(reason)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The API error code; empty unless the producer chose a specific one.
  const std::string& reason() const { return reason_; }
  // "<code>: <message>", for logs.
  std::string toString() const;

  // Prefixes the message with context, keeping code and reason: "loading x: <message>".
  Status withContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string reason_;
};

inline Status okStatus() { return Status(); }
inline Status invalidArgument(std::string m, std::string reason = {}) {
  return {StatusCode::kInvalidArgument, std::move(m), std::move(reason)};
}
inline Status notFound(std::string m, std::string reason = {}) {
  return {StatusCode::kNotFound, std::move(m), std::move(reason)};
}
inline Status alreadyExists(std::string m, std::string reason = {}) {
  return {StatusCode::kAlreadyExists, std::move(m), std::move(reason)};
}
inline Status failedPrecondition(std::string m, std::string reason = {}) {
  return {StatusCode::kFailedPrecondition, std::move(m), std::move(reason)};
}
inline Status unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status resourceExhausted(std::string m, std::string reason = {}) {
  return {StatusCode::kResourceExhausted, std::move(m), std::move(reason)};
}
inline Status unsupported(std::string m, std::string reason = {}) {
  return {StatusCode::kUnsupported, std::move(m), std::move(reason)};
}
inline Status deadlineExceeded(std::string m, std::string reason = {}) {
  return {StatusCode::kDeadlineExceeded, std::move(m), std::move(reason)};
}
inline Status unavailable(std::string m, std::string reason = {}) {
  return {StatusCode::kUnavailable, std::move(m), std::move(reason)};
}
inline Status aborted(std::string m, std::string reason = {}) {
  return {StatusCode::kAborted, std::move(m), std::move(reason)};
}
inline Status internalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
// The Status of a failed system call: "<what>: <strerror(err)>". kInternal, except when the
// process or the host ran out of something — EMFILE/ENFILE (file descriptors), ENOMEM, ENOSPC/
// EDQUOT (disk) — which is kResourceExhausted / "resource_exhausted" (503 in the API) with a
// message saying what ran out, so it is never mistaken for a fault of Envoy or of the request.
Status errnoError(std::string_view what, int err);

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok() && "StatusOr built from an ok Status has no value");
    if (status_.ok()) status_ = internalError("StatusOr built from an ok Status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // Reading the value of an error is a bug: it aborts (in every build type) instead of reading
  // an empty optional.
  T& value() & {
    checkOk();
    return *value_;
  }
  const T& value() const& {
    checkOk();
    return *value_;
  }
  T&& value() && {
    checkOk();
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void checkOk() const {
    if (!value_.has_value()) {
      std::fprintf(stderr, "StatusOr::value() on an error: %s\n", status_.toString().c_str());
      std::abort();
    }
  }

  Status status_;
  std::optional<T> value_;
};

}  // namespace ingress

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define INGRESS_RETURN_IF_ERROR(expr) \
  do {                                \
    ::ingress::Status _st = (expr);   \
    if (!_st.ok()) return _st;        \
  } while (0)

#define INGRESS_CONCAT_INNER(a, b) a##b
#define INGRESS_CONCAT(a, b) INGRESS_CONCAT_INNER(a, b)
// `INGRESS_ASSIGN_OR_RETURN(auto x, makeX());` declares x or returns the error.
#define INGRESS_ASSIGN_OR_RETURN(lhs, expr) \
  INGRESS_ASSIGN_OR_RETURN_IMPL(INGRESS_CONCAT(_status_or_, __LINE__), lhs, expr)
#define INGRESS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
