// The 270 and 837P writers (writer.hpp).
#include "backcover/interop/x12/writer.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>

namespace backcover::interop::x12 {

namespace {

// Free text inside an element: separators and control bytes become spaces, upper case.
std::string clean(std::string_view s, std::size_t max = 60) {
  std::string out;
  for (char c : s) {
    if (c == '*' || c == '~' || c == ':' || c == '^' || static_cast<unsigned char>(c) < 32) c = ' ';
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.substr(0, max);
}

std::string pad(std::string_view s, std::size_t n) {
  std::string out(s.substr(0, n));
  out.resize(n, ' ');
  return out;
}

std::string d8(Date d) { return fmt::format("{:04}{:02}{:02}", d.year(), d.month(), d.day()); }

std::string digits(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c >= '0' && c <= '9') out += c;
  return out;
}

// "Maria Lopez" -> {LOPEZ, MARIA}
std::pair<std::string, std::string> split_name(std::string_view full) {
  auto sp = full.rfind(' ');
  if (sp == std::string_view::npos) return {clean(full), ""};
  return {clean(full.substr(sp + 1)), clean(full.substr(0, sp))};
}

class Writer {
 public:
  explicit Writer(const Envelope& env, std::string_view func, std::string_view version) : env_(env) {
    const auto date = d8(env.date);
    add(fmt::format("ISA*00*{}*00*{}*ZZ*{}*ZZ*{}*{}*{}*^*00501*{:09}*0*{}*:", pad("", 10), pad("", 10),
                    pad(clean(env.sender_id, 15), 15), pad(clean(env.receiver_id, 15), 15), date.substr(2), env.time,
                    env.control, env.usage));
    add(fmt::format("GS*{}*{}*{}*{}*{}*{}*X*{}", func, clean(env.sender_id, 15), clean(env.receiver_id, 15), date, env.time,
                    env.control, version));
  }
  void st(std::string_view set, std::string_view version) {
    st_start_ = count_;
    add(fmt::format("ST*{}*{:04}*{}", set, ++sets_, version));
  }
  void se() {
    std::size_t n = count_ - st_start_ + 1;
    add(fmt::format("SE*{}*{:04}", n, sets_));
  }
  std::string finish() {
    add(fmt::format("GE*{}*{}", sets_, env_.control));
    add(fmt::format("IEA*1*{:09}", env_.control));
    return std::move(out_);
  }
  void add(std::string seg) {
    while (!seg.empty() && seg.back() == '*') seg.pop_back();  // no trailing empty elements
    out_ += seg;
    out_ += "~\n";
    ++count_;
  }

 private:
  const Envelope& env_;
  std::string out_;
  std::size_t count_ = 0, st_start_ = 0;
  int sets_ = 0;
};

const Provider* clinic_of(const CaseFile& cf) {
  for (const auto& p : cf.providers)
    if (!p.npi.empty()) return &p;
  return cf.providers.empty() ? nullptr : &cf.providers.front();
}

}  // namespace

Result<std::string> write_270(const CaseFile& cf, const Envelope& env, const Provider* asking) {
  Errors errors;
  const std::string file = cf.source.empty() ? "case file" : cf.source;
  if (cf.patient.name.empty()) errors.push_back(Error{file, 0, 0, "patient.name", "nothing", "the patient's name"});
  if (cf.patient.member_id.empty())
    errors.push_back(Error{file, 0, 0, "patient.member_id", "nothing", "the member id on the insurance card (NM109 of the 270)"});
  const Provider* prov = asking && !asking->npi.empty() ? asking : clinic_of(cf);
  if (!prov || prov->npi.empty())
    errors.push_back(Error{file, 0, 0, "providers", "no provider with an NPI",
                           "the clinic asking (the case file's providers, or --services naming one)"});
  if (!errors.empty()) return errors;
  Writer w(env, "HS", "005010X279A1");
  w.st("270", "005010X279A1");
  w.add(fmt::format("BHT*0022*13*{:09}*{}*{}", env.control, d8(env.date), env.time));
  w.add("HL*1**20*1");
  w.add(fmt::format("NM1*PR*2*{}*****PI*{}", clean(env.payer_name), clean(env.payer_id, 80)));
  w.add("HL*2*1*21*1");
  w.add(fmt::format("NM1*1P*2*{}*****XX*{}", clean(prov->name), digits(prov->npi)));
  w.add("HL*3*2*22*0");
  w.add(fmt::format("TRN*1*{:09}*9{}", env.control, pad(clean(env.sender_id, 9), 9)));
  auto [last, first] = split_name(cf.patient.name);
  w.add(fmt::format("NM1*IL*1*{}*{}****MI*{}", last, first, clean(cf.patient.member_id, 80)));
  if (cf.patient.date_of_birth)
    w.add(fmt::format("DMG*D8*{}*{}", d8(*cf.patient.date_of_birth), cf.patient.sex));
  w.add(fmt::format("DTP*291*D8*{}", d8(env.date)));
  // One EQ with a repetition list: plan coverage and the back-care service types.
  w.add("EQ*30^33^PT^98^62");
  w.se();
  return w.finish();
}

Result<std::string> write_837p(const CaseFile& cf, const std::vector<ServiceLine>& lines, const Envelope& env) {
  Errors errors;
  const std::string file = cf.source.empty() ? "case file" : cf.source;
  if (cf.patient.name.empty()) errors.push_back(Error{file, 0, 0, "patient.name", "nothing", "the patient's name"});
  if (cf.patient.member_id.empty())
    errors.push_back(Error{file, 0, 0, "patient.member_id", "nothing", "the member id (NM109 of loop 2010BA)"});
  if (lines.empty()) errors.push_back(Error{"services", 0, 0, "lines", "no lines", "at least one service line to bill"});
  for (const auto& l : lines) {
    if (l.provider.npi.empty())
      errors.push_back(Error{"services", l.source_line, 0, fmt::format("lines[{}].provider", l.number), "no NPI",
                             "a billing provider with an NPI (providers: {name, npi})"});
    if (l.diagnoses.empty())
      errors.push_back(Error{"services", l.source_line, 0, fmt::format("lines[{}].dx", l.number), "no diagnosis",
                             "a diagnosis pointer (dx: [1])"});
  }
  if (!errors.empty()) return errors;

  // Claims: one per billing provider (by NPI), at most 50 lines each, in the services file's order.
  std::vector<std::pair<Provider, std::vector<const ServiceLine*>>> claims;
  for (const auto& l : lines) {
    auto it = std::find_if(claims.begin(), claims.end(), [&](const auto& c) {
      return c.first.npi == l.provider.npi && c.second.size() < 50;
    });
    if (it == claims.end()) {
      claims.push_back({l.provider, {}});
      it = claims.end() - 1;
    }
    it->second.push_back(&l);
  }

  Writer w(env, "HC", "005010X222A1");
  w.st("837", "005010X222A1");
  w.add(fmt::format("BHT*0019*00*{:09}*{}*{}*CH", env.control, d8(env.date), env.time));
  const Provider& first_prov = claims.front().first;
  w.add(fmt::format("NM1*41*2*{}*****46*{}", clean(first_prov.name), clean(env.sender_id, 80)));
  if (!digits(first_prov.phone).empty())
    w.add(fmt::format("PER*IC*{}*TE*{}", clean(first_prov.name), digits(first_prov.phone)));
  else
    w.add(fmt::format("PER*IC*{}", clean(first_prov.name)));
  w.add(fmt::format("NM1*40*2*{}*****46*{}", clean(env.payer_name), clean(env.receiver_id, 80)));
  int hl = 0;
  int claim_no = 0;
  auto [last, first] = split_name(cf.patient.name);
  for (const auto& [prov, cl] : claims) {
    const int billing_hl = ++hl;
    w.add(fmt::format("HL*{}**20*1", billing_hl));
    w.add(fmt::format("NM1*85*2*{}*****XX*{}", clean(prov.name), digits(prov.npi)));
    if (!prov.address.empty()) w.add(fmt::format("N3*{}", clean(prov.address, 55)));
    if (!prov.tin.empty()) w.add(fmt::format("REF*EI*{}", digits(prov.tin)));
    w.add(fmt::format("HL*{}*{}*22*0", ++hl, billing_hl));
    w.add("SBR*P*18*******CI");
    w.add(fmt::format("NM1*IL*1*{}*{}****MI*{}", last, first, clean(cf.patient.member_id, 80)));
    const auto& a = cf.patient.address;
    if (!a.street.empty()) w.add(fmt::format("N3*{}", clean(a.street, 55)));
    if (!a.city.empty())  // N401 (city) is required: no N4 without it
      w.add(fmt::format("N4*{}*{}*{}", clean(a.city, 30), clean(a.state, 2), digits(a.zip)));
    if (cf.patient.date_of_birth)
      w.add(fmt::format("DMG*D8*{}*{}", d8(*cf.patient.date_of_birth), cf.patient.sex.empty() ? "U" : cf.patient.sex));
    w.add(fmt::format("NM1*PR*2*{}*****PI*{}", clean(env.payer_name), clean(env.payer_id, 80)));
    // Diagnoses of this claim, in first-use order (at most 12 on a claim).
    std::vector<std::string> dx;
    Money total;
    for (const auto* l : cl) {
      total += l->charge;
      for (const auto& d : l->diagnoses) {
        std::string code;
        for (char c : d)
          if (c != '.') code += c;
        if (std::find(dx.begin(), dx.end(), code) == dx.end()) dx.push_back(code);
      }
    }
    if (dx.size() > 12) return Error{"services", 0, 0, "dx", fmt::format("{} diagnoses on one claim", dx.size()), "at most 12 (HI)"};
    const std::string pos = cl.front()->place_of_service;
    w.add(fmt::format("CLM*{}-{}*{}***{}:B:1*Y*A*Y*Y", env.control, ++claim_no, total.plain(), pos));
    std::string hi = "HI";
    for (std::size_t i = 0; i < dx.size(); ++i) hi += fmt::format("*{}:{}", i == 0 ? "ABK" : "ABF", dx[i]);
    w.add(hi);
    int lx = 0;
    for (const auto* l : cl) {
      w.add(fmt::format("LX*{}", ++lx));
      std::string proc = fmt::format("HC:{}", clean(l->code, 5));
      for (std::size_t i = 0; i < l->modifiers.size() && i < 4; ++i) proc += fmt::format(":{}", clean(l->modifiers[i], 2));
      std::string ptr;
      for (const auto& d : l->diagnoses) {
        std::string code;
        for (char c : d)
          if (c != '.') code += c;
        auto idx = std::find(dx.begin(), dx.end(), code) - dx.begin() + 1;
        if (ptr.size() < 7) ptr += fmt::format("{}{}", ptr.empty() ? "" : ":", idx);
      }
      w.add(fmt::format("SV1*{}*{}*UN*{}*{}**{}", proc, l->charge.plain(), l->units,
                        l->place_of_service == pos ? "" : l->place_of_service, ptr));
      w.add(fmt::format("DTP*472*D8*{}", d8(l->date)));
    }
  }
  w.se();
  return w.finish();
}

}  // namespace backcover::interop::x12
