// Parsers for the units a config writes quantities in: durations
// ("60s", "500ms") and sizes ("8MiB", "100KB"). Pure functions over text;
// thread-safe. Used by the config loader, the max_size kind and the cache
// command.
#pragma once

#include <cstdint>
#include <string>

namespace sotinc {

// Parses "60s", "500ms", "2m", "1h", "1.5s", a bare number of seconds;
// between 1 ms and 7 days. False (and *ms unchanged) on anything else.
bool ParseDuration(const std::string& text, int64_t* ms);
// Parses "8MiB", "512KiB", "1GiB", "100KB", "1000", "4k" (k, M, G are
// binary), up to 2^64 - 1 bytes. False (and *bytes unchanged) on anything
// else, an overflow included.
bool ParseSize(const std::string& text, uint64_t* bytes);

}  // namespace sotinc
