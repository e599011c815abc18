#include "eventstore/keys.h"

namespace stipple::eventstore {

std::string EncodeU64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

uint64_t DecodeU64(const char* bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

std::string EncodeU32(uint32_t value) {
  std::string out(4, '\0');
  for (int i = 3; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

uint32_t DecodeU32(const char* bytes) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

std::string StreamIndexKey(const std::string& stream, StreamVersion version) {
  std::string key = stream;
  key.push_back(kStreamKeySeparator);
  key += EncodeU64(version);
  return key;
}

std::string StreamIndexUpperBound(const std::string& stream) {
  std::string key = stream;
  key.push_back(static_cast<char>(kStreamKeySeparator + 1));
  return key;
}

}  // namespace stipple::eventstore
