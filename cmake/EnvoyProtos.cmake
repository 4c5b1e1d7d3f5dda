# Envoy's protobuf message types in C++: the static library `ingress_envoy_proto`.
#
# Why: Envoy parses binary `.pb` xDS files several times faster than JSON, and writing them needs
# Envoy's messages in C++. Envoy's .proto sources are in no Debian package; the pinned xds-protos
# wheel (third_party/xds-protos.env, fetched by scripts/fetch-xds-protos.sh) carries every file's
# compiled descriptor, and Debian's protoc generates C++ from descriptors alone.
#
# How (scripts/xds_descriptor_set.py does the Python part, build tooling only):
#   configure: check the wheel's sha256, list the dependency closure of INGRESS_ENVOY_PROTO_ROOTS
#              (the generated files must be known to declare them as outputs)
#   build:     protoc → well-known types set (google/protobuf/*, from /usr/include, matching the
#              libprotobuf we link) → wheel + well-known types → one FileDescriptorSet of the
#              closure → protoc --cpp_out → .pb.h/.pb.cc under ${INGRESS_ENVOY_PROTO_DIR}/<proto path>
# Every step rewrites its outputs only when their content changes, so Ninja rebuilds only what a
# change affects (adding a root compiles only the new files).
#
# The generated headers (`#include "envoy/config/route/v3/route.pb.h"`) are exposed only through
# ingress_envoy_proto, as SYSTEM includes; the generated code compiles without INGRESS_WARNINGS.

# The messages we need; their imports are followed automatically. Adding a root is a one-line
# edit here (only the files it adds are generated and compiled; the others are left untouched).
# Cost (library from scratch, RelWithDebInfo, -j2 on 2 cores, measured back to back): these two
# roots are 41 files, 110 s. Adding envoy/config/listener/v3/listener.proto,
# envoy/config/cluster/v3/cluster.proto and
# envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto makes
# 68 files, 236 s (2.1x): add them when the code needs them
# (envoy/extensions/filters/http/router/v3/router.proto adds one small file on top of those).
set(INGRESS_ENVOY_PROTO_ROOTS
    envoy/config/route/v3/route.proto
    envoy/service/discovery/v3/discovery.proto)

find_package(Protobuf 3.21 REQUIRED)
find_package(Python3 REQUIRED COMPONENTS Interpreter)
if(NOT Protobuf_PROTOC_EXECUTABLE)
  message(FATAL_ERROR "protoc not found: install protobuf-compiler (scripts/deps.sh)")
endif()

file(STRINGS ${PROJECT_SOURCE_DIR}/third_party/xds-protos.env _xds_env REGEX "^[A-Za-z0-9_]+=")
foreach(line IN LISTS _xds_env)
  string(REGEX MATCH "^([A-Za-z0-9_]+)=(.*)$" _ "${line}")
  set(_XDS_ENV_${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
endforeach()
set(_xds_version "${_XDS_ENV_XDS_PROTOS_VERSION}")
set(INGRESS_XDS_PROTOS_WHEEL
    "${PROJECT_SOURCE_DIR}/.cache/xds-protos/${_xds_version}/xds_protos-${_xds_version}-py3-none-any.whl"
    CACHE FILEPATH "The xds-protos wheel (fetched by scripts/fetch-xds-protos.sh)")
if(NOT EXISTS "${INGRESS_XDS_PROTOS_WHEEL}")
  message(FATAL_ERROR "${INGRESS_XDS_PROTOS_WHEEL} is missing: run scripts/fetch-xds-protos.sh "
                      "(or scripts/deps.sh)")
endif()
file(SHA256 "${INGRESS_XDS_PROTOS_WHEEL}" _xds_sha256)
if(NOT _xds_sha256 STREQUAL _XDS_ENV_XDS_PROTOS_SHA256)
  message(FATAL_ERROR "${INGRESS_XDS_PROTOS_WHEEL}: sha256 ${_xds_sha256}, want "
                      "${_XDS_ENV_XDS_PROTOS_SHA256} (third_party/xds-protos.env); "
                      "run scripts/fetch-xds-protos.sh")
endif()

set(_xds_script ${PROJECT_SOURCE_DIR}/scripts/xds_descriptor_set.py)
set(INGRESS_ENVOY_PROTO_DIR ${CMAKE_BINARY_DIR}/gen/envoy_proto)
set(_xds_work ${CMAKE_BINARY_DIR}/gen/envoy_proto_descriptors)
file(MAKE_DIRECTORY ${INGRESS_ENVOY_PROTO_DIR} ${_xds_work})
# Reconfigure when the wheel, the script or the pin changes (the file list may change with them).
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${INGRESS_XDS_PROTOS_WHEEL} ${_xds_script}
             ${PROJECT_SOURCE_DIR}/third_party/xds-protos.env)

execute_process(
  COMMAND ${Python3_EXECUTABLE} ${_xds_script} list --wheel ${INGRESS_XDS_PROTOS_WHEEL}
          ${INGRESS_ENVOY_PROTO_ROOTS}
  OUTPUT_VARIABLE _xds_files OUTPUT_STRIP_TRAILING_WHITESPACE
  RESULT_VARIABLE _xds_rc ERROR_VARIABLE _xds_err)
if(NOT _xds_rc EQUAL 0)
  message(FATAL_ERROR "scripts/xds_descriptor_set.py list failed: ${_xds_err}")
endif()
string(REPLACE "\n" ";" _xds_files "${_xds_files}")
list(LENGTH _xds_files _xds_count)
message(STATUS "Envoy protos: ${_xds_count} files for ${INGRESS_ENVOY_PROTO_ROOTS}")

set(_xds_sources "")
set(_xds_headers "")
foreach(proto IN LISTS _xds_files)
  string(REGEX REPLACE "\\.proto$" "" stem "${proto}")
  list(APPEND _xds_sources ${INGRESS_ENVOY_PROTO_DIR}/${stem}.pb.cc)
  list(APPEND _xds_headers ${INGRESS_ENVOY_PROTO_DIR}/${stem}.pb.h)
endforeach()

# The well-known types as compiled into the libprotobuf we link.
set(_xds_wkt ${_xds_work}/well_known_types.pb)
set(_xds_wkt_protos any duration struct wrappers timestamp empty descriptor field_mask)
list(TRANSFORM _xds_wkt_protos PREPEND google/protobuf/)
list(TRANSFORM _xds_wkt_protos APPEND .proto)
add_custom_command(
  OUTPUT ${_xds_wkt}
  COMMAND ${Protobuf_PROTOC_EXECUTABLE} -I${Protobuf_INCLUDE_DIR} --include_imports
          --descriptor_set_out=${_xds_wkt} ${_xds_wkt_protos}
  DEPENDS ${Protobuf_PROTOC_EXECUTABLE}
  COMMENT "Descriptor set of protobuf's well-known types"
  VERBATIM)

set(_xds_set ${_xds_work}/envoy_closure.pb)
add_custom_command(
  OUTPUT ${_xds_set}
  COMMAND ${Python3_EXECUTABLE} ${_xds_script} set --wheel ${INGRESS_XDS_PROTOS_WHEEL}
          --wkt ${_xds_wkt} --out ${_xds_set} ${INGRESS_ENVOY_PROTO_ROOTS}
  DEPENDS ${_xds_script} ${INGRESS_XDS_PROTOS_WHEEL} ${_xds_wkt}
  COMMENT "Descriptor set of Envoy's protos (${_xds_count} files) from xds-protos ${_xds_version}"
  VERBATIM)

set(_xds_stamp ${_xds_work}/cpp.stamp)
add_custom_command(
  OUTPUT ${_xds_stamp} ${_xds_sources} ${_xds_headers}
  COMMAND ${Python3_EXECUTABLE} ${_xds_script} cpp --protoc ${Protobuf_PROTOC_EXECUTABLE}
          --set ${_xds_set} --out-dir ${INGRESS_ENVOY_PROTO_DIR} --stamp ${_xds_stamp}
          ${INGRESS_ENVOY_PROTO_ROOTS}
  DEPENDS ${_xds_script} ${_xds_set} ${Protobuf_PROTOC_EXECUTABLE}
  COMMENT "C++ of Envoy's protos (protoc ${Protobuf_VERSION})"
  VERBATIM)

add_library(ingress_envoy_proto STATIC ${_xds_sources} ${_xds_headers})
# Generated code: none of our warnings (and no -Werror), its headers are system headers for us.
target_compile_options(ingress_envoy_proto PRIVATE -w)
target_include_directories(ingress_envoy_proto SYSTEM PUBLIC ${INGRESS_ENVOY_PROTO_DIR})
target_link_libraries(ingress_envoy_proto PUBLIC protobuf::libprotobuf)
