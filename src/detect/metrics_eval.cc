#include "detect/metrics_eval.h"

#include <cstdio>
#include <map>
#include <sstream>

#include "core/stats.h"

namespace bulwark::detect {
namespace {

void Wilson(long long k, long long n, double* lo, double* hi) {
  const Interval i = WilsonInterval(k, n, 1.959963984540054);
  *lo = i.low;
  *hi = i.high;
}

nlohmann::json Opt(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::string Fmt(const std::optional<double>& v) {
  if (!v) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", *v);
  return buf;
}

struct Scored {
  const Example* ex;
  std::array<double, kNumClassLabels> p;
};

LabelEval Compute(const std::string& dataset, ClassLabel label, double threshold,
                  const std::vector<const Scored*>& rows) {
  std::vector<double> scores;
  std::vector<bool> gold;
  for (const Scored* s : rows) {
    scores.push_back(s->p[static_cast<size_t>(label)]);
    gold.push_back(s->ex->label == label);
  }
  LabelEval e;
  e.dataset = dataset;
  e.label = label;
  e.n = static_cast<long long>(rows.size());
  e.positives = std::count(gold.begin(), gold.end(), true);
  e.threshold = threshold;
  e.confusion = ConfusionAt(scores, gold, threshold);
  e.precision = Precision(e.confusion);
  e.recall = Recall(e.confusion);
  e.f1 = F1(e.confusion);
  e.auc = RocAuc(scores, gold);
  e.ece = ExpectedCalibrationError(scores, gold, 10);
  return e;
}

}  // namespace

EvalReport Evaluate(const Classifier& classifier, const std::vector<Example>& examples,
                    Split split) {
  Scorer scorer;
  scorer.version = classifier.manifest().model_version;
  scorer.score = [&](std::string_view text, std::array<double, kNumClassLabels>* p) {
    auto r = classifier.Predict(text);
    if (!r.ok()) return false;
    *p = r->probability;
    return true;
  };
  for (ClassLabel l : kAllClassLabels) {
    scorer.has_label[static_cast<size_t>(l)] = classifier.has_label(l);
    scorer.threshold[static_cast<size_t>(l)] = classifier.threshold(l);
  }
  return Evaluate(scorer, examples, split);
}

EvalReport Evaluate(const Scorer& scorer, const std::vector<Example>& examples, Split split) {
  EvalReport report;
  report.split = split;
  report.model_version = scorer.version;
  std::vector<Scored> scored;
  for (const Example& ex : examples) {
    if (ex.split != split) continue;
    Scored s{&ex, {}};
    if (!scorer.score(ex.text, &s.p)) {
      s.p.fill(1.0);  // unscorable counts against us, never as clean
    }
    scored.push_back(s);
  }
  std::vector<std::string> order;
  std::map<std::string, std::vector<const Scored*>> by_set;
  for (const Scored& s : scored) {
    auto& v = by_set[s.ex->dataset];
    if (v.empty()) order.push_back(s.ex->dataset);
    v.push_back(&s);
  }
  for (ClassLabel label : kAllClassLabels) {
    if (label == ClassLabel::kNone || !scorer.has_label[static_cast<size_t>(label)]) continue;
    const double t = scorer.threshold[static_cast<size_t>(label)];
    std::vector<const Scored*> pooled;
    int sets = 0;
    for (const std::string& name : order) {
      bool annotated = false;
      for (ClassLabel a : AnnotatedLabels(name)) annotated |= a == label;
      if (!annotated) continue;
      ++sets;
      report.labels.push_back(Compute(name, label, t, by_set[name]));
      pooled.insert(pooled.end(), by_set[name].begin(), by_set[name].end());
    }
    if (sets > 1) report.labels.push_back(Compute("all", label, t, pooled));
  }
  // Bias: hate false positives on non-hateful ("none") texts that mention a group.
  if (scorer.has_label[static_cast<size_t>(ClassLabel::kHate)]) {
    const double t = scorer.threshold[static_cast<size_t>(ClassLabel::kHate)];
    std::map<std::pair<std::string, int>, std::pair<long long, long long>> counts;  // n, fp
    for (const Scored& s : scored) {
      if (s.ex->label != ClassLabel::kNone) continue;
      const bool fp = s.p[static_cast<size_t>(ClassLabel::kHate)] >= t;
      ++report.overall_negatives;
      report.overall_false_positives += fp ? 1 : 0;
      for (TargetGroup g : s.ex->targets) {
        for (const std::string& set : {s.ex->dataset, std::string("all")}) {
          auto& c = counts[{set, static_cast<int>(g)}];
          ++c.first;
          c.second += fp ? 1 : 0;
        }
      }
    }
    std::vector<std::string> set_order = order;
    set_order.push_back("all");
    for (const std::string& set : set_order) {
      for (TargetGroup g : kAllTargetGroups) {
        auto it = counts.find({set, static_cast<int>(g)});
        if (it == counts.end()) continue;
        BiasEval b;
        b.dataset = set;
        b.group = g;
        b.n = it->second.first;
        b.false_positives = it->second.second;
        b.fpr = FalsePositiveRate(Confusion{0, b.false_positives, b.n - b.false_positives, 0});
        Wilson(b.false_positives, b.n, &b.fpr_low, &b.fpr_high);
        report.bias.push_back(b);
      }
    }
  }
  return report;
}

nlohmann::json EvalReport::ToJson() const {
  nlohmann::json j;
  j["model_version"] = model_version;
  j["split"] = SplitName(split);
  j["labels"] = nlohmann::json::array();
  for (const LabelEval& e : labels) {
    j["labels"].push_back({{"dataset", e.dataset},
                           {"label", ClassLabelName(e.label)},
                           {"n", e.n},
                           {"positives", e.positives},
                           {"threshold", e.threshold},
                           {"tp", e.confusion.tp},
                           {"fp", e.confusion.fp},
                           {"tn", e.confusion.tn},
                           {"fn", e.confusion.fn},
                           {"precision", Opt(e.precision)},
                           {"recall", Opt(e.recall)},
                           {"f1", Opt(e.f1)},
                           {"roc_auc", Opt(e.auc)},
                           {"ece_10_bins", Opt(e.ece)}});
  }
  j["overall_negatives"] = overall_negatives;
  j["overall_false_positives"] = overall_false_positives;
  j["bias"] = nlohmann::json::array();
  for (const BiasEval& b : bias) {
    j["bias"].push_back({{"dataset", b.dataset},
                         {"group", TargetGroupName(b.group)},
                         {"n", b.n},
                         {"false_positives", b.false_positives},
                         {"fpr", Opt(b.fpr)},
                         {"fpr_95_low", b.fpr_low},
                         {"fpr_95_high", b.fpr_high}});
  }
  return j;
}

std::string EvalReport::ToTable() const {
  std::ostringstream out;
  out << "model " << model_version << " — " << SplitName(split) << " splits\n\n";
  out << "| data set | label | n | positives | threshold | precision | recall | F1 | ROC-AUC | ECE "
         "|\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const LabelEval& e : labels) {
    out << "| " << e.dataset << " | " << ClassLabelName(e.label) << " | " << e.n << " | "
        << e.positives << " | " << Fmt(e.threshold) << " | " << Fmt(e.precision) << " | "
        << Fmt(e.recall) << " | " << Fmt(e.f1) << " | " << Fmt(e.auc) << " | " << Fmt(e.ece)
        << " |\n";
  }
  out << "\nBias check: hate false-positive rate on non-hateful texts mentioning each "
         "group\n\n";
  out << "| data set | group | n | false positives | FPR | 95% interval |\n"
         "|---|---|---:|---:|---:|---|\n";
  for (const BiasEval& b : bias) {
    out << "| " << b.dataset << " | " << TargetGroupName(b.group) << " | " << b.n << " | "
        << b.false_positives << " | " << Fmt(b.fpr) << " | " << Fmt(b.fpr_low) << "–"
        << Fmt(b.fpr_high) << " |\n";
  }
  if (overall_negatives > 0) {
    const double overall =
        static_cast<double>(overall_false_positives) / static_cast<double>(overall_negatives);
    out << "\nOverall hate false-positive rate on every non-hateful text: " << Fmt(overall) << " ("
        << overall_false_positives << " of " << overall_negatives
        << "); groups with n >= 30 in the pooled rows above 2x this rate: ";
    int over = 0;
    for (const BiasEval& b : bias) {
      if (b.dataset == "all" && b.n >= 30 && b.fpr && *b.fpr > 2 * overall) {
        out << (over++ ? ", " : "") << TargetGroupName(b.group) << " (" << Fmt(b.fpr) << ")";
      }
    }
    out << (over ? "" : "none") << "\n";
  }
  return out.str();
}

}  // namespace bulwark::detect
