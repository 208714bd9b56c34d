// The registry: every extension iptsim knows, as listed in matchers/all.def.
// The loader looks extensions up here by the name after -m / -j.
#pragma once

#include <span>
#include <string_view>

#include "engine/extension.h"

namespace iptsim {

// The extension of that kind and name that supports `family`, or null.
const ExtensionInfo* FindExtension(ExtKind kind, std::string_view name, Family family);
std::span<const ExtensionInfo* const> AllExtensions();

}  // namespace iptsim
