#pragma once

// The demo's authored inputs, loaded and validated: post templates (data/demo/templates/*.txt),
// their word lists (data/demo/vocabulary.json, plus slots filled from the lexicon and the known
// false claims so that the real detectors have real cues to find), and the shape of the platform
// (data/demo/platform.json: groups, public figures, advertisers, topic mixes, rates).
// Formats: docs/demo.md.
//
// A DemoData is immutable after LoadDemoData() and may be shared between threads.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/events.h"
#include "core/status.h"

namespace bulwark::demo {

// Content classes a template may declare: the benign ones below, or a taxonomy category name
// ("hate", "misinformation.voting", ...), which marks the template as violating.
inline constexpr const char* kBenignClasses[] = {
    "benign",             // everyday content
    "news",               // reporting, including about hate and misinformation
    "identity_positive",  // mentions of identity groups in positive statements
    "counter_speech",     // condemning or debunking hate and false claims, often quoting them
    "quotation",          // reporting what someone else said
    "reclaimed",          // in-group use of reclaimed terms
    "profanity",          // strong language that is not hate
};
// True if `cls` is a taxonomy category (a violating class).
bool IsViolatingClass(const std::string& cls);
bool IsKnownClass(const std::string& cls);

// A template's text, split into literal pieces and slots (an index into DemoData::lists).
struct TemplatePiece {
  std::string literal;
  int list = -1;  // >= 0: a slot filled with one entry of lists[list]
};

struct Template {
  std::string source;  // "everyday.txt:12"
  std::string topic;
  std::string content_class;
  std::vector<ItemKind> kinds;  // kinds it may be used for (post, comment, message, user_profile)
  double weight = 1;
  std::vector<TemplatePiece> pieces;
};

// Topic name -> relative weight (ordered by name, so iteration is deterministic).
using TopicMix = std::map<std::string, double>;

struct GroupSpec {
  std::string id, name;
  Visibility visibility = Visibility::kPublic;
  std::string theme;        // what the group is about ("cooking", "antisemitism", "militia", ...)
  bool harmful = false;     // built around hate, violence or misinformation
  double size = 0;          // members as a share of all accounts
  double activity = 0;      // relative share of group posts
  std::string description;  // its group profile text
  TopicMix topics;
};

struct PublicFigureSpec {
  std::string id, name;
  TopicMix topics;
};

struct AdvertiserSpec {
  std::string id, name;
  double share = 0;               // relative share of impressions
  std::int64_t price_micros = 0;  // per impression (the CPM / 1000), in USD micros
  std::vector<std::string> ads;   // ad creative texts
};

// Rates from platform.json "parameters" (meanings in docs/demo.md).
struct DemoParameters {
  int days = 30;
  double comment_share = 0.38;
  double message_share = 0.03;
  double group_post_share = 0.5;
  double public_figure_post_share = 0.012;
  double abusive_account_share = 0.04;
  double abusive_author_share = 0.75;
  double bio_share = 0.6;
  double abusive_bio_hate_share = 0.35;
  double impressions_per_post = 0.5;
  double false_report_rate = 0.012;
  double borderline_report_rate = 0.08;
};

struct DemoData {
  std::vector<Template> templates;
  std::vector<std::vector<std::string>> lists;  // slot word lists
  std::vector<std::string> list_names;          // "dish", "claim:health", "slur:jewish", ...
  DemoParameters params;
  TopicMix feed, comment, message;  // "parent" in `comment`: the parent post's topic
  std::vector<GroupSpec> groups;
  std::vector<PublicFigureSpec> public_figures;
  std::vector<AdvertiserSpec> advertisers;
  std::map<std::string, std::vector<std::string>> report_comments;  // by report reason name
};

// Loads data_dir/demo/ (templates/, vocabulary.json, platform.json), filling {claim:SUBTYPE}
// slots from data_dir/claims/known_false_claims.jsonl and {slur:TARGET} / {identity:TARGET}
// slots from data_dir/lexicon/. Checks that every topic a mix names has templates of the kinds it
// is drawn for. NotFound for a missing file; InvalidArgument naming "file:line" or the JSON field
// for anything malformed.
Result<DemoData> LoadDemoData(const std::filesystem::path& data_dir);

}  // namespace bulwark::demo
