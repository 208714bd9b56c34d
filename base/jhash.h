// The kernel's jhash family (include/linux/jhash.h, Bob Jenkins' lookup3):
// jhash2 over 32-bit words, jhash_1word and jhash_3words, with
// JHASH_INITVAL 0xdeadbeef.  NAT's address choice, the cluster match and
// HMARK hash with these, so a result must be the kernel's bit for bit.
#pragma once

#include <cstdint>

namespace iptsim {

// jhash2(k, length, initval): `length` 32-bit words.
uint32_t Jhash2(const uint32_t* k, uint32_t length, uint32_t initval);
// jhash_3words(a, b, c, initval): __jhash_nwords(a, b, c, initval +
// JHASH_INITVAL + (3 << 2)), i.e. the words added and __jhash_final.
uint32_t Jhash3Words(uint32_t a, uint32_t b, uint32_t c, uint32_t initval);
// jhash_1word(a, initval): __jhash_nwords(a, 0, 0, initval + JHASH_INITVAL
// + (1 << 2)).
uint32_t Jhash1Word(uint32_t a, uint32_t initval);

}  // namespace iptsim
