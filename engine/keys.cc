#include "engine/keys.h"

#include <xxhash.h>

#include <new>

namespace sotinc {
namespace {

std::string DigestBytes(XXH128_hash_t h) {
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, h);
  return std::string(reinterpret_cast<const char*>(c.digest), sizeof c.digest);
}

}  // namespace

KeyBuilder::KeyBuilder() : state_(XXH3_createState()) {
  if (state_ == nullptr) throw std::bad_alloc();
  XXH3_128bits_reset(state_);
}

KeyBuilder::~KeyBuilder() { XXH3_freeState(state_); }

KeyBuilder& KeyBuilder::AddU64(uint64_t value) {
  unsigned char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<unsigned char>(value >> (8 * i));
  XXH3_128bits_update(state_, buf, sizeof buf);
  return *this;
}

KeyBuilder& KeyBuilder::Add(std::string_view bytes) {
  AddU64(bytes.size());
  XXH3_128bits_update(state_, bytes.data(), bytes.size());
  return *this;
}

std::string KeyBuilder::Finish() const { return DigestBytes(XXH3_128bits_digest(state_)); }

std::string HashBytes(std::string_view bytes) {
  return DigestBytes(XXH3_128bits(bytes.data(), bytes.size()));
}

ByteHasher::ByteHasher() : state_(XXH3_createState()) {
  if (state_ == nullptr) throw std::bad_alloc();
  XXH3_128bits_reset(state_);
}

ByteHasher::~ByteHasher() { XXH3_freeState(state_); }

void ByteHasher::Update(std::string_view bytes) {
  XXH3_128bits_update(state_, bytes.data(), bytes.size());
  bytes_ += bytes.size();
}

std::string ByteHasher::Finish() const { return DigestBytes(XXH3_128bits_digest(state_)); }

std::string ToHex(std::string_view raw) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

}  // namespace sotinc
