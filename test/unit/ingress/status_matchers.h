// Assertions on Status values shared by the domain, store and instances tests: every check names
// the exact code, API reason and message, never just "not ok".
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "common/status.h"

namespace ingress::testing {

inline void expectStatus(const Status& st, StatusCode code, std::string_view reason,
                         std::string_view message) {
  EXPECT_EQ(st.code(), code) << st.toString();
  EXPECT_EQ(st.reason(), reason) << st.toString();
  EXPECT_EQ(st.message(), message) << st.toString();
}

// kInvalidArgument / "bad_request" with exactly `message` ("<field>: <problem>").
inline void expectBadRequest(const Status& st, std::string_view message) {
  expectStatus(st, StatusCode::kInvalidArgument, "bad_request", message);
}

}  // namespace ingress::testing
