#include "eventstore/hash_chain.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace stipple::eventstore {

EventHash ChainHash(const EventHash& previous, const std::string& canonical) {
  EventHash out{};
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  unsigned int length = 0;
  // These calls fail only when OpenSSL cannot allocate; carrying on would write an unverifiable
  // chain, so stop instead.
  if (context == nullptr || EVP_DigestInit_ex(context, EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(context, previous.data(), previous.size()) != 1 ||
      EVP_DigestUpdate(context, canonical.data(), canonical.size()) != 1 ||
      EVP_DigestFinal_ex(context, out.data(), &length) != 1 || length != out.size()) {
    std::abort();
  }
  EVP_MD_CTX_free(context);
  return out;
}

std::string HashToHex(const EventHash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(hash.size() * 2);
  for (uint8_t byte : hash) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0xf]);
  }
  return out;
}

}  // namespace stipple::eventstore
