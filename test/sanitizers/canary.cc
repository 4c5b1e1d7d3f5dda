// A program with one deliberate defect per sanitizer, chosen by argv[1]: "heap" (use after
// free, ASan), "leak" (LSan), "overflow" (signed overflow, UBSan), "race" (data race, TSan).
// The sanitizer_* ctests (test/sanitizers/CMakeLists.txt) run it and require that the report
// fails the process: that proves options.cc and -fno-sanitize-recover reach the test binaries.
#include <cstdio>
#include <cstring>
#include <thread>

namespace {

int heapUseAfterFree() {
  int* p = new int[4]{1, 2, 3, 4};
  delete[] p;
  return p[2];  // ASan: heap-use-after-free
}

int leak() {
  int* volatile p = new int[64];
  p = nullptr;  // LSan: the block is unreachable at exit
  return 0;
}

int signedOverflow(int argc) {
  volatile int big = 2147483647;
  return big + argc;  // UBSan: signed integer overflow (argc >= 2)
}

int dataRace() {
  int counter = 0;
  auto bump = [&counter] {
    for (int i = 0; i < 100000; ++i) counter = counter + 1;  // TSan: unsynchronised write
  };
  std::thread a(bump);
  std::thread b(bump);
  a.join();
  b.join();
  return counter == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  if (std::strcmp(argv[1], "heap") == 0) return heapUseAfterFree();
  if (std::strcmp(argv[1], "leak") == 0) return leak();
  if (std::strcmp(argv[1], "overflow") == 0) return signedOverflow(argc) == 0 ? 3 : 0;
  if (std::strcmp(argv[1], "race") == 0) return dataRace();
  std::fprintf(stderr, "unknown defect %s\n", argv[1]);
  return 2;
}
