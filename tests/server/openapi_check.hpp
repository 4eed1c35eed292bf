// Checks an HTTP reply against the OpenAPI 3.1 document the server serves: the
// status is one the operation declares, the content type is declared, and the
// body validates against the declared schema. The JSON Schema subset walked is
// the one the document's response schemas use: $ref (local), allOf, anyOf,
// oneOf, type (one or a list), const, enum, properties, required,
// additionalProperties, items, pattern.
#pragma once

#include <nlohmann/json.hpp>

#include <regex>
#include <string>
#include <vector>

namespace openapi_check {

using nlohmann::json;

inline const json* pointer(const json& doc, const std::string& ref) {
  if (ref.rfind("#/", 0) != 0) return nullptr;
  try {
    const json& v = doc.at(json::json_pointer(ref.substr(1)));
    return &v;
  } catch (...) {
    return nullptr;
  }
}

inline bool has_type(const json& v, const std::string& t) {
  if (t == "object") return v.is_object();
  if (t == "array") return v.is_array();
  if (t == "string") return v.is_string();
  if (t == "integer") return v.is_number_integer();
  if (t == "number") return v.is_number();
  if (t == "boolean") return v.is_boolean();
  if (t == "null") return v.is_null();
  return false;
}

inline void validate(const json& doc, const json& schema, const json& v, const std::string& at,
                     std::vector<std::string>& out, int depth = 0) {
  if (depth > 64) {
    out.push_back(at + ": schema nesting too deep");
    return;
  }
  if (schema.is_boolean()) {
    if (!schema.get<bool>()) out.push_back(at + ": not allowed here");
    return;
  }
  if (!schema.is_object()) return;
  if (auto r = schema.find("$ref"); r != schema.end()) {
    const json* target = pointer(doc, *r);
    if (!target) out.push_back(at + ": unresolved $ref " + r->get<std::string>());
    else validate(doc, *target, v, at, out, depth + 1);
  }
  if (auto a = schema.find("allOf"); a != schema.end())
    for (const auto& s : *a) validate(doc, s, v, at, out, depth + 1);
  for (const char* k : {"anyOf", "oneOf"})
    if (auto a = schema.find(k); a != schema.end()) {
      int ok = 0;
      for (const auto& s : *a) {
        std::vector<std::string> sub;
        validate(doc, s, v, at, sub, depth + 1);
        ok += sub.empty();
      }
      if (ok == 0 || (std::string(k) == "oneOf" && ok > 1)) out.push_back(at + ": matches " + std::to_string(ok) + " of " + k);
    }
  if (auto t = schema.find("type"); t != schema.end()) {
    bool ok = false;
    if (t->is_string()) ok = has_type(v, *t);
    else
      for (const auto& x : *t) ok = ok || has_type(v, x);
    if (!ok) {
      out.push_back(at + ": expected type " + t->dump() + ", got " + v.dump().substr(0, 80));
      return;
    }
  }
  if (auto c = schema.find("const"); c != schema.end() && *c != v) out.push_back(at + ": expected " + c->dump());
  if (auto e = schema.find("enum"); e != schema.end() && std::find(e->begin(), e->end(), v) == e->end())
    out.push_back(at + ": " + v.dump() + " is not one of " + e->dump());
  if (auto p = schema.find("pattern"); p != schema.end() && v.is_string() &&
                                       !std::regex_search(v.get<std::string>(), std::regex(p->get<std::string>())))
    out.push_back(at + ": does not match " + p->get<std::string>());
  if (v.is_object()) {
    if (auto req = schema.find("required"); req != schema.end())
      for (const auto& k : *req)
        if (!v.contains(k.get<std::string>())) out.push_back(at + ": missing required " + k.get<std::string>());
    const json* props = schema.contains("properties") ? &schema["properties"] : nullptr;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (props && props->contains(it.key())) {
        validate(doc, (*props)[it.key()], it.value(), at + "/" + it.key(), out, depth + 1);
        continue;
      }
      if (auto ap = schema.find("additionalProperties"); ap != schema.end()) {
        if (ap->is_boolean() && !ap->get<bool>()) out.push_back(at + ": unexpected property " + it.key());
        else if (ap->is_object()) validate(doc, *ap, it.value(), at + "/" + it.key(), out, depth + 1);
      }
    }
  }
  if (v.is_array())
    if (auto items = schema.find("items"); items != schema.end())
      for (std::size_t i = 0; i < v.size(); ++i) validate(doc, *items, v[i], at + "/" + std::to_string(i), out, depth + 1);
}

// Problems with one reply to `method` on the path template `route`.
inline std::vector<std::string> response(const json& doc, const std::string& route, const std::string& method, int status,
                                         const std::string& content_type, const json& body) {
  std::vector<std::string> out;
  std::string m = method;
  for (auto& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string escaped;
  for (char c : route) escaped += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
  const json* op = pointer(doc, "#/paths/" + escaped + "/" + m);
  if (!op) return {"no operation " + method + " " + route + " in the OpenAPI document"};
  const json& responses = (*op)["responses"];
  const std::string code = std::to_string(status);
  if (!responses.contains(code)) return {"status " + code + " is not declared for " + method + " " + route};
  const json* r = &responses[code];
  if (r->contains("$ref")) r = pointer(doc, (*r)["$ref"]);
  if (!r) return {"unresolved response $ref"};
  if (!r->contains("content")) {
    if (!body.is_null() && !body.empty()) out.push_back("a body where none is declared");
    return out;
  }
  const std::string media = content_type.substr(0, content_type.find(';'));
  if (!(*r)["content"].contains(media)) return {"content type " + media + " not declared for " + code};
  const json& media_obj = (*r)["content"][media];
  if (media_obj.contains("schema")) validate(doc, media_obj["schema"], body, "", out);
  return out;
}

// Every local $ref in the document that points nowhere.
inline std::vector<std::string> dangling_refs(const json& doc) {
  std::vector<std::string> out;
  std::vector<std::pair<const json*, const json*>> stack{{&doc, &doc}};  // (node, resource root)
  while (!stack.empty()) {
    auto [node, root] = stack.back();
    stack.pop_back();
    if (node->is_object()) {
      // An embedded schema with an $id is its own resource: its "#/…" refs start there.
      const json* here = node->contains("$id") ? node : root;
      if (auto r = node->find("$ref"); r != node->end() && r->is_string() && !pointer(*here, *r))
        out.push_back("dangling $ref " + r->get<std::string>());
      for (const auto& [k, v] : node->items()) stack.push_back({&v, here});
    } else if (node->is_array()) {
      for (const auto& v : *node) stack.push_back({&v, root});
    }
  }
  return out;
}

}  // namespace openapi_check
