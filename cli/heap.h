// How the process asks for memory. A run builds many small objects (a
// path, a content id and an index entry per file); on a virtual machine
// each 4 KiB page touched for the first time costs a fault of a few
// microseconds, which was a fifth of a one-file --staged run on the M
// benchmark (docs/benchmarks.md, session 6). Backing the heap with 2 MiB
// transparent huge pages makes that about 500 times fewer faults.
#pragma once

namespace sotinc {

// Grows the heap once by 128 MiB of address space, asks the kernel to back it
// with transparent huge pages (MADV_HUGEPAGE; it has its say through
// /sys/kernel/mm/transparent_hugepage), and keeps buffers of up to 64 MiB in it
// rather than in mappings of their own. Call first thing in main(), from
// one thread. Does nothing under a sanitizer, when SOTINC_HUGEPAGES=0, or
// where the kernel does not know the advice; never fails the process.
void PreferHugePages();

}  // namespace sotinc
