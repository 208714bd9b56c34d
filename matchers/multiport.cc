// Extension: multiport (match, IPv4 IPv6)
// Synopsis: -p {tcp|udp|udplite|sctp|dccp} -m multiport
//   [!] {--sports|--source-ports|--dports|--destination-ports|--ports} PORT[:PORT][,...]
// Semantics: (revision 1) the source port, the destination port, or (--ports)
//   either of them equals one of the listed ports or lies in one of the
//   listed inclusive ranges; '!' inverts the whole list.  At most 15 slots,
//   a range taking two; a range must have start < end.  Ports may be service
//   names of the rule's protocol.  Exactly one of the three options.  -p must
//   come before the options.  Non-first fragments never match; a truncated
//   header is dropped.  The kernel (xt_multiport) refuses the match unless
//   the rule has '-p tcp|udp|udplite|sctp|dccp' (not inverted).
// Example: -p tcp -m multiport --dports 80,443,8000:8080
// Evaluation: yes
#include "matchers/describe_util.h"
#include "matchers/parse_util.h"
#include "matchers/header_eval.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"source-ports", 1, true}, {"sports", 1, true}, {"destination-ports", 1, true},
    {"dports", 1, true},       {"ports", 1, true},
};

constexpr size_t kMaxSlots = 15;

bool MultiportProto(uint8_t p) { return p == 6 || p == 17 || p == 136 || p == 132 || p == 33; }

class MultiportMatch : public Match {
 public:
  using Match::Match;
  enum class Dir : uint8_t { kNone, kSource, kDestination, kEither };

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext& ctx) override {
    static constexpr std::string_view kLong[] = {"source-ports", "source-ports",
                                                 "destination-ports", "destination-ports", "ports"};
    Dir d = option <= 1 ? Dir::kSource : option <= 3 ? Dir::kDestination : Dir::kEither;
    if (dir_ != Dir::kNone) {
      if (d == dir_) return Status::Error("only one '--" + std::string(kLong[option]) + "' allowed");
      return Status::Error("only one of '--sports', '--dports' and '--ports' allowed");
    }
    const IpHeaderMatch& ip = *ctx.ip;
    if (ip.inv_proto || (ip.proto != 0 && !MultiportProto(ip.proto)))
      return Status::Error("only works with -p tcp, udp, udplite, sctp or dccp (not inverted)");
    if (ip.proto == 0)
      return Status::Error("needs '-p tcp', '-p udp', '-p udplite', '-p sctp' or '-p dccp' before it");
    std::string_view proto = ProtoName(ip.proto);  // tcp, udp, udplite, sctp, dccp
    std::string_view list = args[0].text;
    size_t n = 0;
    size_t pos = 0;
    while (true) {
      size_t comma = list.find(',', pos);
      std::string_view item =
          list.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
      if (n >= kMaxSlots)
        return Status::Error("too many ports in '" + std::string(list) + "' (at most 15, a range counts as 2)", 0);
      size_t colon = item.find(':');
      std::string_view a = item.substr(0, colon);
      uint16_t lo;
      auto bad_port = [&](std::string_view p) {
        return Status::Error("invalid port/service '" + std::string(p) + "' for " +
                                 std::string(proto),
                             0);
      };
      if (colon != std::string_view::npos && n == kMaxSlots - 1)
        return Status::Error("too many ports in '" + std::string(list) + "' (at most 15, a range counts as 2)", 0);
      if (!ParsePort(a, proto, &lo)) return bad_port(a);
      ports_[n] = lo;
      range_[n] = false;
      if (colon != std::string_view::npos) {
        std::string_view b = item.substr(colon + 1);
        uint16_t hi;
        if (!ParsePort(b, proto, &hi)) return bad_port(b);
        if (lo >= hi)
          return Status::Error("invalid port range '" + std::string(item) +
                                   "': start must be below end",
                               0);
        range_[n] = true;
        ports_[++n] = hi;
        range_[n] = false;
      }
      ++n;
      if (comma == std::string_view::npos) break;
      pos = comma + 1;
    }
    count_ = static_cast<uint8_t>(n);
    proto_ = ip.proto;
    dir_ = d;
    invert_ = invert;
    return {};
  }

  Status Finish(const ParseContext&) override {
    if (dir_ == Dir::kNone) return Status::Error("needs one of '--sports', '--dports' or '--ports'");
    return {};
  }

  // xt_multiport's multiport_mt (revision 1): not for later fragments; the
  // two port fields must be readable, else the packet is dropped.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    if (v.fragoff != 0) return Tri::kFalse;
    if (!header_eval::Have(v, v.thoff, 4)) {
      ctx.hotdrop = true;
      return Tri::kFalse;
    }
    const uint16_t src = GetBe16(v.transport()), dst = GetBe16(v.transport() + 2);
    for (size_t i = 0; i < count_; ++i) {
      const uint16_t s = ports_[i];
      const uint16_t e = range_[i] ? ports_[++i] : s;
      const bool hit_src = src >= s && src <= e, hit_dst = dst >= s && dst <= e;
      if ((dir_ == Dir::kSource && hit_src) || (dir_ == Dir::kDestination && hit_dst) ||
          (dir_ == Dir::kEither && (hit_src || hit_dst)))
        return ToTri(!invert_);
    }
    return ToTri(invert_);
  }
  // The rule's protocol (Evaluate reads its header), then any slot.
  Pred Describe(Family) const override {
    std::vector<Pred> slots;
    for (size_t i = 0; i < count_; ++i) {
      const uint16_t s = ports_[i];
      const uint16_t e = range_[i] ? ports_[++i] : s;
      Pred src = Pred::NumIn(Field::kSport, s, e), dst = Pred::NumIn(Field::kDport, s, e);
      if (dir_ == Dir::kSource) slots.push_back(std::move(src));
      else if (dir_ == Dir::kDestination) slots.push_back(std::move(dst));
      else slots.push_back(Pred::Or({std::move(src), std::move(dst)}));
    }
    return describe::AllOf({describe::ProtoIs(proto_), describe::NotLaterFragment(),
                      Pred::Inverted(Pred::Or(std::move(slots)), invert_)});
  }
  void Save(std::string& out, const SaveContext&) const override {
    std::string v;
    for (size_t i = 0; i < count_; ++i) {
      if (i) v += ',';
      v += std::to_string(ports_[i]);
      if (range_[i]) v += ":" + std::to_string(ports_[++i]);
    }
    SaveOpt(out, dir_ == Dir::kSource ? "sports" : dir_ == Dir::kDestination ? "dports" : "ports",
            v, invert_);
  }

  Dir dir() const { return dir_; }
  bool invert() const { return invert_; }
  // Slots as the kernel holds them: ports()[i] with range_start(i) true is
  // the start of a range whose end is ports()[i + 1].
  std::span<const uint16_t> ports() const { return {ports_, count_}; }
  bool range_start(size_t i) const { return range_[i]; }

 private:
  Dir dir_ = Dir::kNone;
  bool invert_ = false;
  uint8_t count_ = 0;
  uint8_t proto_ = 0;  // the rule's -p (tcp, udp, udplite, sctp or dccp)
  uint16_t ports_[kMaxSlots] = {};
  bool range_[kMaxSlots] = {};
};

}  // namespace

extern const ExtensionInfo kMultiportMatch = {
    .name = "multiport",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<MultiportMatch>,
};

}  // namespace iptsim
