// Passwords and secrets (libsodium): Argon2id password strings, and random
// session / API-token secrets that name their clinic.
#include <sodium.h>

#include <stdexcept>
#include <string>

#include "backcover/server/server.hpp"

namespace backcover::server {

namespace {
void ready() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw std::runtime_error("libsodium could not start");
}
}  // namespace

std::string hash_password(const std::string& password, bool fast) {
  ready();
  char out[crypto_pwhash_STRBYTES];
  // Interactive limits (64 MiB, about a tenth of a second): what libsodium
  // recommends for logins. `fast` (tests only) takes the minimum.
  const unsigned long long ops = fast ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  const std::size_t mem = fast ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("out of memory hashing a password");
  return out;
}

bool verify_password(const std::string& hash, const std::string& password) {
  ready();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string new_secret(const std::string& tenant) {
  ready();
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char b64[sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  std::string out = tenant;
  out += '.';
  out += b64;
  return out;
}

}  // namespace backcover::server
