// Whether this build runs under AddressSanitizer: it reserves terabytes of
// address space, so tests of address-space limits (RLIMIT_AS) skip there.
#pragma once

namespace sotinc {
namespace testing {

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

}  // namespace testing
}  // namespace sotinc
