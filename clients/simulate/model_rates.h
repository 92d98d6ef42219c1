// The simulation model's rates, in one place: what the model draws from
// (the parameters) and the bands a run's measured figures fall in (what
// simulate_test checks over a large run, and docs/simulation.md states).
// The figures are illustrative — plausible for Welsh IOM from published
// inspection reports and practitioners' accounts — not any force's data.
//
// Contacts. A contact is "kept" when the person attended (complied or not),
// as the dashboard counts it; rescheduled contacts have no outcome yet.
//   chance of attending = 0.80 base
//                         - 0.10 aged 18-24 (young adults miss more)
//                         - 0.09 rural team (travel)
//                         - 0.06 no fixed abode
//                         + the person's own propensity, uniform +-0.08
//   not attended: acceptable absence 40%, unacceptable absence 30%, failed
//   to attend 20%, rescheduled 10%. Attended: complied 94%.
//   Bands (kept share of recorded outcomes, 18-24 by age at the start):
//     urban 25+ 75-85%   urban 18-24 63-77%   rural 25+ 65-79%   rural 18-24 55-70%
//   Offered per week: the contact plan's level (Fixed 3, Flex 2, Free WISDOM
//   2, Free local 1), partner-led contacts included; one fewer in 4% of
//   person-weeks (10% in teams over their caseload capacity).
//   Band: Fixed person-weeks on IOM, not in custody: 2.75-3.05 offered.
//
// Referrals (working days from sending to the partner's first answer):
//   log-normal, spread 0.5, medians housing 4, substance misuse 6, mental
//   health 15, employment/training 3. Bands for the measured medians:
//   housing 3-5, substance misuse 5-7, mental health 13-17, employment 2-4.
//
// Joint breach decisions: the Senior Probation Officer's position differs
// from the Sergeant's in 20% of considerations (band 15-25% of those with
// both positions); every disagreement is escalated and the escalated
// manager decides.
//
// People: Fixed 55%, Flex 34% (Y2A 14%, all aged 18-24), Free 11% (WISDOM
// 7%, all high or very high risk of harm). Other ages 18-60, skewed young
// (18 + 42 u^1.3). Bands: Fixed 50-60%, Y2A 11-17%, WISDOM 5-9%; share
// aged 18-24 28-40%.
#ifndef IOMHUB_CLIENTS_SIMULATE_MODEL_RATES_H_
#define IOMHUB_CLIENTS_SIMULATE_MODEL_RATES_H_

namespace iomhub::simulate::rates {

// --- People -------------------------------------------------------------------
// Strand weights: Fixed neighbourhood crime, Flex Y2A, Flex local, Free
// WISDOM, Free local.
inline constexpr double kFixedShare = 0.55;
inline constexpr double kY2aShare = 0.14;
inline constexpr double kFlexLocalShare = 0.20;
inline constexpr double kWisdomShare = 0.07;
inline constexpr double kFreeLocalShare = 0.04;
inline constexpr double kAgeSkew = 1.3;  // age = 18 + 42 u^kAgeSkew
// Of a team's people, already on IOM when the period starts.
inline constexpr double kExistingShare = 0.88;
// A team's cohort against its caseload capacity: uniform in this range.
inline constexpr double kMinCapacityFill = 0.85;
inline constexpr double kMaxCapacityFill = 1.15;

// --- Contacts -------------------------------------------------------------------
inline constexpr double kAttendBase = 0.80;
inline constexpr double kAttendYoungPenalty = 0.10;
inline constexpr double kAttendRuralPenalty = 0.09;
inline constexpr double kAttendNoFixedAbodePenalty = 0.06;
inline constexpr double kPropensitySpread = 0.08;
inline constexpr double kShortWeek = 0.04;
inline constexpr double kShortWeekOverCapacity = 0.10;

// --- Referrals: median working days to the first answer ---------------------------
inline constexpr double kHousingMedianDays = 4;
inline constexpr double kSubstanceMisuseMedianDays = 6;
inline constexpr double kMentalHealthMedianDays = 15;
inline constexpr double kEmploymentMedianDays = 3;
inline constexpr double kAnswerSpread = 0.5;
// Chance per person-week that a need not yet referred is referred (new
// people in their first 4 weeks: kReferralNewPerson).
inline constexpr double kReferralPerWeek = 0.05;
inline constexpr double kReferralNewPerson = 0.15;

// --- Enforcement ----------------------------------------------------------------
inline constexpr double kPositionsDiffer = 0.20;
inline constexpr double kArrestPerWeek = 0.010;
inline constexpr double kChargedAfterArrest = 0.55;
inline constexpr double kRemandedAfterCharge = 0.35;

// --- Bands the measured figures must fall in (simulate_test) ----------------------
struct Band {
  double lo;
  double hi;
  bool Contains(double x) const { return x >= lo && x <= hi; }
};
inline constexpr Band kKeptUrbanAdult{0.75, 0.85};
inline constexpr Band kKeptUrbanYoung{0.63, 0.77};
inline constexpr Band kKeptRuralAdult{0.65, 0.79};
inline constexpr Band kKeptRuralYoung{0.55, 0.70};
inline constexpr Band kFixedOfferedPerWeek{2.75, 3.05};
inline constexpr Band kHousingMedian{3, 5};
inline constexpr Band kSubstanceMisuseMedian{5, 7};
inline constexpr Band kMentalHealthMedian{13, 17};
inline constexpr Band kEmploymentMedian{2, 4};
inline constexpr Band kPositionsDifferShare{0.15, 0.25};
inline constexpr Band kFixedPeopleShare{0.50, 0.60};
inline constexpr Band kY2aPeopleShare{0.11, 0.17};
inline constexpr Band kWisdomPeopleShare{0.05, 0.09};
inline constexpr Band kYoungPeopleShare{0.28, 0.40};

}  // namespace iomhub::simulate::rates

#endif  // IOMHUB_CLIENTS_SIMULATE_MODEL_RATES_H_
