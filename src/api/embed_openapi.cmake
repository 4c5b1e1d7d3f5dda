# cmake -DINPUT=<yaml> -DOUTPUT=<cc> -P embed_openapi.cmake
# Writes a .cc defining ingress::api::openApiYaml() that returns the file's bytes.
file(READ ${INPUT} content)
set(delim "openapi_yaml")
string(FIND "${content}" ")${delim}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter )${delim}\"")
endif()
file(WRITE ${OUTPUT}.tmp
"// Generated from ${INPUT} by embed_openapi.cmake. Do not edit.\n"
"#include \"api/openapi_doc.h\"\n\n"
"namespace ingress::api {\n\n"
"std::string_view openApiYaml() {\n"
"  static constexpr std::string_view kDoc = R\"${delim}(${content})${delim}\";\n"
"  return kDoc;\n"
"}\n\n"
"}  // namespace ingress::api\n")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
