#include "backcover/plan/rule.hpp"

namespace backcover::builtin_rules {

// Each rule is a function-local constant: built once, never changed.
#define BACKCOVER_RULE(fn, id, text, source) \
  const Rule& fn() {                         \
    static const Rule r{id, text, source};   \
    return r;                                \
  }

BACKCOVER_RULE(contractual_adjustment, "network.contractual_adjustment",
               "An in-network provider accepts the plan's allowed amount; the rest of the charge is written off",
               "Provider network agreement; CARC 45 (X12 External Code Source 139)")
BACKCOVER_RULE(no_surprises_ancillary, "nsa.ancillary_at_in_network_facility",
               "Out-of-network provider at an in-network facility: in-network cost sharing, no balance bill "
               "(ancillary services can never be waived by consent)",
               "No Surprises Act, PHSA 2799B-2 and 2799A-1; 45 CFR 149.420(b); 45 CFR 149.120")
BACKCOVER_RULE(no_surprises_emergency, "nsa.emergency",
               "Emergency services: in-network cost sharing wherever received, no balance bill",
               "No Surprises Act, PHSA 2799A-1; 45 CFR 149.110")
BACKCOVER_RULE(balance_bill, "network.balance_bill",
               "An out-of-network provider may bill the patient for the charge above the plan's allowance; "
               "it does not count toward the deductible or the out-of-pocket maximum",
               "Plan out-of-network terms (SBC 'out-of-network provider' column); CARC 45")
BACKCOVER_RULE(balance_bill_limit, "network.balance_bill_limit",
               "The provider may not bill above the plan's limiting charge; the charge above it is written off",
               "Plan balance-billing limit (Medicare limiting charge: 115% of the non-participating fee, "
               "SSA 1848(g))")
BACKCOVER_RULE(unknown_code, "codes.unknown",
               "The procedure code is not in the service catalogue; it cannot be priced or checked",
               "data/catalogue/services.yaml; CARC 16 / 181")
BACKCOVER_RULE(no_benefit_category, "plan.no_benefit",
               "The plan lists no benefit for this kind of service",
               "Plan benefits (SBC 'Services you may need'); CARC 96")
BACKCOVER_RULE(no_price_on_file, "prices.none_on_file",
               "No contract rate or allowance on file: the allowed amount is taken as the charge",
               "backcover estimate assumption; add the rate to the prices file")
BACKCOVER_RULE(out_of_network_not_covered, "plan.out_of_network_not_covered",
               "This plan does not pay for out-of-network care except emergencies",
               "Plan network terms (HMO/EPO); CARC 242")
BACKCOVER_RULE(oop_max_reached, "plan.out_of_pocket_max.reached",
               "The out-of-pocket maximum is met: the plan pays 100% of the allowed amount for the rest of the plan year",
               "Plan out-of-pocket limit (SBC); ACA 45 CFR 156.130")
BACKCOVER_RULE(conditional_assumed_approved, "estimate.conditional_assumed_approved",
               "A conditional line is priced as if its conditions will be met; if they are not, the patient may "
               "owe the whole charge",
               "backcover estimate convention")
BACKCOVER_RULE(plan_pays, "plan.pays",
               "The plan pays the allowed amount less the patient's deductible, copay and coinsurance",
               "Plan cost-sharing terms (SBC)")
BACKCOVER_RULE(other_payer, "cob.other_payer",
               "Another payer pays first for this line",
               "Coordination of benefits (NAIC model regulation); workers' comp / PIP primacy")

BACKCOVER_RULE(broader_benefit, "plan.unlisted.broader",
               "A service the plan document does not name is paid under the plan's general medical benefits "
               "(the broader category it falls in); the payer's medical policy then decides whether it is covered",
               "45 CFR 147.200 (the SBC lists common services only; covered services are those of the plan "
               "document); data/catalogue/services.yaml broader:")
BACKCOVER_RULE(abn_on_file, "medicare.abn.patient_liable",
               "The patient signed an Advance Beneficiary Notice naming this service before it was furnished: a "
               "not-reasonable-and-necessary denial is the patient's to pay (modifier GA)",
               "SSA §1879 (limitation on liability); CMS-R-131 ABN; CPM 100-04 ch30 §40, §50")
BACKCOVER_RULE(no_abn_provider_liable, "medicare.abn.provider_liable",
               "Without a valid Advance Beneficiary Notice signed before the service, the provider is liable for a "
               "not-reasonable-and-necessary denial (modifier GZ); the patient owes nothing for the line",
               "SSA §1879 (limitation on liability); CPM 100-04 ch30 §20, §40.3")
BACKCOVER_RULE(statutory_exclusion_gy, "medicare.gy.patient_liable",
               "A service Medicare excludes by statute, or that is not a Medicare benefit (modifier GY), is the "
               "patient's to pay; no Advance Beneficiary Notice is needed for it",
               "SSA §1862(a) (exclusions other than (a)(1)); CMS Pub 100-04 ch30, liability modifiers GA, GX, GY, GZ")
BACKCOVER_RULE(missing_auth_held_harmless, "network.missing_prior_auth.held_harmless",
               "An in-network provider who did not obtain a required prior authorization cannot bill the member: "
               "the denial is the provider's (group CO)",
               "Provider network agreements (member hold-harmless clause); CARC 197 with group code CO "
               "(X12 External Code Source 139)")
BACKCOVER_RULE(ma_transition, "medicare_advantage.transition_90_days",
               "A Medicare Advantage plan must honour an active course of treatment for at least 90 days after the "
               "enrollee joins from another plan: no new prior authorization is needed in that time",
               "42 CFR 422.112(b)(8) (CMS-4201-F, from 2024-01-01)")
BACKCOVER_RULE(self_pay_gfe, "nsa.self_pay_gfe",
               "Uninsured or self-pay: the provider must give a Good Faith Estimate; a bill at least $400 above it "
               "can be disputed (patient-provider dispute resolution, $25 fee) within 120 days of the bill",
               "No Surprises Act, PHSA 2799B-6 and 2799B-7; 45 CFR 149.610, 149.620")

#undef BACKCOVER_RULE

}  // namespace backcover::builtin_rules
