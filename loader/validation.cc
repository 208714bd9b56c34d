// What iptables-restore and the kernel refuse at load time: a rule's final
// checks once its options are read (-i/-o in builtin chains, each
// extension's final check, its table and protocol), and at COMMIT the
// checks that need the whole table (chain loops, the hooks each chain is
// reached from, each extension's kernel check).
#include <thread>

#include "loader/loader_internal.h"
#include "matchers/parse_util.h"

namespace iptsim::ruleset_loader {

// ---------------------------------------------------------------------------
// One rule, when its options are read.

bool Loader::CheckBuiltinInterfaces(const RuleInProgress& rp) {
  const Chain& c = table_->chains[rp.chain_idx];
  if (!c.builtin) return true;
  const std::string& chain = c.name;
  const Rule& rule = *rp.rule;
  // (The option may be spelled -o, -oeth0, --out-interface or any
  // abbreviation of it: the token that set it is remembered.)
  if (!rule.ip.out_iface.empty() && (chain == "PREROUTING" || chain == "INPUT"))
    return Fail(tokens_[rp.out_iface_tok],
                "cannot use -o in chain " + chain + ": packets there have no output interface yet");
  if (!rule.ip.in_iface.empty() && (chain == "OUTPUT" || chain == "POSTROUTING"))
    return Fail(tokens_[rp.in_iface_tok], "cannot use -i in chain " + chain +
                                              ": locally generated packets have no input interface");
  return true;
}

void Loader::ExtensionError(const Extension& e, const std::string& msg) {
  uint32_t col = e.col();
  uint32_t len = 2;
  for (const Token& t : tokens_)
    if (t.col == col) len = t.len;
  // Underline "-m name" / "-j NAME" when they are separate words.
  for (size_t k = 0; k + 1 < tokens_.size(); ++k)
    if (tokens_[k].col == col && (tokens_[k].text == "-m" || tokens_[k].text == "-j" ||
                                  tokens_[k].text == "--match" || tokens_[k].text == "--jump"))
      len = tokens_[k + 1].col + tokens_[k + 1].len - col;
  Error(col, len, ExtensionLabel(e.info()) + ": " + msg);
}

bool Loader::FinishExtensions(const RuleInProgress& rp) {
  const Rule& rule = *rp.rule;
  for (Extension* e : loaded_) {
    Status st = e->Finish(rp.ctx);
    if (!st.ok()) {
      ExtensionError(*e, st.message());
      return false;
    }
    const ExtensionInfo& info = e->info();
    if (info.table >= 0 && info.table != static_cast<int>(table_->id)) {
      ExtensionError(*e, std::string(info.kind == ExtKind::kMatch ? "match" : "target") +
                             " is only valid in the " +
                             std::string(TableName(static_cast<TableId>(info.table))) +
                             " table, not in '" + std::string(TableName(table_->id)) + "'");
      return false;
    }
    if (info.proto && (rule.ip.proto != info.proto || rule.ip.inv_proto)) {
      auto pname = [](uint8_t p) {
        std::string_view nm = ProtoName(p);
        return nm.empty() ? std::to_string(p) : std::string(nm);
      };
      std::string have = rule.ip.proto == 0 ? std::string("no -p")
                         : rule.ip.inv_proto ? "'! -p " + pname(rule.ip.proto) + "'"
                                             : "'-p " + pname(rule.ip.proto) + "'";
      ExtensionError(*e, "needs '-p " + pname(info.proto) + "' (this rule has " + have + ")");
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// The whole table, at COMMIT.

namespace {

// The jumps of each chain, in rule order, gathered in one pass so the walks
// below touch a compact array instead of every rule again: chain c's jumps
// are edges[first[c] .. first[c + 1]).
struct JumpGraph {
  struct Edge {
    uint32_t to;
    uint32_t rule;
  };
  std::vector<uint32_t> first;
  std::vector<Edge> edges;
};

// Gathers the jumps of chains [from, to) into *out; first[] relative to *out.
void GatherJumps(const Table& t, size_t from, size_t to, std::vector<uint32_t>* first,
                 std::vector<JumpGraph::Edge>* out) {
  for (size_t ci = from; ci < to; ++ci) {
    (*first)[ci] = static_cast<uint32_t>(out->size());
    const auto& rules = t.chains[ci].rules;
    for (size_t ri = 0; ri < rules.size(); ++ri)
      if (rules[ri].target_kind == TargetKind::kJump || rules[ri].target_kind == TargetKind::kGoto)
        out->push_back({static_cast<uint32_t>(rules[ri].jump_index), static_cast<uint32_t>(ri)});
  }
}

size_t RuleCount(const Table& t) {
  size_t n = 0;
  for (const Chain& c : t.chains) n += c.rules.size();
  return n;
}

// The pass reads every rule: on two threads for large tables, over the two
// halves of the chains, joined in chain order.
JumpGraph BuildJumpGraph(const Table& t, unsigned threads_option) {
  const size_t nc = t.chains.size();
  JumpGraph g;
  g.first.assign(nc + 1, 0);
  unsigned threads =
      threads_option ? threads_option : std::min(2u, std::thread::hardware_concurrency());
  if (threads < 2 || RuleCount(t) < kParallelMinRules) {
    GatherJumps(t, 0, nc, &g.first, &g.edges);
  } else {
    size_t mid = nc / 2;
    std::vector<JumpGraph::Edge> second;
    std::thread th(GatherJumps, std::cref(t), mid, nc, &g.first, &second);
    GatherJumps(t, 0, mid, &g.first, &g.edges);
    th.join();
    const uint32_t base = static_cast<uint32_t>(g.edges.size());
    for (size_t ci = mid; ci < nc; ++ci) g.first[ci] += base;
    g.edges.insert(g.edges.end(), second.begin(), second.end());
  }
  g.first[nc] = static_cast<uint32_t>(g.edges.size());
  return g;
}

}  // namespace

// The kernel (mark_source_chains) walks every builtin chain's rules,
// following jumps and gotos, marks each chain with the hooks that reach it
// and refuses a loop.  An explicit stack, no recursion.  Returns the hooks
// of each chain; reports the first loop.
std::vector<uint32_t> Loader::MarkHooksAndFindLoops(const Table& t) {
  const size_t nc = t.chains.size();
  const JumpGraph g = BuildJumpGraph(t, threads_);
  std::vector<uint32_t> hooks(nc, 0);
  std::vector<uint8_t> state(nc, 0);  // per walk: 0 new, 1 on stack, 2 done
  bool loop_reported = false;
  struct Frame {
    uint32_t chain;
    uint32_t next_edge;
  };
  std::vector<Frame> stack;
  for (size_t root = 0; root < nc; ++root) {
    if (!t.chains[root].builtin) continue;
    uint32_t bit = HookBit(t.chains[root].hook);
    std::fill(state.begin(), state.end(), 0);
    stack.clear();
    stack.push_back({static_cast<uint32_t>(root), g.first[root]});
    state[root] = 1;
    hooks[root] |= bit;
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next_edge >= g.first[f.chain + 1]) {
        state[f.chain] = 2;
        stack.pop_back();
        continue;
      }
      const JumpGraph::Edge& e = g.edges[f.next_edge++];
      if (state[e.to] == 1) {
        if (!loop_reported) {
          const Rule& r = t.chains[f.chain].rules[e.rule];
          std::string path;
          for (const Frame& fr : stack) path += t.chains[fr.chain].name + " -> ";
          path += t.chains[e.to].name;
          ErrorAtLine(r.line, r.text, r.target_col, 2,
                      "chain loop: " + path + " (the kernel refuses loops: ELOOP)");
          loop_reported = true;
        }
        continue;
      }
      // A chain already walked in this pass carries the bit, and so does
      // everything it reaches.
      if (state[e.to] == 0) {
        hooks[e.to] |= bit;
        state[e.to] = 1;
        stack.push_back({e.to, g.first[e.to]});
      }
    }
  }
  return hooks;
}

void Loader::ValidateTable(Table& t) {
  std::vector<uint32_t> hooks = MarkHooksAndFindLoops(t);
  CheckRulesAgainstHooks(t, hooks);
}

// An extension's hooks (the chains it may be reached from), then its own
// kernel check.
void Loader::CheckExtension(const Rule& r, const CheckContext& cc, const Extension& e) {
  const uint32_t hook_mask = cc.hook_mask;
  uint32_t allowed = e.Hooks();
  uint32_t len = static_cast<uint32_t>(e.info().name.size() + 3);
  if (allowed && (hook_mask & ~allowed)) {
    std::string ok_list, bad_list;
    for (int h = 0; h < kNumHooks; ++h) {
      if (allowed & (1u << h))
        ok_list += (ok_list.empty() ? "" : ", ") + std::string(HookChainName(Hook(h)));
      if (hook_mask & ~allowed & (1u << h))
        bad_list += (bad_list.empty() ? "" : ", ") + std::string(HookChainName(Hook(h)));
    }
    ErrorAtLine(r.line, r.text, e.col(), len,
                ExtensionLabel(e.info()) + ": only valid in " + ok_list +
                    "; this rule is reached from " + bad_list);
    return;
  }
  Status st = e.Check(cc);
  if (!st.ok()) ErrorAtLine(r.line, r.text, e.col(), len, ExtensionLabel(e.info()) + ": " + st.message());
}

void Loader::CheckChainRange(const Table& t, const std::vector<uint32_t>& hooks, size_t from,
                             size_t to) {
  for (size_t ci = from; ci < to; ++ci) {
    for (const Rule& r : t.chains[ci].rules) {
      CheckContext cc;
      cc.family = family_;
      cc.table = t.id;
      cc.hook_mask = hooks[ci];
      cc.rule = &r;
      for (const Match* m : r.matches) CheckExtension(r, cc, *m);
      if (r.target) CheckExtension(r, cc, *r.target);
    }
  }
}

// Hook restrictions and each extension's own kernel check: read-only on the
// table, so large tables are checked by several threads over ranges of
// chains, their diagnostics merged back in chain order.
void Loader::CheckRulesAgainstHooks(const Table& t, const std::vector<uint32_t>& hooks) {
  const size_t nc = t.chains.size();
  const size_t total_rules = RuleCount(t);
  unsigned threads = threads_ ? threads_ : std::min(4u, std::thread::hardware_concurrency());
  if (threads < 2 || total_rules < kParallelMinRules) {
    CheckChainRange(t, hooks, 0, nc);
    return;
  }
  // Ranges of about equal rule counts.
  std::vector<size_t> cut = {0};
  size_t acc = 0;
  for (size_t ci = 0; ci < nc && cut.size() < threads; ++ci) {
    acc += t.chains[ci].rules.size();
    if (acc * threads >= total_rules * cut.size()) cut.push_back(ci + 1);
  }
  cut.push_back(nc);
  std::vector<DiagnosticSink> sinks(cut.size() - 1, DiagnosticSink(sink_->cap()));
  std::vector<std::unique_ptr<Loader>> outs;
  for (DiagnosticSink& sk : sinks)
    outs.push_back(std::make_unique<Loader>(text_, file_, family_, &sk));
  std::vector<std::thread> pool;
  for (size_t k = 1; k + 1 < cut.size(); ++k)
    pool.emplace_back([&, k] { outs[k]->CheckChainRange(t, hooks, cut[k], cut[k + 1]); });
  outs[0]->CheckChainRange(t, hooks, cut[0], cut[1]);
  for (std::thread& th : pool) th.join();
  for (DiagnosticSink& sk : sinks) sink_->Merge(std::move(sk));
}

}  // namespace iptsim::ruleset_loader
