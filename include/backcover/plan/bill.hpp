// A bill (bill.yaml) as the GFE audit reads it: an input, read by
// io::parse_bill (src/io/documents.cpp).
//   bill.yaml: {date, patient?, lines: [{provider, npi?, code?, date?, amount}]}
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backcover/core/date.hpp"
#include "backcover/core/money.hpp"

namespace backcover {

struct BillLine {
  std::string provider;  // name
  std::string npi;
  std::string code;
  std::optional<Date> date;
  Money amount;
  int source_line = 0;
};
struct Bill {
  Date date;  // the date on the (initial) bill
  std::string patient;
  std::vector<BillLine> lines;
  std::string source;
};

}  // namespace backcover
