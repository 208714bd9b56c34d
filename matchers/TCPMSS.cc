// Extension: TCPMSS (target, IPv4 IPv6)
// Synopsis: -p tcp -m tcp --tcp-flags ... SYN -j TCPMSS --set-mss VALUE
//   | --clamp-mss-to-pmtu
// Semantics: rewrites (or adds) the MSS option of TCP SYN packets: to VALUE
//   (0..65515 for IPv4, 0..65495 for IPv6; only ever lowered), or to the
//   path MTU minus the IP and TCP headers; then the rule continues.  One of
//   the two options is required; given both, the last one counts.  The
//   kernel wants '-p tcp' and a tcp match whose --tcp-flags compare value
//   includes SYN, not inverted ("Only works on TCP SYN packets");
//   --clamp-mss-to-pmtu only in FORWARD, OUTPUT and POSTROUTING.
// Example: -t mangle -A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN
//   -j TCPMSS --clamp-mss-to-pmtu
// Evaluation: partial: --set-mss rewrites (or inserts) the MSS option as the kernel does; --clamp-mss-to-pmtu is unknown (needs the routes' MTUs)
#include <algorithm>

#include "base/bytes.h"
#include "base/checksum.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"set-mss", 1, false},
    {"clamp-mss-to-pmtu", 0, false},
};
constexpr uint16_t kClampPmtu = 0xffff;  // XT_TCPMSS_CLAMP_PMTU

// Whether one of the rule's matches is a tcp match whose (not inverted)
// --tcp-flags compare value has SYN, as the kernel's check wants.  The tcp
// match is read back through its saved text.
bool HasSynMatch(const Rule& rule, Family family) {
  for (const auto& m : rule.matches) {
    if (m->info().name != "tcp") continue;
    std::string s;
    m->Save(s, SaveContext{family});
    constexpr std::string_view kOpt = " --tcp-flags ";
    size_t p = s.find(kOpt);
    if (p == std::string::npos) continue;
    if (p >= 2 && s.compare(p - 2, 2, " !") == 0) continue;  // inverted
    std::string_view rest = std::string_view(s).substr(p + kOpt.size());
    size_t sp = rest.find(' ');
    if (sp == std::string_view::npos) continue;
    std::string_view comp = rest.substr(sp + 1);
    comp = comp.substr(0, comp.find(' '));
    while (!comp.empty()) {
      size_t comma = comp.find(',');
      std::string_view flag = comp.substr(0, comma);
      if (flag == "SYN" || flag == "ALL") return true;
      if (comma == std::string_view::npos) break;
      comp.remove_prefix(comma + 1);
    }
  }
  return false;
}

class TcpmssTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext& ctx) override {
    if (seen_ & (1u << option))
      return Status::Error("only one '--" + std::string(kOptions[option].name) + "' allowed");
    seen_ |= 1u << option;
    if (option == 1) {
      mss_ = kClampPmtu;
      return {};
    }
    // 65535 minus the minimal IP header (20 / 40 bytes).
    uint64_t max = ctx.family == Family::kIPv4 ? 65515 : 65495;
    return ParseUIntArgT(args, 0, 0, max, "MSS", &mss_);
  }
  Status Finish(const ParseContext&) override {
    if (!seen_) return Status::Error("'--set-mss VALUE' or '--clamp-mss-to-pmtu' is required");
    return {};
  }
  uint32_t Hooks() const override {
    if (mss_ == kClampPmtu)
      return HookBit(Hook::kForward) | HookBit(Hook::kLocalOut) | HookBit(Hook::kPostRouting);
    return 0;
  }
  Status Check(const CheckContext& ctx) const override {
    if (!HasSynMatch(*ctx.rule, ctx.family))
      return Status::Error(
          "only works on TCP SYN packets: the rule needs a tcp match whose --tcp-flags "
          "compare value includes SYN (e.g. '-m tcp --tcp-flags SYN,RST SYN' or '--syn')");
    return {};
  }
  // The MSS option is no field, but inserting one adds 4 bytes to the
  // length, depending on the options already there: the length becomes
  // unknown.  --clamp-mss-to-pmtu needs the routes' MTUs: unmodelled.
  TargetEffect DescribeEffect(Family) const override {
    if (mss_ == kClampPmtu) return {};
    return describe::SetUnknown(Field::kLength);
  }
  // xt_TCPMSS.c tcpmss_tg4/tcpmss_tg6 and tcpmss_mangle_packet: a later
  // fragment is left alone; a TCP header shorter than 20 bytes, or than its
  // data offset, drops the packet.  An MSS option (kind 2, length 4) found
  // in the options is lowered to the new value (never raised), the TCP
  // checksum adjusted (for an option at an odd offset too); without one, and
  // only when the segment has no payload and the header is shorter than 60
  // bytes, an MSS option of min(new, 536 | 1220 for IPv6) is inserted
  // before the other options and the IP length grows by 4.  The rule
  // continues.  --clamp-mss-to-pmtu needs the routes' MTUs: unknown.
  TargetVerdict Apply(Packet& pkt, const PacketView& v, EvalContext& ctx) const override {
    const bool v4 = pkt.family == Family::kIPv4;
    if (v.fragoff != 0) return TargetVerdict::kContinue;
    if (!v4 && !v.l4proto_found) return TargetVerdict::kDrop;  // ipv6_skip_exthdr < 0
    if (mss_ == kClampPmtu) {
      ctx.unknown_reason = "-j TCPMSS --clamp-mss-to-pmtu needs the MTUs of the routes to and "
                           "from the packet's addresses, which iptsim does not model";
      return TargetVerdict::kUnknown;
    }
    const size_t thoff = v.thoff;
    if (pkt.bytes.size() < thoff + 20) return TargetVerdict::kDrop;
    const size_t len = pkt.bytes.size() - thoff;
    uint8_t* tcph = pkt.bytes.data() + thoff;
    const size_t hdrlen = static_cast<size_t>(tcph[12] >> 4) * 4;
    if (len < hdrlen || hdrlen < 20) return TargetVerdict::kDrop;
    uint16_t newmss = mss_;
    for (size_t i = 20; i + 4 <= hdrlen;
         i += (tcph[i] <= 1 || tcph[i + 1] == 0) ? 1 : tcph[i + 1]) {
      if (tcph[i] != 2 || tcph[i + 1] != 4) continue;
      uint16_t oldmss = GetBe16(tcph + i + 2);
      if (oldmss <= newmss) return TargetVerdict::kContinue;
      PutBe16(tcph + i + 2, newmss);
      uint16_t o = oldmss, n = newmss;
      if ((i + 2) & 1) {  // the checksum counts the bytes in the other halves
        o = static_cast<uint16_t>(o << 8 | o >> 8);
        n = static_cast<uint16_t>(n << 8 | n >> 8);
      }
      InetProtoCsumReplace2(tcph + 16, o, n);
      return TargetVerdict::kContinue;
    }
    if (len > hdrlen || hdrlen >= 60) return TargetVerdict::kContinue;
    newmss = std::min<uint16_t>(newmss, v4 ? 536 : 1220);
    const uint8_t opt[4] = {2, 4, static_cast<uint8_t>(newmss >> 8),
                            static_cast<uint8_t>(newmss)};
    pkt.bytes.insert(pkt.bytes.begin() + static_cast<std::ptrdiff_t>(thoff + 20), opt, opt + 4);
    tcph = pkt.bytes.data() + thoff;
    // The pseudo-header's length, the option's two words, the data offset.
    InetProtoCsumReplace2(tcph + 16, static_cast<uint16_t>(len),
                               static_cast<uint16_t>(len + 4));
    InetProtoCsumReplace2(tcph + 16, 0, GetBe16(opt));
    InetProtoCsumReplace2(tcph + 16, 0, GetBe16(opt + 2));
    uint16_t oldval = GetBe16(tcph + 12);
    tcph[12] = static_cast<uint8_t>(tcph[12] + (1 << 4));
    InetProtoCsumReplace2(tcph + 16, oldval, GetBe16(tcph + 12));
    uint8_t* ip = pkt.bytes.data();
    if (v4) {
      uint16_t old_len = GetBe16(ip + 2);
      PutBe16(ip + 2, static_cast<uint16_t>(old_len + 4));
      CsumReplace2(ip + 10, old_len, static_cast<uint16_t>(old_len + 4));
    } else {
      PutBe16(ip + 4, static_cast<uint16_t>(GetBe16(ip + 4) + 4));
    }
    return TargetVerdict::kContinue;
  }

  void Save(std::string& out, const SaveContext&) const override {
    if (mss_ == kClampPmtu) SaveOpt(out, "clamp-mss-to-pmtu");
    else SaveOpt(out, "set-mss", std::to_string(mss_));
  }

  bool clamp_to_pmtu() const { return mss_ == kClampPmtu; }
  uint16_t mss() const { return mss_; }

 private:
  uint16_t mss_ = 0;
  unsigned seen_ = 0;
};

}  // namespace

extern const ExtensionInfo kTcpmssTarget = {
    .name = "TCPMSS",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .proto = 6,
    .create = Create<TcpmssTarget>,
};

}  // namespace iptsim
