// Extension: rt (match, IPv6)
// Synopsis: -m rt [[!] --rt-type TYPE] [[!] --rt-segsleft N[:M]] [[!] --rt-len N]
//   [--rt-0-res] [--rt-0-addrs ADDR[,ADDR...] [--rt-0-not-strict]]
// Semantics: the packet has a Routing extension header with the given
//   routing type, segments-left within N..M, length N bytes ((Hdr Ext Len +
//   1) * 8); for type 0 headers, --rt-0-res needs the reserved field zero and
//   --rt-0-addrs lists the addresses the header must carry (at most 16):
//   exactly these in this order, or with --rt-0-not-strict these in this
//   order among others.  The --rt-0-*
//   options need '--rt-type 0' (not inverted) before them, --rt-0-not-strict
//   needs --rt-0-addrs before it.  Without options it matches any packet with
//   a Routing header.  A reversed --rt-segsleft range loads (iptables 1.8.9)
//   and never matches (always with '!').
// Example: -m rt --rt-type 0 --rt-segsleft 0:2
// Evaluation: yes
#include <vector>

#include "matchers/header_util.h"
#include "matchers/parse_util.h"
#include "matchers/header_eval.h"

namespace iptsim {
namespace {

enum { kOptType, kOptSegsLeft, kOptLen, kOptRes, kOptAddrs, kOptNotStrict };
constexpr OptionSpec kOptions[] = {
    {"rt-type", 1, true},  {"rt-segsleft", 1, true}, {"rt-len", 1, true},
    {"rt-0-res", 0, false}, {"rt-0-addrs", 1, false}, {"rt-0-not-strict", 0, false},
};
constexpr size_t kMaxAddrs = 16;  // IP6T_RT_HOPS

class RtMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    Status s = given_.Add(option, kOptions);
    if (!s.ok()) return s;
    switch (option) {
      case kOptType:
        inv_type_ = invert;
        return ParseUIntArgT(args, 0, 0, 0xffffffff, "routing type", &type_);
      case kOptSegsLeft: {
        uint64_t lo, hi;
        if (Status st = hdr::ParseUIntRange(args[0].text, 0xffffffff, &lo, &hi, RangeOrder::kAnyOrder); !st.ok())
          return Status::Error(
              "invalid segments left '" + std::string(args[0].text) + "': " + st.message(), 0);
        segs_lo_ = static_cast<uint32_t>(lo);
        segs_hi_ = static_cast<uint32_t>(hi);
        inv_segs_ = invert;
        return {};
      }
      case kOptLen:
        inv_len_ = invert;
        return ParseUIntArgT(args, 0, 0, 0xffffffff, "routing header length", &len_);
      case kOptRes:
      case kOptAddrs: {
        if (!given_.Has(kOptType) || type_ != 0 || inv_type_)
          return Status::Error(std::string("'--") + std::string(kOptions[option].name) +
                               "' needs '--rt-type 0' (not inverted) before it");
        if (option == kOptRes) return {};
        std::string_view list = args[0].text;
        while (true) {
          size_t comma = list.find(',');
          std::string_view a = list.substr(0, comma);
          if (addrs_.size() == kMaxAddrs)
            return Status::Error("too many addresses in '" + std::string(args[0].text) +
                                     "' (at most 16)",
                                 0);
          IpAddr addr;
          if (!ParseIpAddr(Family::kIPv6, a, &addr))
            return Status::Error("invalid IPv6 address '" + std::string(a) + "' in '" +
                                     std::string(args[0].text) + "'",
                                 0);
          addrs_.push_back(addr);
          if (comma == std::string_view::npos) break;
          list.remove_prefix(comma + 1);
        }
        return {};
      }
      case kOptNotStrict:
        if (!given_.Has(kOptAddrs))
          return Status::Error("'--rt-0-not-strict' needs '--rt-0-addrs' before it");
        return {};
    }
    return {};
  }
  // ip6t_rt's rt_mt6: the Routing header found by ipv6_find_hdr (a broken
  // chain or a header cut off drops the packet; none: no match); a header
  // longer than the packet does not match.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    size_t ptr = 0;
    int err = header_eval::FindIpv6Hdr(v, 43, &ptr);
    if (err < 0) {
      if (err != header_eval::kENOENT) ctx.hotdrop = true;
      return Tri::kFalse;
    }
    if (!header_eval::Have(v, ptr, 4)) {
      ctx.hotdrop = true;
      return Tri::kFalse;
    }
    const uint8_t* rh = v.data() + ptr;
    const size_t hdrlen = (static_cast<size_t>(rh[1]) + 1) * 8;
    if (v.size() - ptr < hdrlen) return Tri::kFalse;
    bool ret = ((rh[3] >= segs_lo_ && rh[3] <= segs_hi_) != inv_segs_) &&
               (!has_len() || ((len_ == hdrlen) != inv_len_)) &&
               (!has_type() || ((type_ == rh[2]) != inv_type_));
    if (ret && res()) {
      if (!header_eval::Have(v, ptr + 4, 4)) {
        ctx.hotdrop = true;
        return Tri::kFalse;
      }
      ret = GetBe32(rh + 4) == 0;
    }
    if (addrs_.empty()) return ToTri(ret);
    const size_t naddr = (hdrlen - 8) / 16;
    if (addrs_.size() > naddr) return Tri::kFalse;
    auto addr_at = [&](size_t k, IpAddr* a) {
      size_t o = ptr + 8 + k * 16;
      if (!header_eval::Have(v, o, 16)) return false;
      std::copy(v.data() + o, v.data() + o + 16, a->b.begin());
      return true;
    };
    if (not_strict()) {
      size_t i = 0;
      for (size_t k = 0; k < naddr; ++k) {
        IpAddr a;
        if (!addr_at(k, &a)) {
          ctx.hotdrop = true;
          return Tri::kFalse;
        }
        if (a == addrs_[i]) ++i;
        if (i == addrs_.size()) break;
      }
      return i == addrs_.size() ? ToTri(ret) : Tri::kFalse;
    }
    size_t k = 0;
    for (; k < addrs_.size(); ++k) {
      IpAddr a;
      if (!addr_at(k, &a)) {
        ctx.hotdrop = true;
        return Tri::kFalse;
      }
      if (!(a == addrs_[k])) break;
    }
    return k == addrs_.size() && k == naddr ? ToTri(ret) : Tri::kFalse;
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (given_.Has(kOptType)) SaveOpt(out, "rt-type", std::to_string(type_), inv_type_);
    if (!(segs_lo_ == 0 && segs_hi_ == 0xffffffff) || inv_segs_)
      SaveOpt(out, "rt-segsleft", hdr::RangeText(segs_lo_, segs_hi_), inv_segs_);
    if (given_.Has(kOptLen)) SaveOpt(out, "rt-len", std::to_string(len_), inv_len_);
    if (res()) SaveOpt(out, "rt-0-res");
    if (!addrs_.empty()) {
      std::string v;
      for (const IpAddr& a : addrs_) {
        if (!v.empty()) v += ',';
        v += FormatIpAddr(Family::kIPv6, a);
      }
      SaveOpt(out, "rt-0-addrs", v);
    }
    if (not_strict()) SaveOpt(out, "rt-0-not-strict");
  }
  bool has_type() const { return given_.Has(kOptType); }
  uint32_t type() const { return type_; }
  bool inv_type() const { return inv_type_; }
  uint32_t segs_lo() const { return segs_lo_; }
  uint32_t segs_hi() const { return segs_hi_; }
  bool inv_segs() const { return inv_segs_; }
  bool has_len() const { return given_.Has(kOptLen); }
  uint32_t len() const { return len_; }
  bool inv_len() const { return inv_len_; }
  bool res() const { return given_.Has(kOptRes); }
  const std::vector<IpAddr>& addrs() const { return addrs_; }
  bool not_strict() const { return given_.Has(kOptNotStrict); }

 private:
  hdr::OptionSet given_;
  uint32_t type_ = 0, segs_lo_ = 0, segs_hi_ = 0xffffffff, len_ = 0;
  bool inv_type_ = false, inv_segs_ = false, inv_len_ = false;
  std::vector<IpAddr> addrs_;
};

}  // namespace

extern const ExtensionInfo kRtMatch = {
    .name = "rt",
    .kind = ExtKind::kMatch,
    .families = kFamV6,
    .options = kOptions,
    .create = Create<RtMatch>,
};

}  // namespace iptsim
