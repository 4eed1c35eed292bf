// 271 eligibility response -> the benefits as sent (typed EB loops with their
// dates, messages and places of service), and from them a plan.yaml and an
// accumulators.yaml that the io loaders accept, each field marked stated /
// inferred / unknown, plus the questions to ask the payer where the 271 is
// silent or ambiguous. Service types map to benefit categories through a data
// table (data/interop/service-types.tsv).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backcover/core/error.hpp"
#include "backcover/core/money.hpp"

namespace backcover::interop::x12 {

struct EligibilityBenefit {
  std::string info;            // EB01: 1 active, C deductible, G out-of-pocket, A coinsurance, B copay, F limitation, I non-covered …
  std::string level;           // EB02: IND, FAM, EMP, ESP …
  std::vector<std::string> service_types;  // EB03 (a repetition list)
  std::string insurance_type;  // EB04: HM, PR, EP, PS, MB, MC …
  std::string plan_name;       // EB05
  std::string period;          // EB06: 22 service year, 23 calendar year, 24 year to date, 27 visit, 29 remaining …
  std::optional<Money> amount; // EB07
  std::optional<int> percent_bp;  // EB08 as basis points (0.2 -> 2000)
  std::string percent_text;
  std::string quantity_qualifier;  // EB09: VS visits, DY days …
  std::string quantity;            // EB10
  std::string authorization;       // EB11: Y, N, U
  std::string network;             // EB12: Y in, N out, W both, U unknown
  std::string procedure;           // EB13 as sent
  std::vector<std::pair<std::string, std::string>> dates;  // DTP qualifier, value
  std::vector<std::string> messages;                       // MSG after the EB
  std::vector<std::string> places_of_service;              // III*ZZ
  std::size_t segment = 0;
  std::string source;  // where it was read, when not an X12 segment (a FHIR path); quoted instead of the EB
};

struct Eligibility {
  std::string trace;  // TRN02
  std::string response_date;  // BHT04 (CCYYMMDD)
  std::string payer, payer_id;
  std::string provider;
  std::string member, member_id, date_of_birth;
  std::vector<std::pair<std::string, std::string>> dates;  // subscriber-level DTP (346 plan begin, 291 plan …)
  std::vector<std::string> rejections;  // AAA segments: "AAA*N**72*C (segment 9)"
  std::vector<EligibilityBenefit> benefits;
};

Result<Eligibility> parse_271(std::string_view text, const std::string& name,
                                            Errors* warnings = nullptr);

struct ServiceType {
  std::string code, name;
  std::vector<std::string> categories;  // "*" = every category
};
struct ServiceTypes {
  std::vector<ServiceType> types;
  const ServiceType* find(std::string_view code) const;
  std::vector<std::string> all_categories() const;  // every category named, sorted
};
Result<ServiceTypes> parse_service_types(std::string_view text, const std::string& name);
// data_dir/interop/service-types.tsv
Result<ServiceTypes> load_service_types(const std::string& data_dir);

struct EligibilityFiles {
  std::string plan, accumulators, questions;
  std::vector<std::string> mismatches;  // remaining != limit - met
};
EligibilityFiles eligibility_files(const Eligibility& el, const ServiceTypes& types, const std::string& source_name);
std::string eligibility_summary(const Eligibility& el, const EligibilityFiles& files);

}  // namespace backcover::interop::x12
