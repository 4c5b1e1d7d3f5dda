# Authentication primitives: HS256 JWTs and the API secret file (owned by the auth engineer;
# included from src/api/CMakeLists.txt).
ingress_library(ingress_jwt
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/base64url.cc ${CMAKE_CURRENT_LIST_DIR}/jwt.cc
          ${CMAKE_CURRENT_LIST_DIR}/secret.cc
  DEPS ingress_common OpenSSL::Crypto)
