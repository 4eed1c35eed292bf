// Billing-side documents (issue 7): the Good Faith Estimate (45 CFR 149.610),
// the GFE-versus-bill audit for patient-provider dispute resolution (45 CFR
// 149.620), the superbill (CMS-1500 fields) and the treatment log. Builders
// are pure: every date ("today", the issue date) is an input, nothing is read
// from a clock or a file here. The CLI (src/cli/docs_billing_hooks.cpp) loads
// the inputs, calls these and fills the templates under data/templates/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "backcover/core/date.hpp"
#include "backcover/core/error.hpp"
#include "backcover/core/money.hpp"
#include "backcover/engine/engine.hpp"
#include "backcover/plan/bill.hpp"
#include "backcover/plan/case_file.hpp"
#include "backcover/plan/clinic.hpp"

namespace backcover::docs {

// NPI check digit (backcover/plan/clinic.hpp).
using backcover::npi_valid;

// A provider from a services file with the facts it leaves out (name, NPI,
// TIN, address, phone, role) filled from the case file's provider of the same
// NPI (or, without an NPI, the same name).
Provider complete_provider(Provider p, const CaseFile& cf);

// ---- Good Faith Estimate ----

// When the GFE must be given (45 CFR 149.610(b)(1)(vi)).
struct GfeDelivery {
  enum class Rule : std::uint8_t {
    NotRequired,        // scheduled fewer than 3 business days ahead
    OneBusinessDay,     // scheduled >= 3 business days ahead
    ThreeBusinessDays,  // scheduled >= 10 business days ahead
    OnRequest,          // requested, not scheduled: 3 business days after the request
    Unknown,            // neither a scheduling nor a request date
  };
  Rule rule = Rule::Unknown;
  std::optional<Date> due;
  int business_days_ahead = 0;  // business days after scheduling up to the service date
  std::string citation;         // "45 CFR 149.610(b)(1)(vi)(A)"
};
// `scheduled`: the day the service was scheduled; `requested`: the day the
// patient asked for an estimate; `service`: the day of the primary service.
GfeDelivery gfe_delivery(std::optional<Date> scheduled, std::optional<Date> requested, std::optional<Date> service);

struct GfeItem {  // one code on one or more dates (a course is one item)
  Date date;       // first date
  Date last;       // last date
  int visits = 1;  // dated lines folded into this item
  std::string code;  // CPT/HCPCS
  std::string name;  // our plain-language name (never the AMA descriptor)
  std::vector<std::string> modifiers;
  int units = 1;
  std::vector<std::string> diagnoses;  // ICD-10-CM
  Money charge;                        // expected charge, all dates and units
  bool cash_price = false;             // from the price list's cash: prices
  bool charge_missing = false;         // neither a cash price nor a charge
  Money each;                          // charge per date
  int units_each = 1;                  // units per date
};

struct GfeParty {  // a provider or facility
  std::string name;
  std::string npi;
  std::string tin;
  std::string address;
  std::string role;       // "convening provider", "co-provider", "co-facility"
  bool convening = false;
  bool facility = false;
  bool npi_checked = false;  // the NPI's check digit is right
  std::vector<GfeItem> items;
  Money total;
};

struct Gfe {
  std::string patient_name;
  std::optional<Date> patient_dob;
  std::string patient_address;  // one line; empty: not on file
  std::string primary_service;  // plain language
  std::string primary_code;
  std::optional<Date> primary_date;
  std::vector<std::string> diagnoses;  // every diagnosis on the estimate
  std::vector<GfeParty> parties;       // convening first
  std::vector<std::string> separately_scheduled;
  Money total;
  std::optional<Date> issued;
  std::optional<Date> scheduled;
  std::optional<Date> requested;
  GfeDelivery delivery;
  std::vector<std::string> missing;   // facts the GFE needs and the inputs lack
  std::vector<std::string> warnings;  // e.g. an invalid NPI
};

struct GfeInput {
  std::optional<Date> scheduled;
  std::optional<Date> requested;
  std::optional<Date> issued;  // default: the scheduling or request date
  std::vector<std::string> separately_scheduled;
};
Gfe build_gfe(const CaseFile& cf, const std::vector<ServiceLine>& lines, const PriceList* prices,
              const CodeCatalogue& catalogue, const GfeInput& in);

// The GFE as JSON (audit-bill reads it back with parse_gfe_json).
nlohmann::json gfe_to_json(const Gfe& g);
Result<Gfe> parse_gfe_json(std::string_view text, const std::string& name);
// The template context for data/templates/<lang>/gfe.md.
nlohmann::json gfe_context(const Gfe& g, std::string_view lang);

// ---- The bill and the audit (45 CFR 149.620) ----

// The bill (bill.yaml) is an input: backcover/plan/bill.hpp; io::parse_bill reads it.
using backcover::Bill;
using backcover::BillLine;

struct AuditRow {
  std::string provider;
  std::string npi;
  bool in_gfe = false;
  Money gfe_total;
  Money billed;
  Money difference;  // billed - gfe_total
  bool eligible = false;  // difference >= $400
};
struct Audit {
  std::vector<AuditRow> rows;
  bool eligible = false;  // any row eligible
  Date bill_date;
  Date deadline;           // bill date + 120 calendar days
  std::optional<int> days_left;  // from today; negative when past
  bool expired = false;
  Money threshold = Money::from_cents(40000);
  Money fee = Money::from_cents(2500);
};
Audit audit_bill(const Gfe& gfe, const Bill& bill, std::optional<Date> today);
nlohmann::json audit_to_json(const Audit& a);
nlohmann::json audit_context(const Audit& a, const Gfe& gfe, const Bill& bill);

// ---- Superbill (CMS-1500 fields) ----
using backcover::ClinicProfile;  // backcover/plan/clinic.hpp
struct SuperbillOptions {
  std::string plan_name;  // item 11c
  // Original Medicare (Part B): the provider must submit the claim (SSA
  // §1848(g)(4)); the sheet is the clinic's claim data, not the patient's.
  bool medicare = false;
  // The clinic profile: billing provider (33), TIN (25) and the signer (31)
  // when the case file lacks them. Null: not given.
  const ClinicProfile* clinic = nullptr;
  // What the estimate says to bill, by ServiceLine::number: "GY" for a
  // statutorily excluded line (CMS Pub. 100-04 ch.30 §50); a line the
  // estimate expects Medicare to deny as not reasonable and necessary
  // (CO-50) and that carries neither GA nor GZ is in `abn_needed`.
  std::vector<std::pair<int, std::string>> add_modifiers;
  std::vector<int> abn_needed;
};
nlohmann::json superbill_context(const CaseFile& cf, const std::vector<ServiceLine>& lines,
                                 const CodeCatalogue& catalogue, const SuperbillOptions& options,
                                 std::vector<std::string>& warnings);
nlohmann::json superbill_context(const CaseFile& cf, const std::vector<ServiceLine>& lines,
                                 const CodeCatalogue& catalogue, const std::string& plan_name,
                                 std::vector<std::string>& warnings);
// CMS-1500 dates: item 3 (birth) in 8 digits "MM DD CCYY"; service dates
// (24A) in 6 digits "MM DD YY".
std::string cms1500_date8(Date d);
std::string cms1500_date6(Date d);

// ---- Treatment log ----
nlohmann::json log_context(const CaseFile& cf, std::string_view lang);

// `log add`: the text of a case file with one visit appended to its top-level
// `log:` list, the rest of the text (comments, order, formatting) untouched.
// The caller re-parses the result with the case loader before writing it.
// A `log:` written in flow style with entries (log: [{…}]) is an Error (the
// text cannot be extended line by line).
Result<std::string> append_log_visit(std::string_view case_text, const LogVisit& v, const std::string& name);
// The YAML lines of one visit as a list item, indented by `indent` spaces.
std::string log_visit_yaml(const LogVisit& v, int indent);

}  // namespace backcover::docs
