// Extension: policy (match, IPv4 IPv6)
// Synopsis: -m policy --dir in|out [--pol none|ipsec] [--strict]
//   [[!] --reqid ID] [[!] --spi SPI] [[!] --proto ah|esp|ipcomp]
//   [[!] --mode transport|tunnel] [[!] --tunnel-src ADDR[/MASK]]
//   [[!] --tunnel-dst ADDR[/MASK]] [--next ...]
// Semantics: matches the IPsec policy a packet was decapsulated with
//   (--dir in) or will be encapsulated with (--dir out).  --pol none
//   matches packets without IPsec; --pol ipsec (the default) those with it,
//   when one of the transforms matches the element given (or, with
//   --strict, when the transforms match the elements, in order, one per
//   --next; at most 4).  --tunnel-src/--tunnel-dst need --mode tunnel.
//   The kernel accepts --dir in only in PREROUTING, INPUT and FORWARD and
//   --dir out only in FORWARD, OUTPUT and POSTROUTING.  Addresses are read
//   like getaddrinfo reads numeric hosts (no host names here); a mask that
//   is not a prefix is taken as a host mask, as iptables 1.8.9 does.
//   Saved: --dir, --pol, [--strict], then per element --reqid, --spi (hex),
//   --proto (name), --mode, --tunnel-dst, --tunnel-src, "--next" between.
// Example: -m policy --dir in --pol ipsec --proto esp --mode tunnel --tunnel-src 192.0.2.1
// Evaluation: yes (no IPsec: iptsim models no security path and no xfrm route)
#include "matchers/misc_util.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"dir", 1, false},        {"pol", 1, false},       {"strict", 0, false},
    {"reqid", 1, true},       {"spi", 1, true},        {"tunnel-src", 1, true},
    {"tunnel-dst", 1, true},  {"proto", 1, true},      {"mode", 1, true},
    {"next", 0, false},
};
enum { kDir, kPol, kStrict, kReqid, kSpi, kTunnelSrc, kTunnelDst, kProto, kMode, kNext };
constexpr int kMaxElements = 4;  // XT_POLICY_MAX_ELEM

class PolicyMatch : public Match {
 public:
  using Match::Match;

  struct Element {
    bool has_reqid = false, has_spi = false, has_src = false, has_dst = false;
    bool has_proto = false, has_mode = false;
    bool inv_reqid = false, inv_spi = false, inv_src = false, inv_dst = false;
    bool inv_proto = false, inv_mode = false;
    uint32_t reqid = 0, spi = 0;
    uint8_t proto = 0;
    bool tunnel = false;  // mode: transport (false) or tunnel
    IpPrefix src, dst;    // mask all ones when none was given
  };

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext& ctx) override {
    bool multi = option >= kReqid;
    if (!multi) {
      if (Status s = given_.Once(option, kOptions); !s.ok()) return s;
    } else {
      given_.Set(option);
    }
    std::string a = args.empty() ? std::string() : std::string(args[0].text);
    Element& e = elems_[len_];
    auto dup = [&](bool already) {
      return already ? Status::Error("this policy element already has '--" +
                                     std::string(kOptions[option].name) +
                                     "' (use --next to start the next element)")
                     : Status();
    };
    switch (option) {
      case kDir:
        if (a == "in") dir_in_ = true;
        else if (a == "out") dir_in_ = false;
        else return Status::Error("invalid direction '" + a + "' (expected in or out)", 0);
        return {};
      case kPol:
        if (a == "none") pol_none_ = true;
        else if (a == "ipsec") pol_none_ = false;
        else return Status::Error("invalid policy '" + a + "' (expected none or ipsec)", 0);
        return {};
      case kStrict:
        strict_ = true;
        return {};
      case kReqid:
      case kSpi: {
        bool& has = option == kReqid ? e.has_reqid : e.has_spi;
        if (Status s = dup(has); !s.ok()) return s;
        uint32_t v;
        if (Status s = UIntArgT(args, 0, 0, 0xffffffff, option == kReqid ? "reqid" : "SPI", &v);
            !s.ok())
          return s;
        has = true;
        (option == kReqid ? e.reqid : e.spi) = v;
        (option == kReqid ? e.inv_reqid : e.inv_spi) = invert;
        return {};
      }
      case kTunnelSrc:
      case kTunnelDst: {
        bool& has = option == kTunnelSrc ? e.has_src : e.has_dst;
        if (Status s = dup(has); !s.ok()) return s;
        IpPrefix p;
        if (Status s = ParseHostMask(ctx.family, args[0].text, &p); !s.ok()) return s;
        has = true;
        (option == kTunnelSrc ? e.src : e.dst) = p;
        (option == kTunnelSrc ? e.inv_src : e.inv_dst) = invert;
        return {};
      }
      case kProto: {
        if (Status s = dup(e.has_proto); !s.ok()) return s;
        uint8_t p;
        if (!ParseProtocol(a, &p)) return Status::Error("unknown protocol '" + a + "'", 0);
        if (p != 50 && p != 51 && p != 108)
          return Status::Error("invalid protocol '" + a + "' (must be ah, esp or ipcomp)", 0);
        e.has_proto = true;
        e.proto = p;
        e.inv_proto = invert;
        return {};
      }
      case kMode:
        if (Status s = dup(e.has_mode); !s.ok()) return s;
        if (a == "transport") e.tunnel = false;
        else if (a == "tunnel") e.tunnel = true;
        else return Status::Error("invalid mode '" + a + "' (expected transport or tunnel)", 0);
        e.has_mode = true;
        e.inv_mode = invert;
        return {};
      case kNext:
        if (++len_ == kMaxElements)
          return Status::Error("too many policy elements (at most " +
                               std::to_string(kMaxElements) + ")");
        return {};
    }
    return {};
  }

  Status Finish(const ParseContext&) override {
    if (given_.Has(kNext) && !given_.Has(kStrict)) return Status::Error("'--next' needs '--strict'");
    if (!given_.Has(kDir)) return Status::Error("'--dir in' or '--dir out' is required");
    if (pol_none_) {
      if (strict_) return Status::Error("'--pol none' cannot be used with '--strict'");
      if (len_ != 0) return Status::Error("'--pol none' cannot be used with policy elements");
    } else {
      ++len_;  // the last element has no --next after it
    }
    for (int i = 0; i < len_; ++i) {
      const Element& e = elems_[i];
      if (strict_ && !(e.has_reqid || e.has_spi || e.has_src || e.has_dst || e.has_proto ||
                       e.has_mode))
        return Status::Error("policy element " + std::to_string(i) +
                             " is empty: with --strict each element needs --reqid, --spi, "
                             "--tunnel-src, --tunnel-dst, --proto or --mode");
      // The mode defaults to transport: tunnel addresses need "--mode tunnel"
      // (or "! --mode transport").
      bool tunnel = e.tunnel != e.inv_mode;
      if ((e.has_src || e.has_dst) && !tunnel)
        return Status::Error("'--tunnel-src' and '--tunnel-dst' need '--mode tunnel'");
    }
    return {};
  }

  uint32_t Hooks() const override {
    return dir_in_ ? HookBit(Hook::kPreRouting) | HookBit(Hook::kLocalIn) | HookBit(Hook::kForward)
                   : HookBit(Hook::kForward) | HookBit(Hook::kLocalOut) |
                         HookBit(Hook::kPostRouting);
  }

  // xt_policy.c policy_mt: match_policy_in / match_policy_out return -1 when
  // the packet has no security path (skb_sec_path NULL) / its route no xfrm
  // bundle; then --pol none matches and --pol ipsec does not.  iptsim models
  // no IPsec, so that is always the case.
  Tri Evaluate(const PacketView&, EvalContext&) const override {
    return ToTri(pol_none_);
  }
  void Save(std::string& out, const SaveContext& ctx) const override {
    SaveOpt(out, "dir", std::string_view(dir_in_ ? "in" : "out"));
    SaveOpt(out, "pol", std::string_view(pol_none_ ? "none" : "ipsec"));
    if (strict_) SaveOpt(out, "strict");
    auto addr = [&](const IpPrefix& p) {
      std::string s = FormatIpAddr(ctx.family, p.addr);
      int len = MaskPrefixLen(ctx.family, p.mask);
      if (len >= 0 && len != (ctx.family == Family::kIPv4 ? 32 : 128))
        s += "/" + std::to_string(len);
      return s;
    };
    for (int i = 0; i < len_; ++i) {
      const Element& e = elems_[i];
      if (e.has_reqid) SaveOpt(out, "reqid", std::to_string(e.reqid), e.inv_reqid);
      if (e.has_spi) SaveOpt(out, "spi", Hex(e.spi), e.inv_spi);
      if (e.has_proto) {
        std::string_view n = ProtoName(e.proto);
        SaveOpt(out, "proto", n.empty() ? std::to_string(e.proto) : std::string(n), e.inv_proto);
      }
      if (e.has_mode) SaveOpt(out, "mode", e.tunnel ? "tunnel" : "transport", e.inv_mode);
      if (e.has_dst) SaveOpt(out, "tunnel-dst", addr(e.dst), e.inv_dst);
      if (e.has_src) SaveOpt(out, "tunnel-src", addr(e.src), e.inv_src);
      if (i + 1 < len_) SaveOpt(out, "next");
    }
  }

  bool dir_in() const { return dir_in_; }
  bool pol_none() const { return pol_none_; }
  bool strict() const { return strict_; }
  std::span<const Element> elements() const { return {elems_, static_cast<size_t>(len_)}; }

 private:
  // ADDR[/LEN|/MASK] as libxtables' XTTYPE_HOSTMASK reads it.
  static Status ParseHostMask(Family f, std::string_view text, IpPrefix* out) {
    int full = f == Family::kIPv4 ? 32 : 128;
    size_t slash = text.find('/');
    IpPrefix p;
    if (!ParseNumericHost(f, text.substr(0, slash), &p.addr))
      return Status::Error("invalid address '" + std::string(text.substr(0, slash)) +
                               "' (expected a numeric " +
                               (f == Family::kIPv4 ? "IPv4" : "IPv6") + " address)",
                           0);
    p.mask = PrefixMask(f, full);
    if (slash != std::string_view::npos) {
      std::string_view m = text.substr(slash + 1);
      int len;
      if (ParsePlenMask(f, m, &len)) {
        p.mask = PrefixMask(f, len);
      } else {
        return Status::Error("invalid mask '" + std::string(m) + "' (expected 0.." +
                                 std::to_string(full) + " or a network mask)",
                             0);
      }
    }
    *out = p;
    return {};
  }

  GivenOptions given_;
  bool dir_in_ = false, pol_none_ = false, strict_ = false;
  int len_ = 0;
  Element elems_[kMaxElements];
};

}  // namespace

extern const ExtensionInfo kPolicyMatch = {
    .name = "policy",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<PolicyMatch>,
};

}  // namespace iptsim
