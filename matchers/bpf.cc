// Extension: bpf (match, IPv4 IPv6)
// Synopsis: -m bpf --bytecode "N,CODE JT JF K,CODE JT JF K,..." | --object-pinned PATH
// Semantics: runs a classic BPF program (as printed by nfbpf_compile) on
//   the packet, starting at the IP header; matches when it returns
//   non-zero.  N is the instruction count (1..64) and must equal the
//   number of instructions.  The kernel refuses programs that
//   sk_chk_filter/bpf_check_classic rejects: unknown opcodes, division by
//   a constant 0, shifts by 32 or more, scratch memory outside M[0..15] or
//   read before written, jumps out of the program, unknown ancillary
//   loads, and a last instruction that is not a return.  --object-pinned
//   names an eBPF program pinned in the bpf filesystem (not checked: the
//   simulator has none).  Saved as --bytecode "N,..." (always quoted) or
//   --object-pinned PATH.
// Example: -m bpf --bytecode "4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0"
// Evaluation: partial: --bytecode is run by a classic BPF interpreter over the packet's bytes (ancillary loads other than protocol, mark, VLAN and XOR X are unknown); --object-pinned is unknown (an eBPF program iptsim cannot see)
#include <cctype>
#include <optional>
#include <vector>

#include "matchers/misc_util.h"
#include "matchers/parse_util.h"
#include "matchers/eval_result.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"bytecode", 1, false}, {"object-pinned", 1, false}};
enum { kBytecode, kPinned };
constexpr size_t kMaxInstructions = 64;  // XT_BPF_MAX_NUM_INSTR
constexpr size_t kMaxPathLen = 511;      // XT_BPF_PATH_MAX - 1

struct Insn {
  uint16_t code;
  uint8_t jt, jf;
  uint32_t k;
};

// Classic BPF opcode parts (linux/filter.h, linux/bpf_common.h).
enum : uint16_t {
  kLd = 0x00, kLdx = 0x01, kSt = 0x02, kStx = 0x03, kAlu = 0x04, kJmp = 0x05, kRet = 0x06,
  kMisc = 0x07,
  kW = 0x00, kH = 0x08, kB = 0x10,
  kImm = 0x00, kAbs = 0x20, kInd = 0x40, kMem = 0x60, kLen = 0x80, kMsh = 0xa0,
  kAdd = 0x00, kSub = 0x10, kMul = 0x20, kDiv = 0x30, kOr = 0x40, kAnd = 0x50, kLsh = 0x60,
  kRsh = 0x70, kNeg = 0x80, kMod = 0x90, kXor = 0xa0,
  kJa = 0x00, kJeq = 0x10, kJgt = 0x20, kJge = 0x30, kJset = 0x40,
  kK = 0x00, kX = 0x08, kA = 0x10,
  kTax = 0x00, kTxa = 0x80,
};
constexpr uint32_t kAncillaryBase = 0xfffff000;  // SKF_AD_OFF
constexpr uint32_t kAncillaryMax = 64;           // SKF_AD_MAX
constexpr uint32_t kMemWords = 16;               // BPF_MEMWORDS

bool CodeAllowed(uint16_t c) {
  switch (c) {
    case kAlu | kAdd | kK: case kAlu | kAdd | kX: case kAlu | kSub | kK: case kAlu | kSub | kX:
    case kAlu | kMul | kK: case kAlu | kMul | kX: case kAlu | kDiv | kK: case kAlu | kDiv | kX:
    case kAlu | kMod | kK: case kAlu | kMod | kX: case kAlu | kAnd | kK: case kAlu | kAnd | kX:
    case kAlu | kOr | kK:  case kAlu | kOr | kX:  case kAlu | kXor | kK: case kAlu | kXor | kX:
    case kAlu | kLsh | kK: case kAlu | kLsh | kX: case kAlu | kRsh | kK: case kAlu | kRsh | kX:
    case kAlu | kNeg:
    case kLd | kW | kAbs: case kLd | kH | kAbs: case kLd | kB | kAbs: case kLd | kW | kLen:
    case kLd | kW | kInd: case kLd | kH | kInd: case kLd | kB | kInd: case kLd | kImm:
    case kLd | kMem: case kLdx | kW | kLen: case kLdx | kB | kMsh: case kLdx | kImm:
    case kLdx | kMem:
    case kSt: case kStx:
    case kMisc | kTax: case kMisc | kTxa:
    case kRet | kK: case kRet | kA:
    case kJmp | kJa: case kJmp | kJeq | kK: case kJmp | kJeq | kX: case kJmp | kJge | kK:
    case kJmp | kJge | kX: case kJmp | kJgt | kK: case kJmp | kJgt | kX: case kJmp | kJset | kK:
    case kJmp | kJset | kX:
      return true;
    default:
      return false;
  }
}

bool IsConditionalJump(uint16_t c) {
  return (c & 0x07) == kJmp && (c & 0xf0) != kJa;
}

// The kernel's bpf_check_classic() with check_load_and_stores(); returns
// "" or what is wrong.
std::string CheckProgram(const std::vector<Insn>& p) {
  const size_t n = p.size();
  for (size_t pc = 0; pc < n; ++pc) {
    const Insn& i = p[pc];
    std::string at = "instruction " + std::to_string(pc) + ": ";
    if (!CodeAllowed(i.code)) return at + "unknown opcode " + std::to_string(i.code);
    switch (i.code) {
      case kAlu | kDiv | kK:
      case kAlu | kMod | kK:
        if (i.k == 0) return at + "division by zero";
        break;
      case kAlu | kLsh | kK:
      case kAlu | kRsh | kK:
        if (i.k >= 32) return at + "shift by 32 or more";
        break;
      case kLd | kMem:
      case kLdx | kMem:
      case kSt:
      case kStx:
        if (i.k >= kMemWords) return at + "scratch memory index " + std::to_string(i.k) + " (0..15)";
        break;
      case kJmp | kJa:
        if (i.k >= n - pc - 1) return at + "jump past the end of the program";
        break;
      case kLd | kW | kAbs:
      case kLd | kH | kAbs:
      case kLd | kB | kAbs:
        if (i.k >= kAncillaryBase &&
            (i.k - kAncillaryBase >= kAncillaryMax || (i.k - kAncillaryBase) % 4 != 0))
          return at + "unknown ancillary load";
        break;
      default:
        if (IsConditionalJump(i.code) && (pc + i.jt + 1 >= n || pc + i.jf + 1 >= n))
          return at + "jump past the end of the program";
    }
  }
  if (p.back().code != (kRet | kK) && p.back().code != (kRet | kA))
    return "the last instruction must be a return";
  // Scratch memory must be written before it is read, on every path.
  std::vector<uint16_t> masks(n, 0xffff);
  uint16_t valid = 0;
  for (size_t pc = 0; pc < n; ++pc) {
    const Insn& i = p[pc];
    valid &= masks[pc];
    if (i.code == kSt || i.code == kStx) {
      valid |= static_cast<uint16_t>(1u << i.k);
    } else if (i.code == (kLd | kMem) || i.code == (kLdx | kMem)) {
      if (!(valid & (1u << i.k)))
        return "instruction " + std::to_string(pc) + ": reads M[" + std::to_string(i.k) +
               "] before it is written";
    } else if (i.code == (kJmp | kJa)) {
      masks[pc + 1 + i.k] &= valid;
      valid = 0xffff;
    } else if (IsConditionalJump(i.code)) {
      masks[pc + 1 + i.jt] &= valid;
      masks[pc + 1 + i.jf] &= valid;
      valid = 0xffff;
    }
  }
  return "";
}

// Reads one unsigned decimal number after optional blanks (as scanf's %u).
bool ReadNumber(std::string_view* s, uint64_t max, uint64_t* out) {
  while (!s->empty() && isspace(static_cast<unsigned char>((*s)[0]))) s->remove_prefix(1);
  uint64_t v;
  size_t used;
  if (s->empty() || !((*s)[0] >= '0' && (*s)[0] <= '9')) return false;
  if (!ParseUIntPrefix(*s, 10, &v, &used) || v > max) return false;
  s->remove_prefix(used);
  *out = v;
  return true;
}

// A classic BPF program on the packet, as the kernel runs it (the classic
// program converted to eBPF by bpf_convert_filter): A, X and M[0..15] are
// 32-bit and start at 0; loads are big-endian from the IP header on
// (offsets from SKF_NET_OFF = -0x100000 are the same, from SKF_LL_OFF =
// -0x200000 the Ethernet header); a load outside the packet ends the
// program with 0, as does division or modulo by X = 0; shifts by X use its
// low 5 bits (the x86 instruction the kernel's interpreter and JIT use).
// LD LEN is skb->len (the IP datagram).  Ancillary loads: protocol (the
// ethertype), mark, VLAN tag/present (0: iptsim has no VLANs) and XOR X are
// computed; the others (ifindex, hash, cpu, random, queue, packet type...)
// return nullopt with *why set.  Programs are bounded: jumps only go
// forward.
std::optional<uint32_t> RunClassic(const std::vector<Insn>& p, const PacketView& v,
                                   std::string* why) {
  uint32_t a = 0, x = 0, mem[kMemWords] = {};
  const Packet& pkt = *v.pkt;
  // Reads `size` bytes at signed offset `off`; false when outside.
  auto load = [&](int64_t off, int size, uint32_t* out) {
    const uint8_t* base = v.data();
    size_t len = v.size();
    if (off < 0) {
      if (off >= -0x100000 && off < -0x100000 + 0x80000) {
        off += 0x100000;
      } else if (off >= -0x200000 && off < -0x100000) {
        off += 0x200000;
        base = pkt.mac.data();
        len = pkt.mac_len;
      } else {
        return false;
      }
    }
    if (off < 0 || static_cast<uint64_t>(off) + static_cast<uint64_t>(size) > len) return false;
    uint32_t r = 0;
    for (int i = 0; i < size; ++i) r = r << 8 | base[off + i];
    *out = r;
    return true;
  };
  for (size_t pc = 0; pc < p.size(); ++pc) {
    const Insn& i = p[pc];
    const uint16_t cls = i.code & 0x07;
    const int size = (i.code & 0x18) == kW ? 4 : (i.code & 0x18) == kH ? 2 : 1;
    switch (cls) {
      case kLd:
      case kLdx: {
        uint32_t val = 0;
        switch (i.code & 0xe0) {
          case kImm: val = i.k; break;
          case kMem: val = mem[i.k]; break;
          case kLen: val = static_cast<uint32_t>(v.size()); break;
          case kAbs:
            if (i.k >= kAncillaryBase) {
              switch (i.k - kAncillaryBase) {
                case 0: val = pkt.family == Family::kIPv4 ? 0x0800 : 0x86dd; break;  // protocol
                case 20: val = pkt.mark; break;
                case 40: val = a ^ x; break;     // ALU_XOR_X
                case 44: case 48: val = 0; break;  // VLAN_TAG, VLAN_TAG_PRESENT
                default:
                  *why = "instruction " + std::to_string(pc) + " loads ancillary data (offset " +
                         std::to_string(i.k - kAncillaryBase) + ") iptsim does not model";
                  return std::nullopt;
              }
            } else if (!load(static_cast<int32_t>(i.k), size, &val)) {
              return 0u;
            }
            break;
          case kInd:
            if (!load(static_cast<int64_t>(static_cast<int32_t>(i.k + x)), size, &val)) return 0u;
            break;
          case kMsh: {
            uint32_t b;
            if (!load(static_cast<int32_t>(i.k), 1, &b)) return 0u;
            val = (b & 0x0f) * 4;
            break;
          }
        }
        (cls == kLd ? a : x) = val;
        break;
      }
      case kSt: mem[i.k] = a; break;
      case kStx: mem[i.k] = x; break;
      case kAlu: {
        const uint32_t src = (i.code & kX) ? x : i.k;
        switch (i.code & 0xf0) {
          case kAdd: a += src; break;
          case kSub: a -= src; break;
          case kMul: a *= src; break;
          case kDiv: if (src == 0) return 0u; a /= src; break;
          case kMod: if (src == 0) return 0u; a %= src; break;
          case kOr: a |= src; break;
          case kAnd: a &= src; break;
          case kXor: a ^= src; break;
          case kLsh: a <<= (src & 31); break;
          case kRsh: a >>= (src & 31); break;
          case kNeg: a = 0u - a; break;
        }
        break;
      }
      case kJmp: {
        if ((i.code & 0xf0) == kJa) {
          pc += i.k;
          break;
        }
        const uint32_t src = (i.code & kX) ? x : i.k;
        bool t = false;
        switch (i.code & 0xf0) {
          case kJeq: t = a == src; break;
          case kJgt: t = a > src; break;
          case kJge: t = a >= src; break;
          case kJset: t = (a & src) != 0; break;
        }
        pc += t ? i.jt : i.jf;
        break;
      }
      case kRet:
        return (i.code & 0x18) == kA ? a : i.k;
      case kMisc:
        if ((i.code & 0xf8) == kTxa) a = x;
        else x = a;
        break;
    }
  }
  return 0u;  // not reached: the checked program ends with a return
}

class BpfMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    if (Status s = given_.Once(option, kOptions); !s.ok()) return s;
    if (option == kPinned) {
      path_ = std::string(args[0].text.substr(0, kMaxPathLen));
      return {};
    }
    std::string_view s = args[0].text;
    uint64_t len;
    if (!ReadNumber(&s, 0xffff, &len) || s.empty() || s[0] != ',')
      return Status::Error("invalid program: it must start with the instruction count and a comma",
                           0);
    if (len == 0) return Status::Error("invalid program: the instruction count is 0", 0);
    if (len > kMaxInstructions)
      return Status::Error("program too long: " + std::to_string(len) +
                               " instructions (at most 64)",
                           0);
    program_.clear();
    // Each comma that is followed by something starts an instruction.
    while (!s.empty() && s[0] == ',' && s.size() > 1) {
      s.remove_prefix(1);
      if (program_.size() >= len)
        return Status::Error("invalid program: more instructions than the count " +
                                 std::to_string(len),
                             0);
      uint64_t code, jt, jf, k;
      if (!ReadNumber(&s, 0xffff, &code) || !ReadNumber(&s, 0xff, &jt) ||
          !ReadNumber(&s, 0xff, &jf) || !ReadNumber(&s, 0xffffffff, &k))
        return Status::Error("invalid program: instruction " + std::to_string(program_.size()) +
                                 " is not 'CODE JT JF K'",
                             0);
      while (!s.empty() && s[0] != ',') {
        if (!isspace(static_cast<unsigned char>(s[0])))
          return Status::Error("invalid program: instruction " +
                                   std::to_string(program_.size()) + " is not 'CODE JT JF K'",
                               0);
        s.remove_prefix(1);
      }
      program_.push_back({static_cast<uint16_t>(code), static_cast<uint8_t>(jt),
                          static_cast<uint8_t>(jf), static_cast<uint32_t>(k)});
    }
    if (program_.size() != len)
      return Status::Error("invalid program: " + std::to_string(program_.size()) +
                               " instructions, but the count says " + std::to_string(len),
                           0);
    return {};
  }

  Status Finish(const ParseContext&) override {
    if (given_.Has(kBytecode) == given_.Has(kPinned))
      return Status::Error("exactly one of '--bytecode' or '--object-pinned' is required");
    return {};
  }

  Status Check(const CheckContext&) const override {
    if (given_.Has(kBytecode)) {
      std::string why = CheckProgram(program_);
      if (!why.empty()) return Status::Error("the kernel refuses the program: " + why);
    }
    return {};
  }

  // xt_bpf.c bpf_mt: the classic program run on the skb (data at the IP
  // header), matching when it returns non-zero.  See RunClassic.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    if (given_.Has(kPinned))
      return UndecidedTest(ctx, *this,
                           "what the eBPF program pinned in the bpf filesystem returns "
                           "(iptsim cannot see it)",
                           false);
    std::string why;
    std::optional<uint32_t> r = RunClassic(program_, v, &why);
    if (!r) return UnknownResult(ctx, "-m bpf: " + why);
    return ToTri(*r != 0);
  }

  void Save(std::string& out, const SaveContext&) const override {
    if (given_.Has(kPinned)) {
      SaveOpt(out, "object-pinned", path_);
      return;
    }
    std::string v = "\"" + std::to_string(program_.size());
    for (const Insn& i : program_)
      v += "," + std::to_string(i.code) + " " + std::to_string(i.jt) + " " + std::to_string(i.jf) +
           " " + std::to_string(i.k);
    SaveOpt(out, "bytecode", v + "\"");
  }

  const std::vector<Insn>& program() const { return program_; }
  const std::string& pinned_path() const { return path_; }

 private:
  GivenOptions given_;
  std::vector<Insn> program_;
  std::string path_;
};

}  // namespace

extern const ExtensionInfo kBpfMatch = {
    .name = "bpf",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<BpfMatch>,
    .may_be_undecided = true,
};

}  // namespace iptsim
