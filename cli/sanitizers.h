// Whether this build runs under a sanitizer, for the few places that must
// behave differently there: a sanitizer owns the heap (no huge-page setup),
// reports leaks at exit (no _exit shortcut), and AddressSanitizer reserves
// terabytes of address space (tests of RLIMIT_AS skip).
#pragma once

// GCC defines __SANITIZE_ADDRESS__ / __SANITIZE_THREAD__; clang answers
// __has_feature, which GCC before 14 does not know.
#if defined(__has_feature)
#define SOTINC_HAS_FEATURE(x) __has_feature(x)
#else
#define SOTINC_HAS_FEATURE(x) 0
#endif

namespace sotinc {

#if defined(__SANITIZE_ADDRESS__) || SOTINC_HAS_FEATURE(address_sanitizer)
inline constexpr bool kUnderAsan = true;
#else
inline constexpr bool kUnderAsan = false;
#endif

// AddressSanitizer, MemorySanitizer or ThreadSanitizer.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || \
    SOTINC_HAS_FEATURE(address_sanitizer) || SOTINC_HAS_FEATURE(memory_sanitizer) || \
    SOTINC_HAS_FEATURE(thread_sanitizer)
inline constexpr bool kUnderSanitizer = true;
#else
inline constexpr bool kUnderSanitizer = false;
#endif

}  // namespace sotinc
