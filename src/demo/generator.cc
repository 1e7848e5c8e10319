#include "demo/generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <utility>

namespace bulwark::demo {
namespace {

constexpr UnixMillis kSecond = 1000;
constexpr UnixMillis kMinute = 60 * kSecond;
constexpr UnixMillis kHour = 60 * kMinute;
constexpr UnixMillis kDay = 24 * kHour;

std::string Id(const char* prefix, int n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%06d", prefix, n);
  return buf;
}

// Templates by (topic, kind), each with a picker by template weight. Messages may also use
// comment templates (both are conversational).
class TemplateIndex {
 public:
  explicit TemplateIndex(const DemoData& data) {
    for (size_t i = 0; i < data.templates.size(); ++i) {
      const Template& t = data.templates[i];
      for (ItemKind k : kAllItemKinds) {
        bool fits = false;
        for (ItemKind tk : t.kinds) {
          fits = fits || tk == k || (k == ItemKind::kMessage && tk == ItemKind::kComment);
        }
        if (!fits) continue;
        Entry& e = index_[{t.topic, k}];
        e.templates.push_back(static_cast<int>(i));
        e.picker.Add(t.weight);
      }
    }
  }
  // -1 if the topic has no template of that kind.
  int Pick(const std::string& topic, ItemKind kind, Rng& rng) const {
    auto it = index_.find({topic, kind});
    if (it == index_.end()) return -1;
    return it->second.templates[it->second.picker.Pick(rng)];
  }

 private:
  struct Entry {
    std::vector<int> templates;
    WeightedPicker picker;
  };
  std::map<std::pair<std::string, ItemKind>, Entry> index_;
};

class MixPicker {
 public:
  MixPicker() = default;
  explicit MixPicker(const TopicMix& mix) {
    for (const auto& [topic, w] : mix) {
      topics_.push_back(topic);
      picker_.Add(w);
    }
  }
  const std::string& Pick(Rng& rng) const { return topics_[picker_.Pick(rng)]; }

 private:
  std::vector<std::string> topics_;
  WeightedPicker picker_;
};

// Where an item lives, for views and reports.
struct Context {
  int group = -1;  // index into Platform::groups
  bool is_private = false;
  bool by_figure = false;
  std::string topic;
};

class Generator {
 public:
  Generator(const DemoData& data, const GenerateOptions& o)
      : data_(data), o_(o), rng_(o.seed), templates_(data) {}

  Platform Run() {
    p_.end = o_.now;
    p_.start = o_.now - data_.params.days * kDay;
    MakeAccounts();
    MakeGroups();
    MakeProfiles();
    MakeAds();
    MakePostsCommentsMessages();
    MakeViews();
    MakeReports();
    MakeImpressions();
    SortAndNumber();
    MakeMemberships();
    return std::move(p_);
  }

  // ---- memberships --------------------------------------------------------------------------

  // Every member joined once: most before the period, the rest during it (harmful groups grow
  // faster: half their members join during the period); a few leave during it. A separate
  // random stream, so adding memberships changed no other event.
  void MakeMemberships() {
    Rng rng(o_.seed ^ 0x6d656d6265727321ULL);
    const UnixMillis span = p_.end - p_.start;
    int n = 0;
    for (size_t gi = 0; gi < p_.groups.size(); ++gi) {
      const GeneratedGroup& g = p_.groups[gi];
      const double during = g.spec->harmful ? 0.5 : 0.15;
      for (int member : members_[gi]) {
        const std::string& account = ids_[member];
        UnixMillis joined;
        if (account == g.owner_id) {
          joined = g.created_at;
        } else if (rng.Chance(during)) {
          joined = p_.start + static_cast<UnixMillis>(rng.Uniform() * static_cast<double>(span));
        } else {
          joined = g.created_at + static_cast<UnixMillis>(
                                      rng.Uniform() * static_cast<double>(p_.start - g.created_at));
        }
        char id[48];
        std::snprintf(id, sizeof id, "m-%06d", ++n);
        p_.memberships.push_back({id, g.spec->id, account, MembershipAction::kJoin, joined});
        if (account != g.owner_id && rng.Chance(0.05)) {
          const UnixMillis from = std::max(joined, p_.start);
          const UnixMillis left =
              from +
              static_cast<UnixMillis>(rng.Uniform() * static_cast<double>(p_.end - 1 - from));
          std::snprintf(id, sizeof id, "m-%06d", ++n);
          p_.memberships.push_back({id, g.spec->id, account, MembershipAction::kLeave, left});
        }
      }
    }
    std::stable_sort(
        p_.memberships.begin(), p_.memberships.end(),
        [](const MembershipEvent& a, const MembershipEvent& b) { return a.at < b.at; });
  }

 private:
  // ---- accounts ---------------------------------------------------------------------------

  void MakeAccounts() {
    const int n = o_.accounts;
    const int figures = std::min<int>(static_cast<int>(data_.public_figures.size()), n / 10);
    p_.accounts = n;
    p_.public_figures = figures;
    ids_.resize(n);
    is_figure_.assign(n, false);
    is_abusive_.assign(n, false);
    for (int i = 0; i < figures; ++i) {
      ids_[i] = data_.public_figures[i].id;
      is_figure_[i] = true;
    }
    for (int i = figures; i < n; ++i) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "u-%05d", i - figures + 1);
      ids_[i] = buf;
    }
    // Activity is Zipf-like over a random ranking: a few accounts post a lot, most rarely.
    std::vector<int> rank(n);
    std::iota(rank.begin(), rank.end(), 1);
    Shuffle(rank);
    activity_.resize(n);
    for (int i = 0; i < n; ++i) activity_[i] = 1.0 / std::pow(rank[i], 0.9);
    for (int i = figures; i < n; ++i) regular_.push_back(i);
    for (int i : regular_) regular_picker_.Add(activity_[i]);

    std::vector<int> pool = regular_;
    Shuffle(pool);
    const int abusive = std::max(
        1, static_cast<int>(std::lround(data_.params.abusive_account_share * regular_.size())));
    for (int i = 0; i < abusive; ++i) {
      abusive_.push_back(pool[i]);
      is_abusive_[pool[i]] = true;
    }
    std::sort(abusive_.begin(), abusive_.end());
    for (int i : abusive_) abusive_picker_.Add(activity_[i]);
    p_.abusive_accounts = abusive;
    for (int i : abusive_) p_.abusive_account_ids.push_back(ids_[i]);
    std::sort(p_.abusive_account_ids.begin(), p_.abusive_account_ids.end());
  }

  int AnyRegular() { return regular_[regular_picker_.Pick(rng_)]; }
  int AnyAbusive() { return abusive_[abusive_picker_.Pick(rng_)]; }

  // ---- groups -------------------------------------------------------------------------------

  void MakeGroups() {
    const int regulars = static_cast<int>(regular_.size());
    for (const GroupSpec& spec : data_.groups) {
      GeneratedGroup g;
      g.spec = &spec;
      int m = std::clamp(static_cast<int>(std::lround(spec.size * regulars)), 5, regulars);
      std::vector<int> members;
      if (spec.harmful) {
        // Built around hate or conspiracies: mostly the accounts that write abuse.
        std::vector<int> a = abusive_;
        Shuffle(a);
        const int from_abusive = std::min<int>(static_cast<int>(a.size()), (m * 7 + 9) / 10);
        members.assign(a.begin(), a.begin() + from_abusive);
      }
      std::vector<int> pool = regular_;
      Shuffle(pool);
      for (int i : pool) {
        if (static_cast<int>(members.size()) >= m) break;
        if (!spec.harmful || !is_abusive_[i]) members.push_back(i);
      }
      g.members = static_cast<int>(members.size());
      WeightedPicker picker;
      for (int i : members) picker.Add(activity_[i]);
      members_.push_back(std::move(members));
      member_pickers_.push_back(std::move(picker));

      const int gi = static_cast<int>(p_.groups.size());
      const std::vector<int>& ms = members_.back();
      g.owner_id = ids_[ms.front()];  // its first member founded it
      for (size_t k = 1; k < ms.size() && k <= 2; ++k) g.admin_ids.push_back(ids_[ms[k]]);
      Context ctx{gi, IsMembersOnly(spec.visibility), false, ""};
      // The group's profile: what POST /v1/groups stores as its profile item (name and
      // description), under the id it gets there.
      GeneratedItem item;
      item.item.id = GroupProfileItemId(spec.id);
      item.item.kind = ItemKind::kGroupProfile;
      item.item.author_id = g.owner_id;
      item.item.text = spec.name + "\n" + spec.description;
      item.item.created_at = p_.start - (30 + static_cast<UnixMillis>(rng_.Uniform() * 700)) * kDay;
      g.created_at = item.item.created_at;
      p_.groups.push_back(g);
      item.content_class = "group_description";
      item.violating = spec.harmful;
      Add(std::move(item), ctx);
    }
  }

  int Member(int group) { return members_[group][member_pickers_[group].Pick(rng_)]; }

  // ---- profiles and ads -------------------------------------------------------------------

  void MakeProfiles() {
    for (int i = 0; i < o_.accounts; ++i) {
      std::string topic;
      if (is_figure_[i]) {
        topic = "figure_bio";
      } else if (is_abusive_[i] && rng_.Chance(data_.params.abusive_bio_hate_share)) {
        topic = "bio_hate";
      } else if (rng_.Chance(data_.params.bio_share)) {
        topic = "bio";
      }
      GeneratedItem item;
      item.item.id = "profile-" + ids_[i];
      item.item.kind = ItemKind::kUserProfile;
      item.item.author_id = ids_[i];
      item.item.author_is_public_figure = is_figure_[i];
      // Accounts joined before the period; a profile without a bio is sent with empty text.
      item.item.created_at =
          p_.start - kDay - static_cast<UnixMillis>(std::min(rng_.Exponential(300), 2000.0) * kDay);
      item.content_class = "benign";
      if (!topic.empty()) {
        int t = templates_.Pick(topic, ItemKind::kUserProfile, rng_);
        item.template_index = t;
        item.item.text = Expand(data_, data_.templates[t], rng_);
        item.content_class = data_.templates[t].content_class;
        item.violating = IsViolatingClass(item.content_class);
      }
      Add(std::move(item), Context{-1, false, is_figure_[i], topic});
    }
  }

  void MakeAds() {
    for (const AdvertiserSpec& a : data_.advertisers) {
      for (size_t k = 0; k < a.ads.size(); ++k) {
        GeneratedItem item;
        item.item.id = "ad-" + a.id + "-" + std::to_string(k + 1);
        item.item.kind = ItemKind::kAdCreative;
        item.item.author_id = a.id;
        item.item.text = a.ads[k];
        item.item.created_at = p_.start - (1 + static_cast<UnixMillis>(rng_.Uniform() * 20)) * kDay;
        item.content_class = "ad";
        ad_ids_.push_back(item.item.id);
        Add(std::move(item), Context{});
      }
    }
  }

  // ---- posts, comments, messages ----------------------------------------------------------

  // A time in [from, to) with fewer posts at night (UTC, for simplicity).
  UnixMillis DiurnalTime(UnixMillis from, UnixMillis to) {
    for (;;) {
      UnixMillis t =
          from + static_cast<UnixMillis>(rng_.Uniform() * static_cast<double>(to - from));
      double hour = static_cast<double>(t % kDay) / kHour;
      double s = std::sin(3.14159265358979 * (hour - 4.0) / 24.0);
      if (rng_.Chance(0.25 + 0.75 * s * s)) return t;
    }
  }

  // Creates an item from a template of `topic` (falling back to the generic replies) by `author`.
  GeneratedItem FromTemplate(const std::string& topic, ItemKind kind, int* template_out) {
    int t = templates_.Pick(topic, kind, rng_);
    if (t < 0) t = templates_.Pick("reply", kind, rng_);
    *template_out = t;
    GeneratedItem item;
    item.item.kind = kind;
    item.template_index = t;
    item.item.text = Expand(data_, data_.templates[t], rng_);
    item.content_class = data_.templates[t].content_class;
    item.violating = IsViolatingClass(item.content_class);
    return item;
  }

  void SetAuthor(GeneratedItem* item, int account) {
    item->item.author_id = ids_[account];
    item->item.author_is_public_figure = is_figure_[account];
  }

  // An author for content outside a group: violating content mostly comes from the abusive
  // accounts.
  int FeedAuthor(bool violating) {
    if (violating && rng_.Chance(data_.params.abusive_author_share)) return AnyAbusive();
    return AnyRegular();
  }

  void SetGroup(GeneratedItem* item, int group) {
    if (group < 0) return;
    item->item.group_id = p_.groups[group].spec->id;
    item->item.group_visibility = p_.groups[group].spec->visibility;
  }

  void MakePostsCommentsMessages() {
    const DemoParameters& q = data_.params;
    const int total = o_.posts;
    const int messages = static_cast<int>(std::lround(total * q.message_share));
    const int comments = static_cast<int>(std::lround(total * q.comment_share));
    const int posts = total - messages - comments;
    const int figure_posts = p_.public_figures > 0
                                 ? static_cast<int>(std::lround(posts * q.public_figure_post_share))
                                 : 0;
    const int group_posts =
        static_cast<int>(std::lround((posts - figure_posts) * q.group_post_share));
    const int feed_posts = posts - figure_posts - group_posts;

    WeightedPicker group_picker;
    for (const GeneratedGroup& g : p_.groups) group_picker.Add(g.spec->activity);
    std::vector<MixPicker> group_mix;
    for (const GeneratedGroup& g : p_.groups) group_mix.emplace_back(g.spec->topics);
    std::vector<MixPicker> figure_mix;
    for (int f = 0; f < p_.public_figures; ++f) {
      figure_mix.emplace_back(data_.public_figures[f].topics);
    }
    const MixPicker feed_mix(data_.feed), comment_mix(data_.comment), message_mix(data_.message);
    const UnixMillis last = p_.end - 10 * kMinute;

    int next_post = 1;
    auto make_post = [&](int group, int figure) {
      std::string topic = figure >= 0  ? figure_mix[figure].Pick(rng_)
                          : group >= 0 ? group_mix[group].Pick(rng_)
                                       : feed_mix.Pick(rng_);
      int t;
      GeneratedItem item = FromTemplate(topic, ItemKind::kPost, &t);
      item.item.id = Id("p-", next_post++);
      item.item.created_at = DiurnalTime(p_.start, last);
      int author;
      if (figure >= 0) {
        author = figure;
      } else if (group >= 0) {
        author =
            item.violating && !p_.groups[group].spec->harmful && rng_.Chance(q.abusive_author_share)
                ? AnyAbusive()
                : Member(group);
      } else {
        author = FeedAuthor(item.violating);
      }
      SetAuthor(&item, author);
      SetGroup(&item, group);
      Context ctx{group, group >= 0 && IsMembersOnly(p_.groups[group].spec->visibility),
                  figure >= 0, topic};
      posts_.push_back(static_cast<int>(p_.items.size()));
      Add(std::move(item), ctx);
    };
    for (int i = 0; i < figure_posts; ++i) make_post(-1, i % p_.public_figures);
    for (int i = 0; i < group_posts; ++i) make_post(static_cast<int>(group_picker.Pick(rng_)), -1);
    for (int i = 0; i < feed_posts; ++i) make_post(-1, -1);

    // Comments go to popular posts more often (engagement follows reach).
    for (int i : posts_) total_views_[i] = PostViews(i);
    WeightedPicker parent_picker;
    for (int i : posts_) parent_picker.Add(std::pow(1.0 + total_views_[i], 0.6));
    for (int c = 1; c <= comments; ++c) {
      const int parent = posts_[parent_picker.Pick(rng_)];
      const Context pctx = contexts_[parent];
      std::string topic = comment_mix.Pick(rng_);
      if (topic == "parent") topic = pctx.topic;
      int t;
      GeneratedItem item = FromTemplate(topic, ItemKind::kComment, &t);
      item.item.id = Id("c-", c);
      item.item.parent_id = p_.items[parent].item.id;
      const UnixMillis pt = p_.items[parent].item.created_at;
      UnixMillis when = pt + kSecond + static_cast<UnixMillis>(rng_.Exponential(3.0 * kHour));
      if (when >= p_.end - kSecond) {
        when = pt + kSecond + static_cast<UnixMillis>(rng_.Uniform() * (p_.end - 2 * kSecond - pt));
      }
      item.item.created_at = when;
      int author;
      if (pctx.group >= 0) {
        author = item.violating && !p_.groups[pctx.group].spec->harmful &&
                         rng_.Chance(q.abusive_author_share)
                     ? AnyAbusive()
                     : Member(pctx.group);
      } else {
        author = FeedAuthor(item.violating);
      }
      SetAuthor(&item, author);
      SetGroup(&item, pctx.group);
      Add(std::move(item), Context{pctx.group, pctx.is_private, false, topic});
    }

    for (int m = 1; m <= messages; ++m) {
      const std::string& topic = message_mix.Pick(rng_);
      int t;
      GeneratedItem item = FromTemplate(topic, ItemKind::kMessage, &t);
      item.item.id = Id("m-", m);
      item.item.created_at = DiurnalTime(p_.start, last);
      SetAuthor(&item, FeedAuthor(item.violating));
      Add(std::move(item), Context{-1, true, false, topic});
    }
  }

  // ---- views --------------------------------------------------------------------------------

  std::int64_t PostViews(int i) {
    const Context& c = contexts_[i];
    double v = rng_.Pareto(25, 1.15);
    if (c.by_figure) v *= 25;
    if (c.is_private) v *= 0.35;
    if (p_.items[i].violating) v *= 1.6;  // outrage travels
    return static_cast<std::int64_t>(std::min(v, 5e6));
  }

  std::int64_t OtherViews(int i) {
    const GeneratedItem& g = p_.items[i];
    const Context& c = contexts_[i];
    switch (g.item.kind) {
      case ItemKind::kComment:
        return static_cast<std::int64_t>(
            std::min(rng_.Pareto(4, 1.35) * (c.is_private ? 0.35 : 1.0), 2e5));
      case ItemKind::kMessage:
        return 1 + static_cast<std::int64_t>(rng_.Below(2));
      case ItemKind::kUserProfile:
        return static_cast<std::int64_t>(
            std::min(rng_.Pareto(3, 1.4) * (c.by_figure ? 200.0 : 1.0), 1e6));
      case ItemKind::kGroupProfile:
        return static_cast<std::int64_t>(p_.groups[c.group].members * (2 + rng_.Uniform() * 6));
      default:
        return 0;  // ad creatives are counted as impressions, not views
    }
  }

  std::string Surface(const Context& c, ItemKind kind) {
    switch (kind) {
      case ItemKind::kMessage:
        return "inbox";
      case ItemKind::kUserProfile:
      case ItemKind::kGroupProfile:
        return "profile";
      default:
        break;
    }
    if (c.group >= 0) return rng_.Chance(0.8) ? "group" : "feed";
    return rng_.Chance(0.9) ? "feed" : "search";
  }

  void MakeViews() {
    for (size_t i = 0; i < p_.items.size(); ++i) {
      if (total_views_[i] < 0) total_views_[i] = OtherViews(static_cast<int>(i));
    }
    for (size_t i = 0; i < p_.items.size(); ++i) {
      const std::int64_t v = total_views_[i];
      if (v <= 0) continue;
      const Item& item = p_.items[i].item;
      // Items created before the period were seen before it too: only their views in the
      // period are sent, spread over it.
      const UnixMillis from = std::max(item.created_at, p_.start);
      // The tail of a post's views, hours and days after it was posted, comes through the
      // platform's recommendations rather than followers' feeds (no random draw: the other
      // figures do not change with it).
      auto emit = [&](std::int64_t count, UnixMillis delay, bool tail = false) {
        const UnixMillis at = from + kSecond + delay;
        if (count <= 0 || at >= p_.end) return;  // not seen yet
        ViewEvent e;
        e.item_id = item.id;
        e.count = count;
        e.viewed_at = at;
        e.surface = Surface(contexts_[i], item.kind);
        if (tail && e.surface == "feed") e.surface = "recommendation";
        p_.views.push_back(std::move(e));
      };
      if (item.created_at < p_.start) {
        emit(v, static_cast<UnixMillis>(rng_.Uniform() * (p_.end - p_.start - kHour)));
      } else if (v < 12) {
        emit(v, static_cast<UnixMillis>(rng_.Exponential(40.0 * kMinute)));
      } else {
        // A burst right after posting, a tail over the next day, a trickle over days.
        const std::int64_t a = std::llround(v * 0.6), b = std::llround(v * 0.3);
        emit(a, static_cast<UnixMillis>(rng_.Exponential(30.0 * kMinute)));
        emit(b, static_cast<UnixMillis>(rng_.Exponential(8.0 * kHour)), true);
        emit(v - a - b, static_cast<UnixMillis>(rng_.Exponential(3.0 * kDay)), true);
      }
    }
  }

  // ---- reports ------------------------------------------------------------------------------

  static double ViolationReportRate(const std::string& cls) {
    if (cls == "harassment") return 0.6;
    if (cls == "threat") return 0.5;
    if (cls == "hate") return 0.35;
    if (cls == "extremism") return 0.25;
    return 0.12;  // misinformation: few people report what they believe
  }

  static std::string ReasonFor(const std::string& cls) {
    if (cls.rfind("misinformation.", 0) == 0) return "misinformation";
    return cls;
  }

  void MakeReports() {
    const DemoParameters& q = data_.params;
    for (size_t i = 0; i < p_.items.size(); ++i) {
      const GeneratedItem& g = p_.items[i];
      const Context& c = contexts_[i];
      if (g.item.kind == ItemKind::kAdCreative || g.item.text.empty()) continue;
      const double reach = std::log1p(static_cast<double>(total_views_[i]));
      const std::string& cls = g.content_class;
      double lambda;
      if (g.violating) {
        lambda = g.item.kind == ItemKind::kMessage ? 1.0 : ViolationReportRate(cls) * reach;
        if (c.is_private && g.item.kind != ItemKind::kMessage) lambda *= 0.25;  // members agree
      } else if (cls == "counter_speech" || cls == "quotation" || cls == "reclaimed" ||
                 cls == "profanity") {
        lambda = q.borderline_report_rate * reach;
      } else {
        // False reports; identity-positive posts attract hostile mass reporting.
        lambda = q.false_report_rate * reach * (cls == "identity_positive" ? 3.0 : 1.0);
      }
      const int n = std::min(rng_.Poisson(lambda), 40);
      for (int k = 0; k < n; ++k) {
        const UnixMillis at = std::max(g.item.created_at, p_.start) + kSecond +
                              static_cast<UnixMillis>(rng_.Exponential(
                                  g.item.kind == ItemKind::kMessage ? 1.0 * kHour : 5.0 * kHour));
        if (at >= p_.end) continue;
        Report r;
        r.item_id = g.item.id;
        int reporter;
        do {
          reporter = static_cast<int>(rng_.Below(o_.accounts));
        } while (ids_[reporter] == g.item.author_id);
        r.reporter_id = ids_[reporter];
        std::string reason;
        if (g.violating && g.template_index >= 0) {
          reason = rng_.Chance(0.85) ? ReasonFor(cls) : "other";
        } else {
          static constexpr const char* kFalse[] = {"hate", "harassment", "spam", "other"};
          reason = kFalse[rng_.Below(4)];
        }
        r.reason = *ParseReportReason(reason);
        auto comments = data_.report_comments.find(reason);
        if (comments != data_.report_comments.end() && rng_.Chance(0.35)) {
          r.comment = comments->second[rng_.Below(comments->second.size())];
        }
        r.created_at = at;
        p_.reports.push_back(std::move(r));
        p_.report_is_false.push_back(!g.violating);
      }
    }
  }

  // ---- ad impressions -----------------------------------------------------------------------

  void MakeImpressions() {
    std::vector<int> eligible;
    WeightedPicker by_views;
    for (int i : posts_) {
      eligible.push_back(i);
      by_views.Add(static_cast<double>(total_views_[i]));
    }
    for (size_t i = 0; i < p_.items.size(); ++i) {
      if (p_.items[i].item.kind == ItemKind::kComment) {
        eligible.push_back(static_cast<int>(i));
        by_views.Add(static_cast<double>(total_views_[i]));
      }
    }
    if (eligible.empty() || by_views.empty()) return;
    WeightedPicker advertisers;
    for (const AdvertiserSpec& a : data_.advertisers) advertisers.Add(a.share);
    std::vector<int> first_ad(data_.advertisers.size());
    for (size_t a = 1; a < data_.advertisers.size(); ++a) {
      first_ad[a] = first_ad[a - 1] + static_cast<int>(data_.advertisers[a - 1].ads.size());
    }
    const int n = static_cast<int>(std::lround(o_.posts * data_.params.impressions_per_post));
    for (int k = 0; k < n; ++k) {
      const size_t a = advertisers.Pick(rng_);
      const AdvertiserSpec& adv = data_.advertisers[a];
      const int anchor = eligible[by_views.Pick(rng_)];
      const UnixMillis created = p_.items[anchor].item.created_at;
      UnixMillis at = created + kSecond + static_cast<UnixMillis>(rng_.Exponential(8.0 * kHour));
      if (at >= p_.end) at = created + (p_.end - created) / 2;
      AdImpression imp;
      imp.ad_id = ad_ids_[first_ad[a] + static_cast<int>(rng_.Below(adv.ads.size()))];
      imp.advertiser_id = adv.id;
      imp.price_micros = static_cast<std::int64_t>(static_cast<double>(adv.price_micros) *
                                                   (0.7 + 0.6 * rng_.Uniform()));
      imp.shown_at = at;
      imp.adjacent.push_back({p_.items[anchor].item.id, -1});
      if (rng_.Chance(0.7)) {
        for (int tries = 0; tries < 8; ++tries) {
          const int other = eligible[by_views.Pick(rng_)];
          if (other != anchor && p_.items[other].item.created_at < at) {
            imp.adjacent.push_back({p_.items[other].item.id, 1});
            break;
          }
        }
      }
      p_.impressions.push_back(std::move(imp));
    }
  }

  // ---- bookkeeping --------------------------------------------------------------------------

  void Add(GeneratedItem item, Context ctx) {
    item.item.lang = "en";
    p_.items.push_back(std::move(item));
    contexts_.push_back(std::move(ctx));
    total_views_.push_back(-1);
  }

  template <typename T>
  void Shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng_.Below(i)]);
  }

  void SortAndNumber() {
    // Stable: a comment is always created after its parent, so parents come first.
    std::vector<size_t> order(p_.items.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return p_.items[a].item.created_at < p_.items[b].item.created_at;
    });
    std::vector<GeneratedItem> items;
    items.reserve(order.size());
    for (size_t i : order) items.push_back(std::move(p_.items[i]));
    p_.items = std::move(items);

    std::stable_sort(p_.views.begin(), p_.views.end(), [](const ViewEvent& a, const ViewEvent& b) {
      return a.viewed_at < b.viewed_at;
    });
    std::vector<size_t> ro(p_.reports.size());
    std::iota(ro.begin(), ro.end(), 0);
    std::stable_sort(ro.begin(), ro.end(), [&](size_t a, size_t b) {
      return p_.reports[a].created_at < p_.reports[b].created_at;
    });
    std::vector<Report> reports;
    std::vector<bool> is_false;
    for (size_t i : ro) {
      reports.push_back(std::move(p_.reports[i]));
      is_false.push_back(p_.report_is_false[i]);
    }
    for (size_t i = 0; i < reports.size(); ++i) reports[i].id = Id("r-", static_cast<int>(i + 1));
    p_.reports = std::move(reports);
    p_.report_is_false = std::move(is_false);

    std::stable_sort(
        p_.impressions.begin(), p_.impressions.end(),
        [](const AdImpression& a, const AdImpression& b) { return a.shown_at < b.shown_at; });
    for (size_t i = 0; i < p_.impressions.size(); ++i) {
      p_.impressions[i].id = Id("imp-", static_cast<int>(i + 1));
    }
  }

  const DemoData& data_;
  const GenerateOptions o_;
  Rng rng_;
  TemplateIndex templates_;
  Platform p_;

  std::vector<std::string> ids_;
  std::vector<bool> is_figure_, is_abusive_;
  std::vector<double> activity_;
  std::vector<int> regular_, abusive_;
  WeightedPicker regular_picker_, abusive_picker_;
  std::vector<std::vector<int>> members_;
  std::vector<WeightedPicker> member_pickers_;
  std::vector<std::string> ad_ids_;
  std::vector<int> posts_;                 // indexes of top-level posts in p_.items
  std::vector<Context> contexts_;          // parallel to p_.items until sorted
  std::vector<std::int64_t> total_views_;  // parallel to p_.items until sorted; -1: not set
};

}  // namespace

std::string Expand(const DemoData& data, const Template& t, Rng& rng) {
  std::string out;
  for (const TemplatePiece& piece : t.pieces) {
    if (piece.list < 0) {
      out += piece.literal;
    } else {
      const auto& list = data.lists[piece.list];
      out += list[rng.Below(list.size())];
    }
  }
  return out;
}

Result<Platform> Generate(const DemoData& data, const GenerateOptions& options) {
  if (options.accounts < 20 || options.accounts > 10'000'000) {
    return InvalidArgument("must be between 20 and 10000000", "accounts");
  }
  if (options.posts < 100 || options.posts > 100'000'000) {
    return InvalidArgument("must be between 100 and 100000000", "posts");
  }
  if (options.now < 978'307'200'000) {  // profiles reach years back before the period
    return InvalidArgument("the reference time must be after 2001-01-01", "now");
  }
  return Generator(data, options).Run();
}

}  // namespace bulwark::demo
