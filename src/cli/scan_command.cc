// `bulwark scan` (JSONL in -> JSONL verdicts out, multi-threaded, no server) and
// `bulwark version --detectors` (model / lexicon / claims / ensemble versions and thresholds).

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "detect/detector.h"
#include "detect/ensemble_fit.h"
#include "detect/functional.h"
#include "detect/training.h"

namespace bulwark::cli {

void AddScanCommand(CLI::App& app);
void AddVersionCommand(CLI::App& app);
void AddEnsembleCommand(CLI::App& app);

namespace {

struct DetectorFlags {
  std::string data_dir = "data";
  std::string model_dir;
  std::string ensemble_file;
  std::string lexicon_cache = ".bulwark-cache";
  bool no_classifier = false;
  bool no_claims = false;
  size_t max_bytes = 1 << 20;

  void Add(CLI::App* cmd) {
    cmd->add_option("--data-dir", data_dir, "Data directory holding lexicon/, claims/, models/")
        ->capture_default_str();
    cmd->add_option("--model", model_dir,
                    "Classifier bundle directory (default: discovered under DATA/models)");
    cmd->add_option("--ensemble", ensemble_file, "Ensemble weights JSON (default: built-in)");
    cmd->add_option("--cache-dir", lexicon_cache,
                    "Directory to cache the compiled lexicon database in (trusted)")
        ->capture_default_str();
    cmd->add_flag("--no-classifier", no_classifier, "Do not load the fastText classifier");
    cmd->add_flag("--no-claims", no_claims, "Do not run known-claim matching");
    cmd->add_option("--max-bytes", max_bytes,
                    "Texts longer than this are truncated and flagged needs_review")
        ->capture_default_str()
        ->check(CLI::Range(size_t{1}, size_t{1} << 30));
  }

  detect::DetectorConfig Config() const {
    detect::DetectorConfig c;
    c.data_dir = data_dir;
    c.model_dir = model_dir;
    c.ensemble_file = ensemble_file;
    c.lexicon_cache_dir = lexicon_cache;
    c.enable_classifier = !no_classifier;
    c.enable_claims = !no_claims;
    c.max_input_bytes = max_bytes;
    return c;
  }
};

struct ScanOptions {
  DetectorFlags detector;
  std::string in = "-";
  std::string out = "-";
  int threads = 0;
  std::string text_field = "text";
  std::string id_field = "id";
  size_t batch = 4096;
  bool quiet = false;
  bool compact = false;
};

nlohmann::json ErrorRecord(size_t line, const nlohmann::json& id, const Status& s) {
  nlohmann::json j = {{"line", line},
                      {"error",
                       {{"code", std::string(CodeName(s.code()))},
                        {"message", s.message()},
                        {"field", s.field()}}}};
  if (!id.is_null()) j["id"] = id;
  return j;
}

// Per-thread input parser: simdjson's DOM parser validates the whole line (so a line with a
// malformed tail is an error, as with a full parser) at several times nlohmann's speed.
struct LineParser {
  simdjson::dom::parser parser;
};

// Scans one input line into one output line. Never throws.
std::string ScanLine(const detect::Detector& d, const ScanOptions& o, std::string_view line,
                     size_t line_no, LineParser* lp, detect::DetectorScratch* scratch,
                     detect::Verdict* v, bool* error, bool* flagged) {
  *error = false;
  *flagged = false;
  simdjson::dom::element doc;
  simdjson::dom::object obj;
  if (lp->parser.parse(line.data(), line.size()).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(obj) != simdjson::SUCCESS) {
    *error = true;
    return ErrorRecord(line_no, nlohmann::json(), InvalidArgument("line is not a JSON object"))
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  // The id is copied through as the JSON it was (compact), whatever its type.
  std::string id_json;
  simdjson::dom::element id;
  if (obj.at_key(o.id_field).get(id) == simdjson::SUCCESS) id_json = simdjson::minify(id);
  std::string_view text;
  simdjson::dom::element t;
  if (obj.at_key(o.text_field).get(t) != simdjson::SUCCESS ||
      t.get_string().get(text) != simdjson::SUCCESS) {
    *error = true;
    nlohmann::json idj =
        id_json.empty() ? nlohmann::json() : nlohmann::json::parse(id_json, nullptr, false);
    return ErrorRecord(line_no, idj, InvalidArgument("must be a string", o.text_field))
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  d.Classify(text, scratch, v);
  *flagged = v->any_flagged();
  if (o.compact) {
    // Evidence of category "none" (identity terms, profanity) only explains targets.
    std::erase_if(v->evidence, [](const detect::Evidence& e) { return e.category == "none"; });
  }
  std::string extra = "\"line\":" + std::to_string(line_no);
  if (!id_json.empty()) {
    extra += ",\"id\":";
    extra += id_json;
  }
  std::string line_out;
  line_out.reserve(2048);
  detect::AppendVerdictJson(*v, extra, &line_out);
  return line_out;
}

void RunScan(const ScanOptions& o) {
  auto loaded = detect::Detector::Load(o.detector.Config());
  if (!loaded.ok()) Fail(loaded.status());
  std::shared_ptr<const detect::Detector> det = std::move(loaded).value();

  std::ifstream fin;
  std::istream* in = &std::cin;
  if (o.in != "-") {
    fin.open(o.in, std::ios::binary);
    if (!fin) Fail(NotFound("cannot open " + o.in));
    in = &fin;
  }
  std::ofstream fout;
  std::ostream* out = &std::cout;
  if (o.out != "-") {
    fout.open(o.out, std::ios::binary | std::ios::trunc);
    if (!fout) Fail(InvalidArgument("cannot write " + o.out, "--out"));
    out = &fout;
  }
  std::ios::sync_with_stdio(false);

  int threads = o.threads > 0 ? o.threads
                              : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::unique_ptr<detect::DetectorScratch>> scratch;
  std::vector<std::unique_ptr<LineParser>> parsers;
  for (int i = 0; i < threads; ++i) parsers.push_back(std::make_unique<LineParser>());
  std::vector<detect::Verdict> verdicts(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) scratch.push_back(std::make_unique<detect::DetectorScratch>());

  const bool progress = !o.quiet && isatty(STDERR_FILENO);
  auto start = std::chrono::steady_clock::now();
  auto last = start;
  size_t line_no = 0, scanned = 0, errors = 0, flagged = 0;
  std::vector<std::string> lines, results;
  std::vector<size_t> line_nos;
  std::vector<char> err, flag;
  std::string line;
  bool eof = false;
  while (!eof) {
    lines.clear();
    line_nos.clear();
    while (lines.size() < o.batch) {
      if (!std::getline(*in, line)) {
        eof = true;
        break;
      }
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      lines.push_back(std::move(line));
      line_nos.push_back(line_no);
    }
    if (lines.empty()) break;
    results.assign(lines.size(), std::string());
    err.assign(lines.size(), 0);
    flag.assign(lines.size(), 0);
    std::atomic<size_t> next{0};
    auto work = [&](int k) {
      for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < lines.size();) {
        bool e = false, f = false;
        results[i] = ScanLine(*det, o, lines[i], line_nos[i], parsers[static_cast<size_t>(k)].get(),
                              scratch[static_cast<size_t>(k)].get(),
                              &verdicts[static_cast<size_t>(k)], &e, &f);
        err[i] = e;
        flag[i] = f;
      }
    };
    if (threads == 1) {
      work(0);
    } else {
      std::vector<std::thread> pool;
      for (int k = 0; k < threads; ++k) pool.emplace_back(work, k);
      for (auto& t : pool) t.join();
    }
    for (size_t i = 0; i < results.size(); ++i) {
      *out << results[i] << '\n';
      errors += err[i];
      flagged += flag[i];
    }
    scanned += lines.size();
    auto now = std::chrono::steady_clock::now();
    if (progress && now - last > std::chrono::milliseconds(500)) {
      double secs = std::chrono::duration<double>(now - start).count();
      std::fprintf(stderr, "\rscanned %zu texts, %zu flagged, %zu errors, %.0f texts/s", scanned,
                   flagged, errors, secs > 0 ? scanned / secs : 0.0);
      last = now;
    }
  }
  out->flush();
  if (!*out) Fail(Internal("writing the output failed"));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!o.quiet) {
    std::fprintf(stderr,
                 "%sscanned %zu texts (%zu flagged, %zu errors) in %.2f s: %.0f texts/s on "
                 "%d threads\n",
                 progress ? "\r" : "", scanned, flagged, errors, secs,
                 secs > 0 ? scanned / secs : 0.0, threads);
  }
  if (errors > 0) {
    Fail(InvalidArgument(std::to_string(errors) +
                         " input lines could not be scanned (see their \"error\" records)"),
         2);
  }
}

}  // namespace

void AddScanCommand(CLI::App& app) {
  auto opts = std::make_shared<ScanOptions>();
  CLI::App* cmd = app.add_subcommand(
      "scan",
      "Classify texts: JSONL in (one {\"id\":..,\"text\":..} object per line), JSONL verdicts out\n"
      "(per-category probability and label, targets, evidence spans, context flags, versions;\n"
      "format in docs/detection.md). Multi-threaded, no server. Progress and a summary go to\n"
      "stderr. A line that is not a JSON object with a string text gets an {\"error\":..} record\n"
      "and the exit status is 2.\n"
      "Example: bulwark scan --in posts.jsonl --out verdicts.jsonl --threads 4");
  cmd->add_option("--in", opts->in, "Input JSONL file ('-' for stdin)")->capture_default_str();
  cmd->add_option("--out", opts->out, "Output JSONL file ('-' for stdout)")->capture_default_str();
  cmd->add_option("--threads", opts->threads, "Worker threads (0: one per CPU)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--text-field", opts->text_field, "Input field holding the text")
      ->capture_default_str();
  cmd->add_option("--id-field", opts->id_field, "Input field echoed as \"id\"")
      ->capture_default_str();
  cmd->add_option("--batch", opts->batch, "Lines read per batch")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1} << 20));
  cmd->add_flag("--compact", opts->compact,
                "Leave identity-term and profanity evidence out of the output");
  cmd->add_flag("-q,--quiet", opts->quiet, "No progress or summary on stderr");
  opts->detector.Add(cmd);
  cmd->callback([opts] { RunScan(*opts); });
}

void AddVersionCommand(CLI::App& app) {
  auto flags = std::make_shared<DetectorFlags>();
  auto detectors = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "version",
      "Print the version; with --detectors, load the detectors and print the model, lexicon,\n"
      "known-claims and ensemble versions, thresholds and limits as JSON.\n"
      "Example: bulwark version --detectors --data-dir data");
  cmd->add_flag("--detectors", *detectors, "Report the detectors' versions (loads them)");
  flags->Add(cmd);
  cmd->callback([flags, detectors] {
    if (!*detectors) {
      std::printf("bulwark 0.1.0 (%s, verdict format %d)\n",
                  std::string(detect::kDetectorVersion).c_str(), detect::kVerdictFormatVersion);
      return;
    }
    auto d = detect::Detector::Load(flags->Config());
    if (!d.ok()) Fail(d.status());
    std::printf("%s\n", (*d)->VersionReport()
                            .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                            .c_str());
  });
}

void AddEnsembleCommand(CLI::App& app) {
  struct Opts {
    DetectorFlags detector;
    std::string datasets_dir = "../shared/data";
    std::vector<std::string> datasets;
    std::string out;
    std::string functional;
    double l2 = 1.0;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand(
      "ensemble-fit",
      "Fit the ensemble's logistic weights on the VALIDATION split of the labelled data sets\n"
      "(the same seeded, de-duplicated splits as `bulwark train`) and report validation and\n"
      "held-out test metrics for the current and the fitted weights. Writes the fitted weights\n"
      "as JSON for `bulwark scan --ensemble FILE`. Needs a classifier bundle.\n"
      "Example: bulwark ensemble-fit --datasets-dir ../shared/data --out ensemble.json");
  cmd->add_option("--datasets-dir", o->datasets_dir, "Folder holding the data sets")
      ->capture_default_str();
  cmd->add_option("--datasets", o->datasets, "Data sets to use (default: all)")->delimiter(',');
  cmd->add_option("--out", o->out, "Write the fitted weights here")->required();
  cmd->add_option("--functional", o->functional,
                  "Also fit on this functional suite's TRAIN templates (tests/functional) and "
                  "report its TEST templates");
  cmd->add_option("--l2", o->l2, "L2 penalty towards the current weights")
      ->capture_default_str()
      ->check(CLI::Range(1e-6, 1e6));
  o->detector.Add(cmd);
  cmd->callback([o] {
    auto d = detect::Detector::Load(o->detector.Config());
    if (!d.ok()) Fail(d.status());
    if (!(*d)->classifier()) {
      Fail(FailedPrecondition("ensemble-fit needs a classifier bundle (see --model)"));
    }
    std::vector<std::string> names = o->datasets.empty() ? detect::AllDatasetNames() : o->datasets;
    auto examples = detect::LoadSplitDeduplicated(o->datasets_dir, names,
                                                  (*d)->classifier()->input(), {}, nullptr);
    if (!examples.ok()) Fail(examples.status());
    std::vector<detect::FunctionalCase> functional;
    if (!o->functional.empty()) {
      auto cases = detect::LoadFunctionalSuite(o->functional);
      if (!cases.ok()) Fail(cases.status());
      functional = std::move(*cases);
    }
    auto fit = detect::FitEnsemble(**d, *examples, o->l2, functional);
    if (!fit.ok()) Fail(fit.status());
    nlohmann::json params = fit->params.ToJson();
    params["fit"] = fit->summary;
    params["fit"]["datasets"] = names;
    params["fit"]["model"] = (*d)->model_version();
    params["fit"]["lexicon"] = (*d)->lexicon_version();
    if (!o->functional.empty()) params["fit"]["functional"] = o->functional;
    std::ofstream f(o->out, std::ios::binary | std::ios::trunc);
    f << params.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    if (!f) Fail(Internal("cannot write " + o->out));
    std::printf("%s\n", fit->summary.dump(2).c_str());
  });
}

}  // namespace bulwark::cli
