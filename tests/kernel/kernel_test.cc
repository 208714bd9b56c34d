// Kernel tests of the verifier: captures through the real kernel compared
// with the reference captures (corpus/reference/captures, recorded on this
// kernel; docs/kernel-trace.md lists them), and cleanup on every exit path.
//
// Needs root and network namespaces: kernel_main.cc skips loudly without
// them.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "base/mac.h"
#include "verifier/capture.h"
#include "verifier/inject.h"
#include "verifier/kmsg.h"
#include "verifier/lab.h"
#include "verifier/sys.h"

using namespace iptsim;
using namespace iptsim::verifier;

namespace {

// ---------------------------------------------------------------------------
// A few packets built by hand (the engine's packet builder is separate work).

using Bytes = std::vector<uint8_t>;

void Put16(Bytes* b, uint16_t v) {
  b->push_back(static_cast<uint8_t>(v >> 8));
  b->push_back(static_cast<uint8_t>(v));
}
void Put32(Bytes* b, uint32_t v) {
  Put16(b, static_cast<uint16_t>(v >> 16));
  Put16(b, static_cast<uint16_t>(v));
}
void Set16(Bytes* b, size_t off, uint16_t v) {
  (*b)[off] = static_cast<uint8_t>(v >> 8);
  (*b)[off + 1] = static_cast<uint8_t>(v);
}
uint32_t SumWords(const Bytes& b, uint32_t sum = 0) {
  for (size_t i = 0; i < b.size(); i += 2) {
    sum += static_cast<uint32_t>(b[i] << 8 | (i + 1 < b.size() ? b[i + 1] : 0));
  }
  return sum;
}
uint16_t Fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}
Bytes Addr4(const char* text) {
  Bytes b(4);
  REQUIRE(inet_pton(AF_INET, text, b.data()) == 1);
  return b;
}
Bytes Addr6(const char* text) {
  Bytes b(16);
  REQUIRE(inet_pton(AF_INET6, text, b.data()) == 1);
  return b;
}
Bytes Cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Transport header + payload with its checksum at `csum_off`, over the pseudo
// header of src/dst.
Bytes WithChecksum(Bytes seg, size_t csum_off, const Bytes& src, const Bytes& dst, uint8_t proto) {
  Bytes pseudo = Cat(src, dst);
  if (src.size() == 4) {
    pseudo.push_back(0);
    pseudo.push_back(proto);
    Put16(&pseudo, static_cast<uint16_t>(seg.size()));
  } else {
    Put32(&pseudo, static_cast<uint32_t>(seg.size()));
    Put32(&pseudo, proto);
  }
  uint16_t c = Fold(SumWords(seg, SumWords(pseudo)));
  if (proto == 17 && c == 0) c = 0xffff;
  Set16(&seg, csum_off, c);
  return seg;
}

Bytes Udp(const Bytes& src, const Bytes& dst, uint16_t sport, uint16_t dport,
          const std::string& data) {
  Bytes u;
  Put16(&u, sport);
  Put16(&u, dport);
  Put16(&u, static_cast<uint16_t>(8 + data.size()));
  Put16(&u, 0);
  u.insert(u.end(), data.begin(), data.end());
  return WithChecksum(u, 6, src, dst, 17);
}

Bytes Tcp(const Bytes& src, const Bytes& dst, uint16_t sport, uint16_t dport, uint32_t seq,
          uint32_t ack, uint8_t flags, uint16_t window, const Bytes& options) {
  Bytes t;
  Put16(&t, sport);
  Put16(&t, dport);
  Put32(&t, seq);
  Put32(&t, ack);
  t.push_back(static_cast<uint8_t>((20 + options.size()) / 4 << 4));
  t.push_back(flags);
  Put16(&t, window);
  Put32(&t, 0);  // checksum, urgent pointer
  t = Cat(t, options);
  return WithChecksum(t, 16, src, dst, 6);
}

struct Ip4 {
  uint16_t id = 0;
  bool df = false;
  uint8_t ttl = 64;
};
Bytes Ipv4(const Bytes& src, const Bytes& dst, uint8_t proto, const Bytes& payload, Ip4 o) {
  Bytes h = {0x45, 0};
  Put16(&h, static_cast<uint16_t>(20 + payload.size()));
  Put16(&h, o.id);
  Put16(&h, o.df ? 0x4000 : 0);
  h.push_back(o.ttl);
  h.push_back(proto);
  Put16(&h, 0);
  h = Cat(Cat(h, src), dst);
  Set16(&h, 10, Fold(SumWords(h)));
  return Cat(h, payload);
}

Bytes Ipv6(const Bytes& src, const Bytes& dst, uint8_t next, const Bytes& payload,
           uint32_t flowlabel) {
  Bytes h;
  Put32(&h, 6u << 28 | flowlabel);
  Put16(&h, static_cast<uint16_t>(payload.size()));
  h.push_back(next);
  h.push_back(64);
  return Cat(Cat(Cat(h, src), dst), payload);
}

Packet Received(const char* in, const char* dst_mac, const char* src_mac, const Bytes& datagram) {
  MacAddr dst, src;
  REQUIRE(ParseMacStrict(dst_mac, &dst));
  REQUIRE(ParseMacStrict(src_mac, &src));
  Bytes frame(dst.begin(), dst.end());
  frame.insert(frame.end(), src.begin(), src.end());
  Put16(&frame, (datagram[0] >> 4) == 6 ? 0x86dd : 0x0800);
  Packet p;
  std::string err;
  REQUIRE(PacketFromFrame(Cat(frame, datagram), in, &p, &err));
  return p;
}

Packet Local(const Bytes& datagram, uint32_t uid, uint32_t gid) {
  Packet p;
  std::string err;
  REQUIRE(PacketFromDatagram(datagram, "", &p, &err));
  p.uid = uid;
  p.gid = gid;
  return p;
}

Bytes FromHex(const char* hex) {
  Bytes b;
  REQUIRE(ParseHex(hex, &b));
  return b;
}

// ---------------------------------------------------------------------------

std::string Reference(const std::string& rel) {
  std::ifstream in(std::string(IPTSIM_SOURCE_DIR) + "/corpus/reference/" + rel, std::ios::binary);
  REQUIRE(in);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream ss(text);
  std::string l;
  while (std::getline(ss, l)) lines.push_back(l);
  return lines;
}

// The lines of a capture file without "== ..." / "# ..." headings.
std::vector<std::string> TraceLines(const std::string& rel, size_t first, size_t count) {
  std::vector<std::string> out;
  for (const std::string& l : Lines(Reference(rel))) {
    if (l.rfind("==", 0) == 0 || l.rfind("#", 0) == 0) continue;
    out.push_back(l);
  }
  REQUIRE(first + count <= out.size());
  return std::vector<std::string>(out.begin() + first, out.begin() + first + count);
}

std::vector<std::string> Flatten(const CaptureResult& r) {
  std::vector<std::string> all;
  for (const auto& l : r.lines) all.insert(all.end(), l.begin(), l.end());
  return all;
}

void RequireCaptured(const CaptureResult& r) {
  INFO(r.status.message);
  REQUIRE(r.status.ok());
  for (size_t i = 0; i < r.send_errors.size(); ++i) {
    INFO("packet " << i + 1);
    CHECK(r.send_errors[i].message() == "");
    CHECK(r.send_errors[i].ok());
  }
}

std::string NfLogAllNetns() {
  std::string v;
  ReadSmallFile("/proc/sys/net/netfilter/nf_log_all_netns", &v);
  while (!v.empty() && v.back() == '\n') v.pop_back();
  return v;
}

// Namespaces under /run/netns whose name starts with `prefix`.
std::vector<std::string> NetnsWithPrefix(const std::string& prefix) {
  std::vector<std::string> names;
  if (DIR* d = opendir("/run/netns")) {
    while (dirent* e = readdir(d)) {
      if (std::string(e->d_name).rfind(prefix, 0) == 0) names.push_back(e->d_name);
    }
    closedir(d);
  }
  return names;
}

// Whether a device of that name exists in the initial namespace.
bool DeviceInInitialNetns(const std::string& name) {
  return access(("/sys/class/net/" + name).c_str(), F_OK) == 0;
}

const std::string kSourceDir = IPTSIM_SOURCE_DIR;

LabInterface Itf(const char* name, std::vector<std::string> addresses = {}, bool tun = false) {
  LabInterface i;
  i.name = name;
  i.addresses = std::move(addresses);
  i.tun = tun;
  return i;
}

}  // namespace

// ===========================================================================
// Captures compared with the reference.

TEST_CASE("UDP through a raw PREROUTING TRACE rule: e1-crafted-v4 [0] byte for byte",
          "[kernel][capture]") {
  // craft4.py packet 0: 10.200.3.1:1111 -> 10.200.3.2:2222 "abcd", ID 1000, at
  // layer 2 from 02:00:00:00:03:01 to D's d0 02:00:00:00:03:02.
  Bytes s = Addr4("10.200.3.1"), d = Addr4("10.200.3.2");
  Packet p = Received("d0", "02:00:00:00:03:02", "02:00:00:00:03:01",
                      Ipv4(s, d, 17, Udp(s, d, 1111, 2222, "abcd"), {.id = 1000}));
  LabSpec spec;
  spec.interfaces.push_back(Itf("d0", {"10.200.3.2/24"}));
  CaptureResult r = CaptureTraces(spec, Reference("rulesets/rs-D.v4"), {p});
  RequireCaptured(r);
  CHECK(r.caveats[0].empty());
  CHECK(Flatten(r) == TraceLines("captures/e1-crafted-v4.txt", 0, 1));
}

TEST_CASE("rs-N1.v4 rule numbering with a LOG line: e2-numbering1", "[kernel][capture]") {
  // B had empty mangle and security tables from earlier experiments when
  // e2-numbering1 was recorded: they are part of its lines.
  std::string ruleset = Reference("rulesets/rs-N1.v4") +
                        "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
                        ":FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
                        "COMMIT\n*security\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
                        ":OUTPUT ACCEPT [0:0]\nCOMMIT\n";
  // The file has one "== dport N" block per packet, lines cut before " SRC=".
  std::vector<uint16_t> ports;
  std::vector<std::vector<std::string>> expected;
  for (const std::string& l : Lines(Reference("captures/e2-numbering1.txt"))) {
    if (l.rfind("== dport ", 0) == 0) {
      ports.push_back(static_cast<uint16_t>(std::stoi(l.substr(9))));
      expected.emplace_back();
    } else if (!l.empty()) {
      expected.back().push_back(l);
    }
  }
  REQUIRE(ports.size() == 10);
  Bytes s = Addr4("10.200.1.1"), d = Addr4("10.200.2.1");
  std::vector<Packet> packets;
  for (uint16_t port : ports) {
    packets.push_back(Received(
        "b0", "02:00:00:00:02:01", "02:00:00:00:02:fe",
        Ipv4(s, d, 17, Udp(s, d, 40000, port, "trace-me"), {.id = port, .df = true, .ttl = 63})));
  }
  LabSpec spec;
  spec.interfaces.push_back(Itf("b0", {"10.200.2.1/24"}));
  CaptureResult r = CaptureTraces(spec, ruleset, packets);
  RequireCaptured(r);
  REQUIRE(r.lines.size() == ports.size());
  for (size_t i = 0; i < ports.size(); ++i) {
    INFO("dport " << ports[i]);
    std::vector<std::string> cut;
    for (const std::string& l : r.lines[i]) cut.push_back(l.substr(0, l.find(" SRC=")));
    CHECK(cut == expected[i]);
  }
}

TEST_CASE("local TCP SYN of uid/gid 65534 on OUTPUT: e1c-local-tcp-nobody", "[kernel][capture]") {
  Bytes s = Addr4("10.200.1.1"), d = Addr4("10.200.2.1");
  Bytes syn = Tcp(s, d, 57830, 80, 3777942849u, 0, 0x02, 64240,
                  FromHex("020405B40402080ACD714C79000000000103030A"));
  Packet p = Local(Ipv4(s, d, 6, syn, {.id = 26741, .df = true}), 65534, 65534);
  LabSpec spec;
  spec.interfaces.push_back(Itf("a0", {"10.200.1.1/24"}));
  spec.routes.push_back("10.200.2.0/24 via 10.200.1.254");
  CaptureResult r = CaptureTraces(spec, Reference("rulesets/rs-A1.v4"), {p});
  RequireCaptured(r);
  CHECK(r.caveats[0].empty());
  CHECK(Flatten(r) == TraceLines("captures/e1c-local-tcp-nobody.txt", 0, 2));
}

TEST_CASE("forwarded SYN and SYN-ACK through MASQUERADE: e3-forward-tcp", "[kernel][capture]") {
  Bytes a = Addr4("10.200.1.1"), b = Addr4("10.200.2.1"), masq = Addr4("10.200.2.254");
  Bytes syn = Tcp(a, b, 45001, 80, 301516849u, 0, 0x02, 64240,
                  FromHex("020405B40402080A1D432863000000000103030A"));
  Bytes synack = Tcp(b, masq, 80, 45001, 3415617791u, 301516850u, 0x12, 65160,
                     FromHex("020405B40402080AB53989A11D4328630103030A"));
  std::vector<Packet> packets = {
      Received("r0", "02:00:00:00:01:fe", "02:00:00:00:01:01",
               Ipv4(a, b, 6, syn, {.id = 60705, .df = true})),
      Received("r1", "02:00:00:00:02:fe", "02:00:00:00:02:01",
               Ipv4(b, masq, 6, synack, {.id = 0, .df = true})),
  };
  LabSpec spec;
  spec.ip_forward = true;
  spec.interfaces.push_back(Itf("r0", {"10.200.1.254/24"}));
  spec.interfaces.push_back(Itf("r1", {"10.200.2.254/24"}));
  CaptureResult r = CaptureTraces(spec, Reference("rulesets/rs-R1.v4"), packets);
  RequireCaptured(r);
  REQUIRE(r.lines.size() == 2);
  CHECK(r.lines[0] == TraceLines("captures/e3-forward-tcp.txt", 0, 8));
  // The reply is de-masqueraded by the connection the SYN created.
  CHECK(r.lines[1] == TraceLines("captures/e3-forward-tcp.txt", 8, 6));
}

TEST_CASE("IPv6 UDP through ip6tables raw TRACE: e6-crafted-v6 [0]", "[kernel][capture]") {
  Bytes s = Addr6("fd00:200:3::1"), d = Addr6("fd00:200:3::2");
  Packet p = Received("d0", "02:00:00:00:03:02", "02:00:00:00:03:01",
                      Ipv6(s, d, 17, Udp(s, d, 1111, 2222, "abcd"), 65536));
  LabSpec spec;
  spec.interfaces.push_back(Itf("d0", {"fd00:200:3::2/64"}));
  CaptureResult r = CaptureTraces(spec, Reference("rulesets/rs-D.v6"), {p});
  RequireCaptured(r);
  CHECK(Flatten(r) == TraceLines("captures/e6-crafted-v6.txt", 0, 1));
}

TEST_CASE("datagram on a tun device prints 'MAC= ': e1-tun-mac", "[kernel][capture]") {
  Bytes s = Addr4("10.200.9.2"), d = Addr4("10.200.9.1");
  Packet p;
  std::string err;
  REQUIRE(PacketFromDatagram(Ipv4(s, d, 17, Udp(s, d, 1, 2, "x"), {.id = 4242}), "nfreftun0",
                             &p, &err));
  LabSpec spec;
  spec.interfaces.push_back(Itf("nfreftun0", {"10.200.9.1/24"}, true));
  // The recording had two rules in raw PREROUTING (policy:3), the first a TRACE.
  const char* rules =
      "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
      "-A PREROUTING -s 10.200.9.2/32 -j TRACE\n-A PREROUTING -p tcp -j TRACE\nCOMMIT\n";
  CaptureResult r = CaptureTraces(spec, rules, {p});
  RequireCaptured(r);
  CHECK(Flatten(r) == TraceLines("captures/e1-tun-mac.txt", 0, 1));
  CHECK_FALSE(DeviceInInitialNetns("nfreftun0"));
}

TEST_CASE("nf_tables flavour: xtables-monitor --trace, e4-xtables-monitor-raw",
          "[kernel][capture][nft]") {
  if (FindProgram("xtables-monitor").empty() || FindProgram("iptables-nft-restore").empty()) {
    WARN("SKIP: xtables-monitor / iptables-nft-restore not installed");
    return;
  }
  Bytes f = Addr4("10.200.5.1"), me = Addr4("10.200.5.2");
  const std::pair<uint16_t, uint16_t> in[] = {{7000, 30904}, {7001, 30982}, {7002, 31016},
                                              {7003, 31104}, {7004, 31106}, {7006, 31209},
                                              {7007, 31232}};
  std::vector<Packet> packets;
  for (auto [port, id] : in) {
    packets.push_back(Received("f0", "02:00:00:00:05:02", "02:00:00:00:05:01",
                               Ipv4(f, me, 17, Udp(f, me, 41000, port, "12345"),
                                    {.id = id, .df = true})));
  }
  packets.push_back(
      Local(Ipv4(me, f, 17, Udp(me, f, 42000, 9, "abc"), {.id = 23285, .df = true}), 0, 0));
  LabSpec spec;
  spec.interfaces.push_back(Itf("f0", {"10.200.5.2/24"}));
  CaptureOptions options;
  options.flavour = Flavour::kNft;
  CaptureResult r = CaptureTraces(spec, Reference("rulesets/rs-F.nft.v4"), packets, options);
  RequireCaptured(r);
  CHECK(r.monitor_errors.empty());
  // Trace ids are random: number them in order of appearance on both sides.
  auto normalize = [](std::vector<std::string> lines) {
    std::map<std::string, std::string> ids;
    for (std::string& l : lines) {
      // "PACKET: <family> <id> ..." / " TRACE: <family> <id> ..."
      size_t at = l.find(' ', 8) + 1;
      std::string id = l.substr(at, 8);
      if (!ids.count(id)) ids[id] = "id" + std::to_string(ids.size());
      l.replace(at, 8, ids[id]);
    }
    return lines;
  };
  std::vector<std::string> expected = Lines(Reference("captures/e4-xtables-monitor-raw.txt"));
  CHECK(normalize(Flatten(r)) == normalize(expected));
  REQUIRE(r.log_lines.size() == packets.size());
  REQUIRE(r.log_lines[6].size() == 1);
  CHECK(r.log_lines[6][0].rfind("F-LOG: IN=f0 OUT= MAC=02:00:00:00:05:02:02:00:00:00:05:01:08:00 "
                                "SRC=10.200.5.1 DST=10.200.5.2 LEN=33 ",
                                0) == 0);
}

TEST_CASE("the kernel drops malformed datagrams and foreign frames before PREROUTING",
          "[kernel][capture]") {
  Bytes s = Addr4("10.200.3.1"), d = Addr4("10.200.3.2");
  const Bytes good = Ipv4(s, d, 17, Udp(s, d, 1, 2, "abcd"), {.id = 1});
  auto rx = [&](Bytes dgram, const char* dst_mac = "02:00:00:00:03:02") {
    return Received("d0", dst_mac, "02:00:00:00:03:01", dgram);
  };
  Bytes bad_csum = good;
  bad_csum[10] ^= 0xff;
  Bytes ihl4 = good;
  ihl4[0] = 0x44;
  Bytes too_short = good;  // total length 200 > the 32 bytes there
  Set16(&too_short, 2, 200);
  Set16(&too_short, 10, 0);
  Set16(&too_short, 10, Fold(SumWords(Bytes(too_short.begin(), too_short.begin() + 20))));
  Bytes bad_udp = good;  // a transport checksum is not the IP layer's business
  bad_udp[26] ^= 0xff;
  std::vector<Packet> packets = {rx(good), rx(bad_csum), rx(ihl4), rx(too_short), rx(bad_udp),
                                 rx(good, "02:00:00:00:03:09")};
  LabSpec spec;
  spec.interfaces.push_back(Itf("d0", {"10.200.3.2/24"}));
  spec.interfaces[0].mac = "02:00:00:00:03:02";
  const char* rules =
      "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -j TRACE\nCOMMIT\n";
  CaptureResult r = CaptureTraces(spec, rules, packets);
  RequireCaptured(r);
  REQUIRE(r.lines.size() == packets.size());
  CHECK(r.lines[0].size() == 1);
  CHECK(r.lines[1].empty());  // bad IPv4 header checksum
  CHECK(r.lines[2].empty());  // IHL 4
  CHECK(r.lines[3].empty());  // total length beyond the frame
  CHECK(r.lines[4].size() == 1);
  CHECK(r.lines[5].empty());  // PACKET_OTHERHOST
  CHECK(r.caveats[5].size() == 1);
}

TEST_CASE("an idle lab traces nothing: no DAD, RS, MLD or ND chatter", "[kernel][capture]") {
  LabSpec spec;
  spec.interfaces.push_back(Itf("vfq0", {"10.250.1.1/24", "fd00:250:1::1/64"}));
  spec.interfaces.push_back(Itf("vfq1", {"fd00:250:2::1/64"}));
  LabStatus st;
  std::unique_ptr<Lab> lab = Lab::Create(spec, {}, &st);
  INFO(st.message);
  REQUIRE(lab);
  const char* everything =
      "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
      "-A PREROUTING -j TRACE\n-A OUTPUT -j TRACE\nCOMMIT\n";
  REQUIRE(lab->LoadRuleset(Family::kIPv4, Flavour::kLegacy, everything).ok());
  REQUIRE(lab->LoadRuleset(Family::kIPv6, Flavour::kLegacy, everything).ok());
  KmsgReader kmsg;
  REQUIRE(kmsg.Open() == "");
  uint64_t seq = kmsg.Mark();
  std::vector<std::string> devices = lab->DeviceNames();
  Settle wait{std::chrono::milliseconds(1500), std::chrono::milliseconds(1500),
              std::chrono::milliseconds(1500)};
  std::vector<KmsgRecord> got =
      kmsg.ReadSince(seq, wait, [&](const KmsgRecord& r) { return IsLabLogLine(r.text, devices); });
  std::vector<std::string> texts;
  for (const KmsgRecord& r : got) texts.push_back(r.text);
  CHECK(texts.empty());
}

TEST_CASE("injection caveats name what the kernel changes", "[kernel][capture]") {
  LabSpec spec;
  spec.interfaces.push_back(Itf("vfc0", {"10.250.3.1/24"}));
  spec.interfaces[0].mac = "02:00:00:00:fa:01";
  LabStatus st;
  std::unique_ptr<Lab> lab = Lab::Create(spec, {}, &st);
  REQUIRE(lab);
  Bytes s = Addr4("10.250.3.1"), d = Addr4("10.250.3.2");
  Bytes dgram = Ipv4(s, d, 17, Udp(s, d, 1, 2, "x"), {.id = 0});
  Packet local = Local(dgram, 0, 0);
  CHECK(InjectionCaveats(*lab, local) ==
        std::vector<std::string>{"the kernel replaces IPv4 ID 0 by a generated one"});
  local.uid.reset();
  CHECK(InjectionCaveats(*lab, local).size() == 2);
  Packet rx = Received("vfc0", "02:00:00:00:fa:02", "02:00:00:00:fa:03", dgram);
  rx.mark = 5;
  std::vector<std::string> notes = InjectionCaveats(*lab, rx);
  REQUIRE(notes.size() == 2);
  CHECK(notes[0] ==
        "destination MAC 02:00:00:00:fa:02 is not vfc0's (02:00:00:00:fa:01): the kernel drops "
        "the frame as PACKET_OTHERHOST before PREROUTING");
  CHECK(notes[1].find("mark 0") != std::string::npos);
  CHECK(Inject(*lab, rx).ok());
  Packet nowhere = rx;
  nowhere.in = IfaceName("vfzz");
  CHECK(Inject(*lab, nowhere).message() == "the lab has no interface 'vfzz'");
}

// ===========================================================================
// Refusal without root, and cleanup on every exit path.

TEST_CASE("without root: Unsupported with the reason, and the capture tool exits 2",
          "[kernel][cleanup]") {
  // In a child that became nobody.
  Status child = RunInChild(-1, 10000, [](const char** what) {
    *what = "setresuid";
    if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) return errno;
    LabStatus st = Lab::CheckSupport();
    *what = "Lab::CheckSupport() as nobody did not say unsupported/needs root";
    return st.kind == LabStatus::kUnsupported && st.message.find("root") != std::string::npos
               ? 0
               : EPERM;
  });
  CHECK(child.message() == "");

  RunResult r = RunCommand({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            IPTSIM_CAPTURE_BINARY, "/dev/null"},
                           {}, -1, 10000);
  if (r.error == "program not found") {
    WARN("setpriv missing: capture tool exit status as nobody not checked");
  } else {
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("needs root") != std::string::npos);
  }
}

TEST_CASE("a lab leaves nothing behind: destroy, destructor, exception", "[kernel][cleanup]") {
  const std::string old = NfLogAllNetns();
  LabSpec spec;
  spec.interfaces.push_back(Itf("vfx0", {"10.250.0.1/24"}));
  spec.interfaces.push_back(Itf("vfx1", {}, true));
  std::string prefix = "iptsim-" + std::to_string(getpid()) + "-";

  SECTION("Destroy()") {
    LabStatus st;
    std::unique_ptr<Lab> lab = Lab::Create(spec, {}, &st);
    INFO(st.message);
    REQUIRE(lab);
    CHECK(NetnsWithPrefix(prefix).size() == 2);  // host + the veth's peer
    CHECK(NfLogAllNetns() == "1");
    REQUIRE(lab->LoadRuleset(Family::kIPv4, Flavour::kLegacy,
                             "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                             "-A PREROUTING -j TRACE\nCOMMIT\n")
                .ok());
    CHECK(lab->Destroy().ok());
    CHECK(lab->Destroy().ok());  // idempotent
  }
  SECTION("destructor") {
    LabStatus st;
    { std::unique_ptr<Lab> lab = Lab::Create(spec, {}, &st); REQUIRE(lab); }
  }
  SECTION("exception") {
    try {
      LabStatus st;
      std::unique_ptr<Lab> lab = Lab::Create(spec, {}, &st);
      REQUIRE(lab);
      throw std::runtime_error("boom");
    } catch (const std::runtime_error&) {
    }
  }
  SECTION("failed setup (a bad route) removes what was built") {
    LabSpec bad = spec;
    bad.routes.push_back("10.9.0.0/16 via 192.0.2.1");  // gateway not on any link
    LabStatus st;
    std::unique_ptr<Lab> lab = Lab::Create(bad, {}, &st);
    CHECK_FALSE(lab);
    CHECK(st.kind == LabStatus::kFailed);
    CHECK(st.message.find("route") != std::string::npos);
  }
  CHECK(NetnsWithPrefix(prefix).empty());
  CHECK_FALSE(DeviceInInitialNetns("vfx0"));
  CHECK_FALSE(DeviceInInitialNetns("vfx1"));
  CHECK(NfLogAllNetns() == old);
}

namespace {

// Starts iptsim_capture holding its lab for a while; returns its pid once it
// said the lab is ready (stderr), or -1.
pid_t StartHeldCapture(int* err_fd) {
  Bytes s = Addr4("10.200.3.1"), d = Addr4("10.200.3.2");
  Bytes frame = FromHex("020000000302020000000301" "0800");
  frame = Cat(frame, Ipv4(s, d, 17, Udp(s, d, 1, 2, "x"), {.id = 1}));
  std::string hex;
  for (uint8_t b : frame) {
    char buf[3];
    snprintf(buf, sizeof buf, "%02x", b);
    hex += buf;
  }
  std::string rules = kSourceDir + "/corpus/reference/rulesets/rs-D.v4";
  std::string error;
  BackgroundChild child = StartBackground(
      {IPTSIM_CAPTURE_BINARY, "--hold", "20000", "--iface", "d0,addr=10.200.3.2/24", rules,
       "rx:d0:" + hex},
      -1, &error);
  REQUIRE(child.pid > 0);
  close(child.out_fd);
  *err_fd = child.err_fd;
  std::string text;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (text.find(" ready") == std::string::npos) {
    pollfd pfd{child.err_fd, POLLIN, 0};
    if (std::chrono::steady_clock::now() > deadline || poll(&pfd, 1, 1000) < 0) break;
    char buf[512];
    ssize_t n = read(child.err_fd, buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  INFO(text);
  REQUIRE(text.find(" ready") != std::string::npos);
  return child.pid;
}

}  // namespace

TEST_CASE("a capture killed by SIGINT or SIGTERM mid-run cleans up", "[kernel][cleanup]") {
  const std::string old = NfLogAllNetns();
  int sig = GENERATE(SIGINT, SIGTERM);
  INFO("signal " << strsignal(sig));
  int err_fd = -1;
  pid_t pid = StartHeldCapture(&err_fd);
  std::string prefix = "iptsim-" + std::to_string(pid) + "-";
  CHECK(NetnsWithPrefix(prefix).size() == 2);
  CHECK(NfLogAllNetns() == "1");
  kill(pid, sig);
  int status = 0;
  REQUIRE(WaitChild(pid, 10000, &status));
  close(err_fd);
  // The handler cleaned up, then the signal killed the process as usual.
  CHECK(WIFSIGNALED(status));
  if (WIFSIGNALED(status)) CHECK(WTERMSIG(status) == sig);
  CHECK(NetnsWithPrefix(prefix).empty());
  CHECK_FALSE(DeviceInInitialNetns("d0"));
  CHECK(NfLogAllNetns() == old);
  CHECK(access("/run/iptsim-lab.state", F_OK) != 0);
}

TEST_CASE("after a SIGKILL the next lab removes the leftovers", "[kernel][cleanup]") {
  const std::string old = NfLogAllNetns();
  int err_fd = -1;
  pid_t pid = StartHeldCapture(&err_fd);
  std::string prefix = "iptsim-" + std::to_string(pid) + "-";
  kill(pid, SIGKILL);
  int status = 0;
  REQUIRE(WaitChild(pid, 10000, &status));
  close(err_fd);
  // Nothing could run: the namespaces and the sysctl are left.
  CHECK(NetnsWithPrefix(prefix).size() == 2);
  CHECK(NfLogAllNetns() == "1");
  LabStatus st;
  LabOptions quiet;
  quiet.log = nullptr;
  std::unique_ptr<Lab> lab = Lab::Create(LabSpec{}, quiet, &st);
  INFO(st.message);
  REQUIRE(lab);
  CHECK(NetnsWithPrefix(prefix).empty());
  CHECK(lab->Destroy().ok());
  CHECK(NfLogAllNetns() == old);
}

TEST_CASE("--keep leaves the lab and says how to enter and delete it", "[kernel][cleanup]") {
  const std::string old = NfLogAllNetns();
  LabOptions options;
  options.keep = true;
  char* buf = nullptr;
  size_t len = 0;
  FILE* log = open_memstream(&buf, &len);
  options.log = log;
  LabStatus st;
  std::string host;
  LabSpec spec;
  spec.interfaces.push_back(Itf("vfk0"));
  {
    std::unique_ptr<Lab> lab = Lab::Create(spec, options, &st);
    INFO(st.message);
    REQUIRE(lab);
    host = lab->host_netns();
  }
  fclose(log);
  std::string said(buf, len);
  free(buf);
  CHECK(said.find("ip netns exec " + host + " bash") != std::string::npos);
  CHECK(said.find("ip netns del " + host) != std::string::npos);
  CHECK(NetnsWithPrefix(host).size() == 2);
  CHECK(NfLogAllNetns() == old);
  // Delete it as told.
  for (const std::string& n : NetnsWithPrefix(host)) {
    CHECK(RunCommand({"ip", "netns", "del", n}).ok());
    unlink(("/run/iptsim-keep/" + n).c_str());
  }
  CHECK(NetnsWithPrefix(host).empty());
}
