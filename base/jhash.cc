#include "base/jhash.h"

namespace iptsim {

namespace {

constexpr uint32_t kJhashInitval = 0xdeadbeef;

uint32_t Rol32(uint32_t w, unsigned s) { return (w << s) | (w >> (32 - s)); }

// __jhash_mix
void Mix(uint32_t& a, uint32_t& b, uint32_t& c) {
  a -= c; a ^= Rol32(c, 4);  c += b;
  b -= a; b ^= Rol32(a, 6);  a += c;
  c -= b; c ^= Rol32(b, 8);  b += a;
  a -= c; a ^= Rol32(c, 16); c += b;
  b -= a; b ^= Rol32(a, 19); a += c;
  c -= b; c ^= Rol32(b, 4);  b += a;
}

// __jhash_final
void Final(uint32_t& a, uint32_t& b, uint32_t& c) {
  c ^= b; c -= Rol32(b, 14);
  a ^= c; a -= Rol32(c, 11);
  b ^= a; b -= Rol32(a, 25);
  c ^= b; c -= Rol32(b, 16);
  a ^= c; a -= Rol32(c, 4);
  b ^= a; b -= Rol32(a, 14);
  c ^= b; c -= Rol32(b, 24);
}

// __jhash_nwords
uint32_t Nwords(uint32_t a, uint32_t b, uint32_t c, uint32_t initval) {
  a += initval;
  b += initval;
  c += initval;
  Final(a, b, c);
  return c;
}

}  // namespace

uint32_t Jhash2(const uint32_t* k, uint32_t length, uint32_t initval) {
  uint32_t a, b, c;
  a = b = c = kJhashInitval + (length << 2) + initval;
  while (length > 3) {
    a += k[0];
    b += k[1];
    c += k[2];
    Mix(a, b, c);
    length -= 3;
    k += 3;
  }
  switch (length) {
    case 3: c += k[2]; [[fallthrough]];
    case 2: b += k[1]; [[fallthrough]];
    case 1:
      a += k[0];
      Final(a, b, c);
      break;
    default: break;
  }
  return c;
}

uint32_t Jhash3Words(uint32_t a, uint32_t b, uint32_t c, uint32_t initval) {
  return Nwords(a, b, c, initval + kJhashInitval + (3u << 2));
}

uint32_t Jhash1Word(uint32_t a, uint32_t initval) {
  return Nwords(a, 0, 0, initval + kJhashInitval + (1u << 2));
}

}  // namespace iptsim
