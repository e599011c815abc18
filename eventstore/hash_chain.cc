#include "eventstore/hash_chain.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace stipple::eventstore {
namespace {

// Fetched once: EVP_DigestInit_ex(EVP_sha256()) looks the algorithm up in OpenSSL 3's provider
// registry on every call, which cost more than hashing an event.
const EVP_MD* Sha256() {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return sha256;
}

using DigestContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

}  // namespace

EventHash ChainHash(const EventHash& previous, std::string_view canonical) {
  // One context per thread, reset by each EVP_DigestInit_ex, instead of one allocated per event.
  thread_local DigestContext context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EventHash out{};
  unsigned int length = 0;
  // These calls fail only when OpenSSL cannot allocate or has no SHA-256; carrying on would write
  // an unverifiable chain, so stop instead.
  if (Sha256() == nullptr || context == nullptr ||
      EVP_DigestInit_ex(context.get(), Sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), previous.data(), previous.size()) != 1 ||
      EVP_DigestUpdate(context.get(), canonical.data(), canonical.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), out.data(), &length) != 1 || length != out.size()) {
    // OpenSSL's reason (a missing provider, say) is the only clue an operator gets.
    std::fputs("stipple: SHA-256 of the event hash chain failed:\n", stderr);
    ERR_print_errors_fp(stderr);
    std::abort();
  }
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
