// The treatment log document: dated visits and the case's history
// (medications, therapies, imaging, score trends).
#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>

#include "backcover/docs/billing.hpp"
#include "backcover/docs/render.hpp"
#include "docs/text.hpp"

namespace backcover::docs {

using detail::lower;

using nlohmann::json;

// A format string chosen at run time (the document's language).
template <typename... A>
std::string vf(std::string_view f, const A&... args) {
  return fmt::vformat(f, fmt::make_format_args(args...));
}

namespace {

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

std::string span(const std::optional<Date>& a, const std::optional<Date>& b, bool es) {
  if (a && b) return a->str() + " – " + b->str();
  if (a) return a->str() + (es ? " – en curso" : " – ongoing");
  if (b) return std::string(es ? "hasta " : "until ") + b->str();
  return missing(es ? "fechas" : "dates", es ? "es" : "en");
}


// A case-file word ("physical_therapy", "failed") in the document's language;
// a word not in the list is shown as written, underscores as spaces.
std::string word(std::string_view v, bool es) {
  struct W {
    const char* key;
    const char* en;
    const char* es;
  };
  static constexpr W kWords[] = {
      {"physical_therapy", "physical therapy", "fisioterapia"},
      {"chiropractic", "chiropractic care", "quiropráctica"},
      {"massage", "massage therapy", "masoterapia"},
      {"acupuncture", "acupuncture", "acupuntura"},
      {"home_exercise", "home exercise program", "ejercicios en casa"},
      {"epidural_injection", "epidural steroid injection", "inyección epidural de esteroides"},
      {"facet_injection", "facet joint injection", "inyección facetaria"},
      {"medial_branch_block", "medial branch block", "bloqueo de rama medial"},
      {"nsaid", "anti-inflammatory medicine (NSAID)", "antiinflamatorio (AINE)"},
      {"failed", "failed", "sin éxito"},
      {"partial", "partial response", "respuesta parcial"},
      {"improved", "improved", "mejoría"},
      {"ongoing", "ongoing", "en curso"},
      {"side effects", "side effects", "efectos secundarios"},
      {"side_effects", "side effects", "efectos secundarios"},
      {"mri", "MRI", "resonancia magnética"},
      {"ct", "CT", "tomografía computarizada"},
      {"xray", "X-ray", "radiografía"},
      {"x-ray", "X-ray", "radiografía"},
      {"lumbar", "lumbar spine", "columna lumbar"},
      {"cervical", "cervical spine", "columna cervical"},
      {"thoracic", "thoracic spine", "columna torácica"},
  };
  std::string key = lower(v);
  for (const auto& w : kWords)
    if (key == w.key) return es ? w.es : w.en;
  std::string out(v);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

// The usual maximum of a measure when the case file does not say.
int usual_max(const std::string& m) {
  if (m == "NPRS" || m == "VAS" || m == "NRS") return 10;
  if (m == "ODI" || m == "NDI") return 100;
  return 0;
}

std::string score_text(const Score& s) {
  int max = s.max ? s.max : usual_max(s.measure);
  return max ? fmt::format("{}/{}", s.value, max) : std::to_string(s.value);
}

}  // namespace

json log_context(const CaseFile& cf, std::string_view lang) {
  const bool es = lang == "es";
  const std::string none = es ? "—" : "—";
  std::vector<const LogVisit*> visits;
  for (const auto& v : cf.log) visits.push_back(&v);
  std::stable_sort(visits.begin(), visits.end(), [](const LogVisit* a, const LogVisit* b) { return a->date < b->date; });
  json vs = json::array();
  int total_minutes = 0;
  bool any_notes = false;
  for (const LogVisit* v : visits) {
    total_minutes += v->minutes;
    std::string change = none;
    if (v->pain_before && v->pain_after) change = fmt::format("{:+d}", *v->pain_after - *v->pain_before);
    // One cell for the table: "7 → 5 (-2)".
    std::string pain = none;
    if (v->pain_before || v->pain_after)
      pain = fmt::format("{} → {}", v->pain_before ? std::to_string(*v->pain_before) : none,
                         v->pain_after ? std::to_string(*v->pain_after) : none) +
             (v->pain_before && v->pain_after ? " (" + change + ")" : std::string());
    any_notes = any_notes || !v->notes.empty();
    vs.push_back({{"date", v->date.str()},
                  {"codes", v->codes.empty() ? none : table_cell(join(v->codes, ", "))},
                  {"modalities", v->modalities.empty() ? none : table_cell(join(v->modalities, ", "))},
                  {"minutes", v->minutes ? std::to_string(v->minutes) : none},
                  {"pain_before", v->pain_before ? std::to_string(*v->pain_before) : none},
                  {"pain_after", v->pain_after ? std::to_string(*v->pain_after) : none},
                  {"pain_change", change},
                  {"pain", pain},
                  {"function", v->function.empty() ? none : table_cell(v->function)},
                  {"notes", v->notes.empty() ? none : table_cell(v->notes)},
                  {"has_notes", !v->notes.empty()},
                  {"provider", v->provider.empty() ? none : table_cell(v->provider)}});
  }
  json dx = json::array();
  for (const auto& d : cf.diagnoses)
    dx.push_back({{"code", d.code}, {"description", d.description.empty() ? none : table_cell(d.description)},
                  {"onset", d.onset ? d.onset->str() : none}});
  json meds = json::array();
  for (const auto& m : cf.medications)
    meds.push_back({{"name", table_cell(m.name)}, {"dates", span(m.start, m.end, es)},
                    {"outcome", m.outcome.empty() ? missing(fmt::format("{}{}", es ? "resultado de " : "outcome of ", table_cell(m.name)), lang) : table_cell(word(m.outcome, es))}});
  json ther = json::array();
  for (const auto& t : cf.therapies) {
    std::string dates = span(t.start, t.end, es);
    if (t.weeks > 0) dates += vf(es ? " ({} semanas)" : " ({} weeks)", t.weeks);
    ther.push_back({{"kind", table_cell(word(t.kind, es))}, {"dates", dates},
                    {"outcome", t.outcome.empty() ? missing(fmt::format("{}{}", es ? "resultado de " : "outcome of ", table_cell(word(t.kind, es))), lang) : table_cell(word(t.outcome, es))},
                    {"provider", t.provider.empty() ? none : table_cell(t.provider)}});
  }
  json img = json::array();
  for (const auto& i : cf.imaging)
    img.push_back({{"date", i.date.str()},
                   {"study", table_cell(word(i.modality, es) + (i.region.empty() ? "" : (es ? " de la " : " of the ") + word(i.region, es)))},
                   {"finding", i.finding.empty() ? missing(es ? "hallazgo de la imagen" : "imaging finding", lang) : table_cell(i.finding)}});
  // Score trend per measure: first and latest by date.
  std::map<std::string, std::pair<const Score*, const Score*>> trend;
  std::vector<std::string> order;
  for (const auto& s : cf.scores) {
    auto [it, fresh] = trend.try_emplace(s.measure, &s, &s);
    if (fresh) order.push_back(s.measure);
    if (s.date < it->second.first->date) it->second.first = &s;
    if (!(s.date < it->second.second->date)) it->second.second = &s;
  }
  json scores = json::array();
  for (const auto& m : order) {
    const auto& [first, latest] = trend[m];
    std::string change = first == latest ? (es ? "una sola medición" : "one measurement")
                                         : fmt::format("{:+d}", latest->value - first->value);
    scores.push_back({{"measure", m},
                      {"first", fmt::format("{} ({})", score_text(*first), first->date.str())},
                      {"latest", fmt::format("{} ({})", score_text(*latest), latest->date.str())},
                      {"change", change}});
  }
  return {{"patient_name", cf.patient.name.empty() ? missing(es ? "nombre del paciente" : "patient name", lang) : cf.patient.name},
          {"patient_dob", cf.patient.date_of_birth ? cf.patient.date_of_birth->str() : missing(es ? "fecha de nacimiento del paciente" : "patient date of birth", lang)},
          {"visits", vs},
          {"has_visits", !vs.empty()},
          {"visit_count", vs.size()},
          {"total_minutes", total_minutes},
          {"first_visit", visits.empty() ? none : visits.front()->date.str()},
          {"last_visit", visits.empty() ? none : visits.back()->date.str()},
          {"has_notes", any_notes},
          {"diagnoses", dx},
          {"has_diagnoses", !dx.empty()},
          {"missing_diagnoses", missing(es ? "diagnóstico (código CIE-10-MC)" : "diagnosis (ICD-10-CM code)", lang)},
          {"medications", meds},
          {"has_medications", !meds.empty()},
          {"therapies", ther},
          {"has_therapies", !ther.empty()},
          {"imaging", img},
          {"has_imaging", !img.empty()},
          {"scores", scores},
          {"has_scores", !scores.empty()}};
}

}  // namespace backcover::docs
