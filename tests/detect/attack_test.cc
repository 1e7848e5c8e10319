// AttackAnalyzer: composition of references and predicates, negation, pronouns, context,
// fuzzy matching and segmentation, on the shipped vocabulary (data/attack/) and on small
// in-memory vocabularies for the loader's errors.

#include "detect/attack.h"

#include <string>

#include <gtest/gtest.h>

#include "detect/verdict.h"
#include "text/normalizer.h"

namespace bulwark::detect {
namespace {

uint32_t Mask(TargetGroup g) { return 1u << static_cast<unsigned>(g); }

class ShippedAttack : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto a = AttackAnalyzer::Load(std::string(BULWARK_SOURCE_DIR) + "/data/attack");
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    analyzer_ = new std::shared_ptr<const AttackAnalyzer>(*a);
    auto n = text::Normalizer::Create();
    ASSERT_TRUE(n.ok());
    normalizer_ = n->release();
  }
  static void TearDownTestSuite() {
    delete analyzer_;
    delete normalizer_;
  }

  std::vector<AttackFinding> Run(const std::string& text) {
    text::NormalizedText norm = normalizer_->Normalize(text);
    AttackScratch s;
    (*analyzer_)->Analyze(text, norm, {}, &s);
    return s.findings;
  }
  // The strongest undiscounted group finding's severity x weight (0 if none).
  double GroupScore(const std::string& text, uint32_t* groups = nullptr) {
    double best = 0;
    for (const auto& f : Run(text)) {
      if (f.target != AttackTarget::kGroup) continue;
      if (f.severity * f.weight > best) {
        best = f.severity * f.weight;
        if (groups) *groups = f.groups;
      }
    }
    return best;
  }

  static std::shared_ptr<const AttackAnalyzer>* analyzer_;
  static const text::Normalizer* normalizer_;
};
std::shared_ptr<const AttackAnalyzer>* ShippedAttack::analyzer_ = nullptr;
const text::Normalizer* ShippedAttack::normalizer_ = nullptr;

TEST_F(ShippedAttack, PlainHatredTowardAGroupIsAnAttackOnThatGroup) {
  uint32_t groups = 0;
  EXPECT_GE(GroupScore("I hate Muslims.", &groups), 3);
  EXPECT_EQ(groups, Mask(TargetGroup::kMuslim));
  EXPECT_GE(GroupScore("trans people are disgusting", &groups), 3);
  EXPECT_EQ(groups, Mask(TargetGroup::kTransgender));
  EXPECT_GE(GroupScore("Immigrants are vermin"), 3);
  EXPECT_GE(GroupScore("all jews should be exterminated"), 4);
}

TEST_F(ShippedAttack, NegatedAttackIsNotAnAttackButNegatedPraiseIs) {
  EXPECT_LT(GroupScore("Muslims are not vermin."), 1);
  EXPECT_LT(GroupScore("I don't hate gay people"), 1);
  EXPECT_GE(GroupScore("No Muslim can be trusted"), 3);
  EXPECT_GE(GroupScore("women are never any good at anything"), 3);
  EXPECT_GE(GroupScore("immigrants don't belong here"), 3);
}

TEST_F(ShippedAttack, PronounsReferBackToTheLastGroupNamed) {
  uint32_t groups = 0;
  EXPECT_GE(GroupScore("I met some Jews at work today. They are vile.", &groups), 3);
  EXPECT_EQ(groups, Mask(TargetGroup::kJewish));
  // The antecedent is a non-protected group: not hate.
  EXPECT_EQ(GroupScore("I met some lawyers at work today. They are vile."), 0);
}

TEST_F(ShippedAttack, TheSameAttackWithoutAProtectedTargetIsNotHate) {
  EXPECT_EQ(GroupScore("Lawyers are vermin"), 0);
  EXPECT_EQ(GroupScore("I hate mondays"), 0);
  bool addressee = false;
  for (const auto& f : Run("you are a worthless pig"))
    addressee |= f.target == AttackTarget::kAddressee;
  EXPECT_TRUE(addressee);
}

TEST_F(ShippedAttack, ThreatsNeedAFrameAndAPersonTarget) {
  bool threat = false;
  for (const auto& f : Run("I will stab every immigrant I see")) threat |= f.threat;
  EXPECT_TRUE(threat);
  threat = false;
  for (const auto& f : Run("disabled people should be shot")) threat |= f.threat;
  EXPECT_TRUE(threat);
  // A report of violence is not a threat.
  threat = false;
  for (const auto& f : Run("the holocaust killed six million jews")) threat |= f.threat;
  EXPECT_FALSE(threat);
}

TEST_F(ShippedAttack, AGroupActedOnIsAVictimNotAnAttacker) {
  // Passive and reduced-passive reports of what was done to a group.
  EXPECT_EQ(GroupScore("Thousands of Jews were deported to the camps in 1942."), 0);
  EXPECT_EQ(GroupScore("Two women raped in the park, police say."), 0);
  EXPECT_EQ(GroupScore("Muslims are being shot in the streets and nobody cares"), 0);
  EXPECT_EQ(GroupScore("the refugees who were killed at the border"), 0);
  // The group as the actor, or a call for the act, stays an attack.
  EXPECT_GE(GroupScore("immigrants are rapists"), 3);
  EXPECT_GE(GroupScore("illegal immigrants have raped our daughters"), 2);
  EXPECT_GE(GroupScore("Muslims should be shot"), 3);
  EXPECT_GE(GroupScore("I want all Jews deported"), 3);
}

// Constructions found missing by the 2026-12-06 failure analysis. The sentences here are
// written for this test, in other words than the functional suite's templates, each with the
// non-hateful form the rule must leave alone.

TEST_F(ShippedAttack, WishingAGroupGoneIsElimination) {
  EXPECT_GE(GroupScore("We must rid our streets of immigrants for good"), 4);
  EXPECT_GE(GroupScore("I want a country with no Jews remaining"), 4);
  EXPECT_GE(GroupScore("we keep going until there are zero Muslims left in this town"), 4);
  // A report of absence, with no wish or frame, is not a call.
  EXPECT_EQ(GroupScore("There are no Jews left in the old quarter since the war."), 0);
}

TEST_F(ShippedAttack, APronounMayPointAheadToAnAfterthought) {
  uint32_t groups = 0;
  EXPECT_GE(GroupScore("Lock them up and throw away the key. Every Sikh.", &groups), 3);
  EXPECT_EQ(groups, Mask(TargetGroup::kSikh));
  // The afterthought must be the reference alone, not a new clause about it.
  EXPECT_EQ(GroupScore("Lock them up and throw away the key. Sikhs run the corner shop."), 0);
}

TEST_F(ShippedAttack, ADemonstrativeEpithetRefersBack) {
  uint32_t groups = 0;
  EXPECT_GE(GroupScore("A bus full of refugees arrived. These rats will ruin us.", &groups), 3);
  EXPECT_EQ(groups, Mask(TargetGroup::kImmigrants));
  // Back to a non-protected group, or to nothing: not hate.
  EXPECT_EQ(GroupScore("Met the landlords today. Those snakes raised the rent."), 0);
  EXPECT_EQ(GroupScore("We visited the farm. Those pigs were huge."), 0);
}

TEST_F(ShippedAttack, BodilyDisgustAndFeltHatredAreHatred) {
  EXPECT_GE(GroupScore("gay couples turn my stomach"), 3);
  EXPECT_GE(GroupScore("Seeing Hindus in my street, I feel nothing but contempt"), 3);
  EXPECT_GE(GroupScore("nothing disgusts me more than Roma"), 3);
  // A negated feeling stays negated.
  EXPECT_LT(GroupScore("Roma don't disgust me at all"), 1);
}

TEST_F(ShippedAttack, HostilityAsATopicIsNotHostility) {
  EXPECT_EQ(GroupScore("Hate towards Sikhs is rising and it must stop."), 0);
  EXPECT_EQ(GroupScore("Violence against women has no place in sport."), 0);
  // The speaker's own hatred stays.
  EXPECT_GE(GroupScore("I have nothing but hate towards Sikhs."), 3);
}

TEST_F(ShippedAttack, DenialsByQuantifierAndRhetoricalQuestions) {
  EXPECT_GE(GroupScore("none of the Muslims at my work can be trusted"), 3);
  EXPECT_GE(GroupScore("Why would anyone trust a Roma?"), 3);
  EXPECT_GE(GroupScore("Ever seen a Mexican who isn't a thief?"), 3);
  EXPECT_GE(GroupScore("No Roma allowed past the gate."), 3);
  // A plain statement keeps its negation; a question that does not deny keeps its praise.
  EXPECT_LT(GroupScore("I know a Mexican who isn't a thief, obviously."), 1);
  EXPECT_EQ(GroupScore("Why do Muslims fast during Ramadan?"), 0);
  EXPECT_EQ(GroupScore("Roma are allowed to vote like everyone else."), 0);
}

TEST_F(ShippedAttack, ANegatedVerbBeforeTheGroupNegatesItsParticle) {
  EXPECT_LT(GroupScore("nobody is kicking refugees out of the country, calm down"), 1);
  EXPECT_GE(GroupScore("we will be kicking refugees out of the country"), 3);
}

TEST_F(ShippedAttack, TropesOfDishonestyStatedAsFact) {
  EXPECT_GE(GroupScore("Jews lie through their teeth"), 3);
  EXPECT_GE(GroupScore("Whenever Roma move in, things go missing."), 3);
  EXPECT_EQ(GroupScore("My keys went missing again"), 0);
}

TEST_F(ShippedAttack, KeepingAGroupFromTakingPartIsExclusion) {
  EXPECT_GE(GroupScore("Ban Sikhs from entering the country."), 3);
  EXPECT_GE(GroupScore("we should block refugees from renting anywhere near us"), 3);
  // Protection, history and the rest of the world's "from" stay clean.
  EXPECT_EQ(GroupScore("We must stop women from being harassed at work."), 0);
  EXPECT_EQ(GroupScore("Help us stop refugees from drowning at sea."), 0);
  EXPECT_EQ(GroupScore("The 1935 laws barred Jews from working as doctors."), 0);
  EXPECT_EQ(GroupScore("Immigrants from Poland opened a bakery."), 0);
}

TEST_F(ShippedAttack, PraiseDeniedByItsObjectOrByTheVerbBeforeTheGroup) {
  EXPECT_GE(GroupScore("refugees contribute literally nothing"), 3);
  EXPECT_GE(GroupScore("I've never met a Hindu with any manners"), 3);
  EXPECT_EQ(GroupScore("Refugees contribute a lot to this town."), 0);
  EXPECT_EQ(GroupScore("I met a Hindu with lovely manners"), 0);
}

TEST_F(ShippedAttack, APhraseEndingInOfTakesItsObjectAfterIt) {
  EXPECT_GE(GroupScore("we will finally be free of Muslims"), 4);
  EXPECT_EQ(GroupScore("Muslims want to get rid of the stereotype"), 0);
  EXPECT_EQ(GroupScore("Jews in Spain would soon be free of persecution"), 0);
}

TEST_F(ShippedAttack, DisguisedMultiWordGroupsAndRunTogetherSlogans) {
  // A misspelt person noun after a group adjective.
  EXPECT_GE(GroupScore("Black peeple are vile"), 3);
  EXPECT_GE(GroupScore("deport all disabled poeple"), 3);
  // A three-letter group word inside a run-together slogan, and a phrase across its pieces.
  EXPECT_GE(GroupScore("gaypeoplearetrash"), 3);
  EXPECT_GE(GroupScore("deathtosikhs"), 3);
  // Ordinary words stay ordinary.
  EXPECT_EQ(GroupScore("the gayety of the people was infectious"), 0);
  EXPECT_EQ(GroupScore("Black peppers are hot"), 0);
}

TEST_F(ShippedAttack, AReusedScratchGivesTheSameFindingsAsAFreshOne) {
  // The fuzzy memo in the scratch must not change an answer: the same texts through one
  // reused scratch, in two orders, and each through a fresh scratch.
  const std::vector<std::string> texts = {"Muslims are vermin",
                                          "Mus1ims are vermn",
                                          "I hate wimmin",
                                          "lawyers are vermn",
                                          "Black peeple are vile",
                                          "deathtosikhs",
                                          "the gayety of the people",
                                          "Refugees are worthless trsh",
                                          "i hate wimmin so much",
                                          "vermn muslims",
                                          "vermn are rats"};
  auto run = [&](const std::string& t, AttackScratch* s) {
    text::NormalizedText norm = normalizer_->Normalize(t);
    (*analyzer_)->Analyze(t, norm, {}, s);
    std::string out;
    for (const auto& a : s->atoms) {
      out += std::to_string(a.begin) + "/" + std::to_string(static_cast<int>(a.role)) + ",";
    }
    for (const auto& f : s->findings) {
      out += std::to_string(static_cast<int>(f.kind)) + ":" + std::to_string(f.groups) + ":" +
             std::to_string(f.severity) + ":" + std::to_string(f.fuzzy) + ";";
    }
    return out;
  };
  AttackScratch reused;
  for (int round = 0; round < 2; ++round) {
    for (size_t k = 0; k < texts.size(); ++k) {
      const std::string& t = texts[round == 0 ? k : texts.size() - 1 - k];
      AttackScratch fresh;
      EXPECT_EQ(run(t, &reused), run(t, &fresh)) << t;
    }
  }
  // A scratch that served another vocabulary starts afresh.
  auto other = AttackAnalyzer::FromFiles(
      {{"a.jsonl",
        R"({"role":"group_noun","target":"muslim","terms":["muslims"],"provenance":"p"})"},
       {"b.jsonl", R"({"role":"dehum","severity":3,"terms":["termites"],"provenance":"p"})"}});
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  const std::string t = "Muslims are vermn";
  text::NormalizedText norm = normalizer_->Normalize(t);
  (*other)->Analyze(t, norm, {}, &reused);
  EXPECT_TRUE(reused.findings.empty());  // "vermn" is not near "termites"
  AttackScratch fresh;
  EXPECT_EQ(run(t, &reused), run(t, &fresh));
}

TEST_F(ShippedAttack, HatredSaidOfOthersIsAReport) {
  // Someone else's hatred, or the addressee's, is reported, not the speaker's.
  EXPECT_LT(GroupScore("genuine question, do you hate white people as much as it seems?"), 1);
  EXPECT_LT(GroupScore("it means that they hate gay people but won't admit it"), 1);
  // The speaker's own, and a rhetorical negative question, stay.
  EXPECT_GE(GroupScore("don't you just hate immigrants?"), 3);
  EXPECT_GE(GroupScore("we all hate muslims here"), 3);
}

TEST_F(ShippedAttack, SlangCompoundsAreNotDehumanisation) {
  EXPECT_EQ(GroupScore("my brother keeps watching that gay shit on netflix"), 0);
  EXPECT_GE(GroupScore("gay people are shit"), 3);
}

TEST_F(ShippedAttack, CounterSpeechAndReportsAreDiscounted) {
  auto findings = Run("Saying Muslims are animals is disgusting.");
  ASSERT_FALSE(findings.empty());
  EXPECT_TRUE(findings[0].context & kCtxCounterSpeech);
  EXPECT_LT(findings[0].weight, 0.5);
  EXPECT_LT(GroupScore("My boss keeps saying immigrants are parasites and I reported him"), 1);
  // The speaker's own opinion is not a report.
  EXPECT_GE(GroupScore("I genuinely believe women are evil."), 3);
}

TEST_F(ShippedAttack, DisguisedWordsAreMatchedFuzzily) {
  auto findings = Run("I despse women");
  ASSERT_FALSE(findings.empty());
  EXPECT_TRUE(findings[0].fuzzy);
  EXPECT_GE(GroupScore("muslms are disgusting"), 3);
  EXPECT_GE(GroupScore("ihatewomen"), 3);
  EXPECT_GE(GroupScore("killalljews"), 3);
}

TEST_F(ShippedAttack, OrdinaryWordsAreNotFuzzyMatches) {
  // "will" is one edit from "kill", "therapist" segments into "the rapist".
  EXPECT_EQ(GroupScore("I will call the women tomorrow"), 0);
  EXPECT_EQ(GroupScore("Our therapist sees many women"), 0);
  EXPECT_EQ(GroupScore("Many women live in this part of the city."), 0);
}

TEST_F(ShippedAttack, EmojiStandForWords) {
  EXPECT_GE(GroupScore("Muslims \xF0\x9F\x90\x80\xF0\x9F\x90\x80"), 3);  // rats
  bool threat = false;
  for (const auto& f : Run("gays \xF0\x9F\x94\xAA\xF0\x9F\x94\xAA")) threat |= f.threat;  // knives
  EXPECT_TRUE(threat);
}

TEST(AttackLoader, RejectsMalformedVocabulary) {
  auto bad_role = AttackAnalyzer::FromFiles(
      {{"a.jsonl", R"({"role":"nonsense","terms":["x"],"provenance":"p"})"}});
  ASSERT_FALSE(bad_role.ok());
  EXPECT_NE(bad_role.status().message().find("a.jsonl:1"), std::string::npos);
  auto no_prov = AttackAnalyzer::FromFiles(
      {{"a.jsonl", R"({"role":"hate_verb","severity":3,"terms":["x"]})"}});
  EXPECT_FALSE(no_prov.ok());
  auto no_sev = AttackAnalyzer::FromFiles(
      {{"a.jsonl", R"({"role":"hate_verb","terms":["x"],"provenance":"p"})"}});
  EXPECT_FALSE(no_sev.ok());
  auto no_target = AttackAnalyzer::FromFiles(
      {{"a.jsonl", R"({"role":"group_noun","terms":["x"],"provenance":"p"})"}});
  EXPECT_FALSE(no_target.ok());
  auto upper = AttackAnalyzer::FromFiles(
      {{"a.jsonl", R"({"role":"negator","terms":["Not"],"provenance":"p"})"}});
  EXPECT_FALSE(upper.ok());
  auto ok = AttackAnalyzer::FromFiles(
      {{"a.jsonl", R"({"role":"negator","terms":["not"],"provenance":"p"})"},
       {"fuzzy_exceptions.txt", "# comment\nwill\n"}});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)->num_terms(), 1u);
  EXPECT_EQ((*ok)->num_fuzzy_exceptions(), 1u);
}

}  // namespace
}  // namespace bulwark::detect
