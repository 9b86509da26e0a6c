#include "rules/units.h"

#include <re2/re2.h>

#include <cerrno>
#include <cstdlib>
#include <limits>

namespace sotinc {

bool ParseDuration(const std::string& text, int64_t* ms) {
  static const RE2 kDuration("([0-9]+(?:\\.[0-9]+)?) *(ms|s|m|h)?");
  std::string number, unit;
  if (!RE2::FullMatch(text, kDuration, &number, &unit)) return false;
  double v = std::strtod(number.c_str(), nullptr);
  double factor = unit == "ms" ? 1 : unit == "m" ? 60000 : unit == "h" ? 3600000 : 1000;
  double result = v * factor;
  // 1 ms to 7 days; this also keeps huge numbers away from the cast.
  if (!(result >= 1 && result <= 86400000.0 * 7)) return false;
  *ms = static_cast<int64_t>(result);
  return true;
}

bool ParseSize(const std::string& text, uint64_t* bytes) {
  static const RE2 kSize("([0-9]+) *(B|KB|KiB|MB|MiB|GB|GiB|k|K|M|G)?");
  std::string number, unit;
  if (!RE2::FullMatch(text, kSize, &number, &unit)) return false;
  errno = 0;
  unsigned long long v = std::strtoull(number.c_str(), nullptr, 10);
  if (errno == ERANGE) return false;
  uint64_t factor = 1;
  if (unit == "KB")
    factor = 1000;
  else if (unit == "MB")
    factor = 1000 * 1000;
  else if (unit == "GB")
    factor = 1000ull * 1000 * 1000;
  else if (unit == "KiB" || unit == "k" || unit == "K")
    factor = 1024;
  else if (unit == "MiB" || unit == "M")
    factor = 1024 * 1024;
  else if (unit == "GiB" || unit == "G")
    factor = 1024ull * 1024 * 1024;
  if (v > std::numeric_limits<uint64_t>::max() / factor) return false;
  *bytes = v * factor;
  return true;
}

}  // namespace sotinc
