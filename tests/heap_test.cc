// PreferHugePages (cli/heap.h): the heap is advised to use transparent
// huge pages, large buffers come from it, and SOTINC_HUGEPAGES=0 turns it
// off. Each case runs in a forked child, since the advice and malloc's
// settings last for the whole process.
#include "cli/heap.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "cli/sanitizers.h"

namespace sotinc {
namespace {

// Whether the kernel accepts MADV_HUGEPAGE at all (it does not without
// CONFIG_TRANSPARENT_HUGEPAGE).
bool KernelKnowsHugePages() {
  const size_t size = size_t{4} << 20;
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  bool ok = madvise(p, size, MADV_HUGEPAGE) == 0;
  munmap(p, size);
  return ok;
}

// The mapping of /proc/self/smaps that holds `address`: "hg" in its
// VmFlags when it is advised to use huge pages.
struct Mapping {
  bool found = false;
  bool huge_advised = false;
  std::string name;
};

Mapping MappingOf(const void* address) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  Mapping m;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> begin >> dash >> end && dash == '-') {
      if (inside) return m;
      inside = begin <= a && a < end;
      if (inside) {
        m.found = true;
        std::string perms, offset, dev, inode;
        head >> perms >> offset >> dev >> inode;
        std::getline(head, m.name);
      }
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) {
      m.huge_advised = (line + " ").find(" hg ") != std::string::npos;
    }
  }
  return m;
}

// Runs `body` in a child; its exit code, or -1 when it died.
int InChild(int (*body)()) {
  pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// 0: a 16 MiB buffer lies in the heap (below the program break) and in a
// mapping advised to use huge pages; 1, 2, 3: which of those failed.
int AdvisedChild() {
  unsetenv("SOTINC_HUGEPAGES");
  PreferHugePages();
  void* big = malloc(size_t{16} << 20);
  if (big == nullptr) return 1;
  if (reinterpret_cast<uintptr_t>(big) >= reinterpret_cast<uintptr_t>(sbrk(0))) return 2;
  Mapping m = MappingOf(static_cast<char*>(big) + (size_t{8} << 20));
  if (!m.found || !m.huge_advised) return 3;
  free(big);
  return 0;
}

// 0: with SOTINC_HUGEPAGES=0 a 16 MiB buffer gets a mapping of its own,
// as malloc does by default, and nothing is advised.
int TurnedOffChild() {
  setenv("SOTINC_HUGEPAGES", "0", 1);
  PreferHugePages();
  void* big = malloc(size_t{16} << 20);
  if (big == nullptr) return 1;
  Mapping m = MappingOf(big);
  if (!m.found || m.huge_advised || m.name.find("[heap]") != std::string::npos) return 2;
  free(big);
  return 0;
}

TEST(HeapTest, TheHeapIsAdvisedToUseHugePagesAndHoldsLargeBuffers) {
  if (kUnderSanitizer) GTEST_SKIP() << "the sanitizer owns the heap";
  if (!KernelKnowsHugePages()) GTEST_SKIP() << "this kernel has no transparent huge pages";
  EXPECT_EQ(InChild(AdvisedChild), 0);
}

TEST(HeapTest, SotincHugepagesZeroLeavesMallocAsItIs) {
  if (kUnderSanitizer) GTEST_SKIP() << "the sanitizer owns the heap";
  EXPECT_EQ(InChild(TurnedOffChild), 0);
}

}  // namespace
}  // namespace sotinc
