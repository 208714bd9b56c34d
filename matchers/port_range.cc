#include "matchers/port_range.h"

#include "matchers/describe_util.h"
#include "matchers/parse_util.h"

namespace iptsim {

Status PortRange::Parse(std::span<const Arg> args, std::string_view proto, bool inv,
                        std::string_view option, RangeOrder order) {
  if (given) return Status::Error("only one '--" + std::string(option) + "' allowed");
  if (Status s = ParsePortRange(args[0].text, proto, &lo, &hi, order); !s.ok())
    return Status::Error(s.message(), 0);
  invert = inv;
  given = true;
  return {};
}

Pred PortRange::Describe(Field f) const {
  if (!given) return Pred::True();
  return describe::InRange(f, lo, hi, invert);
}

void PortRange::Save(std::string& out, std::string_view name) const {
  if (lo == 0 && hi == 65535 && !invert) return;
  std::string v = std::to_string(lo);
  if (lo != hi) v += ':' + std::to_string(hi);
  SaveOpt(out, name, v, invert);
}

}  // namespace iptsim
