// Extension: addrtype (match, IPv4 IPv6)
// Synopsis: -m addrtype [[!] --src-type TYPE[,TYPE...]] [[!] --dst-type TYPE[,TYPE...]]
//   [--limit-iface-in | --limit-iface-out]
// Semantics: the routing type of the source / destination address is one of
//   the TYPEs: UNSPEC UNICAST LOCAL BROADCAST ANYCAST MULTICAST BLACKHOLE
//   UNREACHABLE PROHIBIT THROW NAT XRESOLVE (any case; a prefix selects the
//   first type it begins).  --limit-iface-in/out look the address up only on
//   the packet's input / output interface.  One of the type options is
//   required.  Kernel: --limit-iface-in is refused in OUTPUT and POSTROUTING,
//   --limit-iface-out in PREROUTING and INPUT, not both at once; IPv6 refuses
//   BROADCAST, BLACKHOLE and PROHIBIT..XRESOLVE.
// Example: -m addrtype --dst-type LOCAL --limit-iface-in
// Evaluation: full with --host (the local table / route lookups of the host model); without it, decided only by the address itself (IPv4 0/8, 255.255.255.255, 224/4; IPv6 MULTICAST UNICAST UNSPEC), else unknown
#include "engine/run_settings.h"
#include "engine/host.h"
#include "matchers/header_util.h"
#include "matchers/parse_util.h"
#include "matchers/header_eval.h"
#include "matchers/eval_result.h"

namespace iptsim {
namespace {

enum { kOptSrc, kOptDst, kOptIn, kOptOut };
constexpr OptionSpec kOptions[] = {
    {"src-type", 1, true},
    {"dst-type", 1, true},
    {"limit-iface-in", 0, false},
    {"limit-iface-out", 0, false},
};

// Bit i (XT_ADDRTYPE_*) stands for the route type RTN_* with value i.
constexpr std::string_view kTypeNames[] = {
    "UNSPEC",    "UNICAST",     "LOCAL",    "BROADCAST", "ANYCAST", "MULTICAST",
    "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW",     "NAT",     "XRESOLVE",
};
constexpr uint16_t kBroadcast = 1u << 3, kBlackhole = 1u << 6, kProhibit = 1u << 8;

bool PrefixNoCase(std::string_view word, std::string_view name) {
  if (word.size() > name.size()) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (toupper(static_cast<unsigned char>(word[i])) != name[i]) return false;
  return true;
}

std::string TypesText(uint16_t mask) {
  std::string s;
  for (size_t i = 0; i < std::size(kTypeNames); ++i)
    if (mask & (1u << i)) {
      if (!s.empty()) s += ',';
      s += kTypeNames[i];
    }
  return s;
}

class AddrtypeMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    Status s = given_.Add(option, kOptions);
    if (!s.ok()) return s;
    s = given_.Exclude(option, option == kOptIn ? std::initializer_list<int>{kOptOut}
                               : option == kOptOut ? std::initializer_list<int>{kOptIn}
                                                   : std::initializer_list<int>{},
                       kOptions);
    if (!s.ok()) return s;
    if (option == kOptIn || option == kOptOut) return {};
    uint16_t mask = 0;
    std::string_view list = args[0].text;
    while (true) {
      size_t comma = list.find(',');
      std::string_view w = list.substr(0, comma);
      bool found = false;
      for (size_t i = 0; !w.empty() && i < std::size(kTypeNames); ++i)
        if (PrefixNoCase(w, kTypeNames[i])) {
          mask |= static_cast<uint16_t>(1u << i);
          found = true;
          break;
        }
      if (!found)
        return Status::Error("unknown address type '" + std::string(w) + "' in '" +
                                 std::string(args[0].text) + "' (expected " +
                                 TypesText(0xfff) + ")",
                             0);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    if (option == kOptSrc) {
      src_ = mask;
      inv_src_ = invert;
    } else {
      dst_ = mask;
      inv_dst_ = invert;
    }
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_.Has(kOptSrc) && !given_.Has(kOptDst))
      return Status::Error("'--src-type' or '--dst-type' is required");
    return {};
  }
  uint32_t Hooks() const override {
    if (limit_in())
      return HookBit(Hook::kPreRouting) | HookBit(Hook::kLocalIn) | HookBit(Hook::kForward);
    if (limit_out())
      return HookBit(Hook::kForward) | HookBit(Hook::kLocalOut) | HookBit(Hook::kPostRouting);
    return 0;
  }
  Status Check(const CheckContext& ctx) const override {
    if (ctx.family != Family::kIPv6) return {};
    uint16_t all = src_ | dst_;
    if (all & kBlackhole) return Status::Error("IPv6 cannot match the BLACKHOLE address type");
    if (all >= kProhibit)
      return Status::Error("IPv6 cannot match the PROHIBIT, THROW, NAT and XRESOLVE address types");
    if (all & kBroadcast) return Status::Error("IPv6 has no BROADCAST address type");
    return {};
  }
  // xt_addrtype's addrtype_mt_v1.  Without a model of the host's addresses
  // and routes only what the address alone decides is evaluated:
  // IPv4 (inet_dev_addr_type): 0.0.0.0/8 and 255.255.255.255 are BROADCAST,
  // 224.0.0.0/4 MULTICAST, before any route lookup; other addresses need
  // the routing table.  IPv6 (match_type6): MULTICAST, UNICAST and UNSPEC
  // come from ipv6_addr_type; LOCAL, ANYCAST and UNREACHABLE need a route
  // lookup, unless a listed type already failed.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    if (!header_eval::HaveIpHeader(v)) return Tri::kFalse;
    const bool v4 = v.pkt->family == Family::kIPv4;
    // --limit-iface-in/out: the lookup is limited to that device (one the
    // host does not have matches no local route).
    const HostModel* host = HostOf(ctx);
    int dev = -1;
    if (host && (limit_in() || limit_out())) {
      const IfaceName& name = limit_in() ? v.pkt->in : v.pkt->out;
      if (!name.empty()) {
        dev = host->IfaceIndex(name.view());
        if (dev < 0) dev = -2;
      }
    }
    auto one = [&](const IpAddr& a, uint16_t mask, bool inv, const char* which) {
      Tri t = v4 ? Type4(a, mask) : Type6(a, mask);
      if (t == Tri::kUnknown && host) {
        t = v4 ? ToTri(mask & (1u << static_cast<int>(host->AddrType4(a, dev))))
               : ToTri(mask & host->AddrTypeBits6(a, dev, mask));
      }
      if (t != Tri::kUnknown) return Invert(t, inv);
      const std::string addr = FormatIpAddr(v.pkt->family, a);
      // In the user's terms: which address, and what the host would say.
      std::string question = "whether " + addr + " (the packet's " +
                             (which[0] == 's' ? "source" : "destination") + ") ";
      if (mask == (1u << 2)) {
        question += "is a local address of the host";
      } else {
        std::string types = TypesText(mask);
        for (size_t at; (at = types.find(',')) != std::string::npos;)
          types.replace(at, 1, " or ");
        question += "is of type " + types + " for the host";
      }
      return UndecidedTest(ctx, *this, question, inv, /*host_decides=*/true);
    };
    // The kernel evaluates the source first and stops when it fails.
    if (src_) {
      Tri s = one(v.src(), src_, inv_src_, "src");
      if (s == Tri::kFalse) return Tri::kFalse;
      if (!dst_) return s;
      const std::string src_reason = ctx.unknown_reason;
      Tri d = one(v.dst(), dst_, inv_dst_, "dst");
      if (d == Tri::kFalse) return Tri::kFalse;
      if (s == Tri::kUnknown) ctx.unknown_reason = src_reason;
      if (s == Tri::kUnknown || d == Tri::kUnknown) return Tri::kUnknown;
      return Tri::kTrue;
    }
    return one(v.dst(), dst_, inv_dst_, "dst");
  }
  static Tri Type4(const IpAddr& a, uint16_t mask) {
    int type;
    if (a.b[0] == 0 || (a.b[0] == 255 && a.b[1] == 255 && a.b[2] == 255 && a.b[3] == 255))
      type = 3;  // RTN_BROADCAST
    else if ((a.b[0] & 0xf0) == 0xe0)
      type = 5;  // RTN_MULTICAST
    else
      return Tri::kUnknown;
    return ToTri(mask & (1u << type));
  }
  static Tri Type6(const IpAddr& a, uint16_t mask) {
    // __ipv6_addr_type reduced to the three bits match_type6 tests.
    bool multicast = a.b[0] == 0xff, any = true, mapped = true;
    for (int i = 0; i < 16; ++i) {
      if (a.b[i]) any = false;
      if (i < 10 && a.b[i]) mapped = false;
    }
    mapped = mapped && a.b[10] == 0xff && a.b[11] == 0xff;
    const bool unicast = !multicast && !any && !mapped;
    if ((mask & (1u << 5)) && !multicast) return Tri::kFalse;
    if ((mask & (1u << 1)) && !unicast) return Tri::kFalse;
    if ((mask & (1u << 0)) && !any) return Tri::kFalse;
    if (mask & ((1u << 2) | (1u << 4) | (1u << 7))) return Tri::kUnknown;  // LOCAL ANYCAST UNREACHABLE
    return Tri::kTrue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (src_) SaveOpt(out, "src-type", TypesText(src_), inv_src_);
    if (dst_) SaveOpt(out, "dst-type", TypesText(dst_), inv_dst_);
    if (limit_in()) SaveOpt(out, "limit-iface-in");
    if (limit_out()) SaveOpt(out, "limit-iface-out");
  }
  // Masks of XT_ADDRTYPE_* bits (bit i = RTN_* i+1), 0 when not given.
  uint16_t src_types() const { return src_; }
  uint16_t dst_types() const { return dst_; }
  bool inv_src() const { return inv_src_; }
  bool inv_dst() const { return inv_dst_; }
  bool limit_in() const { return given_.Has(kOptIn); }
  bool limit_out() const { return given_.Has(kOptOut); }

 private:
  hdr::OptionSet given_;
  uint16_t src_ = 0, dst_ = 0;
  bool inv_src_ = false, inv_dst_ = false;
};

}  // namespace

extern const ExtensionInfo kAddrtypeMatch = {
    .name = "addrtype",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<AddrtypeMatch>,
    .may_be_undecided = true,
};

}  // namespace iptsim
