# Run by ctest (see CMakeLists.txt): cmake -DBUILD_DIR=... -DSRC_DIR=... -P check.cmake
function(build_probe target out_rc out_log)
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${target}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(${out_rc} ${rc} PARENT_SCOPE)
  set(${out_log} "${out}${err}" PARENT_SCOPE)
endfunction()

build_probe(layering_probe_allowed rc log)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the control probe (allowed includes) did not compile:\n${log}")
endif()

foreach(probe upward:envoy/xds_builder.h undeclared:instances/resolver.h source_tree:api/server.h)
  string(REPLACE ":" ";" pair ${probe})
  list(GET pair 0 name)
  list(GET pair 1 header)
  build_probe(layering_probe_${name} rc log)
  if(rc EQUAL 0)
    message(FATAL_ERROR "layering_probe_${name} compiled: ${header} is visible to a library "
                        "that does not declare it")
  endif()
  if(NOT log MATCHES "${header}: No such file or directory")
    message(FATAL_ERROR "layering_probe_${name} failed, but not because ${header} is hidden:\n"
                        "${log}")
  endif()
endforeach()

# No source reaches around the include paths.
file(GLOB_RECURSE sources ${SRC_DIR}/*.h ${SRC_DIR}/*.cc)
foreach(source ${sources})
  file(STRINGS ${source} relative REGEX "^[ \t]*#[ \t]*include[ \t]*\"\\.\\./")
  if(relative)
    message(FATAL_ERROR "${source}: relative include ${relative}")
  endif()
endforeach()
message(STATUS "layering holds: 1 control compiled, 3 probes refused, no relative includes")
