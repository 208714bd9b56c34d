#include "verifier/host_spec.h"

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace iptsim::verifier {
namespace {

struct Word {
  std::string_view text;
  size_t col;  // 0-based
};

std::vector<Word> SplitWords(std::string_view line) {
  std::vector<Word> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    if (i >= line.size() || line[i] == '#') break;
    size_t b = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    words.push_back({line.substr(b, i - b), b});
  }
  return words;
}

bool ParseMtu(std::string_view v, int* out) {
  if (v.empty() || v.size() > 5) return false;
  int n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  if (n < 68 || n > 65535) return false;
  *out = n;
  return true;
}

}  // namespace

std::string ParseLabInterface(std::string_view spec, LabInterface* itf, size_t* col) {
  size_t pos = 0;
  bool first = true;
  auto fail = [&](size_t at, std::string why) {
    if (col) *col = at;
    return why;
  };
  while (true) {
    size_t comma = spec.find(',', pos);
    std::string_view part = spec.substr(pos, comma == std::string_view::npos ? spec.npos : comma - pos);
    if (first) {
      if (part.empty()) return fail(pos, "an interface needs a NAME");
      itf->name = std::string(part);
      first = false;
    } else {
      size_t eq = part.find('=');
      std::string_view key = part.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
      if (key == "tun" && eq == std::string_view::npos) {
        itf->tun = true;
      } else if (eq == std::string_view::npos) {
        return fail(pos, "'" + std::string(part) +
                             "' is no interface setting (mac=, peer=, addr=, mtu= or tun)");
      } else if (key == "mac" || key == "peer") {
        uint8_t mac[6];
        if (!ParseMac(value, mac)) {
          return fail(pos + eq + 1, "invalid MAC address '" + std::string(value) +
                                        "' (want xx:xx:xx:xx:xx:xx)");
        }
        if (mac[0] & 1) {
          return fail(pos + eq + 1, "MAC address '" + std::string(value) + "' is a multicast address");
        }
        (key == "mac" ? itf->mac : itf->peer_mac) = std::string(value);
      } else if (key == "addr") {
        LabSpec one;
        one.interfaces.push_back(LabInterface{});
        one.interfaces[0].name = "x";
        one.interfaces[0].addresses.push_back(std::string(value));
        if (std::string why = ValidateLabSpec(one); !why.empty()) return fail(pos + eq + 1, why);
        itf->addresses.push_back(std::string(value));
      } else if (key == "mtu") {
        if (!ParseMtu(value, &itf->mtu)) {
          return fail(pos + eq + 1, "mtu wants a number from 68 to 65535, not '" +
                                        std::string(value) + "'");
        }
      } else {
        return fail(pos, "unknown interface setting '" + std::string(key) +
                             "' (mac=, peer=, addr=, mtu= or tun)");
      }
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  // Name checks (length, characters, "lo").
  LabSpec one;
  one.interfaces.push_back(LabInterface{});
  one.interfaces[0].name = itf->name;
  if (std::string why = ValidateLabSpec(one); !why.empty()) return fail(0, why);
  return {};
}

bool ParseHostSpec(std::string_view text, std::string_view file, LabSpec* spec,
                   Diagnostic* error) {
  uint32_t lineno = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++lineno;
    auto fail = [&](size_t col, size_t len, std::string message) {
      error->severity = Severity::kError;
      error->file = std::string(file);
      error->line = lineno;
      error->col = static_cast<uint32_t>(col + 1);
      error->len = static_cast<uint32_t>(len ? len : 1);
      error->message = std::move(message);
      error->source_line = std::string(line);
      return false;
    };
    if (line.find('\0') != std::string_view::npos) {
      return fail(line.find('\0'), 1, "NUL byte in a host file");
    }
    std::vector<Word> w = SplitWords(line);
    if (w.empty()) continue;
    std::string_view d = w[0].text;
    if (d == "iface") {
      if (w.size() != 2) {
        return fail(w.size() < 2 ? line.size() : w[2].col, 1,
                    "iface takes one argument: NAME[,mac=MAC][,peer=MAC][,addr=CIDR]...[,mtu=N][,tun]");
      }
      LabInterface itf;
      size_t col = 0;
      if (std::string why = ParseLabInterface(w[1].text, &itf, &col); !why.empty()) {
        return fail(w[1].col + col, 1, why);
      }
      for (const LabInterface& other : spec->interfaces) {
        if (other.name == itf.name) {
          return fail(w[1].col, itf.name.size(), "interface '" + itf.name + "' given twice");
        }
      }
      spec->interfaces.push_back(std::move(itf));
    } else if (d == "route") {
      if (w.size() < 2) return fail(line.size(), 1, "route needs the arguments of `ip route add`");
      std::string args;
      for (size_t i = 1; i < w.size(); ++i) {
        if (i > 1) args += ' ';
        args += w[i].text;
      }
      spec->routes.push_back(std::move(args));
    } else if (d == "forward") {
      if (w.size() > 2) return fail(w[2].col, w[2].text.size(), "forward takes at most one word: on or off");
      if (w.size() == 1 || w[1].text == "on") {
        spec->ip_forward = true;
      } else if (w[1].text == "off") {
        spec->ip_forward = false;
      } else {
        return fail(w[1].col, w[1].text.size(),
                    "forward takes on or off, not '" + std::string(w[1].text) + "'");
      }
    } else if (d == "sysctl") {
      size_t eq = w.size() == 2 ? w[1].text.find('=') : std::string_view::npos;
      if (w.size() != 2 || eq == 0 || eq == std::string_view::npos) {
        return fail(w.size() >= 2 ? w[1].col : line.size(), 1, "sysctl takes one KEY=VALUE");
      }
      std::string key(w[1].text.substr(0, eq));
      if (key.find("..") != std::string::npos) {
        return fail(w[1].col, eq, "sysctl key '" + key + "' must not contain '..'");
      }
      spec->sysctls.emplace_back(key, std::string(w[1].text.substr(eq + 1)));
    } else {
      return fail(w[0].col, d.size(),
                  "unknown host directive '" + std::string(d) +
                      "' (iface, route, forward or sysctl)");
    }
  }
  return true;
}

}  // namespace iptsim::verifier
