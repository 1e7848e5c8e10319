#include "detect/detector.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include "text/language.h"

namespace bulwark::detect {

std::string_view CoverageOf(std::string_view language, bool reliable, std::string_view text) {
  bool covered = false;
  for (std::string_view c : kCoveredLanguages) covered |= language == c;
  if (covered && reliable) return "full";
  if (!covered && language != "und") return "none";
  // Undetermined, or a covered language CLD2 is unsure of (it falls back to English on short
  // or mixed texts): decide by the script of the letters.
  size_t ascii = 0, other = 0;
  for (size_t i = 0; i < text.size() && i < text::kLanguageMaxBytes; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      ++ascii;
    } else if (c >= 0xC0 && c != 0xF0) {  // a lead byte, not a 4-byte (emoji) one
      ++other;
    }
  }
  return other * 10 <= ascii + other ? "full" : "none";
}

namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxMatchedBytes = 256;

uint32_t TargetMask(const std::vector<TargetGroup>& targets) {
  uint32_t m = 0;
  for (TargetGroup g : targets) m |= 1u << static_cast<unsigned>(g);
  return m;
}

std::vector<TargetGroup> MaskTargets(uint32_t mask) {
  std::vector<TargetGroup> out;
  for (TargetGroup g : kAllTargetGroups) {
    if (mask & (1u << static_cast<unsigned>(g))) out.push_back(g);
  }
  return out;
}

std::string Excerpt(std::string_view text, uint32_t b, uint32_t e) {
  b = std::min<uint32_t>(b, static_cast<uint32_t>(text.size()));
  e = std::clamp<uint32_t>(e, b, static_cast<uint32_t>(text.size()));
  if (e - b > kMaxMatchedBytes) {
    e = b + kMaxMatchedBytes;
    while (e > b && (static_cast<unsigned char>(text[e]) & 0xC0) == 0x80) --e;
  }
  return std::string(text.substr(b, e - b));
}

Result<std::string> ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return NotFound("cannot open " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The classifier bundle to use, or an empty path when there is none.
fs::path FindModelDir(const DetectorConfig& c) {
  if (!c.model_dir.empty()) return c.model_dir;
  std::error_code ec;
  fs::path models = c.data_dir / "models";
  if (fs::exists(models / kManifestFileName, ec)) return models;
  if (!fs::is_directory(models, ec)) return {};
  std::vector<fs::path> subs;
  for (const auto& d : fs::directory_iterator(models, ec)) {
    if (d.is_directory(ec) && fs::exists(d.path() / kManifestFileName, ec))
      subs.push_back(d.path());
  }
  std::sort(subs.begin(), subs.end());
  return subs.empty() ? fs::path() : subs.front();
}

// The classifier label that stands for a category (only hate and health misinformation today).
std::optional<ClassLabel> LabelFor(Category c) {
  for (ClassLabel l : kAllClassLabels) {
    if (CategoryOf(l) == c) return l;
  }
  return std::nullopt;
}

}  // namespace

Result<std::shared_ptr<const Detector>> Detector::Load(const DetectorConfig& config) {
  text::NormalizerOptions nopts;
  nopts.max_input_bytes = config.max_input_bytes;
  BULWARK_ASSIGN_OR_RETURN(auto normalizer_owned, text::Normalizer::Create(nopts));
  std::shared_ptr<const text::Normalizer> normalizer(std::move(normalizer_owned));

  fs::path lexicon_dir =
      config.lexicon_dir.empty() ? config.data_dir / "lexicon" : config.lexicon_dir;
  LexiconOptions lopts;
  lopts.cache_dir = config.lexicon_cache_dir;
  BULWARK_ASSIGN_OR_RETURN(auto lexicon, Lexicon::Load(lexicon_dir.string(), normalizer, lopts));

  std::shared_ptr<const ClaimMatcher> claims;
  if (config.enable_claims) {
    fs::path claims_file = config.claims_file.empty()
                               ? config.data_dir / "claims" / "known_false_claims.jsonl"
                               : config.claims_file;
    BULWARK_ASSIGN_OR_RETURN(claims, ClaimMatcher::Load(claims_file.string(), *normalizer));
  }

  std::shared_ptr<const Classifier> classifier;
  if (config.enable_classifier) {
    fs::path model_dir = FindModelDir(config);
    if (model_dir.empty()) {
      if (config.require_model) {
        return NotFound("no classifier bundle under " + (config.data_dir / "models").string());
      }
    } else {
      BULWARK_ASSIGN_OR_RETURN(classifier, Classifier::Load(model_dir));
    }
  }

  std::shared_ptr<const AttackAnalyzer> attack;
  if (config.enable_attack) {
    fs::path attack_dir =
        config.attack_dir.empty() ? config.data_dir / "attack" : config.attack_dir;
    std::error_code ec;
    if (!config.attack_dir.empty() || fs::is_directory(attack_dir, ec)) {
      BULWARK_ASSIGN_OR_RETURN(attack, AttackAnalyzer::Load(attack_dir.string()));
    }
  }

  EnsembleParams params = EnsembleParams::Default();
  if (!config.ensemble_file.empty()) {
    BULWARK_ASSIGN_OR_RETURN(std::string content, ReadFile(config.ensemble_file));
    auto j = nlohmann::json::parse(content, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      return InvalidArgument(config.ensemble_file.string() + ": not valid JSON");
    }
    auto parsed = EnsembleParams::FromJson(j);
    if (!parsed.ok()) {
      return Status(parsed.status().code(), config.ensemble_file.string() + ": " +
                                                parsed.status().field() + ": " +
                                                parsed.status().message());
    }
    params = std::move(parsed).value();
  }

  auto d = Create(config, std::move(normalizer), std::move(lexicon), std::move(claims),
                  std::move(classifier), std::move(params), std::move(attack));
  if (!d.ok()) return d.status();
  // Record where things came from (Create() leaves these empty).
  auto* mut = const_cast<Detector*>(d->get());  // still private to this function
  if (mut->classifier_) mut->model_source_ = FindModelDir(config).string();
  if (auto release = ReadFile(lexicon_dir / "VERSION"); release.ok()) {
    std::string r = *release;
    while (!r.empty() && (r.back() == '\n' || r.back() == '\r' || r.back() == ' ')) r.pop_back();
    if (!r.empty()) mut->lexicon_version_ = r + "+" + mut->lexicon_->version().substr(0, 16);
  }
  return d;
}

Result<std::shared_ptr<const Detector>> Detector::Create(
    const DetectorConfig& config, std::shared_ptr<const text::Normalizer> normalizer,
    std::shared_ptr<const Lexicon> lexicon, std::shared_ptr<const ClaimMatcher> claims,
    std::shared_ptr<const Classifier> classifier, EnsembleParams params,
    std::shared_ptr<const AttackAnalyzer> attack) {
  if (!normalizer || !lexicon) return InvalidArgument("a detector needs a normalizer and lexicon");
  std::shared_ptr<Detector> d(new Detector());
  d->config_ = config;
  d->normalizer_ = std::move(normalizer);
  d->lexicon_ = std::move(lexicon);
  d->claims_ = config.enable_claims ? std::move(claims) : nullptr;
  d->classifier_ = config.enable_classifier ? std::move(classifier) : nullptr;
  d->params_ = std::move(params);
  d->attack_ = config.enable_attack ? std::move(attack) : nullptr;
  d->attack_version_ =
      d->attack_ ? "attack-" + d->attack_->version() : (config.enable_attack ? "none" : "disabled");
  d->detector_version_ = std::string(kDetectorVersion) + "/" + d->params_.version;
  for (Category c : kAllCategories) {
    const auto& t = config.thresholds[static_cast<size_t>(c)];
    if (!t) continue;
    if (!(*t > 0.0 && *t < 1.0)) {
      return InvalidArgument("threshold must be in (0, 1)",
                             "thresholds." + std::string(CategoryName(c)));
    }
    d->params_.weights[static_cast<size_t>(c)].threshold = *t;
  }
  d->lexicon_version_ = config.enable_lexicon ? d->lexicon_->version() : "disabled";
  d->claims_version_ =
      d->claims_ ? d->claims_->version() : (config.enable_claims ? "none" : "disabled");
  if (d->classifier_) {
    d->model_version_ = d->classifier_->manifest().model_version;
    // When the classifier prepares text exactly as our normaliser does, hand it the normalised
    // text instead of normalising every post twice. Checked on probes covering case folding,
    // look-alikes, leetspeak, emoji, apostrophes and fastText's label prefix.
    bool same = true;
    for (std::string_view probe :
         {"Hello, WORLD!! k1ll __label__x", "\xD0\x9Cuslims are v\xD0\xB5rmin \xF0\x9F\x90\x80",
          "isn't it   k i l l\tme\n", "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC 1488 (((x)))"}) {
      if (d->classifier_->input().Prepare(probe) != d->normalizer_->Normalize(probe).text) {
        same = false;
        break;
      }
    }
    d->classifier_takes_normalized_ = same;
  } else {
    d->model_version_ = config.enable_classifier ? "none" : "disabled";
  }
  return std::shared_ptr<const Detector>(std::move(d));
}

Verdict Detector::Classify(std::string_view text, DetectorScratch* scratch) const {
  Verdict v;
  Classify(text, scratch, &v);
  return v;
}

Verdict Detector::Classify(std::string_view text) const {
  DetectorScratch scratch;
  return Classify(text, &scratch);
}

void Detector::Classify(std::string_view text, DetectorScratch* s, Verdict* v) const {
  // Reset field by field so that vectors and strings keep their capacity across calls.
  v->categories = {};
  v->targets.clear();
  v->evidence.clear();
  v->context = kCtxNone;
  v->profanity = v->truncated = v->invalid_utf8 = v->needs_review = false;
  v->offensive = 0.0;
  v->complete = true;
  v->issues.clear();
  v->input_bytes = text.size();
  v->detector_version.assign(detector_version_);
  v->lexicon_version.assign(lexicon_version_);
  v->model_version.assign(model_version_);
  v->claims_version.assign(claims_version_);
  v->attack_version.assign(attack_version_);
  if (config_.enable_language) {
    const text::LanguageGuess g = text::IdentifyLanguage(text);
    v->language.assign(g.code);
    v->coverage.assign(CoverageOf(g.code, g.reliable, text));
  } else {
    v->language.assign("und");
    v->coverage.assign("full");
  }
  Score(text, s, v);
  v->needs_review = !v->complete || v->truncated;
}

void Detector::Score(std::string_view text, DetectorScratch* s, Verdict* v) const {
  normalizer_->Normalize(text, &s->norm);
  const text::NormalizedText& norm = s->norm;
  v->truncated = norm.truncated;
  v->invalid_utf8 = norm.had_invalid_utf8;
  if (norm.truncated) {
    v->issues.push_back("input: longer than " + std::to_string(config_.max_input_bytes) +
                        " bytes; only the first part was examined");
  }

  s->hits.clear();
  if (config_.enable_lexicon) {
    Status st = lexicon_->Match(norm, &s->lexicon, &s->hits);
    if (!st.ok()) {
      v->complete = false;
      v->issues.push_back("lexicon: " + st.message());
    }
  }
  s->claim_matches.clear();
  if (claims_) {
    claims_->Match(norm, config_.min_claim_containment, &s->claims, &s->claim_matches);
  }

  const auto& entries = lexicon_->entries();
  bool any_categorised = false;
  for (const auto& h : s->hits) any_categorised |= entries[h.entry].category.has_value();

  std::array<double, kNumCategories> lex{}, claim{}, clf{}, attack{};
  std::array<double, kNumCategories> attack_weight{};  // context weight of the strongest attack
  std::array<double, kNumCategories> max_weight{};     // weight of the strongest evidence
  std::array<uint32_t, kNumCategories> cat_targets{};
  uint32_t mentioned = 0;
  uint32_t context_union = 0;

  const bool analyse = any_categorised || !s->claim_matches.empty();
  if (analyse) context_.Analyze(text, norm, *lexicon_, s->hits, &s->context);
  s->hit_tokens.clear();
  s->group_refs.clear();
  if (analyse) {
    for (size_t j = 0; j < s->hits.size(); ++j) {
      s->hit_tokens.push_back(ContextAnalyzer::TokensOf(norm, s->hits[j]));
      const LexiconEntry& g = entries[s->hits[j].entry];
      if (!g.targets.empty() && (g.kind == "identity" || g.kind == "slur")) {
        s->group_refs.push_back(static_cast<uint32_t>(j));
      }
    }
  }

  // Target-aware attacks (detect/attack.h). They run before the lexicon evidence is weighed:
  // a lexicon hit inside an attack that reads as counter-speech or a report takes the
  // attack's discount, so both detectors agree on the context.
  s->attack.findings.clear();
  if (attack_) {
    s->slur_refs.clear();
    for (const LexiconHit& h : s->hits) {
      const LexiconEntry& e = entries[h.entry];
      // Severity-1 slurs are ambiguous words ("bitch", "redneck", "psycho"): mostly insults
      // of one person or ordinary words, so they do not stand for a protected group here.
      if (e.kind != "slur" || e.targets.empty() || e.severity < 2) continue;
      HitTokens ht = ContextAnalyzer::TokensOf(norm, h);
      s->slur_refs.push_back(ExternalRef{ht.begin, ht.end, TargetMask(e.targets)});
    }
    attack_->Analyze(text, norm, s->slur_refs, &s->attack);
    if (s->attack.truncated) {
      v->complete = false;
      v->issues.push_back("attack: more than " + std::to_string(kMaxAtoms) +
                          " vocabulary matches; only the first were composed");
    }
  }

  auto add_score = [&](Category c, double score, double weight, uint32_t targets) {
    size_t i = static_cast<size_t>(c);
    if (score > lex[i]) {
      lex[i] = score;
      max_weight[i] = weight;
    } else if (score == lex[i]) {
      max_weight[i] = std::max(max_weight[i], weight);
    }
    cat_targets[i] |= targets;
  };

  for (size_t i = 0; i < s->hits.size(); ++i) {
    const LexiconHit& h = s->hits[i];
    const LexiconEntry& e = entries[h.entry];
    Evidence ev;
    ev.detector = "lexicon";
    ev.orig_begin = h.orig_begin;
    ev.orig_end = h.orig_end;
    ev.matched = Excerpt(text, h.orig_begin, h.orig_end);
    ev.entry_id = e.id;
    ev.kind = e.kind;
    ev.severity = e.severity;
    ev.targets = e.targets;
    if (!e.category) {
      ev.category = "none";
      ev.score = 0;
      if (e.kind == "profanity") v->profanity = true;
      mentioned |= TargetMask(e.targets);
      v->evidence.push_back(std::move(ev));
      continue;
    }
    const Category cat = *e.category;
    ev.category = std::string(CategoryName(cat));
    uint32_t own_targets = TargetMask(e.targets);
    mentioned |= own_targets;

    // Group references near the hit: identity terms and targeted slurs in the same sentence.
    const HitTokens ht = s->hit_tokens[i];
    uint32_t group_mask = 0;     // identity terms and targeted slurs nearby
    uint32_t identity_mask = 0;  // identity terms only
    bool subject = false;        // a group reference ends right before the hit ("X are ...")
    const uint32_t sent = s->context.sentence.empty() ? 0 : s->context.sentence[ht.begin];
    for (uint32_t j : s->group_refs) {
      if (j == i) continue;
      const LexiconEntry& g = entries[s->hits[j].entry];
      const HitTokens gt = s->hit_tokens[j];
      if (s->context.sentence[gt.begin] != sent) continue;
      uint32_t dist =
          gt.begin >= ht.end ? gt.begin - ht.end : (ht.begin >= gt.end ? ht.begin - gt.end : 0);
      if (dist > ContextAnalyzer::kGroupWindow) continue;
      group_mask |= TargetMask(g.targets);
      if (g.kind == "identity") identity_mask |= TargetMask(g.targets);
      if (gt.end <= ht.begin && ht.begin - gt.end <= 1) subject = true;
    }
    uint32_t flags = context_.Flags(norm, e, h, ht, group_mask != 0, s->context);
    double w = ContextAnalyzer::Weight(flags);
    for (const AttackFinding& f : s->attack.findings) {
      const uint32_t fb = std::min(f.ref_begin, f.pred_begin);
      const uint32_t fe = std::max(f.ref_end, f.pred_end);
      // Quotation, condemnation and reports only: negation has its own rule per hit ("no X
      // allowed" negates nothing in the slur X).
      const uint32_t cf =
          f.context & (kCtxQuoted | kCtxCounterSpeech | kCtxReported | kCtxEndorsed);
      const double cw = AttackContextWeight(cf);
      if (ht.begin < fe && fb < ht.end && cw < w) {
        flags |= cf;
        w = cw;
      }
    }
    ev.context = flags;
    ev.weight = w;
    // A dehumanising predicate ("are vermin", "should be deported") whose subject is a group
    // reference is the precise form of the attack: one step up the severity scale.
    int severity = e.severity;
    if (e.kind == "dehumanizing" && e.token_count >= 2 && subject) {
      severity = std::min(4, severity + 1);
    }
    ev.score = severity * w;
    context_union |= flags;
    uint32_t targets = own_targets;
    if (cat == Category::kHate) targets |= group_mask;
    add_score(cat, ev.score, w, targets);
    // A threat or extremism entry that targets a group, or co-occurs with an identity term,
    // is also hate against that group (data/lexicon/README.md, "Combining entries").
    if ((cat == Category::kThreat || cat == Category::kExtremism) && !(flags & kCtxObjectTarget) &&
        (own_targets | identity_mask) != 0) {
      add_score(Category::kHate, ev.score, w, own_targets | identity_mask);
    }
    if (targets != own_targets) ev.targets = MaskTargets(targets);
    v->evidence.push_back(std::move(ev));
  }

  for (const ClaimMatch& m : s->claim_matches) {
    const Claim& c = claims_->claims()[m.claim];
    uint32_t flags = context_.SpanFlags(m.first_token, m.end_token, s->context);
    double w = ContextAnalyzer::Weight(flags);
    size_t ci = static_cast<size_t>(c.category);
    claim[ci] = std::max(claim[ci], m.containment * w);
    context_union |= flags;
    Evidence ev;
    ev.detector = "claims";
    ev.category = std::string(CategoryName(c.category));
    ev.orig_begin = m.orig_begin;
    ev.orig_end = m.orig_end;
    ev.matched = Excerpt(text, m.orig_begin, m.orig_end);
    ev.entry_id = c.id;
    ev.kind = "claim";
    ev.weight = w;
    ev.score = m.containment;
    ev.context = flags;
    if (c.category == Category::kMisinfoHolocaustDenial) ev.targets = {TargetGroup::kJewish};
    cat_targets[ci] |= TargetMask(ev.targets);
    v->evidence.push_back(std::move(ev));
  }

  if (attack_) {
    for (const AttackFinding& f : s->attack.findings) {
      const double score = f.severity * f.weight;
      auto add_attack = [&](Category c, uint32_t targets) {
        size_t ci = static_cast<size_t>(c);
        if (score > attack[ci]) {
          attack[ci] = score;
          attack_weight[ci] = f.weight;
        }
        cat_targets[ci] |= targets;
      };
      std::optional<Category> cat;
      if (f.target == AttackTarget::kGroup) {
        cat = Category::kHate;
        add_attack(Category::kHate, f.groups);
      } else if (f.target == AttackTarget::kAddressee && !f.threat &&
                 f.kind != AttackKind::kExclusion && f.kind != AttackKind::kElimination &&
                 f.kind != AttackKind::kStereotype) {
        // A threat to the addressee is a threat, not also harassment.
        cat = Category::kHarassment;
        add_attack(Category::kHarassment, 0);
      }
      if (f.threat) {
        if (!cat) cat = Category::kThreat;
        add_attack(Category::kThreat, f.target == AttackTarget::kGroup ? f.groups : 0);
      }
      mentioned |= f.groups;
      context_union |= f.context;
      if (!cat) continue;
      Evidence ev;
      ev.detector = "attack";
      ev.category = std::string(CategoryName(*cat));
      ev.orig_begin = f.orig_begin;
      ev.orig_end = f.orig_end;
      ev.matched = Excerpt(text, f.orig_begin, f.orig_end);
      ev.entry_id = "attack." + std::string(AttackKindName(f.kind));
      ev.kind = f.fuzzy ? "attack_fuzzy" : "attack";
      ev.severity = f.severity;
      ev.weight = f.weight;
      ev.score = score;
      ev.context = f.context;
      ev.targets = MaskTargets(f.groups);
      v->evidence.push_back(std::move(ev));
    }
  }

  if (classifier_) {
    auto r = classifier_takes_normalized_ ? classifier_->PredictPrepared(norm.text)
                                          : classifier_->Predict(text);
    if (!r.ok()) {
      v->complete = false;
      v->issues.push_back("classifier: " + r.status().message());
    } else {
      for (Category c : {Category::kHate, Category::kMisinfoHealth}) {
        auto label = LabelFor(c);
        if (!label || !classifier_->has_label(*label)) continue;
        size_t ci = static_cast<size_t>(c);
        double p = r->Probability(*label);
        double t = classifier_->threshold(*label);
        // Negative evidence from the model is capped at -2: a bag-of-words model is confidently
        // "clean" on evasion spellings and rare slurs it never saw, which must not veto a
        // severity-4 lexicon match (docs/detection.md).
        double x = std::clamp(Logit(p) - Logit(t), -2.0, 6.0);
        // fastText's bag of words cannot see negation or quotation: when the lexicon evidence
        // for this category was discounted by the context rules, discount the model alike.
        if (x > 0 && lex[ci] > 0) x *= std::min(1.0, max_weight[ci]);
        if (x > 0 && attack[ci] > 0 && attack[ci] >= lex[ci]) {
          x *= std::min(1.0, attack_weight[ci]);
        }
        clf[ci] = x;
        if (p >= t) {
          Evidence ev;
          ev.detector = "classifier";
          ev.category = std::string(CategoryName(c));
          ev.entry_id = std::string(ClassLabelName(*label));
          ev.kind = "model";
          ev.score = p;
          ev.weight = x > 0 ? x / std::max(1e-9, std::clamp(Logit(p) - Logit(t), -2.0, 6.0)) : 1;
          v->evidence.push_back(std::move(ev));
        }
      }
      if (classifier_->has_label(ClassLabel::kOffensive)) {
        v->offensive = r->Probability(ClassLabel::kOffensive);
      }
      if (classifier_->has_label(ClassLabel::kOffensive) &&
          r->Probability(ClassLabel::kOffensive) >=
              classifier_->threshold(ClassLabel::kOffensive)) {
        Evidence ev;
        ev.detector = "classifier";
        ev.category = "none";
        ev.entry_id = "offensive";
        ev.kind = "model";
        ev.score = r->Probability(ClassLabel::kOffensive);
        v->evidence.push_back(std::move(ev));
      }
    }
  }

  uint32_t flagged_targets = 0;
  bool any = false;
  for (Category c : kAllCategories) {
    size_t ci = static_cast<size_t>(c);
    // The attack feature adds what the lexicon does not already say: a slur or a dehumanising
    // phrase is often both a lexicon hit and part of an attack, and must not count twice. The
    // overlap is the lexicon severity in attack units (kLexiconInAttackUnits, the hand-set
    // weights' ratio), so that with those weights the rules add up to max(w_lex * lexicon,
    // w_attack * attack): a weaker lexicon hit inside a stronger attack ("X are disgusting":
    // severity 2 in the lexicon, a severity-3 attack) does not score lower than the attack alone.
    // A fixed ratio, not the loaded weights': the feature must not change with the weights that
    // are fitted on it (bulwark ensemble-fit).
    constexpr double kLexiconInAttackUnits = 2.0 / 2.5;
    EnsembleFeatures f{lex[ci], clf[ci], claim[ci],
                       std::max(0.0, attack[ci] - kLexiconInAttackUnits * lex[ci])};
    v->categories[ci] = Combine(params_.of(c), f);
    if (v->categories[ci].label) {
      any = true;
      flagged_targets |= cat_targets[ci];
    }
  }
  v->targets = MaskTargets(any ? flagged_targets : mentioned);
  v->context = context_union;
}

nlohmann::json Detector::VersionReport() const {
  nlohmann::json thresholds = nlohmann::json::object();
  for (Category c : kAllCategories) thresholds[std::string(CategoryName(c))] = threshold(c);
  nlohmann::json model = {{"version", model_version_}};
  if (classifier_) {
    const auto& m = classifier_->manifest();
    nlohmann::json labels = nlohmann::json::array();
    for (ClassLabel l : m.labels) labels.push_back(std::string(ClassLabelName(l)));
    model["source"] = model_source_;
    model["labels"] = std::move(labels);
    model["preprocessor"] = m.preprocessor;
    model["manifest"] = m.ToJson();
    model["input_shared_with_lexicon"] = classifier_takes_normalized_;
    model["engine"] = std::string(classifier_->engine());  // "linear" or "fasttext"
    if (!classifier_->engine_note().empty()) model["engine_note"] = classifier_->engine_note();
  }
  nlohmann::json attack = {{"version", attack_version_}};
  if (attack_) {
    attack["terms"] = attack_->num_terms();
    attack["fuzzy_exceptions"] = attack_->num_fuzzy_exceptions();
  }
  nlohmann::json claims = {{"version", claims_version_}};
  if (claims_) {
    claims["claims"] = claims_->claims().size();
    claims["texts"] = claims_->num_texts();
    claims["method"] = "token-bigram shingle containment, inverted index";
    claims["min_containment"] = config_.min_claim_containment;
  }
  return {{"detector", std::string(kDetectorVersion)},
          {"verdict_format_version", kVerdictFormatVersion},
          {"lexicon",
           {{"version", lexicon_version_},
            {"content_hash", lexicon_->version()},
            {"entries", lexicon_->entries().size()},
            {"from_cache", lexicon_->loaded_from_cache()}}},
          {"model", std::move(model)},
          {"claims", std::move(claims)},
          {"attack", std::move(attack)},
          {"ensemble", params_.ToJson()},
          {"thresholds", std::move(thresholds)},
          {"languages",
           {{"identification", config_.enable_language ? "CLD2" : "disabled"},
            {"covered", std::vector<std::string>(std::begin(kCoveredLanguages),
                                                 std::end(kCoveredLanguages))}}},
          {"limits", {{"max_input_bytes", config_.max_input_bytes}}}};
}

std::unique_ptr<DetectorScratch> DetectorScratchPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      auto s = std::move(free_.back());
      free_.pop_back();
      return s;
    }
  }
  return std::make_unique<DetectorScratch>();
}

void DetectorScratchPool::Release(std::unique_ptr<DetectorScratch> scratch) {
  if (!scratch) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (free_.size() < max_free_) free_.push_back(std::move(scratch));
}

Status DetectorHandle::Reload() {
  auto d = Detector::Load(config_);
  if (!d.ok()) return d.status();
  Set(std::move(d).value());
  return Status::Ok();
}

std::shared_ptr<const Detector> DetectorHandle::Get() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

void DetectorHandle::Set(std::shared_ptr<const Detector> detector) {
  std::shared_ptr<const Detector> old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    old = std::move(current_);
    current_ = std::move(detector);
  }
  // `old` is released here, outside the lock (its destructor may be slow).
}

}  // namespace bulwark::detect
