// iptsim test [--junit FILE] [-k PATTERN] [--update] [--allow-undecided] [-j N] SPEC...
// Reads every spec (loader/test_spec.h), loads the rulesets, host models
// and ipsets they name, binds each spec to each of its rulesets
// (loader/test_binding.h), runs the selected cases on all cores
// (output/test_runner.h: a fresh Simulator per case, the rulesets shared and
// only read) and prints the results in spec order (output/test_report.h).
// Exit status: 0 every case passed, 1 a case failed (or was undecided,
// unless --allow-undecided), 2 a spec, ruleset, host or ipset file is bad.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/options.h"
#include "engine/host.h"
#include "loader/host_file.h"
#include "loader/test_binding.h"
#include "loader/test_spec.h"
#include "output/test_report.h"
#include "output/test_runner.h"

namespace iptsim::cli {
namespace {

// One spec with what it needs to run.
struct LoadedSpec {
  TestSpec spec;
  std::string text;  // the YAML, for diagnostics
  HostModel host;
  IpsetDb ipsets;
  RunSettings settings;
  std::vector<const Ruleset*> rulesets;
  std::vector<std::vector<BoundCase>> cases;  // per ruleset
};

// One case against one ruleset.
struct Job {
  const LoadedSpec* spec;
  size_t ruleset;
  const BoundCase* c;
  GoldenText golden;
};

bool ReadWholeFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

// Reads, loads and binds one spec; false after printing its errors.
bool LoadSpec(const std::string& path, LoadedSpec* ls) {
  std::string_view text;
  std::shared_ptr<const void> owner = ReadInput(path, &text, "a test spec");
  if (!owner) return false;
  ls->text = std::string(text);
  DiagnosticSink diags;
  if (!ReadTestSpec(ls->text, path, &ls->spec, &diags)) {
    std::cerr << diags.Format();
    return false;
  }
  ls->settings.seed = ls->spec.seed;
  ls->settings.assumptions = ls->spec.assume;
  if (ls->spec.host) {
    DiagnosticSink host_diags;
    if (!LoadHostFile(ls->spec.host->text, &ls->host, &host_diags)) {
      std::cerr << host_diags.Format();
      return false;
    }
    ls->settings.host = &ls->host;
  }
  if (!ls->spec.ipsets.empty()) {
    std::vector<std::string> files;
    for (const SpecText& t : ls->spec.ipsets) files.push_back(t.text);
    if (!LoadIpsetFiles(files, &ls->ipsets)) return false;
    ls->settings.ipsets = &ls->ipsets;
  }
  static std::map<std::string, const LoadResult*> loaded;  // specs share rulesets
  bool ok = true;
  for (const SpecText& rules : ls->spec.rules) {
    const LoadResult*& r = loaded[rules.text];
    if (!r) r = LoadRulesFile(rules.text, std::nullopt);
    if (!r || !r->ok()) {
      if (!r)
        std::cerr << FormatDiagnostic(SpecDiagnostic(ls->text, path, rules.at,
                                                     "cannot read the ruleset " + rules.text));
      ok = false;
      continue;
    }
    ls->rulesets.push_back(&r->ruleset);
    ls->cases.emplace_back();
    if (!BindTestSpec(ls->spec, ls->text, r->ruleset, &ls->cases.back(), &diags)) ok = false;
  }
  if (diags.error_count()) std::cerr << diags.Format();
  return ok;
}

bool Selected(const std::vector<std::string>& patterns, const std::string& name) {
  if (patterns.empty()) return true;
  for (const std::string& p : patterns)
    if (name.find(p) != std::string::npos) return true;
  return false;
}

// Runs every job on `threads` threads; `print` gets each report in job
// order as soon as it and every one before it are done.
void RunJobs(const std::vector<Job>& jobs, unsigned threads, bool update,
             std::vector<CaseReport>* reports, const std::function<void(const CaseReport&)>& print) {
  reports->resize(jobs.size());
  std::vector<char> done(jobs.size(), 0);
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < jobs.size();) {
      const Job& j = jobs[i];
      CaseReport r;
      r.spec = j.spec->spec.file;
      r.name = j.c->spec->name;
      if (j.spec->rulesets.size() > 1) r.rules = j.spec->rulesets[j.ruleset]->file;
      for (const BoundPacket& p : j.c->packets) r.packets += (r.packets.empty() ? "" : "\n") + p.words;
      auto start = std::chrono::steady_clock::now();
      r.outcome = RunTestCase(*j.spec->rulesets[j.ruleset], j.spec->settings, *j.c,
                              j.c->spec->golden ? &j.golden : nullptr, update);
      r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::lock_guard<std::mutex> lock(mu);
      (*reports)[i] = std::move(r);
      done[i] = 1;
      cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(work);
  for (size_t i = 0; i < jobs.size(); ++i) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done[i] != 0; });
    lock.unlock();
    print((*reports)[i]);
  }
  for (std::thread& t : pool) t.join();
}

// --update: writes each golden file whose trace changed; a file two
// rulesets of one spec would write differently is a failure of the second.
void UpdateGoldenFiles(const std::vector<Job>& jobs, std::vector<CaseReport>* reports) {
  std::map<std::string, std::string> written;
  for (size_t i = 0; i < jobs.size(); ++i) {
    const Job& j = jobs[i];
    CaseReport& r = (*reports)[i];
    if (!j.c->spec->golden || r.outcome.status == CaseStatus::kUndecided) continue;
    const std::string& path = j.c->spec->golden->text;
    auto [it, fresh] = written.emplace(path, r.outcome.trace);
    if (!fresh) {
      if (it->second != r.outcome.trace) {
        r.outcome.failures.push_back("golden: " + path +
                                     ": this ruleset's trace differs from another's for the same "
                                     "file; give each ruleset its own case");
        r.outcome.status = CaseStatus::kFail;
      }
      continue;
    }
    if (j.golden.present && j.golden.text == r.outcome.trace) continue;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << r.outcome.trace;
    if (!out.flush()) {
      fprintf(stderr, "iptsim test: error: cannot write %s\n", path.c_str());
      r.outcome.failures.push_back("golden: cannot write " + path);
      r.outcome.status = CaseStatus::kFail;
      continue;
    }
    fprintf(stderr, "iptsim test: wrote %s\n", path.c_str());
  }
}

}  // namespace

int TestCommand(const CommandLine& cl) {
  std::vector<std::string> paths{cl.rules};
  for (const auto& group : cl.packet_groups)
    for (const std::string& w : group) {
      if (w.size() > 1 && w[0] == '-') {
        UsageError("test", "unknown option '" + w + "' (see iptsim help test)");
        return kExitError;
      }
      paths.push_back(w);
    }
  if (cl.packet_groups.size() > 1) {
    UsageError("test", "'--' is not a spec file");
    return kExitError;
  }
  std::vector<std::unique_ptr<LoadedSpec>> specs;
  bool ok = true;
  for (const std::string& p : paths) {
    specs.push_back(std::make_unique<LoadedSpec>());
    ok = LoadSpec(p, specs.back().get()) && ok;
  }
  if (!ok) return kExitError;
  std::vector<Job> jobs;
  for (const auto& ls : specs)
    for (size_t r = 0; r < ls->rulesets.size(); ++r)
      for (const BoundCase& c : ls->cases[r]) {
        if (!Selected(cl.test_select, c.spec->name)) continue;
        Job j{ls.get(), r, &c, {}};
        if (c.spec->golden) j.golden.present = ReadWholeFile(c.spec->golden->text, &j.golden.text);
        jobs.push_back(std::move(j));
      }
  if (jobs.empty()) {
    UsageError("test", cl.test_select.empty() ? "the specs hold no case"
                                              : "-k selects no case of the specs");
    return kExitError;
  }
  unsigned threads = cl.test_jobs ? static_cast<unsigned>(*cl.test_jobs)
                                  : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, jobs.size()));
  std::vector<CaseReport> reports;
  // Without --update every report is final as it comes; with it, golden
  // conflicts are only known at the end.
  RunJobs(jobs, threads, cl.test_update, &reports, [&](const CaseReport& r) {
    if (!cl.test_update) fputs(FormatCaseReport(r).c_str(), stdout), fflush(stdout);
  });
  if (cl.test_update) {
    UpdateGoldenFiles(jobs, &reports);
    for (const CaseReport& r : reports) fputs(FormatCaseReport(r).c_str(), stdout);
  }
  const TestCounts counts = CountOutcomes(reports);
  printf("%s\n", FormatCounts(counts).c_str());
  if (!cl.junit_file.empty()) {
    std::ofstream out(cl.junit_file, std::ios::binary | std::ios::trunc);
    out << JunitXml(reports);
    if (!out.flush()) {
      fprintf(stderr, "iptsim test: error: cannot write %s\n", cl.junit_file.c_str());
      return kExitError;
    }
  }
  if (counts.failed) return kExitDifferent;
  fflush(stdout);
  if (counts.undecided && !cl.allow_undecided) {
    fprintf(stderr,
            "iptsim test: %zu undecided case%s: the simulation could not tell what happens "
            "(see above); --allow-undecided lets them pass\n",
            counts.undecided, counts.undecided == 1 ? "" : "s");
    return kExitDifferent;
  }
  return kExitOk;
}

}  // namespace iptsim::cli
