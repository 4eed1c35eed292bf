// FHIR R4 (JSON): reading what payers send (Coverage, CoverageEligibilityResponse,
// ExplanationOfBenefit) into the same typed forms the X12 readers produce, so
// the same mapping makes plan.yaml / accumulators.yaml (each field stated,
// inferred or unknown) and the same posting puts claims into the store; and
// writing an estimate as an Advanced EOB Bundle shaped like the Da Vinci
// Patient Cost Transparency (PCT) IG's ExplanationOfBenefit (davinci-pct-aeob).
//
// Reading: a Bundle (any type) or one resource. CoverageEligibilityResponse
// insurance.item → one benefit per item.benefit (category = the X12 service
// type code of ex-benefitcategory; network in/out; unit individual/family;
// allowedMoney the limit, usedMoney the amount met); excluded → not covered;
// authorizationRequired → prior authorization. ExplanationOfBenefit (use
// claim) → a claim with lines whose adjudication amounts become the payer's
// figures (submitted, eligible, benefit, deductible, coinsurance, copay);
// status cancelled → a reversal. Money is read from the JSON text as exact
// cents. Errors name file:line:column and the element's path.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "backcover/core/error.hpp"
#include "backcover/engine/engine.hpp"
#include "backcover/interop/x12/eligibility.hpp"
#include "backcover/interop/x12/remit.hpp"
#include "backcover/plan/case_file.hpp"
#include "backcover/plan/plan.hpp"

namespace backcover::interop::fhir {

struct FhirImport {
  std::vector<std::string> resources;  // "Coverage/cov1" … in file order, as read
  bool has_eligibility = false;        // a Coverage or a CoverageEligibilityResponse was read
  x12::Eligibility eligibility;        // each benefit's `source` names its JSON path
  std::vector<x12::Remittance> remits; // the EOBs (use claim), one remittance per insurer
  std::vector<std::string> notes;      // resources or elements left out, and why
};

// `name` names the file in errors. At most 64 MB of JSON (the caller reads it).
Result<FhirImport> read_fhir(std::string_view json, const std::string& name);

// The wording of eligibility_files / eligibility_summary output, written for
// a 271, rewritten for a FHIR source (no segments, no EB elements).
std::string fhir_wording(std::string text);

// ---- Writing: the estimate as an Advanced EOB ----

// NUCC Health Care Provider Taxonomy codes for our providers' licences
// (data/interop/provider-taxonomy.tsv): key "type" or "type/specialty".
struct Taxonomy {
  std::string code;  // ten characters, e.g. 111N00000X
  std::string name;  // our own words
};
using TaxonomyTable = std::map<std::string, Taxonomy>;
Result<TaxonomyTable> load_provider_taxonomy(const std::string& path);

// A facility's UB-04 fields by place of service (data/interop/institutional-bill.tsv):
// its GFE is an institutional Claim when every line's place of service is listed.
struct InstitutionalBill {
  std::string type_of_bill, bill_name;  // NUBC type of bill, "0831"
  std::string revenue, revenue_name;    // NUBC revenue code of its lines, "0490"
  Taxonomy taxonomy;                    // the facility's, when the case file states no listed licence
};
using InstitutionalTable = std::map<std::string, InstitutionalBill>;  // key: CMS place of service
Result<InstitutionalTable> load_institutional_bill(const std::string& path);

struct AeobContext {
  const Plan* plan = nullptr;
  const CaseFile* case_file = nullptr;
  const CodeCatalogue* catalogue = nullptr;  // our own names for codes (serviceDescription)
  std::string created;        // YYYY-MM-DD: the estimate's date (an input; no clock here)
  std::string estimate_id;    // stable id of this estimate (the inputs' hash), for identifiers
  std::string services_name;  // the services file, named in the GFE reference
  const TaxonomyTable* taxonomy = nullptr;  // the GFE's provider taxonomy (null: text only)
  const InstitutionalTable* institutional = nullptr;  // facilities' GFEs and AEOBs (null: all professional)
};

// A Bundle (type collection) holding one ExplanationOfBenefit per provider
// (meta.profile davinci-pct-aeob, use predetermination, gfeReference,
// items with submitted / eligible / benefit / memberliability adjudications,
// totals, benefitBalance for deductible and out-of-pocket), plus the Patient,
// the Coverage and the Organizations it references. A facility that
// ctx.institutional bills on a UB-04 (as its GFE) gets an institutional EOB:
// type institutional, supportingInfo typeofbill, a NUBC revenue code per item.
nlohmann::json advanced_eob_bundle(const Estimate& estimate, const AeobContext& ctx);

// The Advanced EOB's ExplanationOfBenefit resources written straight into a
// growing buffer as compact JSON (no DOM per EOB): what advanced_eob_bundle
// holds is this text parsed back. One EOB per provider, in first-line order.
class AeobWriter {
 public:
  AeobWriter(const Estimate& estimate, const AeobContext& ctx);  // both must outlive the writer
  std::size_t eobs() const { return groups_.size(); }
  const std::vector<const Determination*>& lines(std::size_t k) const;  // EOB k's lines
  // Appends ExplanationOfBenefit k (0-based; id aeob-(k+1)) to `out`: through a
  // cursor over out's spare room (one capacity check per piece, constant text
  // copied with its length known at compile time, no allocation per EOB).
  void write(std::string& out, std::size_t k) const;
  // The previous writer (std::string::append per piece), byte for byte the same
  // text: kept as the reference the tests compare write() against over random
  // estimates, and that bench_fhir_bench times in the same run.
  void write_appending(std::string& out, std::size_t k) const;

 private:
  const AeobContext& ctx_;
  std::string id_, patient_ref_, insurer_ref_, coverage_ref_, start_, end_, benefit_balance_;
  // The text every EOB starts with, up to the GFE identifier's value, in and out of network.
  std::string head_in_, head_out_;
  std::string gfe_display_, created_, patient_json_, insurer_json_, coverage_json_;  // JSON text, escaped once
  std::vector<std::pair<std::string, std::vector<const Determination*>>> groups_;
  // Per EOB, for a facility billed on a UB-04 (else empty): its items' ,"revenue":{…}
  // and its ,"supportingInfo":[…] (the type of bill), as JSON text made once.
  struct Institutional {
    std::string revenue, supporting_info;
  };
  std::vector<Institutional> institutional_;
};

// Structural check of an Advanced EOB Bundle against FHIR R4 and the PCT
// profile: required elements and cardinalities, code systems, references that
// resolve inside the bundle, money as numbers with USD, item totals that add
// up. Returns one line per problem ("entry[1].resource.item[0].adjudication: …").
std::vector<std::string> check_advanced_eob_bundle(const nlohmann::json& bundle);

// ---- Writing: the Good Faith Estimate as Da Vinci PCT GFE Claims ----

// A Bundle (profile davinci-pct-gfe-bundle, type collection, identifier,
// timestamp) whose first entry is the estimate-summary Claim, then one Claim
// per provider (davinci-pct-gfe-professional, use predetermination; a second
// one past 50 lines), identified (PLAC) as the Advanced EOB's gfeReference
// names them: items with serviceDescription, CPT/HCPCS, date, place of
// service, units, unit price, net; diagnoses; providerTaxonomy; totals. A
// facility (role facility) whose lines' place of service ctx.institutional
// lists gets a davinci-pct-gfe-institutional Claim instead (type
// institutional, supportingInfo typeOfBill, a revenue code on every item).
// Then the Patient, the Coverage and the Organizations they reference.
nlohmann::json gfe_bundle(const Estimate& estimate, const AeobContext& ctx);

// Structural check of a GFE Bundle against the PCT profiles (the summary
// first, required elements, items 1..50, totals = Σ net, references resolve).
std::vector<std::string> check_gfe_bundle(const nlohmann::json& bundle);

// ---- Writing: the coverage verdicts as Da Vinci CRD coverage-information ----

// A collection Bundle: one draft ServiceRequest per line carrying the
// coverage-information extension (covered / not-covered / conditional,
// pa-needed, doc-needed + doc-purpose, info-needed, reason, detail, date =
// `assertion_date`, coverage-assertion-id, satisfied-pa-id), then the
// Patient, insurer and Coverage they reference.
nlohmann::json crd_bundle(const Estimate& estimate, const Plan& plan, const CaseFile& case_file,
                          const std::string& assertion_date);
// The CRD invariants of every extension, and references that resolve.
std::vector<std::string> check_crd_bundle(const nlohmann::json& bundle);

}  // namespace backcover::interop::fhir
