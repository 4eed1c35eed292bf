// RFC 5545 iCalendar output for the deadline calendar.
#include <cstdint>

#include <fmt/format.h>

#include "backcover/docs/deadlines.hpp"

namespace backcover::docs {

namespace {

// FNV-1a 64: a stable UID from the event's content (same input, same UID).
std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string compact(Date d) {
  return fmt::format("{:04d}{:02d}{:02d}", d.year(), d.month(), d.day());
}

void line(std::string& out, std::string_view content) {
  out += ics_fold(content);
  out += "\r\n";
}

}  // namespace

std::string ics_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case ';': out += "\\;"; break;
      case ',': out += "\\,"; break;
      case '\n': out += "\\n"; break;
      case '\r': break;
      default: out += c;
    }
  }
  return out;
}

std::string ics_fold(std::string_view content) {
  std::string out;
  std::size_t i = 0;
  std::size_t limit = 75;  // the first line: 75 octets; then a space + 74
  while (content.size() - i > limit) {
    std::size_t cut = i + limit;
    // Never split a UTF-8 sequence: back up over continuation bytes.
    while (cut > i && (static_cast<unsigned char>(content[cut]) & 0xC0) == 0x80) --cut;
    out.append(content.substr(i, cut - i));
    out += "\r\n ";
    i = cut;
    limit = 74;
  }
  out.append(content.substr(i));
  return out;
}

std::string to_ics(const std::vector<Deadline>& deadlines, Date stamp) {
  std::string out;
  line(out, "BEGIN:VCALENDAR");
  line(out, "VERSION:2.0");
  line(out, "PRODID:-//backcover//deadlines//EN");
  line(out, "CALSCALE:GREGORIAN");
  line(out, "METHOD:PUBLISH");
  for (const auto& d : deadlines) {
    std::string key = d.date.str() + "\x1f" + d.kind + "\x1f" + d.what + "\x1f" + d.rule + "\x1f" + d.detail;
    line(out, "BEGIN:VEVENT");
    line(out, fmt::format("UID:{:016x}@backcover", fnv1a(key)));
    line(out, "DTSTAMP:" + compact(stamp) + "T000000Z");
    line(out, "DTSTART;VALUE=DATE:" + compact(d.date));
    line(out, "DTEND;VALUE=DATE:" + compact(d.date.plus_days(1)));
    line(out, "SUMMARY:" + ics_escape(d.what));
    line(out, "DESCRIPTION:" + ics_escape(d.rule + (d.detail.empty() ? "" : "\n" + d.detail)));
    line(out, "TRANSP:TRANSPARENT");
    line(out, "BEGIN:VALARM");
    line(out, "ACTION:DISPLAY");
    line(out, d.alarm_days > 0 ? fmt::format("TRIGGER:-P{}D", d.alarm_days) : std::string("TRIGGER:PT0S"));
    line(out, "DESCRIPTION:" + ics_escape(d.what));
    line(out, "END:VALARM");
    line(out, "END:VEVENT");
  }
  line(out, "END:VCALENDAR");
  return out;
}

}  // namespace backcover::docs
