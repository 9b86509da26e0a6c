#include "cli/heap.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cli/sanitizers.h"

namespace sotinc {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;
// Enough for a one-file --staged run at the M scale (its peak RSS is about
// 50 MB) in one extension of the heap; larger runs grow it again, in
// ordinary pages past this first region.
constexpr size_t kReserve = size_t{128} << 20;

constexpr size_t kProbe = size_t{32} << 20;

// The main arena's heap: from the first "[heap]" line of /proc/self/maps
// to the end of the last (a process forked from one with a heap has two:
// the inherited part and what it grew since).
bool HeapRange(uintptr_t* begin, uintptr_t* end) {
  FILE* maps = std::fopen("/proc/self/maps", "re");
  if (maps == nullptr) return false;
  char line[512];
  bool found = false;
  while (std::fgets(line, sizeof line, maps) != nullptr) {
    unsigned long b = 0, e = 0;
    if (std::strstr(line, "[heap]") == nullptr || std::sscanf(line, "%lx-%lx", &b, &e) != 2) {
      continue;
    }
    if (!found) *begin = b;
    *end = e;
    found = true;
  }
  std::fclose(maps);
  return found && *end > *begin;
}

}  // namespace

void PreferHugePages() {
  if (kUnderSanitizer) return;
  const char* env = std::getenv("SOTINC_HUGEPAGES");
  if (env != nullptr && std::strcmp(env, "0") == 0) return;
  // Buffers up to 64 MiB come from the heap (not a mapping each, faulted in
  // page by page and unmapped when freed), the heap grows by kReserve at a
  // time, and freed memory stays for the next allocation.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, static_cast<int>(kReserve));
  // An allocation past the heap's top makes malloc extend it by the pad (at
  // the start of main() the heap holds a few KiB). Volatile: a compiler may
  // drop a malloc whose memory is never used.
  void* volatile probe = malloc(kProbe);
  free(probe);
  uintptr_t begin = 0, end = 0;
  if (!HeapRange(&begin, &end)) return;
  begin = (begin + kHugePage - 1) & ~(kHugePage - 1);
  end &= ~(kHugePage - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace sotinc
