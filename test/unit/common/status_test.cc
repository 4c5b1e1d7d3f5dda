#include "common/status.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace ingress {
namespace {

StatusOr<int> half(int x) {
  if (x % 2 != 0) return invalidArgument("odd", "bad_request");
  return x / 2;
}

Status quarter(int x, int* out) {
  INGRESS_ASSIGN_OR_RETURN(int h, half(x));
  INGRESS_ASSIGN_OR_RETURN(int q, half(h));
  *out = q;
  return okStatus();
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.toString(), "ok");
}

TEST(StatusTest, CarriesCodeReasonAndMessage) {
  Status s = alreadyExists("taken by x", "hostname_in_use");
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(s.reason(), "hostname_in_use");
  EXPECT_EQ(s.toString(), "already_exists/hostname_in_use: taken by x");
  Status c = s.withContext("create");
  EXPECT_EQ(c.message(), "create: taken by x");
  EXPECT_EQ(c.reason(), "hostname_in_use");
}

TEST(StatusTest, AssignOrReturnPropagatesTheFirstError) {
  int out = 0;
  EXPECT_TRUE(quarter(8, &out).ok());
  EXPECT_EQ(out, 2);
  Status s = quarter(6, &out);  // 6 → 3 → odd
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "odd");
}

TEST(StatusTest, ErrnoErrorOfExhaustionSaysWhatRanOut) {
  Status fds = errnoError("open /x", EMFILE);
  EXPECT_EQ(fds.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(fds.reason(), "resource_exhausted");
  EXPECT_EQ(fds.message(),
            "ingressd ran out of file descriptors (RLIMIT_NOFILE): open /x: Too many open files");
  EXPECT_EQ(errnoError("open /x", ENFILE).reason(), "resource_exhausted");
  EXPECT_EQ(errnoError("fork", ENOMEM).message(),
            "ingressd ran out of memory: fork: Cannot allocate memory");
  EXPECT_EQ(errnoError("write /x", ENOSPC).reason(), "resource_exhausted");
}

TEST(StatusTest, ErrnoErrorNamesTheCall) {
  Status s = errnoError("open /x", ENOENT);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(s.message(), "open /x: No such file or directory");
}

}  // namespace
}  // namespace ingress
