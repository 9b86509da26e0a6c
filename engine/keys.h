// Content keys: 128-bit XXH3 digests of everything a result depends on.
//
// KeyBuilder streams typed, length-prefixed fields into an XXH3-128 state,
// so ("ab","c") and ("a","bc") never collide by construction. It owns its
// XXH3 state (RAII) and is neither copyable nor thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct XXH3_state_s;

namespace sotinc {

// Bump when a change to the engine or a check kind can change results for
// the same inputs: every cached result is then a miss.
constexpr const char* kEngineKeyVersion = "sotinc-engine-1";

class KeyBuilder {
 public:
  KeyBuilder();
  ~KeyBuilder();
  KeyBuilder(const KeyBuilder&) = delete;
  KeyBuilder& operator=(const KeyBuilder&) = delete;

  KeyBuilder& Add(std::string_view bytes);  // length-prefixed
  KeyBuilder& AddU64(uint64_t value);
  // The 16-byte digest (big-endian high then low half). The builder can
  // still be used afterwards; Finish() does not reset it.
  std::string Finish() const;

 private:
  XXH3_state_s* state_;
};

// XXH3-128 of `bytes` as 16 raw bytes.
std::string HashBytes(std::string_view bytes);

// HashBytes of the concatenation of every Update(), in constant memory
// (for files too big to load). Owns an XXH3 state; not copyable.
class ByteHasher {
 public:
  ByteHasher();
  ~ByteHasher();
  ByteHasher(const ByteHasher&) = delete;
  ByteHasher& operator=(const ByteHasher&) = delete;

  void Update(std::string_view bytes);
  uint64_t bytes() const { return bytes_; }  // how many so far
  std::string Finish() const;                // 16 raw bytes

 private:
  XXH3_state_s* state_;
  uint64_t bytes_ = 0;
};
// Lower-case hex of raw bytes.
std::string ToHex(std::string_view raw);

}  // namespace sotinc
