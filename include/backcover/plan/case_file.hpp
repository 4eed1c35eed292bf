// The case file: what the patient can prove (diagnoses, care tried, imaging,
// referrals and prescriptions, authorizations, past services), and the
// accumulators to date. Loaded by io/; the engine only reads it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backcover/core/date.hpp"
#include "backcover/core/money.hpp"
#include "backcover/plan/services.hpp"

namespace backcover {

// The patient's mailing address (CMS-1500 item 5).
struct PostalAddress {
  std::string street;  // "1458 Oak Street, Apt 2"
  std::string city;
  std::string state;  // "OH"
  std::string zip;
  bool empty() const { return street.empty() && city.empty() && state.empty() && zip.empty(); }
};

struct Patient {
  std::string name;
  std::optional<Date> date_of_birth;
  std::string sex;    // "F" or "M" (CMS-1500 item 3 has only these boxes); empty: not stated
  std::string state;  // "CA" (the same as address.state when both are given)
  std::string zip;
  PostalAddress address;  // state and zip filled from the fields above when left out
  std::string member_id;
  std::string locality;  // Medicare fee-schedule locality ("01112"), when known
};

struct Diagnosis {
  std::string code;  // ICD-10-CM with or without the dot, as written
  std::string description;
  std::optional<Date> onset;
};

// A course of care tried before: physical therapy, chiropractic, medication, …
struct TherapyTried {
  std::string kind;  // "physical_therapy", "nsaid", "home_exercise", …
  std::optional<Date> start;
  std::optional<Date> end;
  int weeks = 0;
  std::string outcome;  // "failed", "partial", "improved", "ongoing"
  std::string provider;
};

struct ImagingStudy {
  std::string modality;  // "mri", "ct", "xray"
  std::string region;    // "lumbar", "cervical", …
  Date date;
  std::string finding;
};

// A referral or a prescription (a written order) on file.
struct Referral {
  enum class Kind : std::uint8_t { Referral, Prescription };
  Kind kind = Kind::Referral;
  std::string from;       // ordering provider
  std::string specialty;  // of the ordering provider
  std::vector<std::string> categories;  // benefit categories it covers ("massage")
  std::vector<std::string> codes;       // or specific codes
  std::vector<std::string> diagnoses;
  Date date;
  std::optional<Date> expires;
  int visits = 0;         // 0: not stated
  std::string frequency;  // "2x/week"
  int duration_weeks = 0;
};

struct Authorization {
  std::string number;
  std::vector<std::string> categories;
  std::vector<std::string> codes;
  Date from;
  Date to;
  int visits = 0;  // 0: not limited by visits
  int visits_used = 0;
  std::string status = "approved";  // "approved", "pending", "denied"
};

struct PastService {
  Date date;
  std::string code;
  std::string category;  // benefit category, when the code alone does not say
};

// A medication tried for the back pain.
struct Medication {
  std::string name;  // "naproxen 500 mg twice daily"
  std::optional<Date> start;
  std::optional<Date> end;
  std::string outcome;  // "failed", "partial", "improved", "side effects", …
};

// A pain or function score: NPRS 0-10, ODI 0-100 (%), NDI, PSFS, …
struct Score {
  Date date;
  std::string measure;  // "NPRS", "ODI", …
  int value = 0;
  int max = 0;  // 0: the measure's usual maximum
};

// A clinician's examination finding ("straight-leg raise positive right at 40 degrees").
struct ExamFinding {
  Date date;
  std::string text;
  std::string provider;
};

// One visit in the treatment log (`backcover log add`).
struct LogVisit {
  Date date;
  std::vector<std::string> codes;       // services given
  std::vector<std::string> modalities;  // plain words ("spinal manipulation", "heat")
  int minutes = 0;
  std::optional<int> pain_before;  // 0-10
  std::optional<int> pain_after;   // 0-10
  std::string function;            // "ODI 38%", "sat 30 min without pain"
  std::string notes;
  std::string provider;
  int source_line = 0;
};

// A copay already paid on a visit (the clinic collected it at check-in):
// later lines of that visit owe only what is left of the visit's copay.
struct CopayPaid {
  Date date;
  std::string category;  // benefit category
  Money amount;
  std::string provider;  // provider name; empty: any provider that day
};

// Year-to-date amounts for the patient and the family, at a plan year.
struct Accumulators {
  std::optional<Date> plan_year_start;  // which plan year these figures are for
  Money deductible_individual[2];       // by Network
  Money deductible_family[2];
  Money oop_individual[2];
  Money oop_family[2];
  std::vector<std::pair<std::string, int>> visits;  // limit id -> visits used this plan year
  std::vector<std::pair<std::string, Money>> threshold_spend;  // threshold id -> allowed so far this year
  // Dates of the visits already used, by limit id (a same-day line of the
  // estimate is then not a second visit); may list fewer than `visits`.
  std::vector<std::pair<std::string, std::vector<Date>>> visit_dates;
  std::vector<CopayPaid> copays_paid;
};

// A signed Advance Beneficiary Notice of Noncoverage (CMS-R-131): Medicare
// may deny the services as not reasonable and necessary; with the notice
// signed before the service the patient is liable (modifier GA), without it
// the provider is (GZ). Option 1: bill Medicare, patient pays if denied;
// option 2: do not bill Medicare, patient pays; option 3: no service.
struct AdvanceNotice {
  Date date;                            // signed on
  std::vector<std::string> codes;       // services it names
  std::vector<std::string> categories;  // or benefit categories
  int option = 1;
  int source_line = 0;
};

// A physical, occupational or speech therapy plan of care (Medicare: 42 CFR
// 424.24(c), 410.61; BPM 100-02 ch15 §220.1.2-220.1.3): certified by a
// physician or NPP, lasting at most 90 days, recertified at least every 90.
struct PlanOfCare {
  std::string discipline = "PT";  // PT, OT, SLP
  Date start;                     // the evaluation / first treatment
  std::optional<Date> certified;  // signed by the physician or NPP
  std::string certified_by;
  int duration_days = 90;  // as written in the plan (at most 90 for Medicare)
  std::string frequency;   // "2x/week"
  std::vector<Date> recertified;
  std::string delay_reason;  // delayed certification (allowed with a reason)
  int source_line = 0;
};

// A change of plan during the course: the new plan (the one estimated) began
// on `date`. A Medicare Advantage plan honours an active course of treatment
// for at least 90 days after enrolment (42 CFR 422.112(b)(8)).
struct PlanChange {
  Date date;                            // first day of the new plan
  std::string previous_plan;            // name or id
  std::optional<Date> course_started;   // the active course's start
  std::vector<std::string> categories;  // the course's benefit categories (empty: any)
};

// Uninsured or self-pay: the Good Faith Estimate rules apply (45 CFR
// 149.610), and a bill $400 or more above it can be disputed within 120 days.
struct SelfPay {
  bool self_pay = false;
  std::string reason;                  // "uninsured" or "not_billing_insurance"
  std::optional<Date> bill_received;   // the dispute window counts from here
  std::optional<Date> bill_date;       // the date on the bill
};

struct CaseFile {
  Patient patient;
  std::vector<Diagnosis> diagnoses;
  std::vector<TherapyTried> therapies;
  std::vector<ImagingStudy> imaging;
  std::vector<Referral> referrals;
  std::vector<Authorization> authorizations;
  std::vector<PastService> past_services;
  std::vector<Medication> medications;
  std::vector<Score> scores;
  std::vector<ExamFinding> findings;
  std::vector<Provider> providers;  // treating clinic, referring physician, facility (documents)
  std::vector<LogVisit> log;        // the treatment log
  std::vector<AdvanceNotice> abns;
  std::vector<PlanOfCare> plans_of_care;
  std::optional<PlanChange> plan_change;
  SelfPay self_pay;
  std::string notes;
  Accumulators accumulators;
  std::string source;  // file name, for messages
};

}  // namespace backcover
