// One rule's options: iptables' own (-s -d -i -o -p -f -m -j -g -c -4 -6
// -t), '!', and every other option routed to the extension it belongs to,
// the way iptables' getopt_long over its merged option table does.
#include "base/inet.h"
#include "base/numbers.h"
#include "loader/loader.h"
#include "loader/loader_internal.h"
#include "matchers/parse_util.h"

namespace iptsim::ruleset_loader {

bool Loader::ParseRule(int chain_idx, size_t src_pick, size_t dst_pick, Rule* rule, size_t* nsrc,
                       size_t* ndst) {
  pending_.clear();
  RuleInProgress rp;
  rp.chain_idx = chain_idx;
  rp.src_pick = src_pick;
  rp.dst_pick = dst_pick;
  rp.nsrc = nsrc;
  rp.ndst = ndst;
  rp.rule = rule;
  bool ok = ParseRuleOptions(rp);
  // The rule owns its matches on every path, so a failed rule destroys them.
  rule->matches.Assign(pending_, *arena_);
  return ok;
}

bool Loader::ParseRuleOptions(RuleInProgress& rp) {
  loaded_.clear();
  rp.ctx.family = family_;
  rp.ctx.table = table_->id;
  rp.ctx.chain = table_->chains[rp.chain_idx].name;
  rp.ctx.ip = &rp.rule->ip;
  rp.ctx.arena = arena_;
  *rp.nsrc = *rp.ndst = 1;
  for (size_t i = 0; i < tokens_.size(); ++i) {
    if (skip_[i]) continue;
    if (!ParseOption(rp, &i)) return false;
  }
  if (rp.inv_token >= 0)
    return Fail(tokens_[rp.inv_token], "'!' is not followed by an option it could invert");
  return CheckBuiltinInterfaces(rp) && FinishExtensions(rp);
}

// The option at tokens_[*i] with its arguments; *i ends at its last word.
bool Loader::ParseOption(RuleInProgress& rp, size_t* i) {
  const Token& tok = tokens_[*i];
  std::string_view s = tok.text;
  if (s == "!") {
    if (rp.inv_token >= 0) return Fail(tok, "multiple consecutive '!' are not allowed");
    rp.inv_token = static_cast<int>(*i);
    return true;
  }
  if (s.size() < 2 || s[0] != '-' || s == "--") return Fail(tok, "unexpected argument '" + s + "'");
  OptionWord ow;
  ow.index = *i;
  ow.invert = rp.inv_token >= 0;
  if (s[1] == '-') {
    if (!ResolveLongOption(rp, ow)) return false;
  } else {
    const BaseOption* o = ShortOption(s[1]);
    ow.name = s.substr(1, 1);
    if (!o) return Fail(tok, "unknown option '" + ow.Display() + "'");
    ow.res.base = true;
    ow.res.base_id = o->id;
    if (s.size() > 2) {
      ow.inline_arg = s.substr(2);
      ow.has_inline = true;
    }
  }
  if (ow.res.base) return ParseBaseOption(rp, ow, i);
  return ParseExtensionOption(rp, ow, i);
}

// ---------------------------------------------------------------------------
// Which option a long name is.

bool Loader::ResolveLongOption(RuleInProgress& rp, OptionWord& ow) {
  const Token& tok = tokens_[ow.index];
  std::string_view name = tok.text.substr(2);
  if (size_t eq = name.find('='); eq != std::string_view::npos) {
    ow.inline_arg = name.substr(eq + 1);
    ow.has_inline = true;
    name = name.substr(0, eq);
  }
  ow.name = name;
  ow.is_long = true;
  if (Status s = ResolveLong(name, loaded_, &ow.res); !s.ok()) return Fail(tok, s.message());
  if (ow.res.base || ow.res.ext) return true;
  // Unknown option: iptables then loads the match named after -p (an
  // implicit "-m tcp") and tries again.
  if (LoadImplicitProtoMatch(rp, ow)) {
    if (Status s = ResolveLong(name, loaded_, &ow.res); !s.ok()) return Fail(tok, s.message());
    if (!ow.res.base && !ow.res.ext) return Fail(tok, "unknown option '" + ow.Display() + "'");
  }
  if (!ow.res.base && !ow.res.ext) return Fail(tok, UnknownOptionMessage(ow));
  return true;
}

Status Loader::ResolveLong(std::string_view name, const std::vector<Extension*>& loaded,
                           Resolved* r) {
  // getopt_long over iptables' merged option table: the base options, then
  // the most recently loaded extension's options first (xtables_merge_options
  // puts new options before old ones).  Exact names win; otherwise a unique
  // prefix is accepted.
  // The base options, grouped by name length once.
  static const auto* by_len = [] {
    auto* v = new std::vector<std::vector<const BaseOption*>>(32);
    for (const BaseOption& o : kBaseOptions) (*v)[o.long_name.size()].push_back(&o);
    return v;
  }();
  if (name.size() < by_len->size())
    for (const BaseOption* o : (*by_len)[name.size()])
      if (SameName(o->long_name, name)) {
        r->base = true;
        r->base_id = o->id;
        return Status();
      }
  for (auto it = loaded.rbegin(); it != loaded.rend(); ++it) {
    auto opts = (*it)->info().options;
    for (size_t k = 0; k < opts.size(); ++k)
      if (SameName(opts[k].name, name)) {
        r->ext = *it;
        r->ext_option = static_cast<int>(k);
        return Status();
      }
  }
  return ResolveAbbreviation(name, loaded, r);
}

// getopt_long's abbreviations: a prefix of exactly one option (base options
// spelled several ways count once).
Status Loader::ResolveAbbreviation(std::string_view name, const std::vector<Extension*>& loaded,
                                   Resolved* r) {
  std::vector<Resolved> cands;
  std::vector<std::string_view> cand_names;
  for (const BaseOption& o : kBaseOptions)
    if (o.long_name.substr(0, name.size()) == name && !name.empty()) {
      Resolved c;
      c.base = true;
      c.base_id = o.id;
      bool dup = false;
      for (const Resolved& x : cands)
        if (x.base && x.base_id == o.id) dup = true;
      if (!dup) {
        cands.push_back(c);
        cand_names.push_back(o.long_name);
      }
    }
  for (auto it = loaded.rbegin(); it != loaded.rend(); ++it) {
    auto opts = (*it)->info().options;
    for (size_t k = 0; k < opts.size(); ++k)
      if (!name.empty() && opts[k].name.substr(0, name.size()) == name) {
        Resolved c;
        c.ext = *it;
        c.ext_option = static_cast<int>(k);
        cands.push_back(c);
        cand_names.push_back(opts[k].name);
      }
  }
  if (cands.size() == 1) {
    *r = cands[0];
    return Status();
  }
  if (cands.size() > 1) {
    std::string message = "option '--" + std::string(name) + "' is ambiguous (could be";
    for (size_t i = 0; i < cand_names.size(); ++i)
      message += (i ? ", --" : " --") + std::string(cand_names[i]);
    message += ")";
    return Status::Error(message);
  }
  return Status();  // no such option
}

// Loads the match -p names when it has the option (by name or prefix) and
// was not loaded that way before; true if it was loaded now.
bool Loader::LoadImplicitProtoMatch(RuleInProgress& rp, const OptionWord& ow) {
  std::string_view pm = rp.proto_match_name;
  const ExtensionInfo* pinfo = (!rp.proto_implicit_loaded && rp.rule->ip.proto_given &&
                                !rp.rule->ip.inv_proto && !pm.empty())
                                   ? FindExtension(ExtKind::kMatch, pm, family_)
                                   : nullptr;
  if (!pinfo) return false;
  // Aliases (icmpv6 -> icmp6) create the canonical extension.
  std::unique_ptr<Match, ArenaDelete> m(static_cast<Match*>(pinfo->create(pinfo, *arena_)));
  std::string_view name = ow.name;
  bool has = false;
  for (const OptionSpec& o : m->info().options)
    if (o.name == name || (!name.empty() && o.name.substr(0, name.size()) == name)) has = true;
  if (!has) return false;
  rp.proto_implicit_loaded = true;
  m->set_col(tokens_[ow.index].col);
  loaded_.push_back(m.get());
  pending_.push_back(m.release());
  return true;
}

bool Loader::FailOldInversion(const Token& bang, std::string_view display, size_t bang_index) {
  std::string value = bang_index + 1 < tokens_.size() ? std::string(tokens_[bang_index + 1].text)
                                                      : std::string("VALUE");
  return Fail(bang, "'" + std::string(display) + " ! " + value +
                        "' is the syntax of iptables before 1.4.3: write '! " +
                        std::string(display) + " " + value + "'");
}

namespace {

// Options of older iptables that 1.8.9 refuses, with what replaced them.
struct RenamedOption {
  std::string_view old_name;
  std::string_view hint;
};
constexpr std::string_view kOldOwner =
    "the old owner match's --cmd-owner, --pid-owner and --sid-owner are gone (iptables 1.8.9 "
    "refuses them); -m owner has --uid-owner, --gid-owner and --socket-exists";
constexpr RenamedOption kRenamedOptions[] = {
    {"days", "the old ipt_time match's --days is --weekdays in -m time (xt_time)"},
    {"cmd-owner", kOldOwner},
    {"pid-owner", kOldOwner},
    {"sid-owner", kOldOwner},
};

}  // namespace

// Says where an unknown option would have come from, or what it looks like.
std::string Loader::UnknownOptionMessage(const OptionWord& ow) {
  std::string msg = "unknown option '" + ow.Display() + "'";
  for (const RenamedOption& r : kRenamedOptions)
    if (ow.is_long && ow.name == r.old_name) return msg + ": " + std::string(r.hint);
  std::vector<std::string_view> owners;
  for (const ExtensionInfo* e : AllExtensions()) {
    if (!(e->families & FamilyBit(family_))) continue;
    for (const OptionSpec& o : e->options)
      if (o.name == ow.name) {
        owners.push_back(e->name);
        break;
      }
  }
  if (!owners.empty()) {
    msg += ": it belongs to ";
    for (size_t k = 0; k < owners.size() && k < 4; ++k) {
      if (k) msg += k + 1 == owners.size() ? " or " : ", ";
      msg += (FindExtension(ExtKind::kMatch, owners[k], family_) ? "-m " : "-j ");
      msg += owners[k];
    }
    if (owners.size() > 4) msg += ", ...";
    msg += ", which must be loaded (with -m, -j or -p) before the option";
  } else {
    std::vector<std::string_view> names;
    for (const BaseOption& o : kBaseOptions) names.push_back(o.long_name);
    for (Extension* e : loaded_)
      for (const OptionSpec& o : e->info().options) names.push_back(o.name);
    std::string guess = ClosestName(ow.name, names);
    if (!guess.empty()) msg += ", did you mean '--" + guess + "'?";
  }
  return msg;
}

// ---------------------------------------------------------------------------
// iptables' own options.

bool Loader::ParseBaseOption(RuleInProgress& rp, OptionWord& ow, size_t* i) {
  const Token& tok = tokens_[ow.index];
  const BaseId id = ow.res.base_id;
  if (IsCommand(id))
    return Fail(tok, "more than one command on a line ('" + ow.Display() + "' after the first)");
  if (ow.invert && !BaseInvertible(id))
    return Fail(tokens_[rp.inv_token], "'" + ow.Display() + "' cannot be inverted with '!'");
  rp.inv_token = -1;
  Token arg;
  if (BaseTakesArg(id)) {
    if (ow.has_inline) {
      arg.text = ow.inline_arg;
      arg.col = tok.col + static_cast<uint32_t>(tok.text.size() - ow.inline_arg.size());
      arg.len = static_cast<uint32_t>(ow.inline_arg.size());
    } else {
      size_t j = *i + 1;
      while (j < tokens_.size() && skip_[j]) ++j;
      if (j >= tokens_.size())
        return Fail(tok, "option '" + ow.Display() + "' requires an argument");
      arg = tokens_[j];
      *i = j;
      // An unquoted '!' (a quoted "!" is a value).
      if (arg.text == "!" && arg.len == 1 && BaseInvertible(id))
        return FailOldInversion(arg, ow.Display(), j);
    }
  } else if (ow.has_inline && !ow.is_long) {
    return Fail(tok, "unexpected text after '" + ow.Display() + "'");
  }
  static_assert(kOptTable < 32, "seen[] is indexed by BaseId");
  if (rp.seen[id] && id != kOptMatch)
    return Fail(tok, "option '" + ow.Display() + "' may be given only once");
  rp.seen[id] = true;
  switch (id) {
    case kOptSource:
    case kOptDestination:
      return ApplyAddress(rp, id, arg, ow.invert);
    case kOptInIface:
    case kOptOutIface:
      return ApplyInterface(rp, id, arg, ow.invert, ow.index);
    case kOptProtocol:
      return ApplyProtocol(rp, arg, ow.invert);
    case kOptFragment:
      if (family_ == Family::kIPv6) return Fail(tok, "'-f' does not exist for IPv6 (use -m frag)");
      rp.rule->ip.fragment = true;
      rp.rule->ip.inv_frag = ow.invert;
      return true;
    case kOptMatch:
      return LoadMatch(tok, arg);
    case kOptJump:
    case kOptGoto:
      return ApplyTarget(rp, id, tok, arg);
    case kOptCounters:
      return ApplyCounters(rp.rule, arg, i);
    case kOptIPv4:
    case kOptIPv6:
      if ((id == kOptIPv4) != (family_ == Family::kIPv4))
        return Fail(tok, std::string("rule is marked ") +
                             (id == kOptIPv4 ? "-4 (IPv4)" : "-6 (IPv6)") +
                             " but the ruleset is " + (family_ == Family::kIPv4 ? "IPv4" : "IPv6"));
      return true;
    case kOptTable:
      return Fail(tok, "'-t' cannot be used in a restore file; the table comes from the '*table' line");
    default:
      return true;
  }
}

// -s / -d: comma-separated lists make one rule per address.
bool Loader::ApplyAddress(RuleInProgress& rp, BaseId id, const Token& arg, bool invert) {
  std::vector<std::string_view> parts;
  std::string_view all = arg.text;
  size_t pos = 0;
  while (true) {
    size_t comma = all.find(',', pos);
    parts.push_back(all.substr(pos, comma == std::string_view::npos ? all.npos : comma - pos));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  size_t pick = id == kOptSource ? rp.src_pick : rp.dst_pick;
  (id == kOptSource ? *rp.nsrc : *rp.ndst) = parts.size();
  IpPrefix p;
  Status s = ParseIpPrefix(family_, parts[pick], &p);
  if (!s.ok() && family_ == Family::kIPv4) {
    // What libxtables' own reader refuses it gives to getaddrinfo, whose
    // inet_aton takes "167772161" and "0x0a000001" (both 10.0.0.1).
    std::string_view text = parts[pick];
    size_t slash = text.find('/');
    std::array<uint8_t, 4> a;
    if (InetAton(text.substr(0, slash), &a)) {
      std::string dotted = std::to_string(a[0]) + "." + std::to_string(a[1]) + "." +
                           std::to_string(a[2]) + "." + std::to_string(a[3]);
      if (slash != std::string_view::npos) dotted += text.substr(slash);
      s = ParseIpPrefix(family_, dotted, &p);
    }
  }
  if (!s.ok()) {
    std::string hint = OtherFamilyAddressHint(family_, family_reason_, parts[pick]);
    return Fail(arg, hint.empty() ? s.message() : hint);
  }
  if (id == kOptSource) {
    rp.rule->ip.src = p;
    rp.rule->ip.inv_src = invert;
  } else {
    rp.rule->ip.dst = p;
    rp.rule->ip.inv_dst = invert;
  }
  return true;
}

bool Loader::ApplyInterface(RuleInProgress& rp, BaseId id, const Token& arg, bool invert,
                            size_t at) {
  std::string_view v = arg.text;
  if (v.size() > kMaxIfaceLen)
    return Fail(arg, "interface name '" + v + "' is too long (" + std::to_string(v.size()) +
                         " characters; at most " + std::to_string(kMaxIfaceLen) + ")");
  if (v.empty()) return Fail(arg, "empty interface name");
  if (id == kOptInIface) {
    rp.rule->ip.in_iface = IfaceName(v);
    rp.in_iface_tok = at;
    rp.rule->ip.inv_in = invert;
  } else {
    rp.rule->ip.out_iface = IfaceName(v);
    rp.out_iface_tok = at;
    rp.rule->ip.inv_out = invert;
  }
  return true;
}

bool Loader::ApplyProtocol(RuleInProgress& rp, const Token& arg, bool invert) {
  if (arg.text.size() >= sizeof rp.proto_lower)
    return Fail(arg, "unknown protocol '" + arg.text + "'");
  for (size_t k = 0; k < arg.text.size(); ++k)
    rp.proto_lower[k] = static_cast<char>(tolower(static_cast<unsigned char>(arg.text[k])));
  std::string_view lower(rp.proto_lower, arg.text.size());
  uint8_t p;
  if (!ParseProtocol(lower, &p)) return Fail(arg, "unknown protocol '" + arg.text + "'");
  if (p == 0 && invert)
    return Fail(arg, "rule would never match: '! -p " + arg.text + "' excludes every protocol");
  rp.rule->ip.proto = p;
  rp.rule->ip.proto_given = true;
  // iptables loads the implicit match by the name -p was given with; a
  // number stands for libxtables' first name for it.
  uint64_t num;
  rp.proto_match_name = ParseUInt(lower, 0, 255, &num) ? ProtoMatchName(p) : lower;
  rp.rule->ip.inv_proto = invert;
  return true;
}

bool Loader::LoadMatch(const Token& opt, const Token& arg) {
  const ExtensionInfo* info = CachedExtension(ExtKind::kMatch, arg.text);
  if (!info) {
    std::string msg = "unknown match '" + arg.text + "'";
    std::vector<std::string_view> names;
    bool other_family = false;
    for (const ExtensionInfo* e : AllExtensions()) {
      if (e->kind != ExtKind::kMatch) continue;
      if (e->families & FamilyBit(family_))
        names.push_back(e->name);
      else if (e->name == arg.text)
        other_family = true;
    }
    if (other_family)
      msg += std::string(" for ") + (family_ == Family::kIPv4 ? "IPv4" : "IPv6") +
             " (it exists only for the other family)";
    else if (std::string g = ClosestName(arg.text, names); !g.empty())
      msg += ", did you mean '" + g + "'?";
    return Fail(arg, msg);
  }
  std::unique_ptr<Match, ArenaDelete> m(static_cast<Match*>(info->create(info, *arena_)));
  m->set_col(opt.col);
  loaded_.push_back(m.get());
  pending_.push_back(m.release());
  return true;
}

std::string Loader::UnknownTargetMessage(std::string_view t) {
  std::string msg = "unknown target '" + t + "'";
  if (t == "ULOG" && family_ == Family::kIPv4)
    return msg + ": current kernels have no ULOG (iptables 1.8.9: \"Extension ULOG revision 0 "
                 "not supported, missing kernel module?\"); -j NFLOG is its successor";
  std::vector<std::string_view> names = {"ACCEPT", "DROP", "QUEUE", "RETURN"};
  for (const Chain& c : table_->chains)
    if (!c.builtin) names.push_back(c.name);
  for (const ExtensionInfo* e : AllExtensions())
    if (e->kind == ExtKind::kTarget && (e->families & FamilyBit(family_))) names.push_back(e->name);
  std::string g = ClosestName(t, names);
  if (!g.empty())
    msg += ", did you mean '" + g + "'?";
  else
    msg += " (neither a chain of table '" + std::string(TableName(table_->id)) +
           "' nor a target extension)";
  return msg;
}

// -j / -g: a standard verdict, a user chain or a target extension.
bool Loader::ApplyTarget(RuleInProgress& rp, BaseId id, const Token& opt, const Token& arg) {
  if (rp.have_target) return Fail(opt, "only one -j or -g per rule");
  rp.have_target = true;
  Rule* rule = rp.rule;
  rule->target_col = opt.col;
  std::string_view t = arg.text;
  const bool standard = IsStandardTargetName(t);
  int ci = standard ? -1 : table_->FindChainIndex(t);
  if (id == kOptGoto) {
    if (ci < 0 || table_->chains[ci].builtin)
      return Fail(arg, "goto '" + t + "' is not a user-defined chain");
    rule->target_kind = TargetKind::kGoto;
    rule->jump_index = ci;
    return true;
  }
  if (t == "ACCEPT") {
    rule->target_kind = TargetKind::kAccept;
  } else if (t == "DROP") {
    rule->target_kind = TargetKind::kDrop;
  } else if (t == "QUEUE") {
    rule->target_kind = TargetKind::kQueue;
  } else if (t == "RETURN") {
    rule->target_kind = TargetKind::kReturn;
  } else if (ci >= 0) {
    if (table_->chains[ci].builtin) return Fail(arg, "cannot jump to builtin chain '" + t + "'");
    rule->target_kind = TargetKind::kJump;
    rule->jump_index = ci;
  } else {
    const ExtensionInfo* info = CachedExtension(ExtKind::kTarget, t);
    if (!info) return Fail(arg, UnknownTargetMessage(t));
    rule->target_kind = TargetKind::kExtension;
    Extension* tg = info->create(info, *arena_);
    tg->set_col(opt.col);
    loaded_.push_back(tg);
    rule->target.reset(static_cast<Target*>(tg));
  }
  return true;
}

// "-c PKTS,BYTES" (or the old "-c PKTS BYTES").
bool Loader::ApplyCounters(Rule* rule, const Token& arg, size_t* i) {
  std::string_view v = arg.text;
  uint64_t p, b;
  size_t comma = v.find(',');
  if (comma != std::string_view::npos) {
    if (!ParseUIntDec(v.substr(0, comma), 0, UINT64_MAX, &p) ||
        !ParseUIntDec(v.substr(comma + 1), 0, UINT64_MAX, &b))
      return Fail(arg, "invalid counters '" + arg.text + "' (expected PACKETS,BYTES)");
  } else {
    size_t j = *i + 1;
    while (j < tokens_.size() && skip_[j]) ++j;
    if (!ParseUIntDec(v, 0, UINT64_MAX, &p) || j >= tokens_.size() ||
        !ParseUIntDec(tokens_[j].text, 0, UINT64_MAX, &b))
      return Fail(arg, "invalid counters '" + arg.text + "' (expected PACKETS,BYTES)");
    *i = j;
  }
  rule->packets = p;
  rule->bytes = b;
  rule->has_counters = true;
  return true;
}

// ---------------------------------------------------------------------------
// An option of a loaded extension.

bool Loader::ParseExtensionOption(RuleInProgress& rp, const OptionWord& ow, size_t* i) {
  Extension* ext = ow.res.ext;
  const OptionSpec& spec = ext->info().options[ow.res.ext_option];
  if (ow.invert && !spec.invertible)
    return Fail(tokens_[rp.inv_token], "option '--" + std::string(spec.name) + "' of " +
                                           ExtensionLabel(ext->info()) + " cannot be inverted");
  rp.inv_token = -1;
  if (!CollectExtensionArgs(spec, *ext, ow, i)) return false;
  if (spec.invertible && !ow.has_inline && !args_.empty() && args_[0].text == "!") {
    for (size_t k = 0; k < tokens_.size(); ++k)
      if (tokens_[k].col == args_[0].col && tokens_[k].len == 1)  // unquoted
        return FailOldInversion(tokens_[k], ow.Display(), k);
  }
  Status st = ext->Parse(ow.res.ext_option, ow.invert, args_, rp.ctx);
  if (!st.ok()) {
    ReportExtensionParseError(*ext, tokens_[ow.index], st);
    return false;
  }
  return true;
}

// The option's arguments into args_: an inline "=ARG", then as many words
// as it takes (an optional argument: the next word unless it is an option).
bool Loader::CollectExtensionArgs(const OptionSpec& spec, const Extension& ext,
                                  const OptionWord& ow, size_t* i) {
  const Token& tok = tokens_[ow.index];
  const size_t n = tokens_.size();
  args_.clear();
  if (ow.has_inline) {
    if (spec.nargs == 0)
      return Fail(tok, "option '--" + std::string(spec.name) + "' does not take an argument");
    Arg a;
    a.text = ow.inline_arg;
    a.col = tok.col + static_cast<uint32_t>(tok.text.size() - ow.inline_arg.size());
    args_.push_back(a);
  }
  int want = spec.nargs == kOptionalArg ? 0 : spec.nargs - static_cast<int>(args_.size());
  size_t j = *i;
  for (int k = 0; k < want; ++k) {
    ++j;
    while (j < n && skip_[j]) ++j;
    if (j >= n)
      return Fail(tok, ExtensionLabel(ext.info()) + ": option '--" + std::string(spec.name) +
                           "' requires " +
                           (spec.nargs == 1 ? std::string("an argument")
                                            : std::to_string(spec.nargs) + " arguments"));
    args_.push_back(Arg{tokens_[j].text, tokens_[j].col});
  }
  if (spec.nargs == kOptionalArg && args_.empty()) {
    size_t k = j + 1;
    while (k < n && skip_[k]) ++k;
    if (k < n && !tokens_[k].text.empty() && tokens_[k].text[0] != '-' &&
        tokens_[k].text[0] != '!') {
      args_.push_back(Arg{tokens_[k].text, tokens_[k].col});
      j = k;
    }
  }
  *i = j;
  return true;
}

void Loader::ReportExtensionParseError(const Extension& ext, const Token& opt, const Status& st) {
  std::string where = ExtensionLabel(ext.info()) + ": ";
  if (st.arg() >= 0 && static_cast<size_t>(st.arg()) < args_.size()) {
    const Arg& a = args_[st.arg()];
    uint32_t len = static_cast<uint32_t>(a.text.size());
    // Quoted arguments are longer in the source; find the token for its length.
    for (const Token& t : tokens_)
      if (t.col == a.col) len = t.len;
    std::string hint = OtherFamilyAddressHint(family_, family_reason_, a.text);
    Error(a.col, len, where + st.message() + (hint.empty() ? "" : "; " + hint));
  } else {
    Error(opt.col, opt.len, where + st.message());
  }
}

}  // namespace iptsim::ruleset_loader
