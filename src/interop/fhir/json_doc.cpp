// json_doc.hpp: the SAX builder that keeps decimal text, and locate().
#include "json_doc.hpp"

#include <fmt/format.h>

#include "backcover/interop/x12/remit.hpp"

namespace backcover::interop::fhir::detail {

namespace {

using nlohmann::json;

class Builder : public nlohmann::json_sax<json> {
 public:
  json root;
  std::string error;
  std::size_t error_pos = 0;

  bool null() override { return put(json(nullptr)); }
  bool boolean(bool b) override { return put(json(b)); }
  bool number_integer(number_integer_t v) override { return put(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(json(v)); }
  bool number_float(number_float_t, const string_t& s) override { return put(json(std::string(1, kNumberMark) + s)); }
  bool string(string_t& s) override { return put(json(std::move(s))); }
  bool binary(binary_t&) override { return put(json(nullptr)); }
  bool start_object(std::size_t) override { return open(json::object()); }
  bool key(string_t& k) override {
    key_ = k;
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& ex) override {
    error = ex.what();
    error_pos = pos;
    return false;
  }

 private:
  json* slot() {
    if (stack_.empty()) return &root;
    json& top = *stack_.back();
    if (top.is_array()) {
      top.push_back(nullptr);
      return &top.back();
    }
    return &top[key_];
  }
  bool put(json v) {
    *slot() = std::move(v);
    return true;
  }
  bool open(json v) {
    if (stack_.size() >= 512) {
      error = "nesting deeper than 512 levels";
      return false;
    }
    json* s = slot();
    *s = std::move(v);
    stack_.push_back(s);
    return true;
  }
  bool close() {
    if (!stack_.empty()) stack_.pop_back();
    return true;
  }
  std::vector<json*> stack_;
  std::string key_;
};

std::pair<int, int> line_col(std::string_view text, std::size_t pos) {
  int line = 1, col = 1;
  for (std::size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  return {line, col};
}

// A minimal scanner over text already known to be valid JSON.
struct Scan {
  std::string_view t;
  std::size_t p = 0;
  void ws() {
    while (p < t.size() && (t[p] == ' ' || t[p] == '\n' || t[p] == '\r' || t[p] == '\t')) ++p;
  }
  std::string str() {  // at '"'; returns the raw content (escapes kept)
    std::size_t b = ++p;
    while (p < t.size() && t[p] != '"') p += t[p] == '\\' ? 2 : 1;
    std::string s(t.substr(b, p - b));
    ++p;
    return s;
  }
  void skip(int depth = 0) {
    ws();
    if (p >= t.size() || depth > 600) return;
    if (t[p] == '"') {
      str();
    } else if (t[p] == '{' || t[p] == '[') {
      char close = t[p] == '{' ? '}' : ']';
      ++p;
      ws();
      if (p < t.size() && t[p] == close) {
        ++p;
        return;
      }
      while (p < t.size()) {
        ws();
        if (close == '}') {
          str();
          ws();
          ++p;  // ':'
        }
        skip(depth + 1);
        ws();
        if (p < t.size() && t[p] == ',') {
          ++p;
          continue;
        }
        ++p;  // close
        return;
      }
    } else {
      while (p < t.size() && t[p] != ',' && t[p] != '}' && t[p] != ']' && t[p] != ' ' && t[p] != '\n' &&
             t[p] != '\r' && t[p] != '\t')
        ++p;
    }
  }
};

}  // namespace

Result<json> parse(std::string_view text, const std::string& name) {
  Builder b;
  bool ok = json::sax_parse(text.begin(), text.end(), &b, nlohmann::detail::input_format_t::json, true);
  if (!ok || !b.error.empty()) {
    auto [line, col] = line_col(text, b.error_pos > 0 ? b.error_pos - 1 : 0);
    std::string what = b.error;
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error while parsing …"
    if (auto k = what.find("syntax error"); k != std::string::npos) what = what.substr(k);
    return Error{name, line, col, "", fmt::format("invalid JSON ({})", what), "a FHIR R4 resource or Bundle in JSON"};
  }
  return std::move(b.root);
}

std::optional<std::string> number_text(const json& v) {
  if (v.is_number_integer()) return v.is_number_unsigned() ? std::to_string(v.get<std::uint64_t>()) : std::to_string(v.get<std::int64_t>());
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (!s.empty() && s[0] == kNumberMark) return s.substr(1);
  }
  return std::nullopt;
}

std::optional<Money> money(const json& v) {
  auto t = number_text(v);
  if (!t) return std::nullopt;
  if (t->find_first_of("eE") != std::string::npos) return std::nullopt;  // 2e2: write it as 200
  return x12::parse_amount(*t);
}

std::pair<int, int> locate(std::string_view text, const std::vector<std::string>& pointer) {
  Scan s{text};
  for (const auto& tok : pointer) {
    s.ws();
    if (s.p >= text.size()) return {0, 0};
    if (text[s.p] == '{') {
      ++s.p;
      bool found = false;
      while (s.p < text.size()) {
        s.ws();
        if (text[s.p] == '}') break;
        std::string k = s.str();
        s.ws();
        ++s.p;  // ':'
        if (k == tok) {
          found = true;
          break;
        }
        s.skip();
        s.ws();
        if (s.p < text.size() && text[s.p] == ',') ++s.p;
      }
      if (!found) return {0, 0};
    } else if (text[s.p] == '[') {
      ++s.p;
      std::size_t want = 0;
      for (char c : tok) {
        if (c < '0' || c > '9') return {0, 0};
        want = want * 10 + static_cast<std::size_t>(c - '0');
      }
      for (std::size_t i = 0; i < want; ++i) {
        s.skip();
        s.ws();
        if (s.p >= text.size() || text[s.p] != ',') return {0, 0};
        ++s.p;
      }
    } else {
      return {0, 0};
    }
  }
  s.ws();
  return line_col(text, s.p);
}

}  // namespace backcover::interop::fhir::detail
