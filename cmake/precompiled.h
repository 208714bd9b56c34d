// The standard headers precompiled for every target when IPTSIM_PCH is on
// (CMakeLists.txt, iptsim_precompile): most of each file's preprocessed
// lines.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>
