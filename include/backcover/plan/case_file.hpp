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

// Year-to-date amounts for the patient and the family, at a plan year.
struct Accumulators {
  std::optional<Date> plan_year_start;  // which plan year these figures are for
  Money deductible_individual[2];       // by Network
  Money deductible_family[2];
  Money oop_individual[2];
  Money oop_family[2];
  std::vector<std::pair<std::string, int>> visits;  // limit id -> visits used this plan year
  std::vector<std::pair<std::string, Money>> threshold_spend;  // threshold id -> allowed so far this year
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
  std::string notes;
  Accumulators accumulators;
  std::string source;  // file name, for messages
};

}  // namespace backcover
