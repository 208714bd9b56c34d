// The in-memory model of a loaded ruleset: Ruleset -> Table -> Chain -> Rule.
//
// Mirrors what the kernel holds after iptables-restore: per table the builtin
// chains (with policy and counters) and the user chains, each a list of rules
// made of the fixed IP header match (struct ipt_ip / ip6t_ip6), a list of
// extension matches and one target.  Every object remembers its source line.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/arena.h"
#include "engine/netaddr.h"

namespace iptsim {

class Match;
class Target;

// Netfilter hooks, numbered as in the kernel (NF_INET_*).
enum class Hook : uint8_t {
  kPreRouting = 0,
  kLocalIn = 1,
  kForward = 2,
  kLocalOut = 3,
  kPostRouting = 4,
};
constexpr int kNumHooks = 5;
constexpr uint32_t HookBit(Hook h) { return 1u << static_cast<unsigned>(h); }
constexpr uint32_t kAllHooks = 0x1f;

// Builtin chain name of a hook ("PREROUTING", "INPUT", ...).
std::string_view HookChainName(Hook h);

enum class TableId : uint8_t { kRaw, kMangle, kNat, kFilter, kSecurity };
constexpr int kNumTables = 5;
std::string_view TableName(TableId t);
// Parses a table name; false if it is none of the five.
bool ParseTableName(std::string_view name, TableId* out);
// The hooks a table registers (its builtin chains), as a HookBit mask.
uint32_t TableHooks(TableId t);

enum class Policy : uint8_t { kAccept, kDrop };

// An interface name as the kernel stores it: at most IFNAMSIZ-1 characters,
// possibly ending in '+' (any name with that prefix).
class IfaceName {
 public:
  IfaceName() = default;
  explicit IfaceName(std::string_view s);  // s.size() <= 15 (the loader checks)
  std::string_view view() const { return std::string_view(name_, len_); }
  bool empty() const { return len_ == 0; }
  bool operator==(std::string_view s) const { return view() == s; }

 private:
  char name_[15] = {};
  uint8_t len_ = 0;
};

// The fixed part of a rule: -s -d -i -o -p -f.
struct IpHeaderMatch {
  IpPrefix src;  // all-zero address and mask when not given
  IpPrefix dst;
  IfaceName in_iface;  // empty when not given
  IfaceName out_iface;
  uint8_t proto = 0;      // 0 = any
  bool proto_given = false;  // -p given at all (ip6tables sets a flag even for -p all)
  bool fragment = false;     // -f (IPv4 only)
  bool inv_src = false, inv_dst = false, inv_in = false, inv_out = false;
  bool inv_proto = false, inv_frag = false;

  // True when the kernel would see an all-zero ipt_ip/ip6t_ip6 (no -s/-d/-i/-o/-p/-f
  // and no inversion): the "unconditional" test of the trace numbering (docs/kernel-trace.md §2.1).
  // IPv4 "-p all" is all-zero; ip6tables sets a flag for any -p, even "all"
  // (checked with the kernel: "-p all -j ACCEPT" is a "rule" in ip6tables).
  bool IsUnconditional(Family family) const;
};

enum class TargetKind : uint8_t {
  kNone,       // no -j: the rule only counts
  kAccept,
  kDrop,
  kQueue,
  kReturn,
  kJump,       // -j USERCHAIN
  kGoto,       // -g USERCHAIN
  kExtension,  // -j LOG, -j MARK, ...
};

// The matches of a rule, in order.  The objects and this array live in the
// Ruleset's arena; the list only runs their destructors.
class MatchList {
 public:
  MatchList() = default;
  MatchList(MatchList&& o) noexcept : data_(o.data_), size_(o.size_) {
    o.data_ = nullptr;
    o.size_ = 0;
  }
  MatchList& operator=(MatchList&& o) noexcept {
    if (this != &o) {
      Clear();
      data_ = o.data_;
      size_ = o.size_;
      o.data_ = nullptr;
      o.size_ = 0;
    }
    return *this;
  }
  ~MatchList() { Clear(); }

  // Takes ownership of `matches` (objects made in `arena`).
  void Assign(const std::vector<Match*>& matches, Arena& arena);
  Match* const* begin() const { return data_; }
  Match* const* end() const { return data_ + size_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Match* operator[](size_t i) const { return data_[i]; }

 private:
  void Clear();
  Match** data_ = nullptr;
  uint32_t size_ = 0;
};

struct Rule {
  Rule();
  ~Rule();
  Rule(Rule&&) noexcept;
  Rule& operator=(Rule&&) noexcept;

  // (Fields ordered so that a rule packs into as few bytes as possible: a
  // kube-proxy ruleset holds more than 100,000 of them.)
  uint32_t line = 0;        // 1-based line in the source file
  uint32_t target_col = 0;  // 1-based column of -j/-g (for diagnostics)
  int32_t jump_index = -1;  // for kJump / kGoto: the target chain's index in Table::chains
  TargetKind target_kind = TargetKind::kNone;
  bool has_counters = false;
  std::string_view text;  // the rule as written (the whole source line), a view
                          // into the Ruleset's source text
  IpHeaderMatch ip;
  MatchList matches;
  std::unique_ptr<Target, ArenaDelete> target;  // for kExtension
  uint64_t packets = 0, bytes = 0;
};

struct Chain {
  std::string name;
  bool builtin = false;
  Hook hook = Hook::kPreRouting;  // for builtin chains
  Policy policy = Policy::kAccept;
  uint64_t packets = 0, bytes = 0;
  uint32_t line = 0;  // where it was declared (0 = implicitly, a builtin chain)
  std::vector<Rule> rules;
};

struct Table {
  TableId id = TableId::kFilter;
  uint32_t line = 0;
  // Builtin chains first (hook order), then user chains in declaration order.
  // Change it only through AddChain / ReindexChains, which keep the name
  // index in step.
  std::vector<Chain> chains;

  // Appends a chain and returns its index.
  int AddChain(Chain chain);
  // Makes room for n chains in all (no re-hashing or moving while adding).
  void ReserveChains(size_t n);
  // Rebuilds the name index after chains were removed or renamed.
  void ReindexChains();
  Chain* FindChain(std::string_view name);
  const Chain* FindChain(std::string_view name) const;
  int FindChainIndex(std::string_view name) const;
  // The same with the name's hash already computed (HashChainName), so a
  // caller that looks up and then adds hashes once.
  static uint64_t HashChainName(std::string_view name);
  int FindChainIndex(std::string_view name, uint64_t hash) const;
  int AddChain(Chain chain, uint64_t hash);
  // The builtin chain of hook h, or nullptr if this table has none.
  const Chain* BuiltinChain(Hook h) const;
  size_t RuleCount() const;

 private:
  void IndexInsert(int chain);
  void IndexInsert(int chain, uint64_t hash);
  // Open addressing over chain indices (-1 = empty); a probe compares names
  // in `chains`, so no name is stored twice.  Tens of thousands of chains
  // (kube-proxy) are looked up once per rule.
  struct Slot {
    int32_t chain = -1;
    uint32_t tag = 0;  // high hash bits: most misses are decided without touching the name
  };
  std::vector<Slot> slots_;
};

struct Ruleset {
  Ruleset();
  ~Ruleset();
  Ruleset(Ruleset&&) noexcept;
  Ruleset& operator=(Ruleset&&) noexcept;

  Family family = Family::kIPv4;
  // Storage of extension objects and their strings.  Declared before
  // `tables` so it outlives the rules that point into it.
  std::vector<std::unique_ptr<Arena>> arenas;
  // Keeps alive the text the ruleset was loaded from (a string or a file
  // mapping); Rule::text views point into it.
  std::shared_ptr<const void> source;
  std::string file;             // name used in diagnostics ("-" for stdin is shown as <stdin>)
  std::vector<Table> tables;    // in the order the file gave them

  Table* FindTable(TableId id);
  const Table* FindTable(TableId id) const;
  size_t RuleCount() const;
  size_t ChainCount() const;
};

// Creates a table with its builtin chains (policy ACCEPT, zero counters).
Table MakeTable(TableId id);

}  // namespace iptsim
