// Number readers with xtables' rules.  Every reader of a number in a
// ruleset, a packet option, a host file or a log line uses one of these, so
// that the same text is accepted everywhere.
#pragma once

#include <cstdint>
#include <string_view>

namespace iptsim {

// strtoul(text, 0) that must consume everything: decimal, 0x hex or 0 octal,
// after optional leading white space and '+' (as xtables_strtoui).
bool ParseUInt(std::string_view text, uint64_t min, uint64_t max, uint64_t* out);
// Decimal only.
bool ParseUIntDec(std::string_view text, uint64_t min, uint64_t max, uint64_t* out);
// As ParseUInt, but without the leading white space and '+' that strtoul
// skips: iptables' -s/-d address parts and prefix lengths as iptsim has
// always read them.
bool ParseUIntNoSign(std::string_view text, uint64_t min, uint64_t max, uint64_t* out);

// strtoull(text, &end, base) without leading blanks or sign: reads the
// longest number prefix (base 0: 0x hex, 0 octal, else decimal) and sets
// *used to the characters consumed.  False when no digit was read or the
// value does not fit 64 bits.
bool ParseUIntPrefix(std::string_view text, int base, uint64_t* value, size_t* used);

// glibc's strtoull(text, &end, base) (base 0, 8, 10 or 16) on a prefix of
// `text`: optional white space, an optional '+' or '-' (which negates,
// modulo 2^64), then digits; base 0 picks 0x hex (only when a hex digit
// follows the "0x"), 0 octal or decimal.  Returns false when no digit was
// read; otherwise *end is the number of bytes read and *overflow tells the
// value did not fit (it is then UINT64_MAX).
bool Strtoull(std::string_view text, int base, uint64_t* value, size_t* end, bool* overflow);

}  // namespace iptsim
