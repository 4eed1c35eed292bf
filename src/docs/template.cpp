// Template filling with kainjow::mustache (Debian libkainjow-mustache-dev).
#include <kainjow/mustache.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "backcover/docs/render.hpp"

namespace backcover::docs {

namespace mu = kainjow::mustache;

std::string missing(std::string_view what) {
  std::string s(kMissingOpen);
  s += what;
  s += ']';
  return s;
}

std::string missing(std::string_view what, std::string_view lang) {
  std::string s(lang == "es" ? kMissingOpenEs : kMissingOpen);
  s += what;
  s += ']';
  return s;
}

std::size_t find_missing(std::string_view text, std::size_t from, std::size_t* open_len) {
  const std::size_t en = text.find(kMissingOpen, from), es = text.find(kMissingOpenEs, from);
  const std::size_t at = std::min(en, es);
  if (open_len) *open_len = at == en ? kMissingOpen.size() : kMissingOpenEs.size();
  return at;
}

std::vector<std::string> missing_facts(std::string_view text) {
  std::vector<std::string> out;
  std::size_t at = 0, len = 0;
  while ((at = find_missing(text, at, &len)) != std::string_view::npos) {
    const std::size_t start = at + len;
    const std::size_t end = text.find(']', start);
    if (end == std::string_view::npos) break;
    out.emplace_back(text.substr(start, end - start));
    at = end + 1;
  }
  return out;
}

namespace {

mu::data to_data(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      mu::data d{mu::data::type::object};
      for (auto it = j.begin(); it != j.end(); ++it) d.set(it.key(), to_data(it.value()));
      return d;
    }
    case nlohmann::json::value_t::array: {
      mu::data d{mu::data::type::list};
      for (const auto& v : j) d.push_back(to_data(v));
      return d;
    }
    case nlohmann::json::value_t::string: return mu::data{j.get<std::string>()};
    case nlohmann::json::value_t::boolean: return j.get<bool>() ? mu::data{mu::data::type::bool_true}
                                                                : mu::data{mu::data::type::bool_false};
    case nlohmann::json::value_t::null: return mu::data{mu::data::type::bool_false};
    default: return mu::data{j.dump()};
  }
}

}  // namespace

Result<std::string> fill(const std::string& templates_dir, std::string_view name, std::string_view lang,
                         const nlohmann::json& context) {
  const std::string path = templates_dir + "/" + std::string(lang) + "/" + std::string(name) + ".md";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Error e;
    e.file = path;
    e.found = "no such template";
    e.expected = "a template file for document \"" + std::string(name) + "\" in language \"" + std::string(lang) + "\"";
    return e;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  mu::mustache tmpl{ss.str()};
  // Markdown output: no HTML escaping of values.
  tmpl.set_custom_escape([](const std::string& s) { return s; });
  if (!tmpl.is_valid()) {
    Error e;
    e.file = path;
    e.found = tmpl.error_message();
    e.expected = "a valid Mustache template";
    return e;
  }
  std::string out = tmpl.render(to_data(context));
  if (!tmpl.is_valid()) {
    Error e;
    e.file = path;
    e.found = tmpl.error_message();
    e.expected = "a template whose sections match the document's facts";
    return e;
  }
  return out;
}

}  // namespace backcover::docs
