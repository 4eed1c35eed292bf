// The criteria evaluator. Pure: the line's date is "today"; everything else
// comes from the case file, the plan and the earlier lines of the estimate.
// Each criterion returns whether it holds and, in plain words, what satisfied
// it or what is still missing from the case file.
#include "backcover/policy/evaluate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <span>

namespace backcover::policy {

namespace {

using K = Criterion::Kind;

// ASCII only: codes and the case-file vocabulary are ASCII, and the locale-aware
// std::tolower is a library call per character on the hot path.
constexpr char ascii_lower(char ch) { return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch; }
constexpr char ascii_upper(char ch) { return ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 'a' + 'A') : ch; }

// An ICD-10-CM code normalised (dots and blanks dropped, upper case, a
// trailing * dropped) into a fixed buffer, so a diagnosis is normalised once
// and matched against every pattern of a set without allocating.
struct IcdNorm {
  char b[24];
  std::size_t n = 0;
  explicit IcdNorm(std::string_view s) {
    for (char ch : s)
      if (ch != '.' && ch != ' ' && n < sizeof b) b[n++] = ascii_upper(ch);
    if (n > 0 && b[n - 1] == '*') --n;
  }
  std::string_view view() const { return {b, n}; }
};
struct IcdKey {
  IcdNorm code;
  explicit IcdKey(std::string_view c) : code(c) {}
  // "M51.1" matches M51.1 and every code under it, "M51.1*" the same,
  // "M48.06-M48.07" an inclusive range.
  bool matches(std::string_view pattern) const {
    const std::string_view cv = code.view();
    if (auto dash = pattern.find('-'); dash != std::string_view::npos) {
      const IcdNorm lo(pattern.substr(0, dash)), hi(pattern.substr(dash + 1));
      if (hi.n > 0 && cv.substr(0, hi.n) == hi.view()) return true;  // everything under the upper bound
      return cv >= lo.view() && cv <= hi.view();
    }
    const IcdNorm p(pattern);
    return p.n > 0 && cv.substr(0, p.n) == p.view();
  }
};

// The line's category, else its code's; a reference (no copy), empty when neither says.
const std::string& line_category(const ServiceLine& line, const CodeInfo* code) {
  static const std::string kNone;
  return !line.category.empty() ? line.category : code ? code->category : kNone;
}

std::string norm_icd(std::string_view s) {
  std::string out;
  for (char ch : s)
    if (ch != '.' && ch != ' ') out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

bool equal_ci(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

bool contains_ci(const std::vector<std::string>& set, std::string_view v) {
  for (const auto& s : set)
    if (equal_ci(s, v)) return true;
  return false;
}

std::string words(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

std::string join(std::span<const std::string> v, std::string_view last_sep = " or ", bool underscores = true) {
  std::size_t n = 0;
  for (const auto& x : v) n += x.size() + last_sep.size();
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += (i + 1 == v.size()) ? last_sep : std::string_view(", ");
    const std::size_t at = out.size();
    out += v[i];
    if (underscores) std::replace(out.begin() + static_cast<std::ptrdiff_t>(at), out.end(), '_', ' ');
  }
  return out;
}

std::string plural(int n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// "within the last 6 months" / "within the last 90 days"
std::string window_words(int days) {
  if (days <= 0) return {};
  if (days % 365 == 0) return days == 365 ? " in the last 12 months" : fmt::format(" in the last {} years", days / 365);
  if (days % 30 == 0 && days >= 60) return fmt::format(" in the last {} months", days / 30);
  return fmt::format(" in the last {} days", days);
}

// Relief percentage written in an outcome ("85% relief", "relief 80%").
int relief_of(std::string_view outcome) {
  for (std::size_t i = 0; i < outcome.size(); ++i) {
    if (outcome[i] != '%') continue;
    std::size_t j = i;
    while (j > 0 && std::isdigit(static_cast<unsigned char>(outcome[j - 1]))) --j;
    if (j < i) {
      if (i - j > 3) return 100;  // "1000%": more than all of it
      return std::min(100, std::atoi(std::string(outcome.substr(j, i - j)).c_str()));
    }
  }
  return -1;
}

// How long the relief written in an outcome lasted, in days: the first
// "<number> <unit>" not followed by "%" ("85% relief for 7 months", "relief
// lasting 26 weeks", "6 hours"); hours count as 0 days; a month is 30 days.
// -1 when no duration is written.
int relief_days_of(std::string_view outcome) {
  auto lower = [](char ch) { return static_cast<char>(std::tolower(static_cast<unsigned char>(ch))); };
  for (std::size_t i = 0; i < outcome.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(outcome[i])) || (i > 0 && std::isdigit(static_cast<unsigned char>(outcome[i - 1]))))
      continue;
    std::size_t j = i;
    while (j < outcome.size() && std::isdigit(static_cast<unsigned char>(outcome[j]))) ++j;
    if (j - i > 4) continue;  // not a duration
    const int n = std::atoi(std::string(outcome.substr(i, j - i)).c_str());
    std::size_t k = j;
    while (k < outcome.size() && (outcome[k] == ' ' || outcome[k] == '-')) ++k;
    std::string unit;
    while (k < outcome.size() && std::isalpha(static_cast<unsigned char>(outcome[k]))) unit += lower(outcome[k++]);
    if (unit == "hour" || unit == "hours" || unit == "h" || unit == "hr" || unit == "hrs") return 0;
    if (unit == "day" || unit == "days") return n;
    if (unit == "week" || unit == "weeks" || unit == "wk" || unit == "wks") return n * 7;
    if (unit == "month" || unit == "months" || unit == "mo") return n * 30;
    if (unit == "year" || unit == "years" || unit == "yr" || unit == "yrs") return n * 365;
  }
  return -1;
}

std::string relief_words(const Criterion& cr) {
  std::string s = cr.relief_pct > 0 ? fmt::format(" with at least {}% relief", cr.relief_pct) : "";
  if (cr.relief_months > 0)
    s += fmt::format(" lasting at least {} month{}", cr.relief_months, cr.relief_months == 1 ? "" : "s");
  return s;
}

// How much wording to produce: everything (explain, tests), only what is
// missing (the engine's hot path), or nothing (a `when:` that only gates).
enum class Text : std::uint8_t { All, Unmet, None };

struct Ctx {
  const Library* lib;
  const Pack* pack;  // the pack the rule belongs to (sets, regions)
  const PolicyRule* rule;
  const ServiceLine& line;
  const CodeInfo* code;
  const Plan& plan;
  const CaseFile& cf;
  const std::vector<const ServiceLine*>& earlier;
  Text text = Text::All;
};

bool want(const Ctx& c, bool met) { return c.text == Text::All || (c.text == Text::Unmet && !met); }

std::string service_name(const Ctx& c) {
  if (c.rule && !c.rule->service.empty()) return c.rule->service;
  if (c.code && !c.code->name.empty()) return lower(c.code->name);
  return "code " + c.line.code;
}

// The line's diagnoses, else the case file's (copied into `store` only then).
std::span<const std::string> line_diagnoses(const Ctx& c, std::vector<std::string>& store) {
  if (!c.line.diagnoses.empty()) return c.line.diagnoses;
  store.clear();
  for (const auto& d : c.cf.diagnoses) store.push_back(d.code);
  return store;
}

std::string set_words(const Criterion& cr, const Pack& pack) {
  if (!cr.set_name.empty()) {
    auto it = pack.set_labels.find(cr.set_name);
    if (it != pack.set_labels.end() && !it->second.empty()) return it->second;
    return words(cr.set_name);
  }
  return join(cr.values, " or ", false);
}

bool in_window(std::optional<Date> start, std::optional<Date> end, Date on, int within_days) {
  if (start && *start > on) return false;  // not yet begun on the date of service
  if (within_days <= 0) return true;
  const Date from = on.plus_days(-within_days);
  const Date last = end ? *end : start ? *start : on;  // undated: taken at its word
  return last >= from;
}

// "herniation" also finds "herniated", "extrusion" finds "extruded": a
// report's wording varies, so a finding word matches on its stem.
std::string stem(std::string w) {
  for (const char* suffix : {"ation", "sion", "tion", "ing", "ed", "es", "s"}) {
    const std::size_t n = std::char_traits<char>::length(suffix);
    if (w.size() >= n + 4 && w.compare(w.size() - n, n, suffix) == 0) {
      w.resize(w.size() - n);
      break;
    }
  }
  return w;
}

std::string care_words(const Criterion& cr) {
  if (!cr.describe.empty()) return cr.describe;
  return join(cr.values);
}

bool line_in_region(const Pack& pack, std::string_view code, std::string& region) {
  for (const auto& [name, codes] : pack.regions)
    if (std::find(codes.begin(), codes.end(), code) != codes.end()) {
      region = name;
      return true;
    }
  return false;
}

bool authorization_on_file(const Ctx& c) {
  for (const auto& a : c.cf.authorizations) {
    if (!equal_ci(a.status, "approved")) continue;
    if (!(a.from <= c.line.date && c.line.date <= a.to)) continue;
    bool match = std::find(a.codes.begin(), a.codes.end(), c.line.code) != a.codes.end();
    if (!match && c.code) match = contains_ci(a.categories, c.code->category);
    if (!match && !c.line.category.empty()) match = contains_ci(a.categories, c.line.category);
    if (!match) continue;
    if (a.visits > 0 && a.visits_used >= a.visits) continue;
    return true;
  }
  return false;
}

CriterionResult eval(const Criterion& cr, const Ctx& c);

CriterionResult eval_diagnosis(const Criterion& cr, const Ctx& c) {
  std::vector<std::string> store;
  auto dx = line_diagnoses(c, store);
  if (cr.primary_only && dx.size() > 1) dx = dx.first(1);
  auto what = [&] { return set_words(cr, *c.pack); };  // only when a sentence is written
  std::string young;  // a matching diagnosis whose onset is too recent
  std::optional<Date> eligible;  // set when the only obstacle is the onset date (a fact)
  for (const auto& d : dx) {
    const IcdKey key(d);  // normalised once, not once per pattern
    bool match = false;
    for (const auto& p : cr.values)
      if (key.matches(p)) {
        match = true;
        break;
      }
    if (!match) continue;
    if (cr.for_weeks > 0) {
      std::optional<Date> onset;
      for (const auto& cd : c.cf.diagnoses)
        if (norm_icd(cd.code) == norm_icd(d)) onset = cd.onset;
      if (!onset) {
        eligible.reset();
        young = fmt::format("diagnosis {} has no onset date on file; add the date symptoms began (at least {} weeks "
                            "before {} is required)",
                            d, cr.for_weeks, c.line.date.str());
        continue;
      }
      const int weeks = (c.line.date - *onset) / 7;
      if (weeks < cr.for_weeks) {
        // How long the condition has lasted by the date of service is a fact:
        // no document changes it. The date it will have lasted long enough.
        const Date ok_from = onset->plus_days(7 * cr.for_weeks);
        if (young.empty() || (eligible && ok_from < *eligible)) {
          eligible = ok_from;
          young = fmt::format("diagnosis {} began on {}, {} before {}; {} need at least {} weeks: eligible from {}, "
                              "when it has lasted {} weeks",
                              d, onset->str(), plural(weeks, "week", "weeks"), c.line.date.str(), service_name(c),
                              cr.for_weeks, ok_from.str(), cr.for_weeks);
        }
        continue;
      }
      return {true, !want(c, true) ? std::string{} : fmt::format("diagnosis {} ({}) for {} weeks", d, what(), weeks)};
    }
    return {true, !want(c, true) ? std::string{} : fmt::format("diagnosis {} ({}) is on file", d, what())};
  }
  if (!young.empty()) {
    CriterionResult r{false, young};
    if (eligible) {
      r.fixed = true;
      r.from = eligible;
    }
    return r;
  }
  if (dx.empty())
    return {false, !want(c, false) ? std::string{} : fmt::format("no diagnosis is on the line or in the case file; {} requires a diagnosis of {}",
                               service_name(c), what())};
  return {false, !want(c, false) ? std::string{} : fmt::format("the {} ({}) {} not {}; {} requires a diagnosis of {}",
                             cr.primary_only ? "primary diagnosis" : (dx.size() == 1 ? "diagnosis" : "diagnoses"),
                             join(dx, " and ", false), dx.size() == 1 || cr.primary_only ? "is" : "are", what(),
                             service_name(c), what())};
}

CriterionResult eval_age(const Criterion& cr, const Ctx& c) {
  const auto& dob = c.cf.patient.date_of_birth;
  std::string range = cr.max < 0   ? fmt::format("{} or older", cr.min)
                      : cr.min <= 0 ? fmt::format("{} or younger", cr.max)
                                    : fmt::format("from {} to {}", cr.min, cr.max);
  if (!dob) return {false, !want(c, false) ? std::string{} : fmt::format("the patient's date of birth is not on file; this rule needs an age {}", range)};
  const int age = age_on(*dob, c.line.date);
  const bool ok = age >= cr.min && (cr.max < 0 || age <= cr.max);
  CriterionResult r{ok, !want(c, ok) ? std::string{} : fmt::format("the patient is {} on {} (this rule: age {})", age, c.line.date.str(), range)};
  if (!ok) {
    // Age is a fact; too young changes on a birthday, too old never does.
    r.fixed = true;
    if (age < cr.min) {
      const int y = static_cast<int>(dob->year()) + cr.min;
      Date bday = Date::from_ymd(y, dob->month(), dob->day() == 29 && dob->month() == 2 ? 28 : dob->day());
      r.from = bday;
      if (want(c, false)) r.text += fmt::format("; eligible from {}", bday.str());
    }
  }
  return r;
}

CriterionResult eval_care(const Criterion& cr, const Ctx& c) {
  int weeks = 0, records = 0;
  std::vector<std::string> wrong_outcome;
  for (const auto& t : c.cf.therapies) {
    if (!contains_ci(cr.values, t.kind)) continue;
    if (!in_window(t.start, t.end, c.line.date, cr.within_days)) continue;
    if (!cr.outcomes.empty() && !contains_ci(cr.outcomes, t.outcome)) {
      wrong_outcome.push_back(fmt::format("{} ({})", words(t.kind), t.outcome.empty() ? "no outcome" : t.outcome));
      continue;
    }
    weeks += t.weeks;
    ++records;
  }
  const bool met = cr.min > 0 ? weeks >= cr.min : records > 0;
  if (!want(c, met)) return {met, {}};
  const std::string what = care_words(cr);
  const std::string win = window_words(cr.within_days);
  const std::string outcome = cr.outcomes.empty() ? "" : fmt::format(" with outcome {}", join(cr.outcomes));
  if (cr.min > 0) {
    if (weeks >= cr.min) return {true, !want(c, true) ? std::string{} : fmt::format("{} weeks of {}{}{} documented", weeks, what, outcome, win)};
    std::string text = fmt::format("{} of the {} weeks of {}{} required before {} {} documented{}; add {} more {}",
                                   weeks, cr.min, what, outcome, service_name(c), weeks == 1 ? "is" : "are", win,
                                   cr.min - weeks, cr.min - weeks == 1 ? "week" : "weeks");
    if (!wrong_outcome.empty())
      text += fmt::format(" (not counted, outcome not {}: {})", join(cr.outcomes), join(wrong_outcome, " and ", false));
    return {false, text};
  }
  if (records > 0) return {true, !want(c, true) ? std::string{} : fmt::format("{}{} on file", what, outcome)};
  return {false, !want(c, false) ? std::string{} : fmt::format("no {}{} is documented{}; add it to the case file", what, outcome, win)};
}

CriterionResult eval_blocks(const Criterion& cr, const Ctx& c) {
  int good = 0;
  std::vector<std::string> weak;
  for (const auto& t : c.cf.therapies) {
    if (!contains_ci(cr.values, t.kind)) continue;
    if (!in_window(t.start, t.end, c.line.date, cr.within_days)) continue;
    const int r = relief_of(t.outcome);
    const bool enough = r >= cr.relief_pct && (cr.relief_pct > 0 || r >= 0 || contains_ci({"improved", "success", "passed"}, t.outcome));
    const int lasted = cr.relief_months > 0 ? relief_days_of(t.outcome) : 0;
    const bool long_enough = cr.relief_months <= 0 || lasted >= cr.relief_months * 30;
    if (enough && long_enough) {
      ++good;
    } else if (!enough) {
      weak.push_back(r >= 0 ? fmt::format("{}%", r) : (t.outcome.empty() ? "no relief recorded" : t.outcome));
    } else {
      weak.push_back(lasted < 0 ? fmt::format("{}% relief, how long it lasted is not recorded", r)
                                : fmt::format("{}% relief that lasted {} day{}", r, lasted, lasted == 1 ? "" : "s"));
    }
  }
  if (!want(c, good >= cr.min)) return {good >= cr.min, {}};
  const std::string what = care_words(cr);
  const std::string relief = relief_words(cr);
  const std::string win = window_words(cr.within_days);
  if (good >= cr.min) return {true, !want(c, true) ? std::string{} : fmt::format("{} of {}{} documented{}", good, what, relief, win)};
  std::string text = fmt::format("{} of the {} {}{} required before {} {} documented{}; add {} more", good, cr.min,
                                 what, relief, service_name(c), good == 1 ? "is" : "are", win, cr.min - good);
  if (!weak.empty()) text += fmt::format(" (not counted: {})", join(weak, " and ", false));
  return {false, text};
}

CriterionResult eval_evaluation(const Criterion& cr, const Ctx& c) {
  const std::string what = care_words(cr);
  for (const auto& t : c.cf.therapies) {
    if (!contains_ci(cr.values, t.kind)) continue;
    if (!in_window(t.start, t.end, c.line.date, cr.within_days)) continue;
    if (!cr.outcomes.empty() && !contains_ci(cr.outcomes, t.outcome)) continue;
    return {true, !want(c, true) ? std::string{} : fmt::format("{} on file{}", what, t.start ? " (" + t.start->str() + ")" : "")};
  }
  const std::string outcome = cr.outcomes.empty() ? "" : fmt::format(" with outcome {}", join(cr.outcomes));
  return {false, !want(c, false) ? std::string{} : fmt::format("no {}{} is on file{}; {} requires one", what, outcome, window_words(cr.within_days),
                             service_name(c))};
}

CriterionResult eval_imaging(const Criterion& cr, const Ctx& c) {
  std::string near;
  for (const auto& im : c.cf.imaging) {
    if (!cr.modalities.empty() && !contains_ci(cr.modalities, im.modality)) continue;
    if (!cr.regions.empty() && !contains_ci(cr.regions, im.region)) continue;
    if (im.date > c.line.date) continue;
    const std::string found = fmt::format("{} {} of {}", im.region, im.modality, im.date.str());
    if (cr.within_days > 0 && c.line.date - im.date > cr.within_days) {
      near = fmt::format(" (the {} is older than {} days)", found, cr.within_days);
      continue;
    }
    if (!cr.findings.empty()) {
      const auto f = lower(im.finding);
      bool hit = false;
      for (const auto& w : cr.findings)
        if (f.find(stem(lower(w))) != std::string::npos) hit = true;
      if (!hit) {
        near = fmt::format(" (the {} reports \"{}\")", found, im.finding);
        continue;
      }
    }
    return {true, !want(c, true) ? std::string{} : fmt::format("{}{}", found, im.finding.empty() ? "" : ": " + im.finding)};
  }
  std::string what = !cr.describe.empty() ? cr.describe
                                          : fmt::format("{} {}", cr.regions.empty() ? "" : join(cr.regions),
                                                        cr.modalities.empty() ? "imaging" : join(cr.modalities));
  if (!cr.findings.empty()) what += " showing " + join(cr.findings, " or ", false);
  std::string win = cr.within_days > 0 ? fmt::format(" from the last {} days", cr.within_days) : "";
  return {false, !want(c, false) ? std::string{} : fmt::format("no {}{} is on file{}; add the imaging report", what, win, near)};
}

// The elements an examination text shows (each element's words matched on
// their stem, case aside), in the criterion's order.
std::vector<std::string> exam_elements(const Criterion& cr, std::string_view text) {
  const std::string t = lower(text);
  std::vector<std::string> found;
  for (const auto& [name, words] : cr.elements)
    for (const auto& w : words)
      if (t.find(stem(lower(w))) != std::string::npos) {
        found.push_back(name);
        break;
      }
  return found;
}

// "range_of_motion" -> "range of motion", for messages.
std::vector<std::string> spaced(std::vector<std::string> names) {
  for (auto& n : names) std::replace(n.begin(), n.end(), '_', ' ');
  return names;
}

CriterionResult eval_exam(const Criterion& cr, const Ctx& c) {
  // One examination is one date: findings recorded the same day count together.
  std::vector<Date> dates;
  for (const auto& f : c.cf.findings)
    if (f.date <= c.line.date && (cr.within_days <= 0 || c.line.date - f.date <= cr.within_days)) dates.push_back(f.date);
  std::sort(dates.begin(), dates.end());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
  std::string best;
  std::size_t best_n = 0;
  for (auto d = dates.rbegin(); d != dates.rend(); ++d) {
    std::vector<std::string> found;
    for (const auto& f : c.cf.findings) {
      if (f.date != *d) continue;
      for (auto& e : exam_elements(cr, f.text))
        if (std::find(found.begin(), found.end(), e) == found.end()) found.push_back(e);
    }
    bool key = cr.values.empty();
    for (const auto& v : cr.values) key = key || std::find(found.begin(), found.end(), v) != found.end();
    if (static_cast<int>(found.size()) >= cr.min && key)
      return {true, !want(c, true) ? std::string{}
                                   : fmt::format("the examination of {} shows {}", d->str(), join(spaced(found), ", ", false))};
    if (found.size() >= best_n) {
      best_n = found.size();
      best = fmt::format(" (the examination of {} shows {}{})", d->str(),
                         found.empty() ? std::string("none of them") : join(spaced(found), ", ", false),
                         key ? "" : "; none of " + join(spaced(cr.values), " or ", false));
    }
  }
  if (!want(c, false)) return {false, {}};
  std::vector<std::string> names;
  for (const auto& e : cr.elements) names.push_back(e.first);
  const std::string what = !cr.describe.empty()
                               ? cr.describe
                               : fmt::format("an examination showing at least {} of {}{}", cr.min, join(spaced(names), ", ", false),
                                             cr.values.empty() ? "" : ", one of them " + join(spaced(cr.values), " or ", false));
  const std::string win = cr.within_days > 0 ? fmt::format(" from the last {} days", cr.within_days) : "";
  return {false, fmt::format("no {}{} is on file{}; add the examination findings to the case file", what, win, best)};
}

// A therapy plan of care on file for the line's date (PT: physical therapy
// and massage lines). Medicare: certified by a physician or NPP within 30 days
// of the first treatment (later only with a reason), lasting at most 90
// days, recertified at least every 90 (BPM 100-02 ch15 §220.1.2-220.1.3;
// 42 CFR 424.24(c)). Sets `gap` when one is on file but does not cover the date.
bool plan_of_care_covers(const Ctx& c, std::string& gap) {
  const std::string& cat = line_category(c.line, c.code);
  if (cat != "physical_therapy" && cat != "massage") return false;
  for (const auto& poc : c.cf.plans_of_care) {
    if (poc.discipline != "PT" || poc.start > c.line.date) continue;
    Date anchor = poc.start;
    for (const Date& rc : poc.recertified)
      if (rc <= c.line.date) anchor = rc;
    const int days = std::min(poc.duration_days, 90);
    const Date end = anchor.plus_days(days - 1);
    if (c.line.date > end) {
      gap = fmt::format("the PT plan of care of {} ran to {} ({} days{}); have the physician or NPP recertify it "
                        "(at least every 90 days) before {}",
                        poc.start.str(), end.str(), days, anchor == poc.start ? "" : ", from its recertification of " + anchor.str(),
                        c.line.date.str());
      continue;
    }
    if (!poc.certified || *poc.certified > c.line.date) {
      gap = fmt::format("the PT plan of care of {} is not yet certified; have the physician or NPP sign it (within 30 "
                        "days of {})",
                        poc.start.str(), poc.start.str());
      continue;
    }
    if (*poc.certified > poc.start.plus_days(30) && poc.delay_reason.empty()) {
      gap = fmt::format("the PT plan of care of {} was certified on {}, more than 30 days after it began; record the "
                        "reason for the delay (delayed certification is accepted with one)",
                        poc.start.str(), poc.certified->str());
      continue;
    }
    gap.clear();
    return true;
  }
  return false;
}

CriterionResult eval_order(const Criterion& cr, const Ctx& c) {
  const char* noun = cr.prescription ? "prescription" : "referral";
  std::vector<std::string> store;
  const auto dx = line_diagnoses(c, store);
  std::string best_gap;
  if (cr.prescription) {
    std::string gap;
    if (plan_of_care_covers(c, gap)) {
      const PlanOfCare* on = nullptr;
      for (const auto& p : c.cf.plans_of_care)
        if (p.start <= c.line.date) on = &p;
      return {true, !want(c, true) || !on ? std::string{}
                                          : fmt::format("PT plan of care of {}, certified {}{}", on->start.str(),
                                                        on->certified ? on->certified->str() : "",
                                                        on->certified_by.empty() ? "" : " by " + on->certified_by)};
    }
    best_gap = gap;
  }
  for (const auto& r : c.cf.referrals) {
    if ((r.kind == Referral::Kind::Prescription) != cr.prescription) continue;
    bool covers = r.categories.empty() && r.codes.empty();
    if (std::find(r.codes.begin(), r.codes.end(), c.line.code) != r.codes.end()) covers = true;
    if (c.code && contains_ci(r.categories, c.code->category)) covers = true;
    if (!c.line.category.empty() && contains_ci(r.categories, c.line.category)) covers = true;
    if (!covers) continue;
    if (r.date > c.line.date) continue;
    if (r.expires && *r.expires < c.line.date) {
      if (best_gap.empty())
        best_gap = fmt::format("the {} of {} expired on {}; get a new one", noun, r.date.str(), r.expires->str());
      continue;
    }
    if (cr.within_days > 0 && c.line.date - r.date > cr.within_days) {
      if (best_gap.empty())
        best_gap = fmt::format("the {} of {} is older than {} days; get a new one", noun, r.date.str(), cr.within_days);
      continue;
    }
    if (!cr.values.empty() && !contains_ci(cr.values, r.specialty)) {
      if (best_gap.empty())
        best_gap = fmt::format("the {} of {} is from {} ({}); it must come from {}", noun, r.date.str(),
                               r.from.empty() ? "a provider" : r.from, r.specialty.empty() ? "specialty not stated" : words(r.specialty),
                               join(cr.values));
      continue;
    }
    std::vector<std::string> missing;
    if (cr.need_diagnosis) {
      bool dx_ok = false;
      for (const auto& b : dx) {
        const IcdKey key(b);
        for (const auto& a : r.diagnoses)
          if (key.matches(a)) {
            dx_ok = true;
            break;
          }
        if (dx_ok) break;
      }
      if (!dx_ok) missing.push_back(r.diagnoses.empty() ? "the diagnosis" : "a diagnosis matching the line's");
    }
    if (cr.need_frequency && r.frequency.empty()) missing.push_back("the frequency");
    if (cr.need_duration && r.duration_weeks <= 0) missing.push_back("the duration");
    if (missing.empty())
      return {true, !want(c, true) ? std::string{} : fmt::format("{} of {}{}{}", noun, r.date.str(), r.frequency.empty() ? "" : ", " + r.frequency,
                                r.duration_weeks > 0 ? fmt::format(" for {} weeks", r.duration_weeks) : "")};
    best_gap = fmt::format("the {} of {} does not state {}; ask the {} to add {}", noun, r.date.str(),
                           join(missing, " and ", false), cr.prescription ? "prescriber" : "referring provider",
                           missing.size() == 1 ? "it" : "them");
  }
  if (!best_gap.empty()) return {false, best_gap};
  std::vector<std::string> needs;
  if (cr.need_diagnosis) needs.push_back("the diagnosis");
  if (cr.need_frequency) needs.push_back("the frequency");
  if (cr.need_duration) needs.push_back("the duration");
  return {false, !want(c, false) ? std::string{} : fmt::format("no {} for {} is on file; add a written {}{}{}", noun, service_name(c), noun,
                             cr.values.empty() ? "" : " from " + join(cr.values),
                             needs.empty() ? "" : " naming " + join(needs, " and ", false))};
}

CriterionResult eval_specialist(const Criterion& cr, const Ctx& c) {
  for (const auto& r : c.cf.referrals) {
    if (!contains_ci(cr.values, r.specialty)) continue;
    if (r.date > c.line.date) continue;
    if (cr.within_days > 0 && c.line.date - r.date > cr.within_days) continue;
    return {true, !want(c, true) ? std::string{} : fmt::format("note from {} ({}) of {}", r.from.empty() ? "a specialist" : r.from, words(r.specialty),
                              r.date.str())};
  }
  const std::string who = cr.describe.empty() ? join(cr.values) : cr.describe;
  return {false, !want(c, false) ? std::string{} : fmt::format("no note or referral from a {} is on file{}; {} requires the specialist's evaluation", who,
                             window_words(cr.within_days), service_name(c))};
}

CriterionResult eval_count(const Criterion& cr, const Ctx& c) {
  std::vector<std::string> codes = cr.values.empty() && c.rule ? c.rule->codes : cr.values;
  std::string region;
  if (cr.per_region && line_in_region(*c.pack, c.line.code, region)) {
    const auto& rc = c.pack->regions.at(region);
    std::erase_if(codes, [&](const std::string& x) { return std::find(rc.begin(), rc.end(), x) == rc.end(); });
  }
  DateRange window = cr.plan_year ? c.plan.plan_year(c.line.date) : last_n_days(c.line.date, cr.within_days);
  window.last = c.line.date;
  std::set<Date> dates;
  auto take = [&](const std::string& code, Date d) {
    if (window.contains(d) && std::find(codes.begin(), codes.end(), code) != codes.end()) {
      dates.insert(d);
      return true;
    }
    return false;
  };
  for (const auto& p : c.cf.past_services) take(p.code, p.date);
  // Earlier lines are in date order: walk back from the newest and stop at the
  // window's start, or once more distinct dates than the limit are seen (the
  // answer and the "next possible" date depend only on the newest `max`+1),
  // so a long course is not rescanned in full for every line.
  std::set<Date> recent;
  // Bound the walk: an estimate with thousands of lines inside one window is
  // not a treatment plan; answer conservatively instead of scanning on.
  constexpr int kMaxScan = 2000;
  int scanned = 0;
  std::size_t i = c.earlier.size();
  while (i > 0) {
    const ServiceLine* l = c.earlier[i - 1];
    if (!l) {
      --i;
      continue;
    }
    if (l->date < window.first) break;
    if (++scanned > kMaxScan)
      return {false, fmt::format("more than {} earlier lines of this estimate fall in the window; split the estimate "
                                 "so the sessions can be counted",
                                 kMaxScan)};
    if (take(l->code, l->date)) {
      recent.insert(l->date);
      if (static_cast<int>(recent.size()) > cr.max + 1) break;
      // One session per date: skip the rest of this date's lines.
      const Date day = l->date;
      auto first_of_day = std::lower_bound(c.earlier.begin(), c.earlier.begin() + static_cast<std::ptrdiff_t>(i), day,
                                           [](const ServiceLine* x, Date d) { return x && x->date < d; });
      i = static_cast<std::size_t>(first_of_day - c.earlier.begin());
      continue;
    }
    --i;
  }
  const bool same_day = dates.count(c.line.date) > 0;  // one session per date
  // This line counts when it is one of the codes counted (a rule may count
  // other codes: "no manipulation on the same day").
  if (std::find(codes.begin(), codes.end(), c.line.code) != codes.end()) dates.insert(c.line.date);
  const int n = static_cast<int>(dates.size());
  if (!want(c, n <= cr.max)) return {n <= cr.max, {}};
  const std::string what =
      !cr.describe.empty() ? cr.describe : fmt::format("{} sessions", c.rule && !c.rule->service.empty() ? c.rule->service : "these");
  const std::string where = region.empty() ? "" : fmt::format(" ({} region)", words(region));
  const std::string span = cr.plan_year ? fmt::format("the plan year {} to {}", window.first.str(), c.plan.plan_year(c.line.date).last.str())
                                        : fmt::format("the {} days ending {}", cr.within_days, c.line.date.str());
  if (n <= cr.max)
    return {true, !want(c, true) ? std::string{} : fmt::format("session {} of at most {} {}{} in {}{}", n, cr.max, what, where, span,
                              same_day ? " (same day as another counted line)" : "")};
  std::string next;
  if (!cr.plan_year) {
    std::vector<Date> prior(dates.begin(), dates.end());
    prior.erase(std::remove(prior.begin(), prior.end(), c.line.date), prior.end());
    const int k = static_cast<int>(prior.size());
    if (cr.max >= 1 && k >= cr.max) {
      const Date ok_from = prior[static_cast<std::size_t>(k - cr.max)].plus_days(cr.within_days);
      next = fmt::format("; the next session within the limit is possible from {}", ok_from.str());
    }
  } else {
    next = fmt::format("; the limit resets on {}", c.plan.plan_year(c.line.date).last.plus_days(1).str());
  }
  // Sessions already used are a fact: no paperwork gives them back.
  CriterionResult res{false, !want(c, false) ? std::string{} : fmt::format("this would be session {} of {}{} in {}; the limit is {}{}", n, what, where, span, cr.max,
                             next)};
  res.fixed = true;
  return res;
}

CriterionResult eval(const Criterion& cr, const Ctx& c) {
  CriterionResult r;
  switch (cr.kind) {
    case K::Diagnosis: r = eval_diagnosis(cr, c); break;
    case K::Age: r = eval_age(cr, c); break;
    case K::Care: r = eval_care(cr, c); break;
    case K::Blocks: r = eval_blocks(cr, c); break;
    case K::Evaluation: r = eval_evaluation(cr, c); break;
    case K::Imaging: r = eval_imaging(cr, c); break;
    case K::Exam: r = eval_exam(cr, c); break;
    case K::Order: r = eval_order(cr, c); break;
    case K::Specialist: r = eval_specialist(cr, c); break;
    case K::Count: r = eval_count(cr, c); break;
    case K::Modifier: {
      for (const auto& m : c.line.modifiers)
        if (contains_ci(cr.values, m)) {
          r = {true, want(c, true) ? "modifier " + m + " is on the line" : std::string{}};
          break;
        }
      if (!r.met && want(c, false))
        r = {false, fmt::format("modifier {} is missing from the line", join(cr.values, " or ", false))};
      break;
    }
    case K::Units:
      r.met = c.line.units <= cr.max;
      if (want(c, r.met)) r.text = fmt::format("{} on the line (at most {})", plural(c.line.units, "unit", "units"), cr.max);
      break;
    case K::PlanType:
      r.met = contains_ci(cr.values, to_string(c.plan.plan_type));
      if (want(c, r.met)) r.text = fmt::format("the plan is a{} {}{}", std::string("AEIOU").find(to_string(c.plan.plan_type)[0]) != std::string::npos ? "n" : "",
                           to_string(c.plan.plan_type), r.met ? "" : " (this rule: " + join(cr.values, " or ", false) + ")");
      break;
    case K::Network:
      r.met = c.line.provider.network == cr.network;
      if (want(c, r.met)) r.text = fmt::format("the provider is {}", c.line.provider.network == Network::In ? "in network" : "out of network");
      if (!r.met && want(c, r.met)) r.text += cr.network == Network::In ? "; use an in-network provider" : "";
      break;
    case K::ProviderRole:
    {
      // The licence type (provider.type: MD, DC, PT, LMT, …) says it when
      // given; the role is the older free-text way.
      const std::string& who = !c.line.provider.type.empty() ? c.line.provider.type : c.line.provider.role;
      r.met = contains_ci(cr.values, c.line.provider.type) || contains_ci(cr.values, c.line.provider.role);
      if (want(c, r.met)) r.text = fmt::format("the rendering provider is {}", who.empty() ? "of unstated role" : "a " + words(who));
    }
      if (!r.met && want(c, r.met)) r.text += " (this rule: " + join(cr.values) + ")";
      break;
    case K::PlaceOfService:
      r.met = contains_ci(cr.values, c.line.place_of_service);
      if (want(c, r.met)) r.text = "place of service " + c.line.place_of_service;
      break;
    case K::State:
      r.met = contains_ci(cr.values, c.cf.patient.state);
      if (want(c, r.met))
        r.text = c.cf.patient.state.empty() ? "the patient's state is not on file" : "the patient lives in " + c.cf.patient.state;
      break;
    case K::Authorization:
      r.met = authorization_on_file(c);
      r.text = r.met ? "an approved authorization covering this date is on file"
                     : "no approved authorization covering this line and date is on file; ask the payer for one";
      break;
    case K::AllOf: {
      r.met = true;
      std::vector<std::string> bad, good;
      for (const auto& ch : cr.children) {
        auto x = eval(ch, c);
        (x.met ? good : bad).push_back(x.text);
        r.met = r.met && x.met;
      }
      r.text = r.met ? join(good, " and ", false) : join(bad, "; and ", false);
      break;
    }
    case K::AnyOf: {
      std::vector<std::string> bad;
      for (const auto& ch : cr.children) {
        auto x = eval(ch, c);
        if (x.met) {
          r = x;
          break;
        }
        bad.push_back(x.text);
      }
      if (!r.met) r.text = "none of these holds: " + join(bad, "; or ", false);
      break;
    }
    case K::Not: {
      Ctx inner = c;  // a negation's missing text is the child's met text
      if (inner.text == Text::Unmet) inner.text = Text::All;
      auto x = eval(cr.children.front(), inner);
      r.met = !x.met;
      r.text = x.met ? "excluded here: " + x.text : "not: " + x.text;
      break;
    }
  }
  if (!cr.label.empty() && want(c, r.met)) r.text = cr.label + (r.met ? "" : " (" + r.text + ")");
  return r;
}

bool plan_requires_order(const Plan& plan, const ServiceLine& line, const CodeInfo* code, bool prescription) {
  const std::string& cat = line_category(line, code);
  const int bi = cat.empty() ? -1 : plan.benefit_index(cat);
  if (bi < 0) return false;
  const Benefit& b = plan.benefits[static_cast<std::size_t>(bi)];
  return prescription ? b.prescription_required : b.referral_required;
}

int severity(Outcome o) { return o == Outcome::NotCovered ? 2 : 1; }
// A failed requirement rule whose every unmet requirement is a fact (age,
// how long the condition has lasted, sessions used): no document or action
// can satisfy it, so it is not "conditional".
bool only_facts_unmet(const RuleTrace& t) {
  if (t.rule->exclusion || t.rule->require.empty()) return false;
  bool any = false;
  for (std::size_t i = 0; i < t.details.size() && i < t.rule->require.size(); ++i) {
    if (t.details[i].met) continue;
    if (!t.details[i].fixed) return false;
    any = true;
  }
  return any;
}
bool pa_only(const PolicyRule& r) { return r.prior_auth && r.require.empty() && !r.exclusion; }

}  // namespace

const char* to_string(RuleTrace::State s) {
  switch (s) {
    case RuleTrace::State::NotApplicable: return "not-applicable";
    case RuleTrace::State::Met: return "met";
    case RuleTrace::State::Waived: return "waived";
    case RuleTrace::State::Failed: return "failed";
  }
  return "?";
}

int age_on(Date birth, Date on) {
  int age = on.year() - birth.year();
  if (on.month() < birth.month() || (on.month() == birth.month() && on.day() < birth.day())) --age;
  return age;
}

bool icd_matches(std::string_view pattern, std::string_view code) { return IcdKey(code).matches(pattern); }

std::string describe(const Criterion& c, const Pack& pack) {
  if (!c.label.empty()) return c.label;
  switch (c.kind) {
    case K::Diagnosis:
      return fmt::format("{}a diagnosis of {}{}", c.primary_only ? "primary " : "", set_words(c, pack),
                         c.for_weeks > 0 ? fmt::format(" for at least {} weeks", c.for_weeks) : "");
    case K::Age:
      return c.max < 0 ? fmt::format("age {} or older", c.min)
             : c.min <= 0 ? fmt::format("age {} or younger", c.max)
                          : fmt::format("age {} to {}", c.min, c.max);
    case K::Care:
      return c.min > 0 ? fmt::format("at least {} weeks of {}{}{}", c.min, care_words(c),
                                     c.outcomes.empty() ? "" : " (" + join(c.outcomes) + ")", window_words(c.within_days))
                       : fmt::format("{} on file{}", care_words(c), window_words(c.within_days));
    case K::Blocks:
      return fmt::format("{} {}{}{}", c.min, care_words(c), relief_words(c), window_words(c.within_days));
    case K::Evaluation: return fmt::format("a {} on file{}", care_words(c), window_words(c.within_days));
    case K::Imaging:
      return fmt::format("{}{}{}{}", c.describe.empty() ? join(c.regions) + " " + join(c.modalities) : c.describe,
                         c.findings.empty() ? "" : " showing " + join(c.findings, " or ", false),
                         c.within_days > 0 ? fmt::format(" from the last {} days", c.within_days) : "", "");
    case K::Exam: {
      if (!c.describe.empty()) return c.describe;
      std::vector<std::string> names;
      for (const auto& e : c.elements) names.push_back(e.first);
      return fmt::format("an examination showing at least {} of {}{}{}", c.min, join(spaced(names), ", ", false),
                         c.values.empty() ? "" : ", one of them " + join(spaced(c.values), " or ", false),
                         c.within_days > 0 ? fmt::format(" from the last {} days", c.within_days) : "");
    }
    case K::Order: {
      std::vector<std::string> needs;
      if (c.need_diagnosis) needs.push_back("diagnosis");
      if (c.need_frequency) needs.push_back("frequency");
      if (c.need_duration) needs.push_back("duration");
      return fmt::format("a {}{}", c.prescription ? "prescription" : "referral",
                         needs.empty() ? "" : " naming " + join(needs, " and ", false));
    }
    case K::Specialist: return fmt::format("a note from a {}", c.describe.empty() ? join(c.values) : c.describe);
    case K::Count:
      return fmt::format("at most {} {} {}{}", c.max, c.describe.empty() ? "sessions" : c.describe,
                         c.plan_year ? "per plan year" : fmt::format("in any {} days", c.within_days),
                         c.per_region ? " per spinal region" : "");
    case K::Modifier: return "modifier " + join(c.values, " or ", false);
    case K::Units: return fmt::format("at most {} units", c.max);
    case K::PlanType: return "plan type " + join(c.values, " or ", false);
    case K::Network: return c.network == Network::In ? "an in-network provider" : "an out-of-network provider";
    case K::ProviderRole: return "rendering provider: " + join(c.values);
    case K::PlaceOfService: return "place of service " + join(c.values, " or ", false);
    case K::State: return "patient in " + join(c.values, " or ", false);
    case K::Authorization: return "an approved authorization from the payer";
    case K::AllOf: {
      std::vector<std::string> v;
      for (const auto& ch : c.children) v.push_back(describe(ch, pack));
      return join(v, " and ", false);
    }
    case K::AnyOf: {
      std::vector<std::string> v;
      for (const auto& ch : c.children) v.push_back(describe(ch, pack));
      return join(v, " or ", false);
    }
    case K::Not: return "not " + describe(c.children.front(), pack);
  }
  return {};
}

CriterionResult check(const Criterion& c, const Pack& pack, const ServiceLine& line, const CodeInfo* code,
                      const Plan& plan, const CaseFile& case_file, const std::vector<const ServiceLine*>& earlier) {
  Ctx ctx{nullptr, &pack, nullptr, line, code, plan, case_file, earlier};
  return eval(c, ctx);
}

namespace {

// A rule about the line's code or category: its pack and index, in chain order.
struct Candidate {
  const Pack* pack;
  std::size_t rule;
};

// The rules of `chain` about `code` or `category` (a pack's index holds nothing else), in chain and pack order.
void find_candidates(std::span<const Pack* const> chain, std::string_view code, std::string_view category,
                     std::vector<std::size_t>& scratch, std::vector<Candidate>& out) {
  out.clear();
  for (const Pack* pack : chain) {
    pack->candidates(code, category, scratch);
    for (std::size_t ri : scratch) out.push_back(Candidate{pack, ri});
  }
}

// Into `ev`, whose trace entries (and their details' room) are reused: a
// course evaluates line after line into one Evaluation without allocating.
// Returns how many entries of ev.trace are this line's (the rest are room).
std::size_t evaluate_candidates(Evaluation& ev, const Library& library, const Pack& selected,
                         std::span<const Pack* const> chain, std::span<const Candidate> candidates,
                         const ServiceLine& line, const CodeInfo* code, const Plan& plan, const CaseFile& case_file,
                         const std::vector<const ServiceLine*>& earlier, bool explain);

}  // namespace

Evaluation evaluate(const Library& library, const Pack& selected, const ServiceLine& line, const CodeInfo* code,
                    const Plan& plan, const CaseFile& case_file, const std::vector<const ServiceLine*>& earlier,
                    bool explain) {
  const std::string& category = line_category(line, code);
  std::vector<const Pack*> own_chain;  // only when the library was not linked
  std::span<const Pack* const> chain = library.linked_chain(&selected);
  if (chain.empty()) chain = own_chain = library.chain(&selected);
  std::vector<std::size_t> scratch;
  std::vector<Candidate> candidates;
  find_candidates(chain, line.code, category, scratch, candidates);
  Evaluation ev;
  ev.trace.resize(
      evaluate_candidates(ev, library, selected, chain, candidates, line, code, plan, case_file, earlier, explain));
  return ev;
}

namespace {

std::size_t evaluate_candidates(Evaluation& ev, const Library& library, const Pack& selected,
                         std::span<const Pack* const> chain, std::span<const Candidate> candidates,
                         const ServiceLine& line, const CodeInfo* code, const Plan& plan, const CaseFile& case_file,
                         const std::vector<const ServiceLine*>& earlier, bool explain) {
  ev.pack = &selected;
  ev.verdict.reset();
  std::size_t used = 0;  // entries of ev.trace written for this line; the rest are room kept from earlier lines
  bool any_applied = false;
  if (candidates.empty()) return 0;
  {
    for (const Candidate& cand : candidates) {
      const Pack* pack = cand.pack;
      const PolicyRule& r = pack->rules[cand.rule];
      if (r.effective_from && line.date < *r.effective_from) continue;
      if (r.effective_to && line.date > *r.effective_to) continue;
      Ctx ctx{&library, pack, &r, line, code, plan, case_file, earlier};
      Ctx gate = ctx;
      gate.text = explain ? Text::All : Text::None;
      ctx.text = explain ? Text::All : Text::Unmet;
      if (used == ev.trace.size()) ev.trace.emplace_back();
      RuleTrace& t = ev.trace[used++];
      t.rule = &r;
      t.state = RuleTrace::State::NotApplicable;
      t.details.clear();
      bool applies = true;
      for (const auto& w : r.when) {
        auto x = eval(w, gate);
        if (!x.met) {
          applies = false;
          t.details.push_back(std::move(x));
          break;
        }
      }
      if (!applies) {
        t.state = RuleTrace::State::NotApplicable;
        continue;
      }
      any_applied = true;
      if (r.exclusion) {
        t.state = RuleTrace::State::Failed;
        if (explain)
          for (const auto& w : r.when) t.details.push_back(eval(w, ctx));
      } else if (r.require.empty()) {  // prior authorization only: met when one is on file
        const bool on_file = authorization_on_file(ctx);
        t.state = on_file ? RuleTrace::State::Met : RuleTrace::State::Failed;
        // Only `coverage explain` reads these words when the rule is about prior
        // authorization alone (pa_only: it makes no finding).
        t.details.push_back({on_file, !explain && r.prior_auth ? std::string{}
                                      : on_file ? "an approved authorization covering this date is on file"
                                                : "no approved authorization covering this date is on file"});
      } else {
        bool all = true;
        for (const auto& q : r.require) {
          auto x = eval(q, ctx);
          all = all && x.met;
          t.details.push_back(std::move(x));
        }
        t.state = all ? RuleTrace::State::Met : RuleTrace::State::Failed;
        if (!all) {
          for (const auto& u : r.unless) {
            auto x = eval(u, gate);
            if (x.met) {
              t.state = RuleTrace::State::Waived;
              t.details.push_back({true, "exception: " + x.text});
              break;
            }
          }
        }
      }
    }
  }
  const std::span<const RuleTrace> trace(ev.trace.data(), used);
  if (!any_applied) return used;

  PolicyVerdict v;
  const RuleTrace* decider = nullptr;
  int worst = 0;
  bool pa_needed = false;
  Ctx any_ctx{&library, &selected, nullptr, line, code, plan, case_file, earlier};
  for (const auto& t : trace) {
    if (t.state == RuleTrace::State::NotApplicable) continue;
    if (t.rule->prior_auth) pa_needed = true;
    if (t.state == RuleTrace::State::Failed && !pa_only(*t.rule)) {
      int s = severity(t.rule->otherwise);
      if (s == 1 && only_facts_unmet(t)) s = 2;  // nothing to document: not covered
      if (s > worst) {
        worst = s;
        decider = &t;
      }
    } else if (!decider && worst == 0) {
      decider = &t;
    }
  }
  v.covered = worst == 2 ? Coverage::NotCovered : worst == 1 ? Coverage::Conditional : Coverage::Covered;
  if (decider) v.decided_by = decider->rule->rule;
  if (worst > 0) v.reason = decider->rule->reason;

  // Findings: what is still missing, per failed rule, in pack order.
  for (const auto& t : trace) {
    if (t.state != RuleTrace::State::Failed || pa_only(*t.rule)) continue;
    const PolicyRule& r = *t.rule;
    const Pack* owner = nullptr;
    for (const Pack* p : chain)
      for (const auto& x : p->rules)
        if (&x == &r) owner = p;
    std::string alternatives;
    if (!r.unless.empty()) {
      std::vector<std::string> alts;
      for (const auto& u : r.unless) alts.push_back(describe(u, owner ? *owner : selected));
      alternatives = " — or document an exception: " + fmt::format("{}", fmt::join(alts, "; "));
    }
    const std::size_t before = v.findings.size();
    if (r.exclusion) {
      Finding f;
      f.kind = Finding::Kind::Warning;
      f.text = fmt::format("not covered: {}", r.rule->text);
      f.rule = r.rule;
      f.reason = r.reason;
      v.findings.push_back(std::move(f));
    } else {
      for (std::size_t i = 0; i < t.details.size(); ++i) {
        const auto& d = t.details[i];
        if (d.met) continue;
        // The plan itself requires this order: the engine already lists it.
        if (i < r.require.size() && r.require[i].kind == Criterion::Kind::Order && plan_requires_order(plan, line, code, r.require[i].prescription))
          continue;
        Finding f;
        f.kind = r.otherwise == Outcome::Conditional && !d.fixed ? Finding::Kind::DocNeeded : Finding::Kind::Warning;
        std::string text = d.text;
        if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
        f.text = text + alternatives;
        f.rule = r.rule;
        f.reason = r.reason;
        v.findings.push_back(std::move(f));
      }
    }
    if (v.findings.size() == before) continue;  // everything it would say, the plan's own rules say
    if (!r.action.empty() && !only_facts_unmet(t)) {  // actions only where something can still be done
      Finding f;
      f.kind = Finding::Kind::Action;
      f.text = r.action;
      f.rule = r.rule;
      f.reason = r.reason;
      v.findings.push_back(std::move(f));
    }
    if (r.confidence == Confidence::Unverified) {
      Finding f;
      f.kind = Finding::Kind::Warning;
      f.text = fmt::format("rule {} rests on an unverified figure (mark U in the pack); confirm it against the "
                           "payer's current policy before relying on this answer",
                           r.rule->id);
      f.rule = r.rule;
      v.findings.push_back(std::move(f));
    }
  }

  // A signed advance notice (Medicare ABN, modifier GA; voluntary notice GX)
  // moves liability for a denied line from the provider to the patient.
  if (v.covered == Coverage::NotCovered && !v.reason.empty() && v.reason.group[0] == 'C' && v.reason.group[1] == 'O') {
    for (const auto& m : line.modifiers) {
      if (m != "GA" && m != "GX") continue;
      v.reason.group = {'P', 'R', '\0'};
      Finding f;
      f.kind = Finding::Kind::Warning;
      f.text = fmt::format("modifier {} says the patient signed an advance notice (ABN or waiver) before the service: "
                           "the patient pays the charge",
                           m);
      f.rule = v.decided_by;
      f.reason = v.reason;
      v.findings.push_back(std::move(f));
      break;
    }
  }

  if (pa_needed && v.covered != Coverage::NotCovered) {
    const RuleTrace* pa_rule = nullptr;
    for (const auto& t : trace)
      if (t.state != RuleTrace::State::NotApplicable && t.rule->prior_auth && !pa_rule) pa_rule = &t;
    // When the plan itself lists this benefit as needing authorization, the
    // engine already says so; do not repeat the action.
    const std::string& cat = line_category(line, code);
    const int bi = cat.empty() ? -1 : plan.benefit_index(cat);
    const bool plan_says_pa = bi >= 0 && plan.benefits[static_cast<std::size_t>(bi)].prior_auth_required;
    if (authorization_on_file(any_ctx)) {
      v.pa = PaStatus::Satisfied;
    } else if (plan_says_pa) {
      v.pa = PaStatus::AuthNeeded;
    } else {
      v.pa = PaStatus::AuthNeeded;
      Finding f;
      f.kind = Finding::Kind::Action;
      f.text = fmt::format("request prior authorization for {} before {}{}", service_name(Ctx{&library, &selected, pa_rule->rule, line, code, plan, case_file, earlier}),
                           line.date.str(),
                           v.covered == Coverage::Conditional ? ", with the documents listed above" : "");
      f.rule = pa_rule->rule->rule;
      f.reason = ReasonCode::make("CO", "197");
      v.findings.push_back(std::move(f));
    }
    if (!v.decided_by) v.decided_by = pa_rule->rule->rule;
  }
  ev.verdict = std::move(v);
  return used;
}

// One course under one plan: the pack and its chain selected once, each
// distinct (code, category)'s candidate rules found once.
class PackCourse final : public MedicalPolicy::Course {
 public:
  PackCourse(const Library& library, const Pack& pack, const Plan& plan, const CaseFile& cf)
      : library_(library), pack_(pack), plan_(plan), cf_(cf) {
    chain_ = library.linked_chain(&pack);
    if (chain_.empty()) chain_ = own_chain_ = library.chain(&pack);
  }
  std::optional<PolicyVerdict> evaluate(const ServiceLine& line, const CodeInfo* code,
                                        const std::vector<const ServiceLine*>& earlier) override {
    const std::string& category = line_category(line, code);
    const Memo* m = nullptr;
    for (const Memo& x : memo_)
      if (x.code == line.code && x.category == category) {
        m = &x;
        break;
      }
    if (!m) {
      Memo x{line.code, category, {}};
      find_candidates(chain_, line.code, category, scratch_, x.candidates);
      memo_.push_back(std::move(x));
      m = &memo_.back();
    }
    if (m->candidates.empty()) return std::nullopt;  // no rule is about this line
    evaluate_candidates(scratch_eval_, library_, pack_, chain_, m->candidates, line, code, plan_, cf_, earlier,
                        /*explain=*/false);
    return std::move(scratch_eval_.verdict);
  }

 private:
  struct Memo {
    std::string code, category;
    std::vector<Candidate> candidates;
  };
  const Library& library_;
  const Pack& pack_;
  const Plan& plan_;
  const CaseFile& cf_;
  std::vector<const Pack*> own_chain_;
  std::span<const Pack* const> chain_;
  std::vector<Memo> memo_;  // a course bills a handful of distinct codes: a short list
  std::vector<std::size_t> scratch_;
  Evaluation scratch_eval_;  // its trace's room is reused from line to line
};

}  // namespace

std::unique_ptr<MedicalPolicy::Course> PackPolicy::course(const Plan& plan, const CaseFile& case_file) const {
  const Pack* pack = library_->select(plan, case_file.patient.state);
  if (!pack) return nullptr;
  return std::make_unique<PackCourse>(*library_, *pack, plan, case_file);
}

std::optional<PolicyVerdict> PackPolicy::evaluate(const ServiceLine& line, const CodeInfo* code, const Plan& plan,
                                                  const CaseFile& case_file,
                                                  const std::vector<const ServiceLine*>& earlier) const {
  const Pack* pack = library_->select(plan, case_file.patient.state);
  if (!pack) return std::nullopt;
  return policy::evaluate(*library_, *pack, line, code, plan, case_file, earlier, /*explain=*/false).verdict;
}

}  // namespace backcover::policy
