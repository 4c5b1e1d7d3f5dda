# Reads the pinned Envoy version and binary hash from third_party/envoy.env and locates the
# binary fetched by scripts/fetch-envoy.sh.
file(STRINGS ${PROJECT_SOURCE_DIR}/third_party/envoy.env _envoy_env REGEX "^[A-Za-z0-9_]+=")
foreach(line IN LISTS _envoy_env)
  string(REGEX MATCH "^([A-Za-z0-9_]+)=(.*)$" _ "${line}")
  set(_ENVOY_ENV_${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
endforeach()
set(INGRESS_ENVOY_VERSION "${_ENVOY_ENV_ENVOY_VERSION}")
string(REGEX MATCH "^[0-9]+\\.[0-9]+" INGRESS_ENVOY_MAJOR_MINOR "${INGRESS_ENVOY_VERSION}")
set(INGRESS_ARCH "${CMAKE_SYSTEM_PROCESSOR}")
set(INGRESS_ENVOY_SHA256 "${_ENVOY_ENV_ENVOY_SHA256_${INGRESS_ARCH}}")
if(NOT INGRESS_ENVOY_SHA256)
  message(FATAL_ERROR "third_party/envoy.env has no ENVOY_SHA256_${INGRESS_ARCH}")
endif()
set(ENVOY_SOURCE_BINARY
    "${PROJECT_SOURCE_DIR}/.cache/envoy/${INGRESS_ENVOY_VERSION}/${INGRESS_ARCH}/envoy"
    CACHE FILEPATH "The Envoy binary to embed (fetched by scripts/fetch-envoy.sh)")
set(ENVOY_ZSTD_LEVEL 19 CACHE STRING
    "zstd level for the embedded Envoy (19: ~26 MB in ~40 s; 3: ~34 MB in <1 s)")
