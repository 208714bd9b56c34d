// The base/ helpers checked against libc where libc has the same function
// (ntohs, strtoull, inet_aton, ether_aton), and against known values where
// it does not (the RFC 1071 example; jhash constants from a second,
// independent implementation).
#include <arpa/inet.h>
#include <endian.h>
#include <netinet/ether.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/checksum.h"
#include "base/diagnostics.h"
#include "base/inet.h"
#include "base/jhash.h"
#include "base/mac.h"
#include "base/numbers.h"

using namespace iptsim;

namespace {

// Random strings over `alphabet`, up to `max_len` characters, the same on
// every run.
std::vector<std::string> RandomStrings(std::string_view alphabet, size_t max_len, int count,
                                       uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    std::string s(rng() % (max_len + 1), ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    out.push_back(s);
  }
  return out;
}

}  // namespace

TEST_CASE("Big-endian loads and stores agree with ntohs/ntohl/be64toh", "[base]") {
  std::mt19937 rng(1);
  for (int i = 0; i < 1000; ++i) {
    uint8_t b[8];
    for (uint8_t& x : b) x = static_cast<uint8_t>(rng());
    uint16_t n16;
    uint32_t n32;
    uint64_t n64;
    memcpy(&n16, b, 2);
    memcpy(&n32, b, 4);
    memcpy(&n64, b, 8);
    CHECK(GetBe16(b) == ntohs(n16));
    CHECK(GetBe32(b) == ntohl(n32));
    CHECK(GetBe64(b) == be64toh(n64));
    CHECK(GetLe16(b) == le16toh(n16));
    CHECK(GetLe32(b) == le32toh(n32));
    uint8_t o[8];
    PutBe16(o, ntohs(n16));
    CHECK(memcmp(o, b, 2) == 0);
    PutBe32(o, ntohl(n32));
    CHECK(memcmp(o, b, 4) == 0);
    PutBe64(o, be64toh(n64));
    CHECK(memcmp(o, b, 8) == 0);
  }
}

TEST_CASE("The Internet checksum: RFC 1071's example and an IPv4 header", "[base]") {
  // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2.
  const uint8_t rfc[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  CHECK(ChecksumAdd(0, rfc, sizeof rfc) == 0xddf2);
  CHECK(ChecksumFinish(ChecksumAdd(0, rfc, sizeof rfc)) == 0x220d);
  // Summing in pieces (at even offsets) gives the same.
  CHECK(ChecksumAdd(ChecksumAdd(0, rfc, 4), rfc + 4, 4) == 0xddf2);
  // An odd last byte is the high half of a word.
  const uint8_t odd[] = {0x12, 0x34, 0x56};
  CHECK(ChecksumAdd(0, odd, 3) == 0x1234 + 0x5600);
  // A well-known IPv4 header (checksum b861 at bytes 10-11).
  uint8_t ip[] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                  0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  CHECK(ChecksumFinish(ChecksumAdd(0, ip, 20)) == 0xb861);
  PutBe16(ip + 10, 0xb861);
  CHECK(ChecksumFinish(ChecksumAdd(0, ip, 20)) == 0);
  CHECK(ChecksumFinish(0x1ffff) == 0xfffe);  // folded twice
}

TEST_CASE("The pseudo-header sum is the sum of its bytes as RFC 768 and 8200 lay them out",
          "[base]") {
  std::mt19937 rng(2);
  for (int i = 0; i < 200; ++i) {
    uint8_t s[16], d[16];
    for (int k = 0; k < 16; ++k) s[k] = static_cast<uint8_t>(rng()), d[k] = static_cast<uint8_t>(rng());
    const uint8_t proto = static_cast<uint8_t>(rng());
    const uint32_t len = rng() % 70000;
    // IPv4: src, dst, zero, protocol, 16-bit length (the length whole
    // when it does not fit, as csum_tcpudp_nofold adds it).
    uint8_t p4[14] = {};
    memcpy(p4, s, 4);
    memcpy(p4 + 4, d, 4);
    p4[9] = proto;
    PutBe32(p4 + 10, len);
    CHECK(ChecksumPseudoHeader(s, d, 4, proto, len) == ChecksumAdd(0, p4, 14));
    // IPv6: src, dst, 32-bit length, three zero bytes, next header.
    uint8_t p6[40] = {};
    memcpy(p6, s, 16);
    memcpy(p6 + 16, d, 16);
    PutBe32(p6 + 32, len);
    p6[39] = proto;
    CHECK(ChecksumPseudoHeader(s, d, 16, proto, len) == ChecksumAdd(0, p6, 40));
  }
}

TEST_CASE("Incremental checksum updates agree with summing anew", "[base]") {
  std::mt19937 rng(3);
  for (int i = 0; i < 2000; ++i) {
    uint8_t h[20];
    for (uint8_t& x : h) x = static_cast<uint8_t>(rng());
    h[10] = h[11] = 0;
    PutBe16(h + 10, ChecksumFinish(ChecksumAdd(0, h, 20)));
    const size_t w = 2 * (rng() % 10);
    if (w == 10) continue;
    const uint16_t old_word = GetBe16(h + w), new_word = static_cast<uint16_t>(rng());
    uint8_t a[20], b[20];
    memcpy(a, h, 20);
    memcpy(b, h, 20);
    PutBe16(a + w, new_word);
    PutBe16(b + w, new_word);
    CsumReplace2(a + 10, old_word, new_word);
    InetProtoCsumReplace2(b + 10, old_word, new_word);
    // Both still verify (0x0000 and 0xffff are the same in one's
    // complement, and they may pick either).
    const uint16_t va = ChecksumFinish(ChecksumAdd(0, a, 20));
    const uint16_t vb = ChecksumFinish(ChecksumAdd(0, b, 20));
    CHECK((va == 0 || va == 0xffff));
    CHECK((vb == 0 || vb == 0xffff));
  }
  // csum16_add's end-around carry.
  CHECK(Csum16Add(0xffff, 0x0001) == 0x0001);
  CHECK(Csum16Add(0x8000, 0x8000) == 0x0001);
  CHECK(Csum16Add(0x1234, 0x0000) == 0x1234);
}

TEST_CASE("jhash2, jhash_3words and jhash_1word give the kernel's values", "[base]") {
  // The expected values come from a separate Python implementation of
  // lookup3's hashword and the kernel's __jhash_nwords / __jhash_final
  // (include/linux/jhash.h), written from the algorithm, not from this
  // code:  a = b = c = 0xdeadbeef + (len << 2) + initval; mix per three
  // words; the last one to three words added and final(a, b, c); return c.
  CHECK(Jhash2(nullptr, 0, 0) == 0xdeadbeefu);
  const uint32_t k1[] = {1};
  CHECK(Jhash2(k1, 1, 0) == 0x72a82a9bu);
  const uint32_t k2[] = {1, 2};
  CHECK(Jhash2(k2, 2, 0x12345678u) == 0xe8c89838u);
  const uint32_t k3[] = {1, 2, 3};
  CHECK(Jhash2(k3, 3, 0) == 0xa46158f5u);
  const uint32_t k4[] = {1, 2, 3, 4};
  CHECK(Jhash2(k4, 4, 0) == 0x66491246u);
  const uint32_t k5[] = {0xc0000201u, 0, 0, 0};
  CHECK(Jhash2(k5, 4, 0) == 0x7d771c83u);
  const uint32_t k6[] = {0x20010db8u, 0, 0, 1};
  CHECK(Jhash2(k6, 4, 0xdeadbeefu) == 0xd988fe53u);
  const uint32_t k7[] = {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu,
                         0xffffffffu, 0xffffffffu, 0xffffffffu};
  CHECK(Jhash2(k7, 7, 0xffffffffu) == 0xeb2c99a0u);

  CHECK(Jhash3Words(0, 0, 0, 0) == 0x1b68e557u);
  CHECK(Jhash3Words(1, 2, 3, 4) == 0x8103143fu);
  CHECK(Jhash3Words(0xc0a80001u, 0xc0a80002u, 0x00500050u, 0x12345678u) == 0x6ddffdc7u);
  CHECK(Jhash3Words(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu) == 0xc343af0bu);

  CHECK(Jhash1Word(0, 0) == 0x049396b8u);
  CHECK(Jhash1Word(1, 0) == 0x72a82a9bu);  // jhash2 of the one word
  CHECK(Jhash1Word(0x0a000001u, 0x5eed) == 0xd6d68836u);
  CHECK(Jhash1Word(0xffffffffu, 0xffffffffu) == 0xeae46760u);
}

namespace {

// glibc's strtoull with errno's ERANGE as `overflow`.
bool LibcStrtoull(const std::string& s, int base, uint64_t* v, size_t* end, bool* overflow) {
  char* e;
  errno = 0;
  *v = strtoull(s.c_str(), &e, base);
  *overflow = errno == ERANGE;
  *end = static_cast<size_t>(e - s.c_str());
  return *end != 0;  // strtoull sets end to the start when it read no number
}

std::vector<std::string> NumberInputs(uint32_t seed) {
  std::vector<std::string> in = RandomStrings("0123456789abcdefxX+- \t", 8, 4000, seed);
  for (const char* s :
       {"", "0", "00", "0x", "0X", "0x1", "0xg", "0x0x1", "08", "019", "010", "+", "-", "+5",
        "-5", " 5", "\t\n\v\f\r 7", "+-5", "- 5", "18446744073709551615", "18446744073709551616",
        "0xffffffffffffffff", "0x10000000000000000", "01777777777777777777777",
        "02000000000000000000000", "-18446744073709551615", "-18446744073709551616", "99999999999999999999999",
        "0x7fffffff", "4294967295", "4294967296", "12abc", "0x1fz", "  +0x10"})
    in.push_back(s);
  return in;
}

}  // namespace

TEST_CASE("Strtoull is glibc's strtoull", "[base]") {
  for (const std::string& s : NumberInputs(4)) {
    for (int base : {0, 8, 10, 16}) {
      INFO("'" << s << "' base " << base);
      uint64_t v1 = 0, v2 = 0;
      size_t e1 = 0, e2 = 0;
      bool o1 = false, o2 = false;
      const bool r1 = Strtoull(s, base, &v1, &e1, &o1);
      const bool r2 = LibcStrtoull(s, base, &v2, &e2, &o2);
      REQUIRE(r1 == r2);
      if (!r1) continue;
      CHECK(v1 == v2);
      CHECK(e1 == e2);
      CHECK(o1 == o2);
    }
  }
}

TEST_CASE("ParseUInt is strtoull(text, 0) that must read all of the text", "[base]") {
  for (const std::string& s : NumberInputs(5)) {
    INFO("'" << s << "'");
    uint64_t v1 = 0, v2 = 0;
    size_t end;
    bool overflow;
    const bool ok = ParseUInt(s, 0, UINT64_MAX, &v1);
    // strtoull also takes '-' (negating) and reads "0x" with no hex digit
    // as 0 followed by "x"; xtables' readers refuse both.
    const bool libc = LibcStrtoull(s, 0, &v2, &end, &overflow) && end == s.size() &&
                      !overflow && s.find('-') == std::string::npos;
    CHECK(ok == libc);
    if (ok && libc) CHECK(v1 == v2);
    // The range is checked.
    uint64_t v3;
    if (ok) CHECK(ParseUInt(s, 0, 255, &v3) == (v1 <= 255));
    // ParseUIntNoSign: the same without leading white space or '+'.
    const bool bare = !s.empty() && s[0] != '+' && !isspace(static_cast<unsigned char>(s[0]));
    CHECK(ParseUIntNoSign(s, 0, UINT64_MAX, &v3) == (ok && bare));
    // ParseUIntDec: decimal digits only.
    const bool dec = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
    uint64_t v4;
    if (ParseUIntDec(s, 0, UINT64_MAX, &v4)) CHECK(dec);
    else CHECK((!dec || s.size() >= 20));
  }
}

TEST_CASE("ParseUIntPrefix is strtoull without white space or sign", "[base]") {
  for (const std::string& s : NumberInputs(6)) {
    for (int base : {0, 10}) {
      INFO("'" << s << "' base " << base);
      uint64_t v1 = 0, v2 = 0;
      size_t u1 = 0, u2 = 0;
      bool overflow;
      const bool r1 = ParseUIntPrefix(s, base, &v1, &u1);
      const bool bare = !s.empty() && s[0] != '+' && s[0] != '-' &&
                        !isspace(static_cast<unsigned char>(s[0]));
      const bool r2 = bare && LibcStrtoull(s, base, &v2, &u2, &overflow) && !overflow;
      REQUIRE(r1 == r2);
      if (r1) {
        CHECK(v1 == v2);
        CHECK(u1 == u2);
      }
    }
  }
}

TEST_CASE("InetAton is glibc's inet_aton", "[base]") {
  std::vector<std::string> in = RandomStrings("0123456789.xXaAfF", 16, 20000, 7);
  std::vector<std::string> dotted = RandomStrings("0123456789.", 16, 20000, 8);
  in.insert(in.end(), dotted.begin(), dotted.end());
  for (const char* s :
       {"", ".", "1.", ".1", "1..2", "1.2.3.4", "1.2.3.4.", "1.2.3.4.5", "10", "10.1", "10.1.2",
        "255.255.255.255", "256.0.0.0", "1.2.3.256", "1.16777215", "1.16777216", "1.2.65535",
        "1.2.65536", "4294967295", "4294967296", "0x7f000001", "0x7f.1", "0x", "0x.1", "08",
        "010.010.010.010", "0xff.0xff.0xff.0xff", "0x100.0.0.0", "18446744073709551616",
        "00000000000000000000001.2.3.4", "1.2.3.0x", "0X1.0X2.0X3.0X4", "09.1.1.1"})
    in.push_back(s);
  for (const std::string& s : in) {
    INFO("'" << s << "'");
    std::array<uint8_t, 4> a{};
    in_addr b{};
    const bool ours = InetAton(s, &a);
    const bool libc = inet_aton(s.c_str(), &b) != 0;
    REQUIRE(ours == libc);
    if (ours) CHECK(memcmp(a.data(), &b, 4) == 0);
  }
  // Where glibc is more lenient: it stops at white space.
  std::array<uint8_t, 4> a;
  CHECK(!InetAton("1.2.3.4 x", &a));
}

TEST_CASE("XtablesDottedQuad reads -s/-d addresses and masks as libxtables does", "[base]") {
  std::array<uint8_t, 4> a;
  auto ok = [&](std::string_view s, bool mask, std::array<uint8_t, 4> want) {
    INFO(s);
    REQUIRE(XtablesDottedQuad(s, mask, &a));
    CHECK(a == want);
  };
  ok("1.2.3.4", false, {1, 2, 3, 4});
  ok("10", false, {10, 0, 0, 0});  // a network: the missing bytes are zero
  ok("10.1", false, {10, 1, 0, 0});
  ok("10.1.2", false, {10, 1, 2, 0});
  ok("0x0a.010.0.255", false, {10, 8, 0, 255});
  ok("255.255.0.0", true, {255, 255, 0, 0});
  for (const char* bad : {"", "1.2.3.4.5", "256.0.0.0", "1..2.3", "1.2.3.", " 1.2.3.4", "+1.2.3.4",
                          "1.2.3.4 ", "08.0.0.0", "0x.0.0.0", "4294967295"})
    CHECK(!XtablesDottedQuad(bad, false, &a));
  CHECK(!XtablesDottedQuad("255.255", true, &a));  // a mask has all four
  CHECK(!XtablesDottedQuad("255", true, &a));
}

TEST_CASE("The MAC readers against glibc's ether_aton", "[base]") {
  std::vector<std::string> in = RandomStrings("0123456789abcdefABCDEF:", 20, 20000, 9);
  // Mostly well-formed ones, one or two digits a byte.
  std::mt19937 rng(10);
  for (int i = 0; i < 5000; ++i) {
    std::string s;
    for (int k = 0; k < 6; ++k) {
      if (k) s += ':';
      const int digits = 1 + static_cast<int>(rng() % 2);
      for (int d = 0; d < digits; ++d) s += "0123456789abcdefABCDEF"[rng() % 22];
    }
    if (rng() % 10 == 0) s += "0123456789:x"[rng() % 12];
    in.push_back(s);
  }
  for (const std::string& s : in) {
    INFO("'" << s << "'");
    MacAddr m{};
    const ether_addr* e = ether_aton(s.c_str());
    const bool loose = ParseMacEtherAton(s, &m);
    if (loose) {
      REQUIRE(e != nullptr);
      CHECK(memcmp(m.data(), e->ether_addr_octet, 6) == 0);
    } else if (e) {
      // glibc ignores what follows a two-digit sixth byte; iptsim refuses
      // it.  Then a shorter text is accepted.
      bool prefix_ok = false;
      for (size_t n = 1; n < s.size() && !prefix_ok; ++n)
        prefix_ok = ParseMacEtherAton(std::string_view(s).substr(0, n), &m);
      CHECK(prefix_ok);
    }
    const bool strict = ParseMacStrict(s, &m);
    CHECK(strict == (loose && s.size() == 17));
  }
  MacAddr m;
  REQUIRE(ParseMacEtherAton("0-1b-21-a-b-c", &m));  // '-' separates too
  CHECK(m == MacAddr{0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c});
  CHECK(!ParseMacStrict("00-1b-21-0a-0b-0c", &m));
  REQUIRE(ParseMacStrict("00:1B:21:0a:0b:0C", &m));
  CHECK(m == MacAddr{0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c});
  CHECK(!ParseMacStrict("00:1b:21:0a:0b:0c ", &m));
  CHECK(!ParseMacEtherAton("00:1b:21:0a:0b", &m));
  CHECK(!ParseMacEtherAton("000:1b:21:0a:0b:0c", &m));
  CHECK(HexDigitValue('f') == 15);
  CHECK(HexDigitValue('G') == -1);
}

TEST_CASE("ClosestName: the one did-you-mean finder", "[base]") {
  const std::vector<std::string_view> commands{"check", "save", "trace", "verify", "help"};
  // Two neighbours swapped cost one edit, as one wrong letter does.
  CHECK(EditDistance("chekc", "check") == 1);
  CHECK(ClosestName("chekc", commands) == "check");
  CHECK(ClosestName("trcae", commands) == "trace");
  CHECK(ClosestName("verfy", commands) == "verify");
  // Case does not count: the spelling the candidate has is suggested.
  CHECK(EditDistance("ACCEPT", "accept") == 0);
  CHECK(ClosestName("accept", {"ACCEPT", "DROP"}) == "ACCEPT");
  // An exact candidate, a far word, an overlong word: no suggestion.
  CHECK(ClosestName("check", commands) == "");
  CHECK(ClosestName("frobnicate", commands) == "");
  CHECK(ClosestName(std::string(65, 'c'), commands) == "");
  // Up to max(1, len/3) edits; the first of equally close candidates.
  CHECK(ClosestName("--formt", {"--format", "--host"}) == "--format");
  CHECK(ClosestName("ab", {"xb", "ax"}) == "xb");
  CHECK(ClosestName("abcdef", {"abcxyz"}) == "");
}
