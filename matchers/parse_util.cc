#include "matchers/parse_util.h"

#include <algorithm>
#include <unordered_map>
#include <vector>

namespace iptsim {

namespace {

struct ProtoEntry {
  int number;
  const char* name;
  const char* aliases;
};
struct ServiceEntry {
  const char* name;
  int port;
  const char* proto;
  const char* aliases;
};
#include "matchers/netdb_data.inc"

bool HasWord(std::string_view list, std::string_view word) {
  while (!list.empty()) {
    size_t sp = list.find(' ');
    if (list.substr(0, sp) == word) return true;
    if (sp == std::string_view::npos) break;
    list.remove_prefix(sp + 1);
  }
  return false;
}

}  // namespace

Status ParseUIntArg(std::span<const Arg> args, int i, uint64_t min, uint64_t max,
                    std::string_view what, uint64_t* out) {
  if (!ParseUInt(args[i].text, min, max, out))
    return Status::Error("invalid " + std::string(what) + " '" + std::string(args[i].text) +
                             "' (must be " + std::to_string(min) + ".." + std::to_string(max) +
                             ")",
                         i);
  return {};
}

bool ParsePort(std::string_view text, std::string_view proto, uint16_t* out) {
  uint64_t v;
  if (ParseUInt(text, 0, 65535, &v)) {
    *out = static_cast<uint16_t>(v);
    return true;
  }
  for (const ServiceEntry& s : kServices) {
    if (!proto.empty() && proto != s.proto) continue;
    if (text == s.name || HasWord(s.aliases, text)) {
      *out = static_cast<uint16_t>(s.port);
      return true;
    }
  }
  return false;
}

Status ParsePortRange(std::string_view text, std::string_view proto, uint16_t* lo, uint16_t* hi,
                      RangeOrder order) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    if (!ParsePort(text, proto, lo)) {
      return Status::Error("invalid port/service '" + std::string(text) + "' specified");
    }
    *hi = *lo;
    return Status();
  }
  std::string_view a = text.substr(0, colon), b = text.substr(colon + 1);
  uint16_t l = 0, h = 65535;
  if (!a.empty() && !ParsePort(a, proto, &l)) {
    return Status::Error("invalid port/service '" + std::string(a) + "' specified");
  }
  if (!b.empty() && !ParsePort(b, proto, &h)) {
    return Status::Error("invalid port/service '" + std::string(b) + "' specified");
  }
  if (l > h && order == RangeOrder::kStartNotAboveEnd) {
    return Status::Error("invalid port range '" + std::string(text) +
                         "': start is greater than end");
  }
  *lo = l;
  *hi = h;
  return Status();
}

std::string_view ProtoName(uint8_t proto) {
  if (proto == 0) return "";
  for (const ProtoEntry& p : kProtocols)
    if (p.number == proto) return p.name;
  return "";
}

bool ParseProtocol(std::string_view text, uint8_t* out) {
  uint64_t v;
  if (ParseUInt(text, 0, 255, &v)) {
    *out = static_cast<uint8_t>(v);
    return true;
  }
  if (text == "all") {
    *out = 0;
    return true;
  }
  // Names and aliases of /etc/protocols, indexed once (-p is on most rules).
  static const auto* names = [] {
    auto* m = new std::unordered_map<std::string_view, uint8_t>();
    for (const ProtoEntry& p : kProtocols) {
      m->emplace(p.name, static_cast<uint8_t>(p.number));
      std::string_view a = p.aliases;
      while (!a.empty()) {
        size_t sp = a.find(' ');
        m->emplace(a.substr(0, sp), static_cast<uint8_t>(p.number));
        if (sp == std::string_view::npos) break;
        a.remove_prefix(sp + 1);
      }
    }
    return m;
  }();
  if (auto it = names->find(text); it != names->end()) {
    *out = it->second;
    return true;
  }
  // libxtables' own short names that /etc/protocols lacks.
  static constexpr struct {
    std::string_view name;
    uint8_t num;
  } kExtra[] = {{"icmpv6", 58}, {"ipv6-mh", 135}, {"mh", 135}};
  for (const auto& e : kExtra) {
    if (text == e.name) {
      *out = e.num;
      return true;
    }
  }
  return false;
}

std::string_view ProtoMatchName(uint8_t proto) {
  // libxtables' own protocol names come first (xtables_chain_protos), then
  // /etc/protocols.
  switch (proto) {
    case 6: return "tcp";
    case 132: return "sctp";
    case 17: return "udp";
    case 136: return "udplite";
    case 1: return "icmp";
    case 58: return "icmpv6";
    case 50: return "esp";
    case 51: return "ah";
    case 135: return "ipv6-mh";
    default: return ProtoName(proto);
  }
}

bool ParseValueMask(std::string_view text, uint32_t* value, uint32_t* mask,
                    uint32_t default_mask) {
  size_t slash = text.find('/');
  uint64_t v, m = default_mask;
  if (!ParseUInt(text.substr(0, slash), 0, 0xffffffff, &v)) return false;
  if (slash != std::string_view::npos && !ParseUInt(text.substr(slash + 1), 0, 0xffffffff, &m))
    return false;
  *value = static_cast<uint32_t>(v);
  *mask = static_cast<uint32_t>(m);
  return true;
}

std::string Hex(uint64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string SaveString(std::string_view s) {
  bool bare = !s.empty();
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-')) {
      bare = false;
      break;
    }
  }
  if (bare) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

void SaveOpt(std::string& out, std::string_view name, bool invert) {
  if (invert) out += " !";
  out += " --";
  out += name;
}

void SaveOpt(std::string& out, std::string_view name, const char* value, bool invert) {
  SaveOpt(out, name, std::string_view(value), invert);
}

void SaveOpt(std::string& out, std::string_view name, std::string_view value, bool invert) {
  SaveOpt(out, name, invert);
  out += ' ';
  out += value;
}

}  // namespace iptsim
