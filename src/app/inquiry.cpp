// A 270 read back as text or JSON (app/inquiry.hpp).
#include "backcover/app/inquiry.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace backcover::app {

namespace x12 = interop::x12;

namespace {

std::string dash(const std::string& s) { return s.empty() ? std::string("-") : s; }

std::string date_text(const std::string& d) {
  if (d.size() != 8) return d;
  return fmt::format("{}-{}-{}", d.substr(0, 4), d.substr(4, 2), d.substr(6, 2));
}

std::string party_text(const x12::InquiryParty& p) {
  if (p.id.empty()) return dash(p.name);
  return fmt::format("{} ({} {})", dash(p.name), p.id_qualifier.empty() ? std::string("id") : p.id_qualifier, p.id);
}

std::string service_text(const x12::InquiryService& q) {
  std::string t;
  for (const auto& st : q.service_types) t += t.empty() ? st : fmt::format(" {}", st);
  if (!q.procedure.empty()) {
    std::string proc = fmt::format("{}:{}", q.procedure_qualifier, q.procedure);
    for (const auto& m : q.modifiers) proc += fmt::format(":{}", m);
    t += fmt::format("{}procedure {}", t.empty() ? "" : "  ", proc);
  }
  if (!q.coverage_level.empty()) t += fmt::format("  level {}", q.coverage_level);
  if (!q.insurance_type.empty()) t += fmt::format("  insurance type {}", q.insurance_type);
  return t;
}

void person_text(const x12::InquiryPerson& p, const char* what, const char* indent, std::string& out) {
  out += fmt::format("{}{} {}  born {}  sex {}\n", indent, what, party_text(p.party),
                     p.date_of_birth.empty() ? std::string("-") : date_text(p.date_of_birth), dash(p.sex));
  if (!p.date.empty())
    out += fmt::format("{}  date {} ({}){}\n", indent, date_text(p.date), p.date_qualifier,
                       p.date_to != p.date ? fmt::format(" to {}", date_text(p.date_to)) : std::string{});
  for (const auto& [q, v] : p.references) out += fmt::format("{}  reference {} {}\n", indent, q, v);
  if (!p.address.empty() || !p.city.empty())
    out += fmt::format("{}  address {}, {} {} {}\n", indent, dash(p.address), dash(p.city), p.state, p.zip);
  for (const auto& t : p.traces) out += fmt::format("{}  trace {}\n", indent, t);
  for (const auto& q : p.services) out += fmt::format("{}  asks {}\n", indent, service_text(q));
}

nlohmann::json party_json(const x12::InquiryParty& p) {
  return {{"entity", p.entity}, {"name", p.name}, {"id_qualifier", p.id_qualifier}, {"id", p.id}};
}

nlohmann::json person_json(const x12::InquiryPerson& p) {
  auto services = nlohmann::json::array();
  for (const auto& q : p.services)
    services.push_back({{"service_types", q.service_types},
                        {"procedure_qualifier", q.procedure_qualifier},
                        {"procedure", q.procedure},
                        {"modifiers", q.modifiers},
                        {"coverage_level", q.coverage_level},
                        {"insurance_type", q.insurance_type},
                        {"segment", q.segment}});
  auto refs = nlohmann::json::array();
  for (const auto& [q, v] : p.references) refs.push_back({{"qualifier", q}, {"value", v}});
  return {{"hl", p.hl},
          {"name", p.party.name},
          {"member_id", p.party.id},
          {"id_qualifier", p.party.id_qualifier},
          {"date_of_birth", date_text(p.date_of_birth)},
          {"sex", p.sex},
          {"date_qualifier", p.date_qualifier},
          {"date", date_text(p.date)},
          {"date_to", date_text(p.date_to)},
          {"references", refs},
          {"address", p.address},
          {"city", p.city},
          {"state", p.state},
          {"zip", p.zip},
          {"traces", p.traces},
          {"services", services}};
}

}  // namespace

std::string inquiry_text(const std::vector<x12::Inquiry270>& inquiries, const std::string& name) {
  std::size_t n = 0;
  for (const auto& tx : inquiries) n += tx.subscribers.size();
  std::string out = fmt::format("270 {}: {} inquir{}, {} subscriber{}\n", name, inquiries.size(),
                                inquiries.size() == 1 ? "y" : "ies", n, n == 1 ? "" : "s");
  for (const auto& tx : inquiries) {
    out += fmt::format("\ninquiry {}  purpose {}  reference {}  date {} {}\n", dash(tx.control), dash(tx.purpose),
                       dash(tx.reference), date_text(tx.date), tx.time);
    for (const auto& s : tx.subscribers) {
      out += fmt::format("  payer {}\n", party_text(s.source));
      out += fmt::format("  provider {}{}\n", party_text(s.receiver),
                         s.receiver_npi.empty() ? std::string{} : fmt::format("  NPI {}", s.receiver_npi));
      person_text(s, "subscriber", "  ", out);
      for (const auto& d : s.dependents) person_text(d, "dependent", "    ", out);
    }
  }
  return out;
}

std::string inquiry_json(const std::vector<x12::Inquiry270>& inquiries) {
  auto arr = nlohmann::json::array();
  for (const auto& tx : inquiries) {
    auto subs = nlohmann::json::array();
    for (const auto& s : tx.subscribers) {
      auto j = person_json(s);
      j["payer"] = party_json(s.source);
      j["provider"] = party_json(s.receiver);
      j["provider_npi"] = s.receiver_npi;
      auto deps = nlohmann::json::array();
      for (const auto& d : s.dependents) deps.push_back(person_json(d));
      j["dependents"] = deps;
      subs.push_back(j);
    }
    arr.push_back({{"control", tx.control},
                   {"purpose", tx.purpose},
                   {"reference", tx.reference},
                   {"date", date_text(tx.date)},
                   {"time", tx.time},
                   {"subscribers", subs}});
  }
  // A byte that is not UTF-8 (a payer's file in Latin-1) prints as U+FFFD instead of throwing.
  auto text = arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  return text;
}

}  // namespace backcover::app
