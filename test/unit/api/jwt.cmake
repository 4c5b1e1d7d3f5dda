# Unit tests of the authentication primitives (owned by the auth engineer; included from
# test/unit/api/CMakeLists.txt).
ingress_test(NAME api_jwt_unit_test LABEL unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/base64url_test.cc ${CMAKE_CURRENT_LIST_DIR}/jwt_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/secret_test.cc
  DEPS ingress_jwt)
