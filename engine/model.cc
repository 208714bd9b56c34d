#include "engine/model.h"

#include <algorithm>
#include <cstring>

#include "engine/extension.h"

namespace iptsim {

std::string_view HookChainName(Hook h) {
  static constexpr std::string_view kNames[] = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT",
                                                "POSTROUTING"};
  return kNames[static_cast<int>(h)];
}

std::string_view TableName(TableId t) {
  static constexpr std::string_view kNames[] = {"raw", "mangle", "nat", "filter", "security"};
  return kNames[static_cast<int>(t)];
}

bool ParseTableName(std::string_view name, TableId* out) {
  for (int i = 0; i < kNumTables; ++i) {
    if (TableName(static_cast<TableId>(i)) == name) {
      *out = static_cast<TableId>(i);
      return true;
    }
  }
  return false;
}

uint32_t TableHooks(TableId t) {
  switch (t) {
    case TableId::kRaw:
      return HookBit(Hook::kPreRouting) | HookBit(Hook::kLocalOut);
    case TableId::kMangle:
      return kAllHooks;
    case TableId::kNat:
      return HookBit(Hook::kPreRouting) | HookBit(Hook::kLocalIn) | HookBit(Hook::kLocalOut) |
             HookBit(Hook::kPostRouting);
    case TableId::kFilter:
    case TableId::kSecurity:
      return HookBit(Hook::kLocalIn) | HookBit(Hook::kForward) | HookBit(Hook::kLocalOut);
  }
  return 0;
}

IfaceName::IfaceName(std::string_view s) {
  len_ = static_cast<uint8_t>(std::min(s.size(), sizeof name_));
  std::copy_n(s.data(), len_, name_);
}

bool IpHeaderMatch::IsUnconditional(Family family) const {
  if (family == Family::kIPv6 && proto_given) return false;
  return src.IsZero() && dst.IsZero() && in_iface.empty() && out_iface.empty() && proto == 0 &&
         !fragment && !inv_src && !inv_dst && !inv_in && !inv_out && !inv_proto && !inv_frag;
}

void MatchList::Assign(const std::vector<Match*>& matches, Arena& arena) {
  Clear();
  if (matches.empty()) return;
  data_ = static_cast<Match**>(arena.Allocate(sizeof(Match*) * matches.size(), alignof(Match*)));
  std::copy(matches.begin(), matches.end(), data_);
  size_ = static_cast<uint32_t>(matches.size());
}

void MatchList::Clear() {
  for (uint32_t i = 0; i < size_; ++i) data_[i]->~Match();
  data_ = nullptr;
  size_ = 0;
}

Rule::Rule() = default;
Rule::~Rule() = default;
Rule::Rule(Rule&&) noexcept = default;
Rule& Rule::operator=(Rule&&) noexcept = default;

Chain* Table::FindChain(std::string_view name) {
  int i = FindChainIndex(name);
  return i < 0 ? nullptr : &chains[i];
}
const Chain* Table::FindChain(std::string_view name) const {
  int i = FindChainIndex(name);
  return i < 0 ? nullptr : &chains[i];
}
namespace {
// Chain names are short (at most 28 bytes): mix them eight bytes at a time.
uint64_t NameHash(std::string_view s) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  uint64_t w = 0;
  memcpy(&w, s.data() + i, s.size() - i);
  h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 29);
}
}  // namespace

uint64_t Table::HashChainName(std::string_view name) { return NameHash(name); }

int Table::FindChainIndex(std::string_view name) const {
  return FindChainIndex(name, NameHash(name));
}

int Table::FindChainIndex(std::string_view name, uint64_t h) const {
  if (slots_.empty()) return -1;
  size_t mask = slots_.size() - 1;
  uint32_t tag = static_cast<uint32_t>(h >> 32);
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.chain < 0) return -1;
    if (s.tag == tag && chains[s.chain].name == name) return s.chain;
  }
}

void Table::IndexInsert(int chain, uint64_t h) {
  size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  while (slots_[i].chain >= 0) i = (i + 1) & mask;
  slots_[i] = Slot{chain, static_cast<uint32_t>(h >> 32)};
}

void Table::IndexInsert(int chain) { IndexInsert(chain, NameHash(chains[chain].name)); }

int Table::AddChain(Chain chain) {
  uint64_t h = NameHash(chain.name);
  return AddChain(std::move(chain), h);
}

int Table::AddChain(Chain chain, uint64_t h) {
  chains.push_back(std::move(chain));
  int idx = static_cast<int>(chains.size() - 1);
  if (chains.size() * 2 > slots_.size()) {
    ReindexChains();
  } else {
    IndexInsert(idx, h);
  }
  return idx;
}

void Table::ReserveChains(size_t n) {
  chains.reserve(n);
  size_t want = 16;
  while (want < n * 2) want *= 2;
  if (want > slots_.size()) {
    slots_.assign(want, Slot{});
    for (size_t i = 0; i < chains.size(); ++i) IndexInsert(static_cast<int>(i));
  }
}

void Table::ReindexChains() {
  size_t want = 16;
  while (want < chains.size() * 4) want *= 2;
  slots_.assign(want, Slot{});
  for (size_t i = 0; i < chains.size(); ++i) IndexInsert(static_cast<int>(i));
}
const Chain* Table::BuiltinChain(Hook h) const {
  for (const Chain& c : chains)
    if (c.builtin && c.hook == h) return &c;
  return nullptr;
}
size_t Table::RuleCount() const {
  size_t n = 0;
  for (const Chain& c : chains) n += c.rules.size();
  return n;
}

Table MakeTable(TableId id) {
  Table t;
  t.id = id;
  uint32_t hooks = TableHooks(id);
  for (int h = 0; h < kNumHooks; ++h) {
    if (!(hooks & (1u << h))) continue;
    Chain c;
    c.builtin = true;
    c.hook = static_cast<Hook>(h);
    c.name = std::string(HookChainName(c.hook));
    t.AddChain(std::move(c));
  }
  return t;
}

Ruleset::Ruleset() = default;
Ruleset::~Ruleset() = default;
Ruleset::Ruleset(Ruleset&&) noexcept = default;
Ruleset& Ruleset::operator=(Ruleset&&) noexcept = default;

Table* Ruleset::FindTable(TableId id) {
  for (Table& t : tables)
    if (t.id == id) return &t;
  return nullptr;
}
const Table* Ruleset::FindTable(TableId id) const {
  for (const Table& t : tables)
    if (t.id == id) return &t;
  return nullptr;
}
size_t Ruleset::RuleCount() const {
  size_t n = 0;
  for (const Table& t : tables) n += t.RuleCount();
  return n;
}
size_t Ruleset::ChainCount() const {
  size_t n = 0;
  for (const Table& t : tables) n += t.chains.size();
  return n;
}

}  // namespace iptsim
