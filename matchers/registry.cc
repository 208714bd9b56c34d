#include "matchers/registry.h"

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
