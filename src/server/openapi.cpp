// The OpenAPI 3.1 document served at /openapi.json. Request bodies carry
// input files as YAML text; each such field names its file's JSON Schema (the
// same schemas/*.schema.json the loaders check, compiled in) through JSON
// Schema 2020-12's contentMediaType + contentSchema, and the schemas are
// embedded under components.schemas with an $id so their own "#/$defs/…"
// references resolve inside them. Response schemas are closed
// (additionalProperties: false) where the server builds the object, so the
// test that checks every response against this document catches drift.
#include <fmt/format.h>

#include "backcover/server/server.hpp"
#include "io/schema.hpp"

namespace backcover::server {

namespace {

const char* kDocument = R"JSON({
  "openapi": "3.1.0",
  "info": {
    "title": "backcover",
    "version": "0.1.0",
    "summary": "Will the plan pay, what will I pay, and the cheapest way through: the HTTP API over the store.",
    "description": "All replies are JSON; errors are RFC 9457 problem details (application/problem+json) whose errors list names the file, line, column and field. Sign in with POST /api/login (a cookie session: send X-CSRF-Token on every POST/PUT/DELETE) or send Authorization: Bearer <token> (backcover token add). docs/api.md."
  },
  "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
  "security": [{"session": []}, {"bearer": []}],
  "paths": {
    "/healthz": {"get": {"summary": "Liveness (the trivial reply the benchmark compares against)", "security": [],
      "responses": {"200": {"description": "up", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}}}},
    "/openapi.json": {"get": {"summary": "This document", "security": [],
      "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/api/login": {"post": {"summary": "Sign in: sets the bc_session cookie (HttpOnly, SameSite=Strict) and returns the CSRF token", "security": [],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Login"}}}},
      "responses": {"200": {"description": "signed in", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}}},
                    "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                    "429": {"$ref": "#/components/responses/Problem"}}}},
    "/api/logout": {"post": {"summary": "End the session",
      "responses": {"204": {"description": "signed out"}, "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}}}},
    "/api/me": {"get": {"summary": "Who is signed in",
      "responses": {"200": {"description": "the caller", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}}},
                    "401": {"$ref": "#/components/responses/Problem"}}}},
    "/api/patients": {"get": {"summary": "The clinic's patients with today's alerts (staff)",
      "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}, "description": "search in name, folder and id"},
                     {"name": "today", "in": "query", "schema": {"type": "string", "format": "date"}}],
      "responses": {"200": {"description": "patients", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/PatientSummary"}}}}},
                    "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                    "403": {"$ref": "#/components/responses/Problem"}}}},
    "/api/patients/{id}": {"parameters": [{"$ref": "#/components/parameters/Patient"}],
      "get": {"summary": "A patient's record (staff; a patient user only their own)",
      "responses": {"200": {"description": "the record", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PatientDetail"}}}},
                    "401": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
    "/api/patients/{id}/files/{name}": {"parameters": [{"$ref": "#/components/parameters/Patient"},
        {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}, "description": "plan.yaml, case.yaml, services*.yaml, prices.yaml, accumulators.yaml"}],
      "get": {"summary": "One stored input file",
        "responses": {"200": {"description": "the file", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FileText"}}}},
                      "401": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}},
      "put": {"summary": "Replace a stored input file, checked by the same loader as the command line (staff)",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FilePut"}}}},
        "responses": {"200": {"description": "stored", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FileStored"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
    "/api/patients/{id}/courses": {"parameters": [{"$ref": "#/components/parameters/Patient"}],
      "post": {"summary": "Add a course of care (a services file or the course shorthand) (staff)",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CoursePost"}}}},
        "responses": {"201": {"description": "added", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Course"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
    "/api/patients/{id}/courses/{course}/estimate": {"parameters": [{"$ref": "#/components/parameters/Patient"},
        {"name": "course", "in": "path", "required": true, "schema": {"type": "string"}, "description": "C1, or the course's file name"}],
      "post": {"summary": "Estimate a stored course (exactly backcover estimate --patient P --course C --json), saved",
        "responses": {"200": {"description": "the estimate", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/StoredEstimate"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
    "/api/patients/{id}/compare": {"parameters": [{"$ref": "#/components/parameters/Patient"}],
      "post": {"summary": "Payment paths side by side for a stored course (exactly backcover compare --patient P --course C --json, plus heading and course); nothing is stored",
        "requestBody": {"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ComparePost"}}}},
        "responses": {"200": {"description": "the comparison", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Comparison"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
    "/api/patients/{id}/documents/{kind}": {"parameters": [{"$ref": "#/components/parameters/Patient"},
        {"name": "kind", "in": "path", "required": true, "schema": {"enum": ["gfe", "superbill", "lmn", "pa", "appeal", "log"]},
         "description": "gfe (Good Faith Estimate), superbill, lmn (letter of medical necessity), pa (prior-authorization packet: index, cover sheet, criteria checklist and letter in one document), appeal (needs a stored denial.yaml), log (treatment log)"},
        {"name": "course", "in": "query", "schema": {"type": "string"}, "description": "C1, or the course's file name (default: the first course)"},
        {"name": "format", "in": "query", "schema": {"enum": ["pdf", "html", "md"], "default": "pdf"}},
        {"name": "lang", "in": "query", "schema": {"enum": ["en", "es"], "default": "en"}},
        {"name": "service", "in": "query", "schema": {"type": "string"}, "description": "lmn, pa: the service code (default: the course's first line's)"},
        {"name": "issued", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "gfe: the date of issue (default: today)"},
        {"name": "scheduled", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "gfe: the date the service was scheduled"},
        {"name": "requested", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "gfe: the date the patient asked for an estimate"},
        {"name": "purpose", "in": "query", "schema": {"enum": ["pa", "hsa", "appeal"], "default": "pa"}, "description": "lmn: what the letter is for"}],
      "get": {"summary": "A document for a stored patient and course, as the doc verbs make it (backcover doc KIND --patient P --course C --out F.pdf|.html|.md); Content-Disposition names the file",
        "responses": {"200": {"description": "the document",
                        "headers": {"Content-Disposition": {"schema": {"type": "string"}, "description": "attachment; filename=\"SLUG-KIND-COURSE.FORMAT\""}},
                        "content": {"application/pdf": {}, "text/html": {}, "text/markdown": {}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "404": {"$ref": "#/components/responses/Problem"}}}},
    "/api/patients/{id}/deadlines.ics": {"parameters": [{"$ref": "#/components/parameters/Patient"},
        {"name": "course", "in": "query", "schema": {"type": "string"}, "description": "the course whose first date counts (default: the first course)"},
        {"name": "lang", "in": "query", "schema": {"enum": ["en", "es"], "default": "en"}}],
      "get": {"summary": "Every date that matters for a stored patient as an iCalendar file (RFC 5545; backcover deadlines --patient P --ics F)",
        "responses": {"200": {"description": "the calendar",
                        "headers": {"Content-Disposition": {"schema": {"type": "string"}, "description": "attachment; filename=\"SLUG-deadlines.ics\""}},
                        "content": {"text/calendar": {}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "404": {"$ref": "#/components/responses/Problem"}}}},
    "/api/estimate": {"post": {"summary": "Estimate from files sent in the request; nothing is stored (staff, systems)",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EstimateRequest"}}}},
      "responses": {"200": {"description": "the estimate (exactly backcover estimate --json)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Estimate"}}}},
                    "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                    "403": {"$ref": "#/components/responses/Problem"}, "413": {"$ref": "#/components/responses/Problem"}}}},
    "/api/patients/{id}/visits": {"parameters": [{"$ref": "#/components/parameters/Patient"}],
      "post": {"summary": "Post a visit (a claim) once: year-to-date counters and authorization use move (staff)",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VisitPost"}}}},
        "responses": {"200": {"description": "posted, or already posted", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VisitPosted"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
    "/api/audit": {"get": {"summary": "The audit log (admin)",
      "parameters": [{"name": "patient", "in": "query", "schema": {"type": "string"}}],
      "responses": {"200": {"description": "entries, oldest first", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}}}}},
                    "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}}}}
  },
  "components": {
    "securitySchemes": {
      "session": {"type": "apiKey", "in": "cookie", "name": "bc_session", "description": "from POST /api/login; state-changing requests also send X-CSRF-Token"},
      "bearer": {"type": "http", "scheme": "bearer", "description": "backcover token add"}
    },
    "parameters": {
      "Patient": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "the patient id (P1) or folder name"}
    },
    "responses": {
      "Problem": {"description": "RFC 9457 problem details", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    },
    "schemas": {
      "Health": {"type": "object", "required": ["ok"], "properties": {"ok": {"const": true}}, "additionalProperties": false},
      "Problem": {"type": "object", "required": ["type", "title", "status"], "additionalProperties": false,
        "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                       "detail": {"type": "string"}, "errors": {"type": "array", "items": {"$ref": "#/components/schemas/InputError"}}}},
      "InputError": {"type": "object", "required": ["file", "line", "column", "field", "got", "expected"], "additionalProperties": false,
        "properties": {"file": {"type": "string"}, "line": {"type": "integer"}, "column": {"type": "integer"}, "field": {"type": "string"},
                       "got": {"type": "string"}, "expected": {"type": "string"}, "message": {"type": "string"}}},
      "Login": {"type": "object", "required": ["clinic", "user", "password"], "additionalProperties": false,
        "properties": {"clinic": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}, "user": {"type": "string"}, "password": {"type": "string"}}},
      "Me": {"type": "object", "required": ["user", "role", "clinic", "patient"], "additionalProperties": false,
        "properties": {"user": {"type": "string"}, "role": {"enum": ["admin", "frontdesk", "clinician", "patient"]},
                       "clinic": {"type": "string"}, "patient": {"type": "string", "description": "for role patient: the patient it sees"},
                       "csrf": {"type": "string", "description": "send as X-CSRF-Token (cookie sessions only)"}}},
      "Course": {"type": "object", "required": ["id", "file", "lines", "first_date", "last_date", "charge_cents"], "additionalProperties": false,
        "properties": {"id": {"type": "string"}, "file": {"type": "string"}, "lines": {"type": "integer"}, "first_date": {"type": "string"},
                       "last_date": {"type": "string"}, "charge_cents": {"type": "integer"}}},
      "Alert": {"type": "object", "required": ["kind", "text"], "properties": {"kind": {"type": "string"}, "text": {"type": "string"}, "date": {"type": "string"}}},
      "PatientSummary": {"type": "object", "required": ["id", "slug", "name", "plan_name", "courses", "claims", "alerts"], "additionalProperties": false,
        "properties": {"id": {"type": "string"}, "slug": {"type": "string"}, "name": {"type": "string"}, "plan_name": {"type": "string"},
                       "courses": {"type": "array", "items": {"$ref": "#/components/schemas/Course"}}, "claims": {"type": "integer"},
                       "alerts": {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}}}},
      "Patient": {"type": "object", "required": ["id", "slug", "name"], "additionalProperties": false,
        "properties": {"id": {"type": "string"}, "slug": {"type": "string"}, "name": {"type": "string"}, "family_id": {"type": "string"},
                       "member_id": {"type": "string"}, "date_of_birth": {"type": "string"}}},
      "PatientDetail": {"type": "object", "required": ["patient", "coverage", "files", "courses", "authorizations", "counters", "claims", "estimates"], "additionalProperties": false,
        "properties": {
          "patient": {"$ref": "#/components/schemas/Patient"},
          "coverage": {"type": "object"},
          "files": {"type": "array", "items": {"type": "object", "required": ["name", "sha256"], "additionalProperties": false,
                    "properties": {"name": {"type": "string"}, "sha256": {"type": "string"}}}},
          "courses": {"type": "array", "items": {"$ref": "#/components/schemas/Course"}},
          "authorizations": {"type": "array", "items": {"type": "object", "required": ["number", "status", "from", "to"],
            "properties": {"number": {"type": "string"}, "codes": {"type": "string"}, "categories": {"type": "string"}, "from": {"type": "string"},
                           "to": {"type": "string"}, "status": {"type": "string"}, "visits": {"type": "integer"}, "visits_used": {"type": "integer"}}}},
          "counters": {"type": "array", "items": {"type": "object", "required": ["scope", "plan_year", "counter", "amount"],
            "properties": {"scope": {"enum": ["member", "family"]}, "plan_year": {"type": "string"}, "counter": {"type": "string"}, "amount": {"type": "integer"}}}},
          "claims": {"type": "array", "items": {"type": "object", "required": ["claim_id", "posted_at", "status", "lines"],
            "properties": {"claim_id": {"type": "string"}, "posted_at": {"type": "string"}, "status": {"enum": ["posted", "voided"]}, "lines": {"type": "array"}}}},
          "estimates": {"type": "array", "items": {"type": "object", "required": ["id", "course_id", "created_at", "inputs_sha256"], "additionalProperties": false,
            "properties": {"id": {"type": "string"}, "course_id": {"type": "string"}, "created_at": {"type": "string"}, "inputs_sha256": {"type": "string"}}}}}},
      "FileText": {"type": "object", "required": ["name", "text", "sha256"], "additionalProperties": false,
        "properties": {"name": {"type": "string"}, "text": {"type": "string"}, "sha256": {"type": "string"}}},
      "FilePut": {"type": "object", "required": ["text"], "additionalProperties": false,
        "properties": {"text": {"type": "string", "contentMediaType": "application/yaml", "description": "the file's YAML (or JSON) text; its schema is the one its name says (plan.yaml: plan, …)"}}},
      "FileStored": {"type": "object", "required": ["name", "sha256"], "additionalProperties": false,
        "properties": {"name": {"type": "string"}, "sha256": {"type": "string"}}},
      "CoursePost": {"type": "object", "required": ["text"], "additionalProperties": false,
        "properties": {"text": {"type": "string", "contentMediaType": "application/yaml", "contentSchema": {"$ref": "#/components/schemas/services"}}}},
      "EstimateRequest": {"type": "object", "required": ["plan", "case", "services"], "additionalProperties": false,
        "properties": {
          "plan": {"type": "string", "contentMediaType": "application/yaml", "contentSchema": {"$ref": "#/components/schemas/plan"}},
          "case": {"type": "string", "contentMediaType": "application/yaml", "contentSchema": {"$ref": "#/components/schemas/case"}},
          "services": {"type": "string", "contentMediaType": "application/yaml", "contentSchema": {"$ref": "#/components/schemas/services"}},
          "prices": {"type": "string", "contentMediaType": "application/yaml", "contentSchema": {"$ref": "#/components/schemas/prices"}},
          "accumulators": {"type": "string", "contentMediaType": "application/yaml", "contentSchema": {"$ref": "#/components/schemas/accumulators"}},
          "strict": {"type": "boolean"}}},
      "Estimate": {"type": "object", "required": ["lines", "totals", "plan", "warnings"],
        "properties": {"lines": {"type": "array", "items": {"$ref": "#/components/schemas/Determination"}},
                       "totals": {"type": "object", "required": ["charge_cents", "allowed_cents", "plan_pays_cents", "patient_pays_cents", "patient"],
                         "properties": {"charge_cents": {"type": "integer"}, "allowed_cents": {"type": "integer"}, "plan_pays_cents": {"type": "integer"},
                                        "patient_pays_cents": {"type": "integer"}, "patient": {"type": "object"}}},
                       "plan": {"type": "object"}, "warnings": {"type": "array"}, "regime": {"type": "object"},
                       "accumulators_before": {"type": "object"}, "accumulators_after": {"type": "object"}}},
      "StoredEstimate": {"allOf": [{"$ref": "#/components/schemas/Estimate"}],
        "required": ["estimate_id"], "properties": {"estimate_id": {"type": "string"}}},
      "Determination": {"type": "object", "required": ["line", "code", "covered", "pa_needed", "allowed_cents", "plan_pays_cents", "patient_pays_cents", "patient", "ledger", "reasons"],
        "properties": {"line": {"type": "integer"}, "code": {"type": "string"}, "covered": {"enum": ["covered", "not-covered", "conditional"]},
                       "pa_needed": {"enum": ["no-auth", "auth-needed", "satisfied", "conditional"]},
                       "allowed_cents": {"type": "integer"}, "plan_pays_cents": {"type": "integer"}, "patient_pays_cents": {"type": "integer"},
                       "patient": {"type": "object", "required": ["deductible", "copay", "coinsurance", "not_covered", "balance_bill"]},
                       "ledger": {"type": "array"}, "reasons": {"type": "array"}, "doc_needed": {"type": "array"}, "actions": {"type": "array"}}},
      "ComparePost": {"type": "object", "additionalProperties": false,
        "properties": {"course": {"type": "string", "description": "C1, or the course's file name (default: the first course)"}}},
      "Comparison": {"type": "object", "required": ["paths", "recommended", "reasons", "branches", "warnings", "heading", "course"], "additionalProperties": false,
        "properties": {"heading": {"type": "string"}, "course": {"type": "string"},
                       "recommended": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "the id of the path recommended, or null"},
                       "reasons": {"type": "array", "items": {"type": "string"}}, "warnings": {"type": "array", "items": {"type": "string"}},
                       "paths": {"type": "array", "items": {"$ref": "#/components/schemas/PayPath"}},
                       "branches": {"type": "array", "items": {"type": "object", "required": ["what", "lines", "outcomes"]}},
                       "funding": {"type": "array", "description": "each way of paying (none, hsa, fsa) over every path it could pay, cheapest first (docs/alternatives.md)",
                                   "items": {"type": "object", "required": ["source", "name", "available"],
                                             "properties": {"source": {"enum": ["none", "hsa", "fsa"]}, "name": {"type": "string"}, "available": {"type": "boolean"},
                                                            "why_not": {"type": "string"}, "forced_base": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                                                            "chosen_base": {"type": "string"},
                                                            "options": {"type": "array", "items": {"type": "object", "required": ["base", "net_cost_cents", "more_than_cheapest_cents"]}}}}}}},
      "PayPath": {"type": "object", "required": ["id", "kind", "name", "available"],
        "properties": {"id": {"type": "string"}, "kind": {"type": "string"}, "name": {"type": "string"}, "available": {"type": "boolean"},
                       "why_not": {"type": "string"}, "base": {"type": "string"},
                       "care_cents": {"type": "integer"}, "total_paid_cents": {"type": "integer"}, "paid_now_cents": {"type": "integer"},
                       "monthly_payment_cents": {"type": "integer"}, "months": {"type": "integer"}, "interest_cents": {"type": "integer"},
                       "fees_cents": {"type": "integer"}, "forfeited_cents": {"type": "integer"}, "unused_value_cents": {"type": "integer"},
                       "other_payer_cents": {"type": "integer"}, "tax_saved_cents": {"type": "integer"}, "net_cost_cents": {"type": "integer"},
                       "risks": {"type": "array"}, "notes": {"type": "array", "items": {"type": "string"}},
                       "payments": {"type": "array", "items": {"$ref": "#/components/schemas/Payment"}},
                       "costs": {"type": "array", "items": {"$ref": "#/components/schemas/Payment"}}},
        "if": {"properties": {"available": {"const": true}}},
        "then": {"required": ["care_cents", "total_paid_cents", "net_cost_cents", "payments", "costs"]}},
      "Payment": {"type": "object", "required": ["date", "amount_cents", "note"], "additionalProperties": false,
        "properties": {"date": {"type": "string", "format": "date"}, "amount_cents": {"type": "integer"}, "note": {"type": "string"}}},
      "VisitPost": {"type": "object", "required": ["services"], "additionalProperties": false,
        "properties": {"services": {"type": "string", "contentMediaType": "application/yaml", "contentSchema": {"$ref": "#/components/schemas/services"}},
                       "claim_id": {"type": "string"}}},
      "VisitPosted": {"type": "object", "required": ["claim_id", "outcome"],
        "properties": {"claim_id": {"type": "string"}, "outcome": {"enum": ["posted", "already-posted"]}, "lines": {"type": "array"}}},
      "AuditEntry": {"type": "object", "required": ["seq", "at", "user", "action", "patient", "detail"], "additionalProperties": false,
        "properties": {"seq": {"type": "integer"}, "at": {"type": "string"}, "user": {"type": "string"}, "action": {"type": "string"},
                       "patient": {"type": "string"}, "detail": {"type": "string"}}}
    }
  }
})JSON";

}  // namespace

nlohmann::json build_openapi() {
  nlohmann::json doc = nlohmann::json::parse(kDocument);
  // The input files' schemas, exactly as the loaders use them.
  for (const char* name : {"plan", "case", "services", "prices", "accumulators"}) {
    nlohmann::json s = nlohmann::json::parse(io::schema::texts().at(name));
    s["$id"] = fmt::format("https://backcover.dev/schemas/{}.schema.json", name);
    doc["components"]["schemas"][name] = std::move(s);
  }
  return doc;
}

}  // namespace backcover::server
