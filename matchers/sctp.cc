// Extension: sctp (match, IPv4 IPv6)
// Synopsis: -p sctp [-m sctp] [[!] --sport|--source-port PORT[:PORT]]
//   [[!] --dport|--destination-port PORT[:PORT]]
//   [[!] --chunk-types {all|any|only} {ALL|NONE|CHUNK[:FLAGS][,CHUNK[:FLAGS]...]}]
// Semantics: source/destination port ranges (inclusive); --chunk-types: all
//   of the listed chunk types occur in the packet (all), at least one does
//   (any), or no other type occurs (only); FLAGS letters (upper case: set,
//   lower case: clear) restrict a chunk's flags (DATA/I_DATA: I U B E, ABORT
//   and SHUTDOWN_COMPLETE: T; at most 4 chunk types with flags).  '!'
//   inverts each test.  Non-first fragments never match.  The kernel
//   (xt_sctp) refuses the match unless the rule has '-p sctp' (not inverted).
// Example: -p sctp -m sctp --dport 2905 --chunk-types any INIT,DATA:Be
// Evaluation: yes
#include <array>

#include "matchers/describe_util.h"
#include "matchers/parse_util.h"
#include "matchers/port_range.h"
#include "matchers/header_eval.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"source-port", 1, true}, {"sport", 1, true},       {"destination-port", 1, true},
    {"dport", 1, true},       {"chunk-types", 2, true},
};

struct ChunkName {
  std::string_view name;
  uint8_t type;
  std::string_view flags;  // letter of bit 7 .. bit 0, '-' for none
};

// In libxt_sctp's order: flags given with a chunk are recorded under the
// chunk's index in this table (not its type), as iptables sends them.
constexpr std::array<ChunkName, 22> kChunks = {{
    {"DATA", 0, "----IUBE"},
    {"INIT", 1, "--------"},
    {"INIT_ACK", 2, "--------"},
    {"SACK", 3, "--------"},
    {"HEARTBEAT", 4, "--------"},
    {"HEARTBEAT_ACK", 5, "--------"},
    {"ABORT", 6, "-------T"},
    {"SHUTDOWN", 7, "--------"},
    {"SHUTDOWN_ACK", 8, "--------"},
    {"ERROR", 9, "--------"},
    {"COOKIE_ECHO", 10, "--------"},
    {"COOKIE_ACK", 11, "--------"},
    {"ECN_ECNE", 12, "--------"},
    {"ECN_CWR", 13, "--------"},
    {"SHUTDOWN_COMPLETE", 14, "-------T"},
    {"I_DATA", 64, "----IUBE"},
    {"RE_CONFIG", 130, "--------"},
    {"PAD", 132, "--------"},
    {"ASCONF", 193, "--------"},
    {"ASCONF_ACK", 128, "--------"},
    {"FORWARD_TSN", 192, "--------"},
    {"I_FORWARD_TSN", 194, "--------"},
}};

constexpr size_t kMaxFlagChunks = 4;

bool EqualNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (toupper(static_cast<unsigned char>(a[i])) != toupper(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

void SavePorts(std::string& out, std::string_view name, const PortRange& r) {
  if (!r.given) return;
  std::string v = std::to_string(r.lo);
  if (r.lo != r.hi) v += ":" + std::to_string(r.hi);
  SaveOpt(out, name, v, r.invert);
}

class SctpMatch : public Match {
 public:
  using Match::Match;
  enum class ChunkMatch : uint8_t { kAny = 1, kAll = 2, kOnly = 4 };  // SCTP_CHUNK_MATCH_*
  struct FlagInfo {
    uint8_t chunktype = 0;  // as iptables records it: the index in its name table
    uint8_t flag = 0;
    uint8_t flag_mask = 0;
  };

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    switch (option) {
      case 0:
      case 1:
        return sport_.Parse(args, "sctp", invert, "source-port");
      case 2:
      case 3:
        return dport_.Parse(args, "sctp", invert, "destination-port");
      case 4:
        return ParseChunks(invert, args);
    }
    return {};
  }

  // xt_sctp's sctp_mt: not for later fragments; the 12-byte common header
  // must be readable, else the packet is dropped.  Each given test, '!'
  // inverting it.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    if (v.fragoff != 0) return Tri::kFalse;
    if (!header_eval::Have(v, v.thoff, 12)) {
      ctx.hotdrop = true;
      return Tri::kFalse;
    }
    const uint8_t* sh = v.transport();
    if (sport_.given && !sport_.Contains(GetBe16(sh))) return Tri::kFalse;
    if (dport_.given && !dport_.Contains(GetBe16(sh + 2))) return Tri::kFalse;
    if (chunks_given_ && MatchChunks(v, ctx) == inv_chunks_) return Tri::kFalse;
    return Tri::kTrue;
  }
  // match_flags: the first flag entry recorded for the chunk type decides
  // (entries carry what iptables sent: its name-table index, see FlagInfo).
  bool FlagsMatch(uint8_t type, uint8_t flags) const {
    for (const FlagInfo& f : flag_info())
      if (f.chunktype == type) return (flags & f.flag_mask) == f.flag;
    return true;
  }
  // match_packet: walks the chunks (at least one; a chunk header cut off or
  // of length 0 drops the packet).
  bool MatchChunks(const PacketView& v, EvalContext& ctx) const {
    std::array<uint32_t, 8> copy = chunkmap_;
    size_t off = static_cast<size_t>(v.thoff) + 12;
    do {
      if (!header_eval::Have(v, off, 4) || GetBe16(v.data() + off + 2) == 0) {
        ctx.hotdrop = true;
        return false;
      }
      const uint8_t type = v.data()[off], flags = v.data()[off + 1];
      off += (static_cast<size_t>(GetBe16(v.data() + off + 2)) + 3) & ~static_cast<size_t>(3);
      if (IsSet(type)) {
        switch (match_type_) {
          case ChunkMatch::kAny:
            if (FlagsMatch(type, flags)) return true;
            break;
          case ChunkMatch::kAll:
            if (FlagsMatch(type, flags)) copy[type / 32] &= ~(1u << (type % 32));
            break;
          case ChunkMatch::kOnly:
            if (!FlagsMatch(type, flags)) return false;
            break;
        }
      } else if (match_type_ == ChunkMatch::kOnly) {
        return false;
      }
    } while (off < v.size());
    switch (match_type_) {
      case ChunkMatch::kAll:
        for (uint32_t w : copy)
          if (w) return false;
        return true;
      case ChunkMatch::kAny:
        return false;
      case ChunkMatch::kOnly:
        return true;
    }
    return false;
  }
  // The ports; --chunk-types reads the chunks, which are no field: opaque.
  Pred Describe(Family) const override {
    std::vector<Pred> all = {describe::ProtoIs(132), describe::NotLaterFragment(),
                             sport_.Describe(Field::kSport), dport_.Describe(Field::kDport)};
    if (chunks_given_) all.push_back(Pred::Opaque());
    return describe::AllOf(std::move(all));
  }
  void Save(std::string& out, const SaveContext&) const override {
    SavePorts(out, "sport", sport_);
    SavePorts(out, "dport", dport_);
    if (!chunks_given_) return;
    std::string v = match_type_ == ChunkMatch::kAny   ? "any"
                    : match_type_ == ChunkMatch::kAll ? "all"
                                                      : "only";
    bool none = true, all = true;
    for (size_t i = 0; i < 256; ++i) (IsSet(i) ? none : all) = false;
    if (none) {
      v += " NONE";
    } else if (all) {
      v += " ALL";
    } else {
      bool first = true;
      for (size_t t = 0; t < 256; ++t) {
        if (!IsSet(t)) continue;
        v += first ? " " : ",";
        first = false;
        for (const ChunkName& c : kChunks)
          if (c.type == t) v += c.name;
        for (const FlagInfo& f : flag_info())
          if (f.chunktype == t && f.flag_mask) {
            // Letters of the chunk whose *type* is t (t < table size here,
            // since recorded chunktypes are table indexes).
            v += ':';
            for (int bit = 7; bit >= 0; --bit) {
              if (!(f.flag_mask & (1u << bit))) continue;
              char c = kChunks[t].flags[7 - bit];
              v += (f.flag & (1u << bit)) ? c : static_cast<char>(tolower(c));
            }
          }
      }
    }
    SaveOpt(out, "chunk-types", v, inv_chunks_);
  }

  const PortRange& sport() const { return sport_; }  // .given false: not tested
  const PortRange& dport() const { return dport_; }
  bool chunks_given() const { return chunks_given_; }
  ChunkMatch chunk_match() const { return match_type_; }
  bool inv_chunks() const { return inv_chunks_; }
  bool IsSet(size_t chunk_type) const { return (chunkmap_[chunk_type / 32] >> (chunk_type % 32)) & 1; }
  std::span<const FlagInfo> flag_info() const { return {flags_.data(), nflags_}; }

 private:
  Status ParseChunks(bool invert, std::span<const Arg> args) {
    if (chunks_given_) return Status::Error("only one '--chunk-types' allowed");
    std::string_view mt = args[0].text, list = args[1].text;
    if (!list.empty() && (list[0] == '-' || list[0] == '!'))
      return Status::Error("'--chunk-types' needs two arguments: {all|any|only} and the chunk list", 1);
    if (EqualNoCase(mt, "ANY")) match_type_ = ChunkMatch::kAny;
    else if (EqualNoCase(mt, "ALL")) match_type_ = ChunkMatch::kAll;
    else if (EqualNoCase(mt, "ONLY")) match_type_ = ChunkMatch::kOnly;
    else return Status::Error("invalid chunk match type '" + std::string(mt) + "' (all, any or only)", 0);
    chunkmap_.fill(0);
    if (EqualNoCase(list, "ALL")) {
      chunkmap_.fill(0xffffffff);
    } else if (!EqualNoCase(list, "NONE")) {
      size_t pos = 0;
      while (pos <= list.size()) {
        size_t comma = list.find(',', pos);
        std::string_view item =
            list.substr(pos, comma == std::string_view::npos ? list.npos : comma - pos);
        if (!item.empty()) {
          Status st = ParseChunk(item);
          if (!st.ok()) return st;
        }
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
      }
    }
    chunks_given_ = true;
    inv_chunks_ = invert;
    return {};
  }

  Status ParseChunk(std::string_view item) {
    size_t colon = item.find(':');
    std::string_view name = item.substr(0, colon);
    size_t idx = 0;
    while (idx < kChunks.size() && !EqualNoCase(kChunks[idx].name, name)) ++idx;
    if (idx == kChunks.size())
      return Status::Error("unknown SCTP chunk type '" + std::string(name) + "'", 1);
    uint8_t type = kChunks[idx].type;
    chunkmap_[type / 32] |= 1u << (type % 32);
    if (colon == std::string_view::npos) return {};
    for (char ch : item.substr(colon + 1)) {
      size_t p = kChunks[idx].flags.find(static_cast<char>(toupper(static_cast<unsigned char>(ch))));
      if (p == std::string_view::npos)
        return Status::Error("invalid flag '" + std::string(1, ch) + "' for SCTP chunk " +
                                 std::string(kChunks[idx].name),
                             1);
      uint8_t bit = static_cast<uint8_t>(1u << (7 - p));
      bool set = isupper(static_cast<unsigned char>(ch));
      FlagInfo* fi = nullptr;
      for (size_t k = 0; k < nflags_; ++k)
        if (flags_[k].chunktype == idx) fi = &flags_[k];
      if (!fi) {
        if (nflags_ == kMaxFlagChunks)
          return Status::Error("flags given for more than 4 chunk types", 1);
        fi = &flags_[nflags_++];
        fi->chunktype = static_cast<uint8_t>(idx);
      }
      fi->flag_mask |= bit;
      if (set) fi->flag |= bit;
    }
    return {};
  }

  PortRange sport_, dport_;
  bool chunks_given_ = false, inv_chunks_ = false;
  ChunkMatch match_type_ = ChunkMatch::kAny;
  std::array<uint32_t, 8> chunkmap_ = {};
  std::array<FlagInfo, kMaxFlagChunks> flags_ = {};
  size_t nflags_ = 0;
};

}  // namespace

extern const ExtensionInfo kSctpMatch = {
    .name = "sctp",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .proto = 132,
    .create = Create<SctpMatch>,
};

}  // namespace iptsim
