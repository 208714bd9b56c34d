#include "cli/explore.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace iptsim::cli {
namespace {

constexpr size_t kMaxTraces = 4096;

// Runs `fn` with stdout and stderr going to temporary files; returns what
// it wrote to each.
template <class Fn>
int Captured(Fn fn, std::string* out, std::string* err) {
  fflush(stdout);
  fflush(stderr);
  FILE* fo = tmpfile();
  FILE* fe = tmpfile();
  if (!fo || !fe) {
    if (fo) fclose(fo);
    if (fe) fclose(fe);
    fprintf(stderr, "iptsim trace: error: --explore cannot create a temporary file\n");
    return kExitError;
  }
  int saved_out = dup(1), saved_err = dup(2);
  dup2(fileno(fo), 1);
  dup2(fileno(fe), 2);
  int rc = fn();
  fflush(stdout);
  fflush(stderr);
  dup2(saved_out, 1);
  dup2(saved_err, 2);
  close(saved_out);
  close(saved_err);
  for (auto [f, s] : {std::pair{fo, out}, std::pair{fe, err}}) {
    rewind(f);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) s->append(buf, n);
    fclose(f);
  }
  return rc;
}

struct Outcome {
  std::vector<RunState::Choice> choices;
  double probability = 1;
  std::string out, err;
  int rc = 0;
};

}  // namespace

int ExploreTrace(const Args& args_in, size_t explore_index) {
  Args args = args_in;
  args.erase(args.begin() + static_cast<std::ptrdiff_t>(explore_index));
  // RULES from stdin: read it once, every branch loads the same text.
  std::string stdin_copy;
  for (std::string& a : args) {
    if (a != "-") continue;
    FILE* f = tmpfile();
    char buf[65536];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, stdin)) > 0) fwrite(buf, 1, n, f);
    if (!f || fflush(f) != 0) {
      fprintf(stderr, "iptsim trace: error: --explore cannot keep a copy of stdin\n");
      return kExitError;
    }
    a = "/proc/self/fd/" + std::to_string(fileno(f));  // kept open until exit
    break;
  }
  std::vector<Outcome> outcomes;
  ExploreBranch branch;
  for (;;) {
    if (outcomes.size() == kMaxTraces) {
      fprintf(stderr, "iptsim trace: error: --explore stops after %zu traces (too many random "
                      "decisions: decide some with --assume)\n", kMaxTraces);
      return kExitError;
    }
    Outcome o;
    branch.choices.clear();
    o.rc = Captured([&] { return TraceRun(args, &branch); }, &o.out, &o.err);
    o.choices = branch.choices;
    for (const RunState::Choice& c : o.choices) {
      double p = c.p31 / 2147483648.0;
      o.probability *= c.yes ? p : 1 - p;
    }
    outcomes.push_back(std::move(o));
    // The next branch: flip the last "yes" of this one, drop what follows.
    const auto& ch = outcomes.back().choices;
    size_t k = ch.size();
    while (k > 0 && !ch[k - 1].yes) --k;
    if (k == 0) break;
    branch.forced.clear();
    for (size_t i = 0; i + 1 < k; ++i) branch.forced.push_back(ch[i].yes);
    branch.forced.push_back(false);
  }
  // A run that failed before any random decision (bad usage, bad input):
  // its messages as they are, without an explore header.
  if (outcomes.size() == 1 && outcomes[0].choices.empty() && outcomes[0].rc != kExitOk) {
    fwrite(outcomes[0].out.data(), 1, outcomes[0].out.size(), stdout);
    fwrite(outcomes[0].err.data(), 1, outcomes[0].err.size(), stderr);
    return outcomes[0].rc;
  }
  bool json = false;
  for (size_t i = 0; i < args.size() && args[i].size() > 1 && args[i][0] == '-'; ++i)
    if (args[i] == "--format=json" || (args[i] == "--format" && i + 1 < args.size() &&
                                       args[i + 1] == "json"))
      json = true;
  int status = kExitOk;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const Outcome& o = outcomes[i];
    std::string decisions;
    for (const RunState::Choice& c : o.choices) {
      char b[64];
      snprintf(b, sizeof b, "%s%s(%.6f)", decisions.empty() ? "" : " ", c.yes ? "yes" : "no",
               c.p31 / 2147483648.0);
      decisions += b;
    }
    if (json)
      printf("{\"explore\":{\"trace\":%zu,\"of\":%zu,\"probability\":%.6f,\"decisions\":%zu}}\n",
             i + 1, outcomes.size(), o.probability, o.choices.size());
    else
      printf("# trace %zu of %zu, probability %.6f; random decisions: %s\n", i + 1,
             outcomes.size(), o.probability, decisions.empty() ? "none" : decisions.c_str());
    fwrite(o.out.data(), 1, o.out.size(), stdout);
    fflush(stdout);
    if (!o.err.empty()) {
      fprintf(stderr, "iptsim trace: (trace %zu of %zu)\n", i + 1, outcomes.size());
      fwrite(o.err.data(), 1, o.err.size(), stderr);
    }
    if (o.rc > status) status = o.rc;
  }
  return status;
}

}  // namespace iptsim::cli
