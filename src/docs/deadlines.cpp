// The deadline calendar: pure date arithmetic over the case, the regime's
// clocks (data), the denial, the bill and the financing options.
#include "backcover/docs/deadlines.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>
#include "docs/text.hpp"

namespace backcover::docs {

using detail::lower;

namespace {

bool contains(std::string_view hay, std::string_view needle) { return lower(hay).find(needle) != std::string::npos; }

const char* tr(const DeadlineInputs& in, const char* en, const char* es) { return in.lang == "es" ? es : en; }

// A translated format string filled with arguments.
template <typename... A>
std::string trf(const DeadlineInputs& in, const char* en, const char* es, const A&... args) {
  return fmt::vformat(tr(in, en, es), fmt::make_format_args(args...));
}

// A clock's name from the regime data, in Spanish when the document is; a
// name not in the list is shown as written.
std::string clock_name(const DeadlineInputs& in, const std::string& name) {
  if (in.lang != "es") return name;
  static constexpr std::pair<const char*, const char*> kNames[] = {
      {"urgent pre-service decision", "decisión urgente previa al servicio"},
      {"standard pre-service decision", "decisión estándar previa al servicio"},
      {"expedited prior-authorization decision", "decisión acelerada de autorización previa"},
      {"standard prior-authorization decision", "decisión estándar de autorización previa"},
      {"file internal appeal", "apelación interna"},
      {"request external review", "revisión externa"},
      {"1 redetermination (MAC)", "1.er nivel: redeterminación (MAC)"},
      {"2 reconsideration (QIC)", "2.º nivel: reconsideración (QIC)"},
      {"3 ALJ hearing (OMHA)", "3.er nivel: audiencia ante un juez de derecho administrativo (OMHA)"},
      {"4 Medicare Appeals Council", "4.º nivel: Consejo de Apelaciones de Medicare"},
      {"5 federal district court", "5.º nivel: tribunal federal de distrito"},
      {"plan reconsideration request", "solicitud de reconsideración al plan"},
      {"managed care plan appeal", "apelación ante el plan de atención administrada"},
      {"state fair hearing", "audiencia imparcial estatal"},
  };
  for (const auto& [en, es] : kNames)
    if (name == en) return es;
  return name;
}

// The length a clock adds, as written in the document: the regime's own text
// in English; in Spanish, the parsed length ("72 horas", "180 días", "4 meses").
// `as_written`: English keeps the regime's limit text (a short prior-
// authorization clock such as "15 days (+15 once)"); appeal clocks carry long
// explanations, so only their length is shown.
std::string clock_added(const DeadlineInputs& in, const ClockText& c, const ClockLength& len, bool as_written) {
  const bool es = in.lang == "es";
  if (!es && as_written) return c.limit;
  std::string s = lower(c.limit);
  if (s.rfind("up to ", 0) == 0) s.erase(0, 6);
  int n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  std::string_view rest(p, static_cast<std::size_t>(s.data() + s.size() - p));
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (ec == std::errc() && rest.rfind("hour", 0) == 0) return fmt::format("{} {}", n, es ? "horas" : "hours");
  if (len.months)
    return fmt::format("{} {}", len.months, es ? (len.months == 1 ? "mes" : "meses") : (len.months == 1 ? "month" : "months"));
  return fmt::format("{} {}", len.days, es ? (len.days == 1 ? "día" : "días") : (len.days == 1 ? "day" : "days"));
}

// "February 2027" / "febrero de 2027".
std::string month_words(const DeadlineInputs& in, Date d) {
  static const char* en[] = {"January", "February", "March",     "April",   "May",      "June",
                             "July",    "August",   "September", "October", "November", "December"};
  static const char* es[] = {"enero", "febrero", "marzo",      "abril",   "mayo",      "junio",
                             "julio", "agosto",  "septiembre", "octubre", "noviembre", "diciembre"};
  const unsigned m = (d.month() - 1) % 12;
  return in.lang == "es" ? fmt::format("{} de {}", es[m], d.year()) : fmt::format("{} {}", en[m], d.year());
}

// "Saturday" / "sábado"; "federal holiday" / "feriado federal".
std::string day_words(const DeadlineInputs& in, Date d, bool holiday) {
  static const char* en[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
  static const char* es[] = {"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"};
  if (holiday) return tr(in, "federal holiday", "feriado federal");
  return in.lang == "es" ? es[d.weekday() % 7] : en[d.weekday() % 7];
}

}  // namespace

std::optional<ClockLength> parse_clock_length(std::string_view limit) {
  std::string s = lower(limit);
  std::size_t i = 0;
  if (s.rfind("up to ", 0) == 0) i = 6;
  int n = 0;
  auto [p, ec] = std::from_chars(s.data() + i, s.data() + s.size(), n);
  if (ec != std::errc() || n <= 0 || n > 10000) return std::nullopt;
  std::string_view rest(p, static_cast<std::size_t>(s.data() + s.size() - p));
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  ClockLength len;
  if (rest.rfind("hour", 0) == 0) len.days = (n + 23) / 24;
  else if (rest.rfind("calendar day", 0) == 0 || rest.rfind("day", 0) == 0) len.days = n;
  else if (rest.rfind("month", 0) == 0) len.months = n;
  else return std::nullopt;
  // "receipt presumed 5 days after its date" (42 CFR 405.942; 405.901).
  if (auto at = s.find("presumed "); at != std::string::npos) {
    int k = 0;
    auto [q, ec2] = std::from_chars(s.data() + at + 9, s.data() + s.size(), k);
    if (ec2 == std::errc() && k > 0 && k < 100) len.presumed_receipt_days = k;
  }
  return len;
}

std::vector<Deadline> compute_deadlines(const DeadlineInputs& in, std::vector<std::string>& notes) {
  std::vector<Deadline> out;

  // 1. GFE delivery (45 CFR 149.610(b)(1)(vi)).
  if (in.scheduled || in.requested) {
    GfeDelivery g = gfe_delivery(in.scheduled, in.requested, in.service_date);
    if (g.rule == GfeDelivery::Rule::NotRequired) {
      notes.push_back(trf(in, "No GFE deadline: the service on {} was scheduled on {}, {} business day(s) ahead; a GFE is "
                 "required only when scheduled at least 3 business days ahead ({}).",
             "Sin plazo de GFE: el servicio del {} se programó el {}, con {} día(s) hábil(es) de anticipación; "
             "la GFE solo es obligatoria con al menos 3 días hábiles ({}).",
          in.service_date ? in.service_date->str() : "?", in.scheduled->str(), g.business_days_ahead,
          g.citation));
    } else if (g.due) {
      Deadline d;
      d.date = *g.due;
      d.kind = "gfe";
      d.rule = g.citation;
      d.alarm_days = 1;
      if (g.rule == GfeDelivery::Rule::OnRequest) {
        d.what = tr(in, "Good Faith Estimate due (requested)", "Fecha límite de la Estimación de Buena Fe (solicitada)");
        d.detail = trf(in, "requested {} + 3 business days", "solicitada el {} + 3 días hábiles", in.requested->str());
      } else {
        int n = g.rule == GfeDelivery::Rule::OneBusinessDay ? 1 : 3;
        d.what = tr(in, "Good Faith Estimate due", "Fecha límite de la Estimación de Buena Fe");
        d.detail = trf(in, "scheduled {} for {} ({} business days ahead) + {} business day{}",
                       "programado el {} para el {} ({} días hábiles de anticipación) + {} día{} hábil{}",
                       in.scheduled->str(), in.service_date ? in.service_date->str() : "?", g.business_days_ahead, n,
                       n == 1 ? "" : "s", n == 1 ? "" : "es");
      }
      out.push_back(d);
    } else if (g.rule == GfeDelivery::Rule::Unknown) {
      notes.push_back(tr(in, "GFE deadline: the service date is unknown (give --services).",
                         "Plazo de la GFE: falta la fecha del servicio (use --services)."));
    }
  }

  // 2. Prior-authorization decision clocks (the regime's pa_clocks).
  if (in.pa_requested) {
    int used = 0;
    for (const auto& c : in.pa_clocks) {
      auto len = parse_clock_length(c.limit);
      if (!len) continue;
      Deadline d;
      d.date = len->after(*in.pa_requested);
      d.kind = "pa_decision";
      d.what = fmt::format("{}: {}",
                           tr(in, "Prior-authorization decision due", "Fecha límite de la decisión de autorización previa"),
                           clock_name(in, c.name));
      d.rule = c.citation;
      d.detail = trf(in, "requested {} + {} ({})", "solicitada el {} + {} ({})", in.pa_requested->str(),
                     clock_added(in, c, *len, true), in.regime_name);
      d.alarm_days = 1;
      out.push_back(d);
      ++used;
    }
    if (used == 0)
      notes.push_back(trf(in, "No prior-authorization decision clock with a stated length for {}.",
                                     "Ningún plazo de decisión de autorización previa con duración para {}.",
                                  in.regime_name.empty() ? tr(in, "this plan", "este plan") : in.regime_name));
  }

  // 3. Authorizations: expiry, 7 days before, 2 visits left.
  for (const auto& a : in.authorizations) {
    if (a.status != "approved") continue;
    std::string label = a.number.empty() ? std::string(tr(in, "authorization", "autorización"))
                                         : fmt::format("{} {}", tr(in, "authorization", "autorización"), a.number);
    Deadline end;
    end.date = a.to;
    end.kind = "auth_expiry";
    end.what = trf(in, "Last day of {}", "Último día de la {}", label);
    end.rule = tr(in, "the authorization's end date", "fecha final de la autorización");
    end.detail = trf(in, "{} to {}", "del {} al {}", a.from.str(), a.to.str());
    end.alarm_days = 7;
    out.push_back(end);
    Deadline pre = end;
    pre.date = a.to.plus_days(-7);
    pre.kind = "auth_alert";
    std::string cap = label;
    if (!cap.empty() && in.lang != "es") cap[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(cap[0])));
    pre.what = trf(in, "{} expires in 7 days: request an extension", "La {} vence en 7 días: pida una extensión", cap);
    pre.rule = tr(in, "reminder 7 days before the authorization's end date",
                  "aviso 7 días antes de la fecha final de la autorización");
    pre.detail = trf(in, "{} - 7 days", "{} - 7 días", a.to.str());
    pre.alarm_days = 0;
    // A single-service authorization already used needs no extension.
    if (!(a.visits == 1 && a.visits_used >= 1)) out.push_back(pre);
    // The visits-left reminder is for multi-visit authorizations; a
    // single-service one (an MRI) is used or not, never "1 visit left".
    if (a.visits > 1) {
      int left = a.visits - a.visits_used;
      if (left <= 2) {
        Deadline v = end;
        v.date = in.today ? *in.today : a.from;
        v.kind = "auth_visits";
        const int n = std::max(left, 0);
        v.what = n == 1 ? trf(in, "1 visit left on {}: request more now", "Queda 1 visita en la {}: pida más ahora", label)
                        : trf(in, "{} visits left on {}: request more now", "Quedan {} visitas en la {}: pida más ahora",
                              n, label);
        v.rule = tr(in, "reminder at 2 visits left on the authorization", "aviso al quedar 2 visitas en la autorización");
        v.detail = trf(in, "{} approved, {} used", "{} aprobadas, {} usadas", a.visits, a.visits_used);
        v.alarm_days = 0;
        out.push_back(v);
      }
    }
  }

  // 4. Appeals from a denial (the regime's appeal clocks: filing clocks in
  //    order; an initial denial opens the first, an internal appeal decision
  //    the next, e.g. external review). The date is counted by
  //    appeal_deadlines, the count the appeal letter uses.
  if (in.denial) {
    const Denial& dn = *in.denial;
    const auto levels = appeal_deadlines(in.appeal_clocks, {dn.date, dn.received, dn.level});
    const AppealLevelDeadline* next = nullptr;
    for (const auto& l : levels)
      if (l.next) next = &l;
    if (next && next->deadline) {
      const ClockText& c = in.appeal_clocks[next->clock];
      std::string how;
      switch (next->base_kind) {
        case AppealLevelDeadline::Base::Received:
          how = trf(in, "received {}", "recibido el {}", next->base.str());
          break;
        case AppealLevelDeadline::Base::PresumedReceipt:
          how = trf(in, "notice dated {} + {} days presumed receipt", "aviso fechado el {} + {} días de recepción presunta",
                    dn.date.str(), next->presumed_days);
          break;
        case AppealLevelDeadline::Base::Notice:
        case AppealLevelDeadline::Base::NoticeForReceipt:
          how = trf(in, "notice dated {}", "aviso fechado el {}", dn.date.str());
          break;
      }
      Deadline d;
      d.date = *next->deadline;
      bool external = contains(c.name, "external");
      d.kind = external ? "external_review" : "appeal";
      d.what = fmt::format("{}: {}",
                           external ? tr(in, "External review deadline", "Plazo para pedir la revisión externa")
                                    : tr(in, "Appeal deadline", "Plazo para apelar"),
                           clock_name(in, c.name));
      if (!dn.service.code.empty()) d.what += fmt::format(" ({}, {})", dn.service.code, dn.carc_text());
      d.rule = c.citation;
      d.detail = fmt::format("{} + {}", how, clock_added(in, c, next->length, false));
      // Federal external review (45 CFR 147.136(d)(2)(i)): month end, then weekend or holiday.
      if (next->missing_day)
        d.detail += trf(in, "; no day {} in {}: the first day of the next month, {}",
                        "; {1} no tiene día {0}: el primer día del mes siguiente, {2}", next->missing_day,
                        month_words(in, next->counted), next->counted.plus_days(1).str());
      if (next->moved_from)
        d.detail += trf(in, "; {} is a {}: the next business day", "; el {} es {}: el siguiente día hábil",
                        next->moved_from->str(), day_words(in, *next->moved_from, next->moved_from_holiday));
      d.alarm_days = 14;
      out.push_back(d);
      // After an initial denial, say when the next level will open.
      if (dn.level == Denial::Level::Initial && levels.size() > 1) {
        const ClockText& c2 = in.appeal_clocks[levels[1].clock];
        if (auto len2 = parse_clock_length(c2.limit))
          notes.push_back(trf(in, "Next level if the appeal is denied: {} ({}; {}), counted from that decision.",
                 "Siguiente nivel si se niega la apelación: {} ({}; {}), contado desde esa decisión.",
              clock_name(in, c2.name), clock_added(in, c2, *len2, true), c2.citation));
      }
    } else {
      notes.push_back(trf(in, "No further appeal clock with a stated length for a {} denial under {}.",
                                     "Ningún otro plazo de apelación con duración para una negación {} bajo {}.",
                                  in.lang == "es" ? (dn.level == Denial::Level::Initial    ? "inicial"
                                                     : dn.level == Denial::Level::Internal ? "interna"
                                                                                           : "externa")
                                                  : to_string(dn.level),
                                  in.regime_name.empty() ? tr(in, "this plan", "este plan") : in.regime_name));
    }
  }

  // 5. Patient-provider dispute resolution: 120 calendar days from the bill date (45 CFR 149.620).
  if (in.bill_date) {
    Deadline d;
    d.date = in.bill_date->plus_days(120);
    d.kind = "ppdr";
    d.what = tr(in,
                "Last day to start patient-provider dispute resolution (if the bill is $400 or more over the Good "
                "Faith Estimate)",
                "Último día para iniciar la resolución de disputas paciente-proveedor (si la factura supera en $400 "
                "o más la Estimación de Buena Fe)");
    d.rule = "45 CFR 149.620";
    d.detail = trf(in, "bill dated {} + 120 calendar days", "factura fechada el {} + 120 días calendario",
                   in.bill_date->str());
    d.alarm_days = 14;
    out.push_back(d);
  }

  // 6. Deferred-interest promotions: pay in full by the promotion's end.
  for (const auto& p : in.promos) {
    Deadline d;
    d.date = p.purchase.plus_months(p.months);
    d.kind = "promo_end";
    d.what = trf(in, "Pay off the whole balance ({}) by this day, or deferred interest back to the purchase date is added",
                 "Pague todo el saldo ({}) a más tardar este día, o se añadirán los intereses diferidos desde la fecha de compra",
                 p.name);
    d.rule = tr(in, "card agreement: promotional period", "contrato de la tarjeta: periodo promocional");
    d.detail = trf(in, "purchase {} + {} months", "compra del {} + {} meses", p.purchase.str(), p.months);
    d.alarm_days = 30;
    out.push_back(d);
  }

  // 7. Plan-year reset: the next plan year's first day after today.
  if (in.has_plan) {
    std::optional<Date> anchor = in.today;
    if (!anchor) anchor = in.scheduled ? in.scheduled : in.service_date;
    if (anchor) {
      DateRange y = plan_year_containing(*anchor, in.plan_year_month, in.plan_year_day);
      Deadline d;
      d.date = y.last.plus_days(1);
      d.kind = "plan_year";
      d.what = tr(in, "Plan year resets: deductible, out-of-pocket and visit counts start over",
                  "Reinicio del año del plan: deducible, gastos de bolsillo y visitas empiezan de cero");
      d.rule = tr(in, "the plan's year start (plan_year_start)", "inicio del año del plan (plan_year_start)");
      d.detail = trf(in, "plan year {} to {}", "año del plan del {} al {}", y.first.str(), y.last.str());
      d.alarm_days = 30;
      out.push_back(d);
    }
  }

  std::stable_sort(out.begin(), out.end(), [](const Deadline& a, const Deadline& b) {
    if (a.date != b.date) return a.date < b.date;
    if (a.kind != b.kind) return a.kind < b.kind;
    return a.what < b.what;
  });
  return out;
}

}  // namespace backcover::docs
