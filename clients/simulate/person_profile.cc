#include "clients/simulate/person_profile.h"

#include <cmath>

#include "absl/strings/str_format.h"
#include "clients/simulate/model_rates.h"

namespace iomhub::simulate {
namespace {

// A number in [0, modulus) unique to `index` (an affine map with a
// multiplier coprime to the modulus is a bijection), offset per run.
uint64_t Unique(uint64_t index, uint64_t multiplier, uint64_t offset, uint64_t modulus) {
  return (offset + index * multiplier) % modulus;
}

char Letter(uint64_t n) { return static_cast<char>('A' + n % 26); }

}  // namespace

PersonProfile MakeProfile(SimRandom& rng, uint32_t index, const std::string& person_id,
                          const TeamInfo& team, size_t team_index, absl::CivilDay start,
                          bool existing, absl::Time referred_at, uint64_t identifier_offset) {
  PersonProfile p;
  p.index = index;
  p.person_id = person_id;
  p.team = &team;
  p.team_index = team_index;
  p.practitioner = static_cast<uint64_t>(rng.Between(0, team.probation_officers - 1));
  p.existing = existing;
  p.referred_at = referred_at;

  switch (rng.Pick({rates::kFixedShare, rates::kY2aShare, rates::kFlexLocalShare,
                    rates::kWisdomShare, rates::kFreeLocalShare})) {
    case 0:
      p.cohort = v1::COHORT_FIXED;
      p.strand = v1::STRAND_NEIGHBOURHOOD_CRIME;
      break;
    case 1:
      p.cohort = v1::COHORT_FLEX;
      p.strand = v1::STRAND_Y2A;
      break;
    case 2:
      p.cohort = v1::COHORT_FLEX;
      p.strand = v1::STRAND_LOCAL;
      break;
    case 3:
      p.cohort = v1::COHORT_FREE;
      p.strand = v1::STRAND_WISDOM;
      break;
    default:
      p.cohort = v1::COHORT_FREE;
      p.strand = v1::STRAND_LOCAL;
  }
  const bool y2a = p.strand == v1::STRAND_Y2A;
  const bool wisdom = p.strand == v1::STRAND_WISDOM;
  if (y2a) {
    p.age = static_cast<int>(rng.Between(18, 24));
  } else if (wisdom) {
    p.age = 21 + static_cast<int>(39 * rng.Uniform());
  } else {
    p.age = 18 + static_cast<int>(42 * std::pow(rng.Uniform(), rates::kAgeSkew));
  }
  // Born `age` years before the start, on a day that makes them that age then.
  p.date_of_birth =
      absl::CivilDay(start.year() - p.age, start.month(), start.day()) - rng.Between(1, 364);

  p.risk = wisdom ? (rng.Chance(0.7) ? v1::RISK_LEVEL_HIGH : v1::RISK_LEVEL_VERY_HIGH)
                  : static_cast<v1::RiskLevel>(v1::RISK_LEVEL_LOW + rng.Pick({0.3, 0.5, 0.2}));
  const double licence = wisdom ? 0.8 : p.cohort == v1::COHORT_FIXED ? 0.45 : y2a ? 0.3 : 0.35;
  p.on_licence = rng.Chance(licence);
  const int order_year = (start.year() - rng.Between(0, 1)) % 100;
  p.order_ref = absl::StrFormat("%s-%02d-%05d", p.on_licence ? "LIC" : "CO", order_year,
                                Unique(index, 7919, identifier_offset, 100000));
  switch (rng.Pick({0.55, 0.20, p.on_licence ? 0.13 : 0.0, 0.12})) {
    case 0:
      p.accommodation = v1::ACCOMMODATION_STATUS_SETTLED;
      break;
    case 1:
      p.accommodation = v1::ACCOMMODATION_STATUS_TEMPORARY;
      break;
    case 2:
      p.accommodation = v1::ACCOMMODATION_STATUS_APPROVED_PREMISES;
      break;
    default:
      p.accommodation = v1::ACCOMMODATION_STATUS_NO_FIXED_ABODE;
  }
  p.employment = static_cast<v1::EmploymentStatus>(v1::EMPLOYMENT_STATUS_UNEMPLOYED +
                                                   rng.Pick({0.62, 0.08, 0.12, 0.10, 0.08}));
  p.substance_misuse_need = rng.Chance(0.5);
  p.mental_health_need = rng.Chance(0.35);
  p.propensity = rng.Uniform(-rates::kPropensitySpread, rates::kPropensitySpread);
  p.referred_by_police = rng.Chance(p.cohort == v1::COHORT_FIXED ? 0.6 : 0.3);
  p.pre_release = !existing && p.on_licence && rng.Chance(0.5);

  // Identifiers in the agencies' formats, random and unique within the run.
  const int first_record_year = (p.date_of_birth.year() + 17 + rng.Between(0, 4)) % 100;
  p.pnc = absl::StrFormat("%02d/%06d%c", first_record_year,
                          Unique(index, 104729, identifier_offset, 1000000), Letter(rng.Next()));
  static constexpr const char* kForce[] = {"DPP", "GWP", "NWP", "SWP"};
  const char* force = team.area_code == "DP"   ? kForce[0]
                      : team.area_code == "GW" ? kForce[1]
                      : team.area_code == "NW" ? kForce[2]
                                               : kForce[3];
  p.niche_nominal =
      absl::StrFormat("%s-N-%06d", force, Unique(index, 130363, identifier_offset, 1000000));
  p.crn = absl::StrFormat("%c%06d", team.area_code[0],
                          Unique(index, 611953, identifier_offset, 1000000));
  p.noms = absl::StrFormat("%c%04d%c%c", Letter(index / 10000 + identifier_offset),
                           Unique(index, 7919, identifier_offset, 10000), Letter(rng.Next()),
                           Letter(index + identifier_offset / 26));
  return p;
}

}  // namespace iomhub::simulate
