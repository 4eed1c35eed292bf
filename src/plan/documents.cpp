// The document inputs' small functions (backcover/plan/denial.hpp,
// backcover/plan/clinic.hpp): no I/O; the loaders are in src/io/documents.cpp.
#include <algorithm>
#include <cctype>
#include <string>

#include "backcover/plan/clinic.hpp"
#include "backcover/plan/denial.hpp"

namespace backcover {

std::string Denial::carc_text() const { return carc_group.empty() ? carc : carc_group + "-" + carc; }

const char* to_string(Denial::Level l) {
  switch (l) {
    case Denial::Level::Initial: return "initial";
    case Denial::Level::Internal: return "internal";
    case Denial::Level::External: return "external";
  }
  return "initial";
}

const char* to_string(Denial::Type t) {
  switch (t) {
    case Denial::Type::PreService: return "pre_service";
    case Denial::Type::PostService: return "post_service";
    case Denial::Type::Concurrent: return "concurrent";
  }
  return "post_service";
}

bool npi_valid(std::string_view npi) {
  if (npi.size() != 10) return false;
  for (char c : npi)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  // Luhn over "80840" + the 10 digits: the sum, check digit included, is a multiple of 10.
  std::string full = "80840";  // appended, not "literal" + string (g++ 12 -O3 -Wrestrict)
  full += npi;
  int sum = 0;
  bool dbl = false;
  for (auto it = full.rbegin(); it != full.rend(); ++it) {
    int d = *it - '0';
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

bool valid_accent(std::string_view s) {
  return s.size() == 7 && s[0] == '#' &&
         std::all_of(s.begin() + 1, s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

}  // namespace backcover
