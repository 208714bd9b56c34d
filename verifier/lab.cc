#include "verifier/lab.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

#include "base/mac.h"
#include "verifier/sys.h"

namespace iptsim::verifier {
namespace {

constexpr const char* kNetnsDir = "/run/netns";
constexpr const char* kLockPath = "/run/iptsim-lab.lock";
constexpr const char* kStatePath = "/run/iptsim-lab.state";
constexpr const char* kKeepDir = "/run/iptsim-keep";
constexpr const char* kNfLogAllNetns = "/proc/sys/net/netfilter/nf_log_all_netns";
constexpr const char* kPeerDevice = "eth0";

// ---------------------------------------------------------------------------
// Registry read by the signal handler.  Plain fixed-size data, changed only
// with the handled signals blocked, read only with async-signal-safe calls.

constexpr int kMaxLabs = 4;
constexpr int kMaxNetns = 64;  // host + one peer per interface
constexpr int kMaxChildren = 8;
constexpr int kPathLen = 96;
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

struct Slot {
  bool used;
  bool keep;
  int n_netns;
  char netns_path[kMaxNetns][kPathLen];
  pid_t children[kMaxChildren];
  char nf_log_old;  // '\0' = nothing to restore
};
Slot g_slots[kMaxLabs];
struct sigaction g_old_actions[sizeof kSignals / sizeof kSignals[0]];
int g_live_labs = 0;  // number of live labs that need the handlers

class BlockSignals {
 public:
  BlockSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : kSignals) sigaddset(&set, s);
    sigprocmask(SIG_BLOCK, &set, &old_);
  }
  ~BlockSignals() { sigprocmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_;
};

void RemoveNetnsPath(const char* path) {
  umount2(path, MNT_DETACH);
  unlink(path);
}

// Async-signal-safe: kill, umount2, unlink, open, write, close.
void EmergencyCleanup(Slot* s) {
  if (!s->used) return;
  for (pid_t pid : s->children) {
    if (pid > 0) kill(pid, SIGKILL);
  }
  if (!s->keep) {
    for (int i = s->n_netns - 1; i >= 0; --i) RemoveNetnsPath(s->netns_path[i]);
  }
  if (s->nf_log_old) {
    int fd = open(kNfLogAllNetns, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
      char c = s->nf_log_old;
      [[maybe_unused]] ssize_t n = write(fd, &c, 1);  // nothing better to do on failure here
      close(fd);
    }
    unlink(kStatePath);
  }
  s->used = false;
}

void OnSignal(int sig) {
  int saved_errno = errno;
  for (Slot& s : g_slots) EmergencyCleanup(&s);
  // Put back what was there before the first lab, and deliver the signal to
  // it once this handler returns (the signal is blocked until then).
  for (size_t i = 0; i < sizeof kSignals / sizeof kSignals[0]; ++i) {
    if (kSignals[i] == sig) sigaction(sig, &g_old_actions[i], nullptr);
  }
  raise(sig);
  errno = saved_errno;
}

int AcquireSlot() {
  BlockSignals block;
  for (int i = 0; i < kMaxLabs; ++i) {
    if (g_slots[i].used) continue;
    Slot& s = g_slots[i];
    memset(&s, 0, sizeof s);
    s.used = true;
    if (g_live_labs++ == 0) {
      struct sigaction sa;
      memset(&sa, 0, sizeof sa);
      sa.sa_handler = OnSignal;
      sigemptyset(&sa.sa_mask);
      for (int sig : kSignals) sigaddset(&sa.sa_mask, sig);
      for (size_t k = 0; k < sizeof kSignals / sizeof kSignals[0]; ++k) {
        sigaction(kSignals[k], &sa, &g_old_actions[k]);
        // An ignored signal stays ignored (a background job of a shell
        // ignores SIGINT): it would not end the process after the cleanup.
        if (g_old_actions[k].sa_handler == SIG_IGN) sigaction(kSignals[k], &g_old_actions[k], nullptr);
      }
    }
    return i;
  }
  return -1;
}

void ReleaseSlot(int slot) {
  if (slot < 0) return;
  BlockSignals block;
  g_slots[slot].used = false;
  if (--g_live_labs == 0) {
    for (size_t k = 0; k < sizeof kSignals / sizeof kSignals[0]; ++k) {
      struct sigaction cur;
      sigaction(kSignals[k], nullptr, &cur);
      if (cur.sa_handler == OnSignal) sigaction(kSignals[k], &g_old_actions[k], nullptr);
    }
  }
}

void SlotAddNetns(int slot, const std::string& name) {
  BlockSignals block;
  Slot& s = g_slots[slot];
  std::string path = std::string(kNetnsDir) + "/" + name;
  snprintf(s.netns_path[s.n_netns], kPathLen, "%s", path.c_str());
  ++s.n_netns;
}

// ---------------------------------------------------------------------------

std::string GeneratedMac(size_t index, int end) {
  char buf[18];
  snprintf(buf, sizeof buf, "02:69:70:%02x:%02x:%02x", static_cast<unsigned>((index >> 8) & 0xff),
           static_cast<unsigned>(index & 0xff), end);
  return buf;
}

bool IsIpv6Words(const std::string& s) { return s.find(':') != std::string::npos; }

std::vector<std::string> SplitWords(const std::string& s) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) words.push_back(s.substr(i, j - i));
    i = j;
  }
  return words;
}

bool ProcessAlive(pid_t pid) { return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM); }

// Removes namespaces left by dead processes, and restores the sysctl a dead
// lab left set.  Called with the lab lock held, so no other lab is running.
void CleanupStale(std::FILE* log) {
  if (DIR* d = opendir(kNetnsDir)) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name.rfind("iptsim-", 0) != 0) continue;
      pid_t pid = static_cast<pid_t>(atol(name.c_str() + 7));
      if (pid <= 0 || ProcessAlive(pid)) continue;
      std::string keep = std::string(kKeepDir) + "/" + name;
      if (access(keep.c_str(), F_OK) == 0) continue;
      RemoveNetnsPath((std::string(kNetnsDir) + "/" + name).c_str());
      if (log) fprintf(log, "iptsim lab: removed namespace %s left by dead process %d\n",
                       name.c_str(), static_cast<int>(pid));
    }
    closedir(d);
  }
  std::string state;
  if (ReadSmallFile(kStatePath, &state)) {
    // "PID VALUE": the owner died before restoring VALUE.
    size_t sp = state.find(' ');
    if (sp != std::string::npos && sp + 1 < state.size()) {
      char old = state[sp + 1];
      if (old >= '0' && old <= '9') {
        WriteSmallFile(kNfLogAllNetns, std::string(1, old));
        if (log) fprintf(log, "iptsim lab: restored nf_log_all_netns=%c left by a dead lab\n", old);
      }
    }
    unlink(kStatePath);
  }
}

LabStatus AcquireLock(int timeout_ms, int* fd_out) {
  int fd = open(kLockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return LabStatus::Failed(std::string(kLockPath) + ": " + strerror(errno));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int e = errno;
      close(fd);
      return LabStatus::Failed(std::string("flock ") + kLockPath + ": " + strerror(e));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string holder;
      ReadSmallFile(kLockPath, &holder);
      while (!holder.empty() && holder.back() == '\n') holder.pop_back();
      close(fd);
      return LabStatus::Failed("another iptsim lab is running (pid " +
                               (holder.empty() ? std::string("?") : holder) + ", lock " +
                               kLockPath + "); gave up after " + std::to_string(timeout_ms) +
                               " ms");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::string pid = std::to_string(getpid()) + "\n";
  // The holder's pid, for the message of a run that times out waiting.
  if (ftruncate(fd, 0) == 0) {
    [[maybe_unused]] ssize_t n = pwrite(fd, pid.data(), pid.size(), 0);
  }
  *fd_out = fd;
  return {};
}

int g_lab_counter = 0;

}  // namespace

std::string FormatMac(const uint8_t mac[6]) {
  char buf[18];
  snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
           mac[4], mac[5]);
  return buf;
}

Status ValidateLabSpec(const LabSpec& spec) {
  if (spec.interfaces.size() + 1 > static_cast<size_t>(kMaxNetns)) {
    return Status::Error("too many interfaces (at most " + std::to_string(kMaxNetns - 1) + ")");
  }
  for (size_t i = 0; i < spec.interfaces.size(); ++i) {
    const LabInterface& itf = spec.interfaces[i];
    if (itf.name.empty() || itf.name.size() > 15) {
      return Status::Error("interface name '" + itf.name + "' must have 1 to 15 characters");
    }
    if (itf.name.find_first_of("/: \t\n") != std::string::npos || itf.name == "." ||
        itf.name == "..") {
      return Status::Error("invalid interface name '" + itf.name + "'");
    }
    if (itf.name == "lo")
      return Status::Error("'lo' exists in every namespace and cannot be a lab interface");
    for (size_t k = 0; k < i; ++k) {
      if (spec.interfaces[k].name == itf.name)
        return Status::Error("interface '" + itf.name + "' given twice");
    }
    MacAddr mac;
    for (const std::string* m : {&itf.mac, &itf.peer_mac}) {
      if (m->empty()) continue;
      if (!ParseMacStrict(*m, &mac))
        return Status::Error("invalid MAC address '" + *m + "' (want xx:xx:xx:xx:xx:xx)");
      if (mac[0] & 1) return Status::Error("MAC address '" + *m + "' is a multicast address");
    }
    for (const std::string& a : itf.addresses) {
      size_t slash = a.find('/');
      std::string addr = a.substr(0, slash);
      IpAddr ip;
      Family fam = IsIpv6Words(addr) ? Family::kIPv6 : Family::kIPv4;
      if (!ParseIpAddr(fam, addr, &ip) || slash == std::string::npos) {
        return Status::Error("invalid address '" + a + "' (want ADDRESS/PREFIXLEN)");
      }
    }
  }
  return {};
}

LabStatus Lab::CheckSupport() {
  if (geteuid() != 0) return LabStatus::Unsupported("needs root (network namespaces, /dev/kmsg)");
  if (access("/proc/self/ns/net", F_OK) != 0) {
    return LabStatus::Unsupported("no network namespace support (/proc/self/ns/net missing)");
  }
  if (FindProgram("ip").empty()) return LabStatus::Unsupported("iproute2's `ip` is not installed");
  Status st = RunInChild(-1, 5000, [](const char** what) {
    *what = "unshare(CLONE_NEWNET)";
    return unshare(CLONE_NEWNET) == 0 ? 0 : errno;
  });
  if (!st.ok()) return LabStatus::Unsupported("cannot create a network namespace: " + st.message());
  return {};
}

std::unique_ptr<Lab> Lab::Create(const LabSpec& spec, const LabOptions& options,
                                 LabStatus* status) {
  *status = CheckSupport();
  if (!status->ok()) return nullptr;
  if (Status valid = ValidateLabSpec(spec); !valid.ok()) {
    *status = LabStatus::Failed("lab spec: " + valid.message());
    return nullptr;
  }
  std::unique_ptr<Lab> lab(new Lab());
  lab->options_ = options;
  *status = AcquireLock(options.timeout_ms, &lab->lock_fd_);
  if (!status->ok()) return nullptr;
  CleanupStale(options.log);
  lab->slot_ = AcquireSlot();
  if (lab->slot_ < 0) {
    *status = LabStatus::Failed("too many labs in this process");
    lab->Destroy();
    return nullptr;
  }
  g_slots[lab->slot_].keep = options.keep;
  *status = lab->Build(spec);
  if (!status->ok()) {
    lab->options_.keep = false;  // a half-built lab is never kept
    {
      BlockSignals block;
      g_slots[lab->slot_].keep = false;
    }
    lab->Destroy();
    return nullptr;
  }
  return lab;
}

LabStatus Lab::Ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r = RunCommand(argv, {}, -1, options_.timeout_ms);
  if (!r.ok()) return LabStatus::Failed(r.Describe(argv));
  return {};
}

LabStatus Lab::AddNetns(const std::string& name, int* fd) {
  // Registered before it exists, so that a signal during `ip netns add`
  // still removes it.
  SlotAddNetns(slot_, name);
  netns_names_.push_back(name);
  if (options_.keep) {
    // Marks it as wanted, so that the stale-lab cleanup of a later run
    // spares it even after this process died.
    mkdir(kKeepDir, 0755);
    int kfd = open((std::string(kKeepDir) + "/" + name).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC,
                   0644);
    if (kfd >= 0) close(kfd);
  }
  if (LabStatus st = Ip({"netns", "add", name}); !st.ok()) return st;
  std::string path = std::string(kNetnsDir) + "/" + name;
  *fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (*fd < 0) return LabStatus::Failed(path + ": " + strerror(errno));
  return {};
}

namespace {

// Writes sysctls inside a namespace (a /proc/sys/net file opened by a process
// in namespace N is N's).  `optional` ones may be missing (no IPv6 in the
// kernel).  "" on success, else "PATH: error".
struct Sysctl {
  std::string path;
  std::string value;
  bool optional;
};

Status WriteSysctls(int netns_fd, const std::vector<Sysctl>& list, int timeout_ms) {
  return RunInChild(netns_fd, timeout_ms, [&](const char** what) {
    for (const Sysctl& s : list) {
      // `what` points into `list`, which the parent keeps (see RunInChild).
      *what = s.path.c_str();
      int fd = open(s.path.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) {
        if (s.optional && errno == ENOENT) continue;
        return errno;
      }
      ssize_t n = write(fd, s.value.data(), s.value.size());
      int e = errno;
      close(fd);
      if (n != static_cast<ssize_t>(s.value.size())) return e;
    }
    return 0;
  });
}

std::string SysctlPath(const std::string& key) {
  std::string path = key;
  if (path.find('/') == std::string::npos) {
    for (char& c : path) {
      if (c == '.') c = '/';
    }
  }
  return path.rfind("/proc/sys/", 0) == 0 ? path : "/proc/sys/" + path;
}

}  // namespace

LabStatus Lab::Build(const LabSpec& spec) {
  std::string base = "iptsim-" + std::to_string(getpid()) + "-" + std::to_string(g_lab_counter++);
  host_name_ = base;
  if (LabStatus st = AddNetns(host_name_, &host_fd_); !st.ok()) return st;

  // Host namespace settings, before any device exists so that `default`
  // applies to them: no DAD, router solicitations or RAs, quick MLD reports
  // (the chatter is over before the ruleset loads); deterministic IPv4
  // settings instead of the ones inherited from the initial namespace.
  std::vector<Sysctl> host = {
      {"/proc/sys/net/ipv4/ip_forward", spec.ip_forward ? "1" : "0", false},
      {"/proc/sys/net/ipv4/conf/all/rp_filter", "0", false},
      {"/proc/sys/net/ipv4/conf/default/rp_filter", "0", false},
  };
  for (const char* which : {"all", "default"}) {
    std::string p = std::string("/proc/sys/net/ipv6/conf/") + which + "/";
    host.push_back({p + "disable_ipv6", spec.ipv6 ? "0" : "1", true});
    host.push_back({p + "accept_dad", "0", true});
    host.push_back({p + "router_solicitations", "0", true});
    host.push_back({p + "accept_ra", "0", true});
    host.push_back({p + "mldv1_unsolicited_report_interval", "10", true});
    host.push_back({p + "mldv2_unsolicited_report_interval", "10", true});
  }
  host.push_back({"/proc/sys/net/ipv6/conf/all/forwarding", spec.ip_forward ? "1" : "0", true});
  // A sysctl of one of the lab's devices (net/ipv4/conf/d0/...) can be set
  // only once the device exists: those come after the devices.
  std::vector<Sysctl> device_sysctls;
  for (const auto& [key, value] : spec.sysctls) {
    std::string path = SysctlPath(key);
    bool of_device = false;
    for (const LabInterface& itf : spec.interfaces) {
      if (path.find("/conf/" + itf.name + "/") != std::string::npos ||
          path.find("/neigh/" + itf.name + "/") != std::string::npos) {
        of_device = true;
      }
    }
    (of_device ? device_sysctls : host).push_back({std::move(path), value, false});
  }
  if (Status st = WriteSysctls(host_fd_, host, options_.timeout_ms); !st.ok()) {
    return LabStatus::Failed("sysctl in " + host_name_ + ": " + st.message());
  }
  if (LabStatus st = Ip({"-n", host_name_, "link", "set", "lo", "up"}); !st.ok()) return st;

  const std::vector<Sysctl> peer_sysctls = {
      {"/proc/sys/net/ipv6/conf/all/disable_ipv6", "1", true},
      {"/proc/sys/net/ipv6/conf/default/disable_ipv6", "1", true},
  };
  for (size_t i = 0; i < spec.interfaces.size(); ++i) {
    const LabInterface& itf = spec.interfaces[i];
    ports_.push_back(Port{});
    Port& port = ports_.back();
    port.name = itf.name;
    port.tun = itf.tun;
    if (itf.tun) {
      if (LabStatus st = Ip({"-n", host_name_, "tuntap", "add", "dev", itf.name, "mode", "tun"});
          !st.ok()) {
        return st;
      }
    } else {
      port.mac = itf.mac.empty() ? GeneratedMac(i, 1) : itf.mac;
      port.peer_mac = itf.peer_mac.empty() ? GeneratedMac(i, 2) : itf.peer_mac;
      port.peer_netns = base + "-" + std::to_string(i);
      port.peer_device = kPeerDevice;
      if (LabStatus st = AddNetns(port.peer_netns, &port.peer_netns_fd); !st.ok()) return st;
      if (Status st = WriteSysctls(port.peer_netns_fd, peer_sysctls, options_.timeout_ms);
          !st.ok()) {
        return LabStatus::Failed("sysctl in " + port.peer_netns + ": " + st.message());
      }
      if (LabStatus st = Ip({"-n", host_name_, "link", "add", itf.name, "address", port.mac,
                             "type", "veth", "peer", "name", kPeerDevice, "address",
                             port.peer_mac, "netns", port.peer_netns});
          !st.ok()) {
        return st;
      }
      if (LabStatus st = Ip({"-n", port.peer_netns, "link", "set", kPeerDevice, "up"}); !st.ok()) {
        return st;
      }
    }
    std::vector<std::string> up = {"-n", host_name_, "link", "set", itf.name};
    if (!itf.tun && !itf.neighbour_discovery) {
      up.push_back("arp");
      up.push_back("off");
    }
    if (itf.mtu > 0) {
      up.push_back("mtu");
      up.push_back(std::to_string(itf.mtu));
    }
    up.push_back("up");
    if (LabStatus st = Ip(up); !st.ok()) return st;
    for (const std::string& a : itf.addresses) {
      std::vector<std::string> args = {"-n", host_name_, "addr", "add", a, "dev", itf.name};
      if (IsIpv6Words(a)) args.push_back("nodad");
      if (LabStatus st = Ip(args); !st.ok()) return st;
    }
  }
  if (Status st = WriteSysctls(host_fd_, device_sysctls, options_.timeout_ms); !st.ok()) {
    return LabStatus::Failed("sysctl in " + host_name_ + ": " + st.message());
  }
  for (const std::string& route : spec.routes) {
    std::vector<std::string> args = {"-n", host_name_};
    if (IsIpv6Words(route)) args.push_back("-6");
    args.push_back("route");
    args.push_back("add");
    for (std::string& w : SplitWords(route)) args.push_back(std::move(w));
    if (LabStatus st = Ip(args); !st.ok()) return st;
  }

  // The one global setting: TRACE/LOG output of non-initial namespaces.
  std::string old;
  if (!ReadSmallFile(kNfLogAllNetns, &old) || old.empty() || old[0] < '0' || old[0] > '9') {
    return LabStatus::Failed(std::string("cannot read ") + kNfLogAllNetns +
                             " (is the nf_log module available?)");
  }
  {
    BlockSignals block;
    nf_log_old_ = old.substr(0, 1);
    g_slots[slot_].nf_log_old = old[0];
  }
  std::string state = std::to_string(getpid()) + " " + nf_log_old_ + "\n";
  // Lets the next lab restore the value if this process dies by SIGKILL.
  int sfd = open(kStatePath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool saved = sfd >= 0 && write(sfd, state.data(), state.size()) ==
                               static_cast<ssize_t>(state.size());
  if (sfd >= 0) close(sfd);
  if (!saved) return LabStatus::Failed(std::string(kStatePath) + ": " + strerror(errno));
  if (Status written = WriteSmallFile(kNfLogAllNetns, "1"); !written.ok()) {
    return LabStatus::Failed(written.message());
  }
  if (options_.settle_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(options_.settle_ms));
  return {};
}

LabStatus Lab::LoadRuleset(Family family, Flavour flavour, std::string_view text) {
  if (destroyed_) return LabStatus::Failed("lab already destroyed");
  std::string tool = family == Family::kIPv6 ? "ip6tables" : "iptables";
  tool += flavour == Flavour::kNft ? "-nft-restore" : "-legacy-restore";
  if (FindProgram(tool).empty()) return LabStatus::Unsupported(tool + " is not installed");
  std::vector<std::string> argv = {tool, "-w", std::to_string(options_.timeout_ms / 1000 + 1)};
  RunResult r = RunCommand(argv, text, host_fd_, options_.timeout_ms + 2000);
  if (!r.ok()) return LabStatus::Failed("loading the ruleset: " + r.Describe(argv));
  return {};
}

std::string Lab::SaveRuleset(Family family, Flavour flavour) {
  std::string tool = family == Family::kIPv6 ? "ip6tables" : "iptables";
  tool += flavour == Flavour::kNft ? "-nft-save" : "-legacy-save";
  RunResult r = RunCommand({tool, "-c"}, {}, host_fd_, options_.timeout_ms);
  return r.ok() ? r.out : r.Describe({tool, "-c"});
}

const Lab::Port* Lab::FindPort(std::string_view name) const {
  for (const Port& p : ports_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::vector<std::string> Lab::DeviceNames() const {
  std::vector<std::string> names;
  for (const Port& p : ports_) names.push_back(p.name);
  names.push_back("lo");
  return names;
}

std::string Lab::EnterInstructions() const {
  std::string s = "enter:  ip netns exec " + host_name_ + " bash\n";
  for (const Port& p : ports_) {
    if (!p.tun) s += "peer of " + p.name + ":  ip netns exec " + p.peer_netns + " bash\n";
  }
  s += "trace:  echo 1 > " + std::string(kNfLogAllNetns) + "  (restored to " +
       (nf_log_old_.empty() ? std::string("its old value") : nf_log_old_) + " now)\n";
  s += "delete:";
  for (auto it = netns_names_.rbegin(); it != netns_names_.rend(); ++it) {
    s += " ip netns del " + *it + ";";
  }
  s += " rm -f";
  for (const std::string& n : netns_names_) s += " " + std::string(kKeepDir) + "/" + n;
  s += "\n";
  return s;
}

void Lab::AdoptChild(pid_t pid) {
  if (slot_ < 0) return;
  BlockSignals block;
  for (pid_t& p : g_slots[slot_].children) {
    if (p <= 0) {
      p = pid;
      return;
    }
  }
}

void Lab::ReleaseChild(pid_t pid) {
  if (slot_ < 0) return;
  BlockSignals block;
  for (pid_t& p : g_slots[slot_].children) {
    if (p == pid) p = 0;
  }
}

LabStatus Lab::Destroy() {
  if (destroyed_) return {};
  destroyed_ = true;
  LabStatus result;
  // Children of the lab were stopped by their owners; anything left is killed.
  if (slot_ >= 0) {
    for (pid_t pid : g_slots[slot_].children) {
      if (pid > 0) {
        int status;
        kill(pid, SIGKILL);
        WaitChild(pid, 2000, &status);
      }
    }
  }
  // Our descriptors hold the namespaces alive: close them first.
  for (Port& p : ports_) {
    if (p.peer_netns_fd >= 0) close(p.peer_netns_fd);
    p.peer_netns_fd = -1;
  }
  if (host_fd_ >= 0) close(host_fd_);
  host_fd_ = -1;
  if (options_.keep) {
    if (options_.log && !netns_names_.empty()) {
      fprintf(options_.log, "iptsim lab kept:\n%s", EnterInstructions().c_str());
    }
  } else {
    for (auto it = netns_names_.rbegin(); it != netns_names_.rend(); ++it) {
      std::string path = std::string(kNetnsDir) + "/" + *it;
      if (umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
        result = LabStatus::Failed("umount " + path + ": " + strerror(errno));
      }
      if (unlink(path.c_str()) != 0 && errno != ENOENT) {
        result = LabStatus::Failed("unlink " + path + ": " + strerror(errno));
      }
      unlink((std::string(kKeepDir) + "/" + *it).c_str());  // a half-built kept lab
    }
  }
  if (!nf_log_old_.empty()) {
    if (Status written = WriteSmallFile(kNfLogAllNetns, nf_log_old_); !written.ok()) {
      result = LabStatus::Failed("restoring nf_log_all_netns: " + written.message());
    } else {
      unlink(kStatePath);
    }
  }
  ReleaseSlot(slot_);
  slot_ = -1;
  if (lock_fd_ >= 0) {
    [[maybe_unused]] int r = ftruncate(lock_fd_, 0);  // no holder any more
    close(lock_fd_);  // releases the flock
    lock_fd_ = -1;
  }
  return result;
}

Lab::~Lab() { Destroy(); }

}  // namespace iptsim::verifier
