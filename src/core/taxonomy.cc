#include "core/taxonomy.h"

namespace bulwark {

std::string_view CategoryName(Category c) {
  switch (c) {
    case Category::kHate:
      return "hate";
    case Category::kHarassment:
      return "harassment";
    case Category::kThreat:
      return "threat";
    case Category::kExtremism:
      return "extremism";
    case Category::kMisinfoVoting:
      return "misinformation.voting";
    case Category::kMisinfoHealth:
      return "misinformation.health";
    case Category::kMisinfoClimate:
      return "misinformation.climate";
    case Category::kMisinfoHolocaustDenial:
      return "misinformation.holocaust_denial";
    case Category::kMisinfoConspiracy:
      return "misinformation.conspiracy";
  }
  return "hate";
}

std::optional<Category> ParseCategory(std::string_view name) {
  for (Category c : kAllCategories) {
    if (CategoryName(c) == name) return c;
  }
  return std::nullopt;
}

bool IsMisinformation(Category c) {
  return c == Category::kMisinfoVoting || c == Category::kMisinfoHealth ||
         c == Category::kMisinfoClimate || c == Category::kMisinfoHolocaustDenial ||
         c == Category::kMisinfoConspiracy;
}

std::string_view CharacteristicName(Characteristic c) {
  switch (c) {
    case Characteristic::kRaceEthnicity:
      return "race_ethnicity";
    case Characteristic::kReligion:
      return "religion";
    case Characteristic::kNationalOrigin:
      return "national_origin";
    case Characteristic::kGender:
      return "gender";
    case Characteristic::kSexualOrientation:
      return "sexual_orientation";
    case Characteristic::kGenderIdentity:
      return "gender_identity";
    case Characteristic::kDisability:
      return "disability";
  }
  return "race_ethnicity";
}

std::string_view TargetGroupName(TargetGroup g) {
  switch (g) {
    case TargetGroup::kBlack:
      return "black";
    case TargetGroup::kAsian:
      return "asian";
    case TargetGroup::kLatino:
      return "latino";
    case TargetGroup::kIndigenous:
      return "indigenous";
    case TargetGroup::kArabMiddleEastern:
      return "arab_middle_eastern";
    case TargetGroup::kRoma:
      return "roma";
    case TargetGroup::kWhite:
      return "white";
    case TargetGroup::kJewish:
      return "jewish";
    case TargetGroup::kMuslim:
      return "muslim";
    case TargetGroup::kChristian:
      return "christian";
    case TargetGroup::kHindu:
      return "hindu";
    case TargetGroup::kSikh:
      return "sikh";
    case TargetGroup::kImmigrants:
      return "immigrants";
    case TargetGroup::kWomen:
      return "women";
    case TargetGroup::kMen:
      return "men";
    case TargetGroup::kLgb:
      return "lgb";
    case TargetGroup::kTransgender:
      return "transgender";
    case TargetGroup::kDisabled:
      return "disabled";
  }
  return "black";
}

std::optional<TargetGroup> ParseTargetGroup(std::string_view name) {
  for (TargetGroup g : kAllTargetGroups) {
    if (TargetGroupName(g) == name) return g;
  }
  return std::nullopt;
}

Characteristic CharacteristicOf(TargetGroup g) {
  switch (g) {
    case TargetGroup::kBlack:
    case TargetGroup::kAsian:
    case TargetGroup::kLatino:
    case TargetGroup::kIndigenous:
    case TargetGroup::kArabMiddleEastern:
    case TargetGroup::kRoma:
    case TargetGroup::kWhite:
      return Characteristic::kRaceEthnicity;
    case TargetGroup::kJewish:
    case TargetGroup::kMuslim:
    case TargetGroup::kChristian:
    case TargetGroup::kHindu:
    case TargetGroup::kSikh:
      return Characteristic::kReligion;
    case TargetGroup::kImmigrants:
      return Characteristic::kNationalOrigin;
    case TargetGroup::kWomen:
    case TargetGroup::kMen:
      return Characteristic::kGender;
    case TargetGroup::kLgb:
      return Characteristic::kSexualOrientation;
    case TargetGroup::kTransgender:
      return Characteristic::kGenderIdentity;
    case TargetGroup::kDisabled:
      return Characteristic::kDisability;
  }
  return Characteristic::kRaceEthnicity;
}

}  // namespace bulwark
