// Default runtime options of the sanitizers for every test binary of a sanitizer build
// (INGRESS_SANITIZE=address|thread; linked by ingress_test() in test/CMakeLists.txt). Any report
// stops the process with a non-zero status, so the test fails instead of printing and passing.
// UBSan is also compiled with -fno-sanitize-recover=all. ASAN_OPTIONS etc. still override these.

extern "C" {

// NOLINTBEGIN(bugprone-reserved-identifier): names the sanitizer runtimes look up.
const char* __asan_default_options() {
  return "halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:"
         "strict_init_order=1:check_initialization_order=1";
}

const char* __ubsan_default_options() {
  return "halt_on_error=1:abort_on_error=1:print_stacktrace=1";
}

const char* __tsan_default_options() {
  return "halt_on_error=1:abort_on_error=1:second_deadlock_stack=1";
}
// NOLINTEND(bugprone-reserved-identifier)

}  // extern "C"
