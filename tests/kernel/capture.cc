// iptsim_capture: the kernel's TRACE/LOG lines for packets given as hex, in a
// throw-away lab (verifier/capture.h).  Root only.  The kernel differential
// scenarios are captured with it (scripts/capture-scenario.sh).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/packet_builder.h"
#include "loader/loader.h"
#include "loader/packet_spec.h"
#include "verifier/capture.h"
#include "verifier/inject.h"

using namespace iptsim;
using namespace iptsim::verifier;

namespace {

constexpr const char* kUsage = R"(usage: iptsim_capture [OPTIONS] RULESET PACKET...

Loads RULESET (iptables-save text; a file or -) into a throw-away network
namespace, sends each PACKET in turn and prints the kernel's lines for it:
TRACE and LOG lines from the kernel log (legacy iptables), or the
xtables-monitor --trace lines (--nft).  Root only.

PACKET
  HEX is hex digits (no ':'); spaces are allowed inside a quoted argument.
  --packet 'OPTIONS'  a packet described with iptsim's packet options (one
                   argument; docs/packet-options.md), built with iptsim's
                   own builder, exactly as `iptsim trace RULESET OPTIONS`
                   builds it: -i IF (with -o: forwarded) arrives on IF,
                   otherwise it is sent by a local raw socket (--uid/--gid,
                   -o = SO_BINDTODEVICE, --mark = SO_MARK)
  --packets FILE   one --packet per line of FILE; blank lines and lines
                   whose first word starts with '#' are skipped
  rx:IF:HEX        an Ethernet frame (dst MAC, src MAC, ethertype, IP datagram)
                   arriving on IF
  rxip:IF:HEX      an IP datagram arriving on the tun device IF (no MAC header)
  tx:HEX[:K=V...]  an IP datagram sent by a local raw socket; K=V among
                   uid=N gid=N (default 0), out=IF (SO_BINDTODEVICE), mark=N
OPTIONS
  -4, -6           family of RULESET (default: the first packet's; for
                   --packet: detected from RULESET as iptsim does)
  --nft            load with iptables-nft-restore, trace with xtables-monitor
  --iface SPEC     NAME[,mac=MAC][,peer=MAC][,addr=CIDR]...[,mtu=N][,tun]
                   (interfaces the packets name are added by themselves)
  --route ARGS     `ip route add ARGS` in the lab (repeatable)
  --forward        enable IPv4 and IPv6 forwarding
  --sysctl K=V     another sysctl of the lab's namespace (repeatable)
  --settle MS      listen until MS ms pass without a new line (default 150)
  --level          prefix kernel-log lines with <level>
  --bare           no "== packet N" separators
  --keep           leave the lab in place and say how to enter and delete it
  --hold MS        once the lab is ready, say so on stderr and wait MS ms
                   before the first packet
Exit status: 0 ok, 2 usage, setup error, or not root / no namespaces.
)";

int Usage(const std::string& msg) {
  fprintf(stderr, "iptsim_capture: %s\n(iptsim_capture --help for usage)\n", msg.c_str());
  return 2;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, sep)) parts.push_back(part);
  return parts;
}

bool ParseUint(const std::string& s, uint64_t max, uint64_t* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = strtoull(s.c_str(), &end, 0);
  if (errno || *end || v > max) return false;
  *out = v;
  return true;
}

bool ParseIface(const std::string& spec, LabInterface* itf, std::string* error) {
  std::vector<std::string> parts = Split(spec, ',');
  if (parts.empty() || parts[0].empty()) {
    *error = "--iface needs a NAME";
    return false;
  }
  itf->name = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    size_t eq = p.find('=');
    std::string key = p.substr(0, eq), value = eq == std::string::npos ? "" : p.substr(eq + 1);
    uint64_t n;
    if (key == "tun" && eq == std::string::npos) {
      itf->tun = true;
    } else if (key == "mac") {
      itf->mac = value;
    } else if (key == "peer") {
      itf->peer_mac = value;
    } else if (key == "addr") {
      itf->addresses.push_back(value);
    } else if (key == "mtu" && ParseUint(value, 65535, &n)) {
      itf->mtu = static_cast<int>(n);
    } else {
      *error = "--iface: cannot use '" + p + "'";
      return false;
    }
  }
  return true;
}

bool ParsePacket(const std::string& arg, Packet* out, std::string* error) {
  std::vector<std::string> f = Split(arg, ':');
  std::vector<uint8_t> bytes;
  if ((f[0] == "rx" || f[0] == "rxip") && f.size() == 3) {
    if (!ParseHex(f[2], &bytes)) {
      *error = "bad hex in '" + arg + "'";
      return false;
    }
    return f[0] == "rx" ? PacketFromFrame(bytes, f[1], out, error)
                        : PacketFromDatagram(bytes, f[1], out, error);
  }
  if (f[0] == "tx" && f.size() >= 2) {
    if (!ParseHex(f[1], &bytes)) {
      *error = "bad hex in '" + arg + "'";
      return false;
    }
    if (!PacketFromDatagram(bytes, "", out, error)) return false;
    for (size_t i = 2; i < f.size(); ++i) {
      size_t eq = f[i].find('=');
      std::string key = f[i].substr(0, eq), value = eq == std::string::npos ? "" : f[i].substr(eq + 1);
      uint64_t n;
      if (key == "uid" && ParseUint(value, 0xfffffffe, &n)) {
        out->uid = static_cast<uint32_t>(n);
      } else if (key == "gid" && ParseUint(value, 0xfffffffe, &n)) {
        out->gid = static_cast<uint32_t>(n);
      } else if (key == "mark" && ParseUint(value, 0xffffffff, &n)) {
        out->mark = static_cast<uint32_t>(n);
      } else if (key == "out" && !value.empty() && value.size() <= 15) {
        out->out = IfaceName(value);
      } else {
        *error = "cannot use '" + f[i] + "' in '" + arg + "'";
        return false;
      }
    }
    if (!out->uid) out->uid = 0;
    if (!out->gid) out->gid = 0;
    return true;
  }
  *error = "a packet is rx:IF:HEX, rxip:IF:HEX or tx:HEX[:K=V...], not '" + arg + "'";
  return false;
}

// One packet argument, kept in command-line order: hex ("rx:...") or
// packet options (--packet), which are parsed once the family is known.
struct PacketArg {
  bool options = false;
  std::string text;
  std::string where;  // for messages: "--packet" or "FILE:LINE"
};

bool BuildFromOptions(const PacketArg& a, Family family, Packet* out, std::string* error) {
  PacketSpec spec;
  Diagnostic diag;
  if (!ParsePacketLine(a.text, family, &spec, &diag)) {
    diag.file = a.where;
    *error = FormatDiagnostic(diag);
    while (!error->empty() && error->back() == '\n') error->pop_back();
    return false;
  }
  *out = BuildPacket(spec);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  LabSpec spec;
  CaptureOptions options;
  std::string ruleset_path;
  std::vector<Packet> packets;
  std::vector<PacketArg> packet_args;
  bool bare = false;
  int hold_ms = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string* v) {
      if (i + 1 >= argc) return false;
      *v = argv[++i];
      return true;
    };
    std::string v, error;
    uint64_t n;
    if (a == "-h" || a == "--help") {
      fputs(kUsage, stdout);
      return 0;
    } else if (a == "-4") {
      options.family = Family::kIPv4;
    } else if (a == "-6") {
      options.family = Family::kIPv6;
    } else if (a == "--nft") {
      options.flavour = Flavour::kNft;
    } else if (a == "--iface") {
      LabInterface itf;
      if (!value(&v)) return Usage("--iface needs a value");
      if (!ParseIface(v, &itf, &error)) return Usage(error);
      spec.interfaces.push_back(itf);
    } else if (a == "--route") {
      if (!value(&v)) return Usage("--route needs a value");
      spec.routes.push_back(v);
    } else if (a == "--forward") {
      spec.ip_forward = true;
    } else if (a == "--sysctl") {
      if (!value(&v) || v.find('=') == std::string::npos) return Usage("--sysctl needs KEY=VALUE");
      spec.sysctls.emplace_back(v.substr(0, v.find('=')), v.substr(v.find('=') + 1));
    } else if (a == "--settle") {
      if (!value(&v) || !ParseUint(v, 60000, &n)) return Usage("--settle needs milliseconds");
      options.settle.quiet = std::chrono::milliseconds(n);
      options.settle.deadline = std::max(options.settle.deadline, options.settle.quiet * 4);
    } else if (a == "--level") {
      options.with_level = true;
    } else if (a == "--bare") {
      bare = true;
    } else if (a == "--keep") {
      options.lab.keep = true;
    } else if (a == "--hold") {
      if (!value(&v) || !ParseUint(v, 3600000, &n)) return Usage("--hold needs milliseconds");
      hold_ms = static_cast<int>(n);
    } else if (a == "--packet") {
      if (!value(&v)) return Usage("--packet needs the packet's options");
      packet_args.push_back({true, v, "--packet " + std::to_string(packet_args.size() + 1)});
    } else if (a == "--packets") {
      if (!value(&v)) return Usage("--packets needs a FILE");
      std::ifstream in(v);
      if (!in) return Usage("cannot read " + v);
      std::string line;
      for (int lineno = 1; std::getline(in, line); ++lineno) {
        size_t b = line.find_first_not_of(" \t\r");
        if (b == std::string::npos || line[b] == '#') continue;
        packet_args.push_back({true, line, v + ":" + std::to_string(lineno)});
      }
    } else if (a.size() > 1 && a[0] == '-' && a != "-") {
      return Usage("unknown option '" + a + "'");
    } else if (ruleset_path.empty()) {
      ruleset_path = a;
    } else {
      packet_args.push_back({false, a, a});
    }
  }
  if (ruleset_path.empty()) return Usage("no RULESET given");
  std::string ruleset;
  if (ruleset_path == "-") {
    ruleset.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(ruleset_path, std::ios::binary);
    if (!in) return Usage("cannot read " + ruleset_path);
    ruleset.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  // Packets given as options are built for the ruleset's family, as
  // `iptsim trace` builds them (-4/-6, else detected from the text).
  Family family = options.family.value_or(DetectFamily(ruleset));
  bool any_options = false;
  for (const PacketArg& a : packet_args) {
    Packet p;
    std::string error;
    if (a.options) {
      any_options = true;
      if (!BuildFromOptions(a, family, &p, &error)) return Usage(error);
    } else if (!ParsePacket(a.text, &p, &error)) {
      return Usage(error);
    }
    packets.push_back(std::move(p));
  }
  if (any_options && !options.family) options.family = family;

  if (hold_ms > 0) {
    options.on_ready = [&](Lab& lab) {
      fprintf(stderr, "iptsim_capture: lab %s ready, holding it %d ms\n",
              lab.host_netns().c_str(), hold_ms);
      std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms));
    };
  }
  CaptureResult res = CaptureTraces(spec, ruleset, packets, options);
  for (size_t i = 0; i < res.lines.size(); ++i) {
    if (!bare) printf("== packet %zu\n", i + 1);
    for (const std::string& c : res.caveats[i]) {
      fprintf(stderr, "iptsim_capture: packet %zu: note: %s\n", i + 1, c.c_str());
    }
    if (!res.send_errors[i].ok()) {
      fprintf(stderr, "iptsim_capture: packet %zu: %s\n", i + 1, res.send_errors[i].message().c_str());
    }
    for (const std::string& l : res.lines[i]) printf("%s\n", l.c_str());
    for (const std::string& l : res.log_lines[i]) printf("%s\n", l.c_str());
  }
  for (const std::string& e : res.monitor_errors) {
    fprintf(stderr, "iptsim_capture: xtables-monitor: %s\n", e.c_str());
  }
  fflush(stdout);
  if (!res.status.ok()) {
    fprintf(stderr, "iptsim_capture: %s%s\n",
            res.status.kind == LabStatus::kUnsupported ? "cannot run here: " : "error: ",
            res.status.message.c_str());
    return 2;
  }
  return 0;
}
