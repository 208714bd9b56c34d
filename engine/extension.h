// The extension interface: every iptables match (-m NAME) and target
// (-j NAME) is a class derived from Match or Target, described by one
// ExtensionInfo and listed once in matchers/all.def (the registry,
// matchers/registry.h).  The interface lives in the engine because the
// walker calls it; the extensions themselves live above, in matchers/.
//
// An extension only parses its own options (Parse, then Finish), prints them
// back in iptables-save's canonical form (Save) and states the kernel's
// load-time restrictions (ExtensionInfo table/hooks/proto, plus Check for
// anything finer).  The framework (loader/rule_parser.cc) routes options,
// handles '!', adds "file:line:col: in -m NAME:" context and places the caret:
// an extension only says what is wrong.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/eval.h"
#include "engine/model.h"
#include "engine/predicate.h"

namespace iptsim {

enum class ExtKind : uint8_t { kMatch, kTarget };

constexpr uint8_t kFamV4 = 1;
constexpr uint8_t kFamV6 = 2;
constexpr uint8_t kFamBoth = 3;
inline uint8_t FamilyBit(Family f) { return f == Family::kIPv4 ? kFamV4 : kFamV6; }

// One argument of an option, as the user wrote it (after unquoting).
struct Arg {
  std::string_view text;
  uint32_t col = 0;  // 1-based column in the source line (0: unknown)
};

constexpr int8_t kOptionalArg = -1;  // getopt optional_argument (iptables' hack: next word if it
                                     // does not start with '-' or '!')

struct OptionSpec {
  std::string_view name;  // long name without "--"
  int8_t nargs;           // 0, 1, 2, ... or kOptionalArg
  bool invertible;
};

// What an extension may look at while parsing its options.
struct ParseContext {
  Family family = Family::kIPv4;
  TableId table = TableId::kFilter;
  std::string_view chain;
  const IpHeaderMatch* ip = nullptr;  // -p/-s/... as parsed so far (complete in Finish)
  // Where an extension may keep strings for the life of the ruleset
  // (Arena::Intern) instead of owning std::strings.
  Arena* arena = nullptr;
};

// What an extension may look at in the kernel's load-time check.
struct CheckContext {
  Family family = Family::kIPv4;
  TableId table = TableId::kFilter;
  uint32_t hook_mask = 0;  // hooks from which this rule is reachable (0: unreachable)
  const Rule* rule = nullptr;
};

struct SaveContext {
  Family family = Family::kIPv4;
};

class Extension;

struct ExtensionInfo {
  std::string_view name;  // as after -m / -j
  ExtKind kind;
  uint8_t families;       // kFamV4 | kFamV6
  std::span<const OptionSpec> options;
  // Kernel restrictions checked at load (xt_check_match/xt_check_target):
  int8_t table = -1;      // a TableId, or -1 for any table
  uint32_t hooks = 0;     // allowed hooks (HookBit mask), 0 for any
  uint8_t proto = 0;      // required -p (not inverted), 0 for none
  // Loading a rule with this extension turns connection tracking on for the
  // network namespace (its kernel module calls nf_ct_netns_get in
  // checkentry).  NOTRACK does not: xt_CT skips the conntrack reference for
  // notrack.  An extension whose answer depends on its options overrides
  // Extension::EnablesConntrack instead (CT).
  bool enables_conntrack = false;
  // Constructs the extension in `arena` (see Create<T>).
  Extension* (*create)(const ExtensionInfo*, Arena& arena) = nullptr;
  // A match whose Evaluate can return kUnknown (a socket, a reverse-path
  // lookup without --host...): what --assume can decide (cli's checks).
  bool may_be_undecided = false;
};

class Extension {
 public:
  explicit Extension(const ExtensionInfo* info) : info_(info) {}
  virtual ~Extension() = default;
  Extension(const Extension&) = delete;
  Extension& operator=(const Extension&) = delete;

  const ExtensionInfo& info() const { return *info_; }

  // One option: `option` indexes info().options; `invert` is set when '!'
  // preceded it (only for invertible options); args has exactly nargs
  // entries (0 or 1 for kOptionalArg).
  virtual Status Parse(int option, bool invert, std::span<const Arg> args,
                       const ParseContext& ctx) = 0;
  // After the whole rule was read: required options, defaults, conflicts
  // (iptables' final_check).  The caret points at -m/-j.
  virtual Status Finish(const ParseContext& ctx) { return {}; }
  // The kernel's checkentry beyond table/hooks/proto; runs once the table is
  // complete, so hook_mask is known.
  virtual Status Check(const CheckContext& ctx) const { return {}; }
  // Allowed hooks given the parsed options (default: info().hooks).
  virtual uint32_t Hooks() const { return info_->hooks; }
  // Appends the canonical options, each as " --opt value".
  virtual void Save(std::string& out, const SaveContext& ctx) const = 0;
  // Whether loading this rule turns connection tracking on for the network
  // namespace.  The default is info().enables_conntrack; CT overrides it
  // (CT --notrack does not).
  virtual bool EnablesConntrack() const { return info_->enables_conntrack; }

  uint32_t col() const { return col_; }
  void set_col(uint32_t c) { col_ = c; }

 private:
  const ExtensionInfo* info_;
  uint32_t col_ = 0;  // column of "-m"/"-j" in the source line
};

class Match : public Extension {
 public:
  using Extension::Extension;
  // Does the packet match?  kUnknown (with ctx.unknown_reason set) when the
  // inputs do not decide it.  The default: this extension is not evaluated
  // yet, which stops the simulation with a clear message, never a guess.
  virtual Tri Evaluate(const PacketView& pkt, EvalContext& ctx) const;
  // The match as a predicate over the header fields (engine/predicate.h),
  // its own '!' included, for the symbolic evaluation.  The default: an
  // opaque condition.
  virtual Pred Describe(Family family) const { return Pred::Opaque(); }
};

class Target : public Extension {
 public:
  using Extension::Extension;
  // Runs the target on the packet (it may rewrite it) and says what happens
  // next.  The default: kUnknown, as for Match::Evaluate.
  virtual TargetVerdict Apply(Packet& pkt, const PacketView& view, EvalContext& ctx) const;
  // What the target does to the walk and to the header fields, for the
  // symbolic evaluation.  The default: unmodelled.
  virtual TargetEffect DescribeEffect(Family family) const { return {}; }
};

// Helper for ExtensionInfo::create.
template <typename T>
Extension* Create(const ExtensionInfo* info, Arena& arena) {
  return new (arena.Allocate(sizeof(T), alignof(T))) T(info);
}

}  // namespace iptsim
