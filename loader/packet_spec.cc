// The packet options: the words of one packet read into options (the option
// table, "--opt=VALUE", abbreviations, --inner), the checks of the packet as
// a whole, and the splitting of a packet line into words.  Each option's
// value is read in packet_fields.cc.
#include "loader/packet_spec.h"

#include <algorithm>
#include <vector>

#include "loader/packet_spec_internal.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace packet_options {
namespace {

// Every spelling; several may share an id (aliases).
constexpr OptDef kOpts[] = {
    {"in-interface", 'i', 1, kIn},      {"out-interface", 'o', 1, kOut},
    {"physdev-in", 0, 1, kPhysIn},      {"physdev-out", 0, 1, kPhysOut},
    {"source", 's', 1, kSrc},           {"src", 0, 1, kSrc},
    {"destination", 'd', 1, kDst},      {"dst", 0, 1, kDst},
    {"protocol", 'p', 1, kProto},       {"sport", 0, 1, kSport},
    {"source-port", 0, 1, kSport},      {"dport", 0, 1, kDport},
    {"destination-port", 0, 1, kDport}, {"syn", 0, 0, kSyn},
    {"tcp-flags", 0, 2, kTcpFlags},     {"seq", 0, 1, kSeq},
    {"ack", 0, 1, kAck},                {"window", 0, 1, kWindow},
    {"urgp", 0, 1, kUrgp},              {"tcp-option-hex", 0, 1, kTcpOptionHex},
    {"icmp-type", 0, 1, kIcmpType},     {"icmpv6-type", 0, 1, kIcmpv6Type},
    {"icmp-id", 0, 1, kIcmpId},         {"icmp-seq", 0, 1, kIcmpSeq},
    {"mtu", 0, 1, kMtu},                {"pointer", 0, 1, kPointer},
    {"gateway", 0, 1, kGateway},        {"spi", 0, 1, kSpi},
    {"ttl", 0, 1, kTtl},                {"hoplimit", 0, 1, kTtl},
    {"tos", 0, 1, kTos},                {"id", 0, 1, kId},
    {"df", 0, 0, kDf},                  {"ce", 0, 0, kCe},
    {"frag", 0, 1, kFrag},              {"mf", 0, 0, kMf},
    {"flowlabel", 0, 1, kFlowLabel},    {"ip-option-hex", 0, 1, kIpOptionHex},
    {"ext-hdr", 0, 1, kExtHdr},         {"len", 0, 1, kLen},
    {"payload", 0, 1, kPayload},        {"payload-hex", 0, 1, kPayloadHex},
    {"mac-src", 0, 1, kMacSrc},         {"mac-dst", 0, 1, kMacDst},
    {"time", 0, 1, kTime},              {"mark", 0, 1, kMark},
    {"uid", 0, 1, kUid},                {"gid", 0, 1, kGid},
    {"ctstate", 0, 1, kCtState},        {"inner", 0, 0, kInner},
    {"connected", 0, 0, kConnected},
};

// Which protocols an option belongs to (empty: any).
struct ProtoNeed {
  std::array<uint8_t, 5> protos{};
  uint8_t n = 0;
  bool Allows(uint8_t p) const {
    for (uint8_t i = 0; i < n; ++i)
      if (protos[i] == p) return true;
    return n == 0;
  }
  std::string Text() const {
    std::string s;
    for (uint8_t i = 0; i < n; ++i) {
      if (i) s += i + 1 == n ? " or " : ", ";
      s += "-p " + std::string(ProtoMatchName(protos[i]));
    }
    return s;
  }
};

ProtoNeed NeedOf(Opt o, Family f) {
  using namespace ipproto;
  const uint8_t icmp = f == Family::kIPv4 ? kIcmp : kIcmpv6;
  switch (o) {
    case kSport: case kDport: return {{kTcp, kUdp, kUdplite, kSctp, kDccp}, 5};
    case kSyn: case kTcpFlags: case kAck: case kWindow: case kUrgp: case kTcpOptionHex:
      return {{kTcp}, 1};
    case kSeq: return {{kTcp, kDccp}, 2};
    case kIcmpType: return {{kIcmp}, 1};
    case kIcmpv6Type: return {{kIcmpv6}, 1};
    case kIcmpId: case kIcmpSeq: case kMtu: case kPointer: case kInner: return {{icmp}, 1};
    case kGateway: return {{kIcmp}, 1};
    case kSpi: return {{kAh, kEsp}, 2};
    default: return {};
  }
}

std::string OptName(Opt o) {
  for (const OptDef& d : kOpts)
    if (d.id == o) return "--" + std::string(d.name);
  return "?";
}

}  // namespace

bool IsMetadata(Opt o) {
  switch (o) {
    case kIn: case kOut: case kPhysIn: case kPhysOut: case kMacSrc: case kMacDst: case kTime:
    case kMark: case kUid: case kGid: case kCtState: case kConnected:
      return true;
    default:
      return false;
  }
}

bool IsTransport(Opt o) {
  switch (o) {
    case kSport: case kDport: case kSyn: case kTcpFlags: case kSeq: case kAck: case kWindow:
    case kUrgp: case kTcpOptionHex: case kIcmpType: case kIcmpv6Type: case kIcmpId: case kIcmpSeq:
    case kMtu: case kPointer: case kGateway: case kSpi: case kInner:
      return true;
    default:
      return false;
  }
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string Suggest(std::string_view name, std::span<const std::string_view> candidates) {
  return ClosestName(name, candidates);
}

// ---------------------------------------------------------------------------
// Words into options.

Status Parser::Parse(size_t begin, PacketSpec* s, int depth) {
  const bool inner = depth > 0;
  s->family = fam_;
  Given given;
  given.fill(-1);
  for (size_t i = begin; i < w_.size(); ++i) {
    const int at = static_cast<int>(i);
    OptionUse use;
    Status st = ReadOptionWord(i, &use);
    if (!st.ok()) return st;
    if (!(st = CheckOptionUse(use, at, inner, given)).ok()) return st;
    given[use.def->id] = at;
    if (use.def->id == kInner) {
      // Each level is a recursion here and in the builder: bounded.
      if (depth >= kMaxInnerDepth)
        return Status::Error("--inner nested more than " + std::to_string(kMaxInnerDepth) +
                                 " deep (an error about an error about ...)",
                             at);
      PacketSpec in;
      if (!(st = Parse(i + 1, &in, depth + 1)).ok()) return st;
      s->inner.push_back(std::move(in));
      break;
    }
    if (!(st = ReadValuesAndHandle(use, &i, s, given)).ok()) return st;
  }
  return Finish(s, given);
}

bool Parser::OptionAt(size_t i, Opt* id, size_t* next) const {
  OptionUse use;
  if (!ReadOptionWord(i, &use).ok()) return false;
  *id = use.def->id;
  if (*id == kTcpFlags) *id = kSyn;
  if (*id == kPayloadHex) *id = kPayload;
  *next = i + 1 + (use.inline_value ? 0 : use.def->nargs);
  return true;
}

Status Parser::ReadOptionWord(size_t i, OptionUse* use) const {
  const std::string& word = w_[i];
  const int at = static_cast<int>(i);
  if (word == "!")
    return Status::Error("'!' is not allowed here: a packet has values, not conditions", at);
  if (word.size() > 2 && word[0] == '-' && word[1] == '-') return ReadLongOption(i, use);
  if (word.size() >= 2 && word[0] == '-' && word[1] != '-') return ReadShortOption(i, use);
  return Status::Error("unexpected " + Quote(word) + ": packet options start with '-'", at);
}

// "--name", "--name=VALUE", or a unique abbreviation of the name.
Status Parser::ReadLongOption(size_t i, OptionUse* use) const {
  const int at = static_cast<int>(i);
  std::string_view name = std::string_view(w_[i]).substr(2);
  size_t eq = name.find('=');
  if (eq != std::string_view::npos) {
    use->inline_value = name.substr(eq + 1);
    name = name.substr(0, eq);
  }
  const OptDef* def = nullptr;
  for (const OptDef& d : kOpts)
    if (d.name == name) def = &d;
  if (!def) {
    std::vector<const OptDef*> matches;
    for (const OptDef& d : kOpts)
      if (d.name.starts_with(name) &&
          std::none_of(matches.begin(), matches.end(),
                       [&](const OptDef* m) { return m->id == d.id; }))
        matches.push_back(&d);
    if (matches.size() == 1 && !name.empty()) {
      def = matches[0];
    } else if (matches.size() > 1 && !name.empty()) {
      std::string list;
      for (const OptDef* m : matches) list += (list.empty() ? "--" : ", --") + std::string(m->name);
      return Status::Error("option '--" + std::string(name) + "' is ambiguous (" + list + ")", at);
    } else {
      std::vector<std::string_view> names;
      for (const OptDef& d : kOpts) names.push_back(d.name);
      std::string msg = "unknown packet option '--" + std::string(name) + "'";
      std::string near = Suggest(name, names);
      if (!near.empty()) msg += ", did you mean '--" + near + "'?";
      return Status::Error(msg, at);
    }
  }
  use->def = def;
  use->word = "--" + std::string(def->name);
  return Status();
}

// "-p", "-ptcp"; the rule-only letters get a message of their own.
Status Parser::ReadShortOption(size_t i, OptionUse* use) const {
  const std::string& word = w_[i];
  const int at = static_cast<int>(i);
  char c = word[1];
  const OptDef* def = nullptr;
  for (const OptDef& d : kOpts)
    if (d.short_name == c) def = &d;
  if (!def) {
    switch (c) {
      case 'm':
      case 'j':
      case 'g':
        return Status::Error(Quote(word) + " belongs to a rule, not to a packet: give the "
                                           "packet's values instead",
                             at);
      case 'f':
        return Status::Error("'-f' describes rules; for a packet give --frag OFFSET [--mf]", at);
      default:
        return Status::Error("unknown packet option " + Quote(word), at);
    }
  }
  if (word.size() > 2) use->inline_value = std::string_view(word).substr(2);
  use->def = def;
  use->word = std::string("-") + c;
  return Status();
}

Status Parser::CheckOptionUse(const OptionUse& use, int at, bool inner, const Given& given) const {
  const OptDef* def = use.def;
  if (inner && IsMetadata(def->id))
    return Status::Error(use.word + " is not for the embedded packet (after --inner): "
                                    "interfaces and metadata belong to the outer packet",
                         at);
  if (given[def->id] >= 0) {
    std::string msg = "option " + use.word + " given twice";
    if (def->id == kTtl)
      msg = "the " + std::string(fam_ == Family::kIPv4 ? "TTL" : "hop limit") +
            " is already set (--ttl and --hoplimit are the same field)";
    return Status::Error(msg, at);
  }
  if (def->nargs == 0 && use.inline_value)
    return Status::Error("option " + use.word + " takes no value", at);
  return Status();
}

Status Parser::ReadValuesAndHandle(const OptionUse& use, size_t* i, PacketSpec* s, Given& given) {
  const OptDef* def = use.def;
  const int at = static_cast<int>(*i);
  std::array<std::string_view, 2> args{};
  std::array<int, 2> arg_at{};
  size_t n = 0;
  if (use.inline_value && def->nargs > 0) {
    args[n] = *use.inline_value;
    arg_at[n++] = at;
  }
  while (n < def->nargs) {
    if (*i + 1 >= w_.size())
      return Status::Error("option " + use.word + " needs " +
                               (def->nargs == 1 ? std::string("a value")
                                                : std::to_string(def->nargs) + " values"),
                           at);
    ++*i;
    args[n] = w_[*i];
    arg_at[n++] = static_cast<int>(*i);
  }
  Status st = Handle(def->id, use.word, std::span(args.data(), n), std::span(arg_at.data(), n), s,
                     given);
  if (!st.ok()) {
    // Errors about the option itself (kOptWord) point at the option word.
    if (st.arg() < 0) return Status::Error(st.message(), at);
    if (n && st.arg() == arg_at[0] - 1) return Status::Error(st.message(), at);
    return st;
  }
  return st;
}

// ---------------------------------------------------------------------------
// The packet as a whole.

Status Parser::Finish(PacketSpec* s, const Given& given) {
  Status st = ResolveProtocol(s, given);
  if (st.ok()) st = CheckIcmpFields(*s, given);
  if (st.ok()) st = CheckFieldCombinations(*s, given);
  return st;
}

// The protocol: -p, or implied by the first protocol-specific option; then
// every option must suit it.
Status Parser::ResolveProtocol(PacketSpec* s, const Given& given) {
  int implied_by = -1;
  // --spi also sets the SPI of an AH extension header.
  const bool ah_ext =
      std::find(s->ext_hdrs.begin(), s->ext_hdrs.end(), ExtHdr::kAh) != s->ext_hdrs.end();
  auto needs = [&](int o) {
    return (o == kSpi && ah_ext) ? ProtoNeed{} : NeedOf(static_cast<Opt>(o), fam_);
  };
  if (!s->proto) {
    uint8_t proto = kDefaultProto;
    int first = -1;
    for (int o = 0; o < kNumOpts; ++o) {
      if (given[o] < 0) continue;
      ProtoNeed need = needs(o);
      if (need.n == 0 || need.Allows(kDefaultProto)) continue;
      if (first < 0 || given[o] < first) {
        first = given[o];
        implied_by = o;
      }
    }
    if (implied_by >= 0) {
      ProtoNeed need = NeedOf(static_cast<Opt>(implied_by), fam_);
      if (need.n > 1)
        return Status::Error(OptName(static_cast<Opt>(implied_by)) + " needs " + need.Text(),
                             given[implied_by]);
      proto = need.protos[0];
    }
    s->proto = proto;
  }
  for (int o = 0; o < kNumOpts; ++o) {
    if (given[o] < 0) continue;
    ProtoNeed need = needs(o);
    if (need.Allows(*s->proto)) continue;
    std::string pname(ProtoMatchName(*s->proto));
    if (pname.empty()) pname = std::to_string(*s->proto);
    std::string why = given[kProto] >= 0
                          ? "the packet is -p " + pname
                          : (implied_by >= 0 ? OptName(static_cast<Opt>(implied_by)) +
                                                   " made the packet -p " + pname
                                             : "the packet is -p " + pname);
    return Status::Error(OptName(static_cast<Opt>(o)) + " needs " + need.Text() + " (" + why + ")",
                         given[o]);
  }
  return Status();
}

// ICMP fields that only some types have.
Status Parser::CheckIcmpFields(const PacketSpec& s, const Given& given) {
  const bool v4 = fam_ == Family::kIPv4;
  if (*s.proto != (v4 ? ipproto::kIcmp : ipproto::kIcmpv6)) return Status();
  uint8_t type = s.icmp_type.value_or(v4 ? 8 : 128);
  auto needs_type = [&](Opt o, std::string_view types) {
    return Status::Error(OptName(o) + " is for ICMP" + (v4 ? "" : "v6") + " " +
                             std::string(types) + ", not type " + std::to_string(type),
                         given[o]);
  };
  bool echo_like = v4 ? (type == 0 || type == 8 || (type >= 13 && type <= 18))
                      : (type == 128 || type == 129);
  if (!echo_like && given[kIcmpId] >= 0)
    return needs_type(kIcmpId, v4 ? "echo, timestamp, information and address mask messages"
                                  : "echo messages (128, 129)");
  if (!echo_like && given[kIcmpSeq] >= 0)
    return needs_type(kIcmpSeq, v4 ? "echo, timestamp, information and address mask messages"
                                   : "echo messages (128, 129)");
  if (given[kMtu] >= 0 && (v4 ? !(type == 3 && s.icmp_code == 4) : type != 2))
    return needs_type(kMtu, v4 ? "fragmentation-needed (3/4)" : "packet-too-big (2)");
  if (given[kPointer] >= 0 && type != (v4 ? 12 : 4))
    return needs_type(kPointer, v4 ? "parameter-problem (12)" : "parameter-problem (4)");
  if (given[kGateway] >= 0 && type != 5) return needs_type(kGateway, "redirect (5)");
  if (given[kInner] >= 0 && !IcmpTypeIsError(fam_, type))
    return needs_type(kInner, v4 ? "errors (3, 4, 5, 11, 12)" : "errors (1, 2, 3, 4)");
  return Status();
}

// Options that only make sense together, or not together.
Status Parser::CheckFieldCombinations(const PacketSpec& s, const Given& given) {
  const bool v4 = fam_ == Family::kIPv4;
  if (s.frag_offset) {
    for (int o = 0; o < kNumOpts; ++o)
      if (given[o] >= 0 && IsTransport(static_cast<Opt>(o)))
        return Status::Error(OptName(static_cast<Opt>(o)) +
                                 " has no effect on a later fragment (--frag " +
                                 std::to_string(s.frag_offset) +
                                 "): it carries no transport header",
                             given[o]);
  }
  if (!v4 && given[kId] >= 0 && !s.mf && !s.frag_offset &&
      std::find(s.ext_hdrs.begin(), s.ext_hdrs.end(), ExtHdr::kFragment) == s.ext_hdrs.end())
    return Status::Error("--id of an IPv6 packet is the fragment header's identification: add "
                         "--mf, --frag or --ext-hdr frag",
                         given[kId]);
  if (given[kGid] >= 0 && given[kUid] < 0)
    return Status::Error("--gid needs --uid (the socket's owner)", given[kGid]);
  if (given[kConnected] >= 0 && given[kUid] < 0)
    return Status::Error("--connected needs --uid (the socket's owner)", given[kConnected]);
  if (given[kConnected] >= 0 && given[kIn] >= 0)
    return Status::Error("--connected describes the socket a local packet is sent from; a "
                         "received packet (-i) has none",
                         given[kConnected]);
  if (s.len) {
    size_t base = v4 ? 20 + (s.ip_options.size() + 3) / 4 * 4 : 40;
    if (*s.len < base)
      return Status::Error("--len " + std::to_string(*s.len) + " is shorter than the " +
                               (v4 ? "IPv4" : "IPv6") + " header (" + std::to_string(base) +
                               " bytes)",
                           given[kLen]);
  }
  return Status();
}

}  // namespace packet_options

Status ParsePacketSpec(std::span<const std::string> words, Family family, PacketSpec* out) {
  PacketSpec s;
  packet_options::Parser p(words, family);
  Status st = p.Parse(0, &s, 0);
  if (!st.ok()) return st;
  // What the wire cannot carry is refused, not cut (the builder would cap
  // it at the length field's maximum).  The error points at the --inner
  // that starts the packet too long, or for the packet itself at its
  // longest word (the payload or extension header list that makes it so).
  int depth = 0;
  const std::string too_long = PacketSizeError(s, &depth);
  if (!too_long.empty()) {
    int at = 0;
    for (size_t i = 0; i < words.size();) {
      packet_options::Opt id;
      size_t next;
      const bool option = p.OptionAt(i, &id, &next);
      if (option && id == packet_options::kInner) {
        if (depth == 0) {  // the embedded packet, unless a long word of its own
          if (words[static_cast<size_t>(at)].size() < 64) at = static_cast<int>(i);
          break;
        }
        if (--depth == 0) {
          at = static_cast<int>(i);
          break;
        }
      }
      if (!option) next = i + 1;
      for (; i < next; ++i)
        if (depth == 0 && words[i].size() > words[static_cast<size_t>(at)].size())
          at = static_cast<int>(i);
    }
    return Status::Error(too_long, at);
  }
  *out = std::move(s);
  return st;
}

std::vector<MergedWord> MergePacketWords(std::span<const std::string> defaults,
                                         std::span<const std::string> packet, Family family) {
  using namespace packet_options;
  // The options of the outer packet (before --inner) given in `words`, and
  // where its --inner starts (words.size() when there is none).
  auto outer = [family](std::span<const std::string> words, std::array<bool, kNumOpts>* given) {
    Parser parser(words, family);
    size_t i = 0;
    while (i < words.size()) {
      Opt id;
      size_t next;
      if (!parser.OptionAt(i, &id, &next)) {
        ++i;
        continue;
      }
      if (id == kInner) return i;
      if (given) (*given)[id] = true;
      i = next;
    }
    return words.size();
  };
  std::array<bool, kNumOpts> in_packet{};
  const size_t packet_inner = outer(packet, &in_packet);
  const size_t defaults_inner = outer(defaults, nullptr);
  std::vector<MergedWord> merged;
  Parser parser(defaults, family);
  for (size_t i = 0; i < defaults_inner;) {
    Opt id;
    size_t next;
    if (!parser.OptionAt(i, &id, &next)) next = i + 1;
    else if (in_packet[id]) {  // replaced by the packet's own
      i = next;
      continue;
    }
    for (; i < std::min(next, defaults_inner); ++i) merged.push_back({true, i});
  }
  for (size_t i = 0; i < packet.size(); ++i) merged.push_back({false, i});
  if (packet_inner == packet.size())
    for (size_t i = defaults_inner; i < defaults.size(); ++i) merged.push_back({true, i});
  return merged;
}

Status SplitPacketLine(std::string_view line, std::vector<SpecWord>* words, uint32_t* error_col) {
  words->clear();
  size_t i = 0;
  while (i < line.size()) {
    if (isspace(static_cast<unsigned char>(line[i]))) {
      ++i;
      continue;
    }
    if (line[i] == '#') break;
    SpecWord w;
    w.col = static_cast<uint32_t>(i + 1);
    while (i < line.size() && !isspace(static_cast<unsigned char>(line[i]))) {
      char c = line[i];
      if (c == '\'' || c == '"') {
        size_t open = i++;
        while (i < line.size() && line[i] != c) {
          if (c == '"' && line[i] == '\\' && i + 1 < line.size() &&
              (line[i + 1] == '"' || line[i + 1] == '\\'))
            ++i;
          w.text += line[i++];
        }
        if (i >= line.size()) {
          *error_col = static_cast<uint32_t>(open + 1);
          return Status::Error(std::string("unterminated ") + (c == '"' ? "double" : "single") +
                               " quote");
        }
        ++i;
      } else if (c == '\\' && i + 1 < line.size()) {
        w.text += line[i + 1];
        i += 2;
      } else {
        w.text += c;
        ++i;
      }
    }
    w.len = static_cast<uint32_t>(i + 1 - w.col);
    words->push_back(std::move(w));
  }
  return Status();
}

bool ParsePacketLine(std::string_view line, Family family, PacketSpec* out, Diagnostic* error) {
  std::vector<SpecWord> words;
  uint32_t error_col = 0;
  *error = Diagnostic();
  error->source_line = std::string(line);
  if (Status s = SplitPacketLine(line, &words, &error_col); !s.ok()) {
    error->col = error_col;
    error->len = 1;
    error->message = s.message();
    return false;
  }
  std::vector<std::string> texts;
  texts.reserve(words.size());
  for (const SpecWord& w : words) texts.push_back(w.text);
  Status st = ParsePacketSpec(texts, family, out);
  if (st.ok()) return true;
  error->message = st.message();
  if (st.arg() >= 0 && static_cast<size_t>(st.arg()) < words.size()) {
    error->col = words[st.arg()].col;
    error->len = std::max<uint32_t>(1, words[st.arg()].len);
  }
  return false;
}

}  // namespace iptsim
