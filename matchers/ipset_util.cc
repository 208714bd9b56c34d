#include "matchers/ipset_util.h"

namespace iptsim {

namespace {
constexpr size_t kMaxSetName = 31;  // IPSET_MAXNAMELEN - 1
constexpr int kDimMax = 6;          // IPSET_DIM_MAX
}  // namespace

std::string IpsetRef::Flags() const {
  std::string s;
  for (int i = 0; i < dim; ++i) {
    if (i) s += ',';
    s += (src_bits >> i) & 1 ? "src" : "dst";
  }
  return s;
}

Status ParseIpsetRef(std::span<const Arg> args, std::string_view what, IpsetRef* out) {
  std::string_view name = args[0].text, flags = args[1].text;
  if (!flags.empty() && (flags[0] == '-' || flags[0] == '!'))
    return Status::Error("'--" + std::string(what) + "' needs two arguments: the set name and " +
                             "its src/dst flags",
                         1);
  if (name.size() > kMaxSetName)
    return Status::Error("set name '" + std::string(name) + "' is too long (" +
                             std::to_string(name.size()) + " characters; at most 31)",
                         0);
  IpsetRef r;
  r.name = std::string(name);
  // Words are compared on their first three letters, as libxt_set does.
  std::string_view rest = flags;
  while (true) {
    if (r.dim == kDimMax)
      return Status::Error("too many src/dst flags in '" + std::string(flags) + "' (at most 6)", 1);
    size_t comma = rest.find(',');
    std::string_view w = rest.substr(0, comma);
    if (w.substr(0, 3) == "src") r.src_bits |= static_cast<uint8_t>(1u << r.dim);
    else if (w.substr(0, 3) != "dst")
      return Status::Error("invalid flags '" + std::string(flags) +
                               "' (expected a comma-separated list of src and dst)",
                           1);
    ++r.dim;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  *out = r;
  return {};
}

}  // namespace iptsim
