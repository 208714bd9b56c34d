#include "matchers/extension.h"

#include <unordered_map>
#include <vector>

namespace iptsim {

#define X(info) extern const ExtensionInfo info;
#include "matchers/all.def"
#undef X

namespace {
const ExtensionInfo* const kAllExtensions[] = {
#define X(info) &info,
#include "matchers/all.def"
#undef X
};
}  // namespace

bool Extension::EnablesConntrack() const {
  static constexpr std::string_view kMatches[] = {
      "conntrack", "state", "connmark", "connbytes", "connlimit", "connlabel", "helper", "cluster",
  };
  // NOTRACK (like CT --notrack) does not: the kernel's xt_CT skips the
  // conntrack reference for notrack (checked: no nat lines appear).
  static constexpr std::string_view kTargets[] = {
      "CONNMARK", "CONNSECMARK", "DNAT", "SNAT", "MASQUERADE", "REDIRECT", "NETMAP", "SYNPROXY",
  };
  for (std::string_view n : info().kind == ExtKind::kMatch ? std::span<const std::string_view>(kMatches)
                                                            : std::span<const std::string_view>(kTargets))
    if (info().name == n) return true;
  return false;
}

Tri Match::Evaluate(const PacketView&, EvalContext& ctx) const {
  ctx.unknown_reason = "-m " + std::string(info().name) + " is not evaluated by iptsim yet";
  return Tri::kUnknown;
}

TargetVerdict Target::Apply(Packet&, const PacketView&, EvalContext& ctx) const {
  ctx.unknown_reason = "-j " + std::string(info().name) + " is not simulated by iptsim yet";
  return TargetVerdict::kUnknown;
}

std::span<const ExtensionInfo* const> AllExtensions() { return kAllExtensions; }

const ExtensionInfo* FindExtension(ExtKind kind, std::string_view name, Family family) {
  // Built once (thread-safe static initialisation); looked up for every -m/-j.
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, std::vector<const ExtensionInfo*>>();
    for (const ExtensionInfo* e : kAllExtensions) (*m)[e->name].push_back(e);
    return m;
  }();
  auto it = index->find(name);
  if (it == index->end()) return nullptr;
  uint8_t fam = FamilyBit(family);
  for (const ExtensionInfo* e : it->second)
    if (e->kind == kind && (e->families & fam)) return e;
  return nullptr;
}

}  // namespace iptsim
