// Whether this build runs under a sanitizer, for the few places that must
// behave differently there: a sanitizer owns the heap (no huge-page setup),
// reports leaks at exit (no _exit shortcut), and AddressSanitizer reserves
// terabytes of address space (tests of RLIMIT_AS skip).
#pragma once

namespace sotinc {

// GCC defines __SANITIZE_ADDRESS__ / __SANITIZE_THREAD__; clang answers
// __has_feature, which GCC before 14 does not know, hence the nesting.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kUnderAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kUnderAsan = true;
#else
inline constexpr bool kUnderAsan = false;
#endif
#else
inline constexpr bool kUnderAsan = false;
#endif

#if defined(__SANITIZE_THREAD__)
inline constexpr bool kUnderOtherSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(memory_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kUnderOtherSanitizer = true;
#else
inline constexpr bool kUnderOtherSanitizer = false;
#endif
#else
inline constexpr bool kUnderOtherSanitizer = false;
#endif

// AddressSanitizer, MemorySanitizer or ThreadSanitizer.
inline constexpr bool kUnderSanitizer = kUnderAsan || kUnderOtherSanitizer;

}  // namespace sotinc
