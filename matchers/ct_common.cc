#include "matchers/ct_common.h"

#include <cctype>

#include "matchers/parse_util.h"

namespace iptsim {

Status ParseUIntRange(std::string_view text, uint64_t max, std::string_view what, uint64_t* lo,
                      uint64_t* hi, bool* two, RangeOrder order) {
  size_t colon = text.find(':');
  std::string_view a = text.substr(0, colon);
  uint64_t l = 0, h = max;
  if (!a.empty() && !ParseUInt(a, 0, max, &l)) {
    return Status::Error("invalid " + std::string(what) + " '" + std::string(a) + "' (must be 0.." +
                         std::to_string(max) + ")");
  }
  if (colon == std::string_view::npos) {
    *lo = *hi = l;
    *two = false;
    return Status();
  }
  std::string_view b = text.substr(colon + 1);
  if (b.find(':') != std::string_view::npos) {
    return Status::Error("too many ':' in '" + std::string(text) + "' (expected A[:B])");
  }
  if (!b.empty() && !ParseUInt(b, 0, max, &h)) {
    return Status::Error("invalid " + std::string(what) + " '" + std::string(b) + "' (must be 0.." +
                         std::to_string(max) + ")");
  }
  if (l > h && order == RangeOrder::kStartNotAboveEnd) {
    return Status::Error("invalid range '" + std::string(text) + "': start is greater than end");
  }
  *lo = l;
  *hi = h;
  *two = true;
  return Status();
}

bool ParseServicePort(std::string_view text, uint16_t* out) {
  if (text.empty()) return false;
  bool digits = true;
  for (char c : text)
    if (c < '0' || c > '9') digits = false;
  if (digits) {
    uint64_t v;
    if (!ParseUIntDec(text, 0, 65535, &v)) return false;
    *out = static_cast<uint16_t>(v);
    return true;
  }
  return ParsePort(text, "", out);
}

Status ParseServicePortRange(std::string_view text, uint16_t* lo, uint16_t* hi,
                             RangeOrder order) {
  size_t colon = text.find(':');
  std::string_view a = text.substr(0, colon);
  uint16_t l = 0, h = 65535;
  if ((colon == std::string_view::npos || !a.empty()) && !ParseServicePort(a, &l)) {
    return Status::Error("invalid port/service '" + std::string(a) + "'");
  }
  if (colon == std::string_view::npos) {
    *lo = *hi = l;
    return Status();
  }
  std::string_view b = text.substr(colon + 1);
  if (!b.empty() && !ParseServicePort(b, &h)) {
    return Status::Error("invalid port/service '" + std::string(b) + "'");
  }
  if (l > h && order == RangeOrder::kStartNotAboveEnd) {
    return Status::Error("invalid port range '" + std::string(text) +
                         "': start is greater than end");
  }
  *lo = l;
  *hi = h;
  return Status();
}

bool ParsePrefixLenOrMask(Family f, std::string_view text, int* len) {
  const uint64_t max = f == Family::kIPv4 ? 32 : 128;
  uint64_t v;
  if (ParseUInt(text, 0, max, &v)) {
    *len = static_cast<int>(v);
    return true;
  }
  bool looks_like_addr = f == Family::kIPv4 ? text.find('.') != std::string_view::npos
                                            : text.find(':') != std::string_view::npos;
  IpAddr m;
  if (!looks_like_addr || !ParseNumericHost(f, text, &m)) return false;
  int l = MaskPrefixLen(f, m);
  if (l < 0) return false;
  *len = l;
  return true;
}

Status ParseHostMask(Family f, std::string_view text, IpPrefix* out) {
  size_t slash = text.find('/');
  std::string_view addr = text.substr(0, slash);
  IpPrefix p;
  if (!ParseNumericHost(f, addr, &p.addr)) {
    return Status::Error("invalid " + std::string(f == Family::kIPv4 ? "IPv4" : "IPv6") +
                         " address '" + std::string(addr) + "' (host names are not resolved)");
  }
  int len = f == Family::kIPv4 ? 32 : 128;
  if (slash != std::string_view::npos) {
    std::string_view m = text.substr(slash + 1);
    if (!ParsePrefixLenOrMask(f, m, &len)) {
      return Status::Error("invalid mask '" + std::string(m) + "' (a prefix length 0.." +
                           std::to_string(f == Family::kIPv4 ? 32 : 128) +
                           " or a contiguous mask)");
    }
  }
  p.mask = PrefixMask(f, len);
  *out = p;
  return Status();
}

std::string FormatHostMask(Family f, const IpPrefix& p) {
  std::string s = FormatIpAddr(f, p.addr);
  int len = MaskPrefixLen(f, p.mask);
  if (len == (f == Family::kIPv4 ? 32 : 128)) return s;
  s += '/';
  s += len >= 0 ? std::to_string(len) : FormatIpAddr(f, p.mask);
  return s;
}

bool ParseNameList(std::string_view text, std::span<const NamedBit> names, uint32_t* mask,
                   std::string* bad) {
  uint32_t m = 0;
  while (true) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    bool found = false;
    if (!item.empty()) {
      for (const NamedBit& n : names) {
        if (item.size() > n.name.size()) continue;
        bool eq = true;
        for (size_t i = 0; i < item.size(); ++i)
          if (toupper(static_cast<unsigned char>(item[i])) !=
              toupper(static_cast<unsigned char>(n.name[i]))) {
            eq = false;
            break;
          }
        if (eq) {
          m |= n.bit;
          found = true;
          break;
        }
      }
    }
    if (!found) {
      *bad = std::string(item);
      return false;
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  *mask = m;
  return true;
}

std::string EmptyItem(std::string_view what, std::string_view list) {
  return "empty " + std::string(what) + " in '" + std::string(list) +
         "' (a comma-separated list without empty items or spaces)";
}

std::string NameListText(uint32_t mask, std::span<const NamedBit> order) {
  std::string s;
  for (const NamedBit& n : order) {
    if (!(mask & n.bit)) continue;
    if (!s.empty()) s += ',';
    s += n.name;
  }
  return s;
}

Status OnlyOnce(bool* seen, std::string_view option) {
  if (*seen) return Status::Error("'--" + std::string(option) + "' may be given only once");
  *seen = true;
  return {};
}

uint32_t CtStateBit(CtStateValue state, uint32_t untracked_bit) {
  switch (state) {
    case kCtInvalid: return 1;
    case kCtEstablished: return 2;
    case kCtRelated: return 4;
    case kCtNew: return 8;
    case kCtUntracked: return untracked_bit;
  }
  return 1;
}

uint32_t CtStateOf(const EvalContext& ctx, uint32_t untracked_bit) {
  // No entry reads INVALID (also in raw, before conntrack ran), except with
  // a CT template attached, which reads NEW (CtStateOfRef).
  return CtStateBit(CtStateOfRef(ctx.ct), untracked_bit);
}

Pred CtStateIn(uint32_t mask, uint32_t untracked_bit) {
  std::vector<Pred> states;
  for (uint32_t s = 0; s < kNumCtStates; ++s)
    if (CtStateBit(static_cast<CtStateValue>(s), untracked_bit) & mask)
      states.push_back(Pred::NumEq(Field::kCtState, s));
  if (states.empty()) return Pred::False();
  if (states.size() == 1) return states[0];
  return Pred::Or(std::move(states));
}

}  // namespace iptsim
