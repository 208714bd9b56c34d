#include "matchers/extension.h"

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
  uint8_t fam = FamilyBit(family);
  for (const ExtensionInfo* e : kAllExtensions)
    if (e->kind == kind && (e->families & fam) && e->name == name) return e;
  return nullptr;
}

}  // namespace iptsim
