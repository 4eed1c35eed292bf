// The people-facing text of an answer in another language. The engine, the
// policy packs and the payment paths write their explanations in English; a
// message table (data, data/messages/<lang>.yaml) gives each of them in the
// other language: whole texts, texts with holes ("prior authorization for
// {what} ({why})", each hole's text looked up again; {amount=} a token kept as
// written, {plan*} any text kept as written), and our catalogue's names by code. The English answer is never changed: the server localizes a
// copy when the page asks with `lang=es`.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "backcover/core/error.hpp"

namespace backcover::app {

class MessageTable {
 public:
  // Reads a table; every error names the file, line, column and field.
  static Result<std::shared_ptr<const MessageTable>> load(const std::string& path);
  static Result<std::shared_ptr<const MessageTable>> parse(const std::string& text, const std::string& file);

  const std::string& lang() const { return lang_; }
  // `en` in the table's language; `en` itself when the table has no entry
  // for it (and then, when `missed` is given, `en` is added to it).
  std::string text(std::string_view en, std::vector<std::string>* missed = nullptr) const;
  // Our catalogue's name of `code` in the table's language, or nullptr.
  const std::string* code_name(const std::string& code) const;
  // Every text member of an answer (estimate, coverage, compare, plan
  // ranking, household, authorizations), in place: members named text, note,
  // notes, fix, risks, warnings, reasons, alerts, heading, detail, name
  // (a line's name by its code, a payment path's name); ids, codes, dates and amounts are
  // left as they are.
  void localize(nlohmann::json& answer, std::vector<std::string>* missed = nullptr) const;
  // {"lang", "phrases": {english: text}, "codes": {code: name}}: for a page
  // that shows words of the plan file itself (benefit names, categories).
  nlohmann::json words_json() const;

  struct Pattern {
    std::vector<std::string> en_parts;  // literal text between the holes (holes + 1 parts)
    std::vector<std::string> en_holes;  // hole names, in order
    std::string es;                     // with {name} holes
  };

 private:
  std::string text_at(std::string_view en, std::vector<std::string>* missed, int depth) const;
  bool match(const Pattern& p, std::string_view s, std::vector<std::string_view>& holes) const;

  std::string lang_;
  std::map<std::string, std::string, std::less<>> phrases_;
  std::vector<Pattern> patterns_;
  std::map<std::string, std::string, std::less<>> codes_;
};

// The table for `lang` in `data_dir`/messages, read once per process and
// kept (rule data); nullptr for "en". Errors name the file and line.
Result<std::shared_ptr<const MessageTable>> messages(const std::string& data_dir, const std::string& lang);

}  // namespace backcover::app
