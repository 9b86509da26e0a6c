// Whether this build runs under AddressSanitizer: it reserves terabytes of
// address space, so tests of address-space limits (RLIMIT_AS) skip there.
#pragma once

#include "cli/sanitizers.h"

namespace sotinc {
namespace testing {

inline constexpr bool kUnderAsan = sotinc::kUnderAsan;

}  // namespace testing
}  // namespace sotinc
