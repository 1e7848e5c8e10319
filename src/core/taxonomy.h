#pragma once

// The one place where Bulwark's harm taxonomy is defined: categories and target groups.
// Every detector, policy rule, queue and published metric uses these names. Names are stable
// identifiers (they appear in policy files, the decision log and public reports): never rename
// one, add a new one instead.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace bulwark {

enum class Category : std::uint8_t {
  kHate,                    // identity-based attacks on a protected group
  kHarassment,              // attacks on an individual not based on identity
  kThreat,                  // violent threats and incitement to violence
  kExtremism,               // support for violent organisations / ideologies
  kMisinfoVoting,           // false claims about how, when, where or whether to vote
  kMisinfoHealth,           // health / vaccine misinformation
  kMisinfoClimate,          // climate-change denial
  kMisinfoHolocaustDenial,  // denial or distortion of the Holocaust
  kMisinfoConspiracy,       // violent conspiracy theories (QAnon, "great replacement", ...)
};
inline constexpr int kNumCategories = 9;
inline constexpr std::array<Category, kNumCategories> kAllCategories = {
    Category::kHate,
    Category::kHarassment,
    Category::kThreat,
    Category::kExtremism,
    Category::kMisinfoVoting,
    Category::kMisinfoHealth,
    Category::kMisinfoClimate,
    Category::kMisinfoHolocaustDenial,
    Category::kMisinfoConspiracy};

// "hate", "harassment", "threat", "extremism", "misinformation.voting", "misinformation.health",
// "misinformation.climate", "misinformation.holocaust_denial", "misinformation.conspiracy".
std::string_view CategoryName(Category c);
std::optional<Category> ParseCategory(std::string_view name);
bool IsMisinformation(Category c);

// Protected characteristics (the grouping used in published breakdowns).
enum class Characteristic : std::uint8_t {
  kRaceEthnicity,
  kReligion,
  kNationalOrigin,
  kGender,
  kSexualOrientation,
  kGenderIdentity,
  kDisability,
};
inline constexpr int kNumCharacteristics = 7;
std::string_view CharacteristicName(Characteristic c);

// Target groups: finer than characteristics, the unit of routing to expert review queues and
// of the bias check (false-positive rate on texts that mention each group).
enum class TargetGroup : std::uint8_t {
  kBlack,
  kAsian,
  kLatino,
  kIndigenous,
  kArabMiddleEastern,
  kRoma,
  kWhite,
  kJewish,
  kMuslim,
  kChristian,
  kHindu,
  kSikh,
  kImmigrants,  // national origin / migration status
  kWomen,
  kMen,
  kLgb,          // lesbian, gay, bisexual
  kTransgender,  // gender identity
  kDisabled,     // physical and mental disability
};
inline constexpr int kNumTargetGroups = 18;
inline constexpr std::array<TargetGroup, kNumTargetGroups> kAllTargetGroups = {
    TargetGroup::kBlack,
    TargetGroup::kAsian,
    TargetGroup::kLatino,
    TargetGroup::kIndigenous,
    TargetGroup::kArabMiddleEastern,
    TargetGroup::kRoma,
    TargetGroup::kWhite,
    TargetGroup::kJewish,
    TargetGroup::kMuslim,
    TargetGroup::kChristian,
    TargetGroup::kHindu,
    TargetGroup::kSikh,
    TargetGroup::kImmigrants,
    TargetGroup::kWomen,
    TargetGroup::kMen,
    TargetGroup::kLgb,
    TargetGroup::kTransgender,
    TargetGroup::kDisabled};

// "black", "asian", "latino", "indigenous", "arab_middle_eastern", "roma", "white", "jewish",
// "muslim", "christian", "hindu", "sikh", "immigrants", "women", "men", "lgb", "transgender",
// "disabled".
std::string_view TargetGroupName(TargetGroup g);
std::optional<TargetGroup> ParseTargetGroup(std::string_view name);
Characteristic CharacteristicOf(TargetGroup g);

}  // namespace bulwark
