// Checks the schemas with ajv, an independent JSON Schema validator:
//  1. every schemas/*.schema.json is a valid draft 2020-12 schema;
//  2. every example and shipped data file validates against its schema;
//  3. a few known-bad inputs are refused (so the check can fail).
// YAML is read with the failsafe schema (every scalar is text) and ajv
// coerces types, as backcover's loaders read YAML scalars. Run from the
// repository root or anywhere: node tests/schema-check/check.mjs
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import YAML from "yaml";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ajv = new Ajv2020({ allErrors: true, coerceTypes: true, strict: false, validateSchema: true });
addFormats(ajv, { formats: ["date"], keywords: true });
// Our own annotations: words for error messages and run-time vocabularies.
for (const k of ["x-expected", "x-vocabulary", "x-range", "x-found", "x-keys"]) ajv.addKeyword(k);

// Amounts and percentages as backcover writes them (Money::parse, Rate::parse).
const cents = (s) => {
  const m = /^(-)?\$?((\d{1,3}(,\d{3})+)|\d+)(\.(\d{1,2}))?$/.exec(String(s).trim());
  if (!m) return null;
  return (m[1] ? -1 : 1) * (Number(m[2].replace(/,/g, "")) * 100 + Number((m[6] || "0").padEnd(2, "0")));
};
const ppm = (s) => {
  const t = String(s).trim();
  const m = /^(\d+(\.\d+)?)%$/.exec(t);
  if (m) return Math.round(Number(m[1]) * 10000);
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000000);
  return null;
};
ajv.addFormat("money", { type: "string", validate: (s) => cents(s) !== null, compare: (a, b) => cents(a) - cents(b) });
ajv.addFormat("percent", { type: "string", validate: (s) => ppm(s) !== null, compare: (a, b) => ppm(a) - ppm(b) });

let failures = 0;
const fail = (msg) => {
  failures++;
  console.error("FAIL " + msg);
};

const schemas = {};
for (const f of fs.readdirSync(path.join(root, "schemas")).filter((f) => f.endsWith(".schema.json")).sort()) {
  const name = f.replace(".schema.json", "");
  const schema = JSON.parse(fs.readFileSync(path.join(root, "schemas", f), "utf8"));
  if (!ajv.validateSchema(schema)) fail(`${f} is not a valid draft 2020-12 schema: ${ajv.errorsText(ajv.errors)}`);
  try {
    schemas[name] = ajv.compile(schema);
  } catch (e) {
    fail(`${f} does not compile: ${e.message}`);
  }
}

// An empty value is the same as leaving the key out (the loaders read it so).
const prune = (v) => {
  if (Array.isArray(v)) return v.map(prune);
  if (v && typeof v === "object") {
    const o = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== "") o[k] = prune(x);
    return o;
  }
  return v;
};
const load = (file) => prune(YAML.parse(fs.readFileSync(file, "utf8"), { schema: "failsafe" }));

const check = (name, file, wantOk = true) => {
  const v = schemas[name];
  if (!v) return fail(`no schema ${name} for ${file}`);
  const ok = v(load(file));
  const rel = path.relative(root, file);
  if (ok && wantOk) console.log(`ok   ${name.padEnd(12)} ${rel}`);
  else if (!ok && !wantOk)
    console.log(`ok   ${name.padEnd(12)} ${rel} refused: ${ajv.errorsText(v.errors, { separator: "; " }).slice(0, 300)}`);
  else fail(`${name} ${rel}: ${wantOk ? ajv.errorsText(v.errors, { separator: "; " }) : "accepted a bad file"}`);
};

let n = 0;
for (const ex of fs.readdirSync(path.join(root, "examples")).sort()) {
  for (const kind of ["plan", "case", "services", "prices", "options", "denial"]) {
    const f = path.join(root, "examples", ex, `${kind}.yaml`);
    if (fs.existsSync(f)) (check(kind, f), n++);
  }
}
for (const f of fs.readdirSync(path.join(root, "data/plans")).sort()) (check("plan", path.join(root, "data/plans", f)), n++);
for (const f of fs.readdirSync(path.join(root, "data/policy")).sort()) {
  if (f.endsWith(".yaml") && !f.includes(".tests.")) (check("policy-pack", path.join(root, "data/policy", f)), n++);
}
check("catalogue", path.join(root, "data/catalogue/services.yaml"));
check("regimes", path.join(root, "data/policy/router/regimes.yaml"));
check("letterhead", path.join(root, "data/templates/letterhead.yaml"));
for (const f of fs.readdirSync(path.join(root, "data/policy/tests")).sort())
  if (f.endsWith(".tests.yaml")) (check("pack-tests", path.join(root, "data/policy/tests", f)), n++);
n += 3;
// Bad inputs from the golden cases must be refused here too.
for (const [name, file] of [
  ["plan", "tests/cases/io-plan-balance-bill-below-100-rejected/plan.yaml"],
  ["plan", "tests/cases/engine-unknown-key-typo-rejected/plan.yaml"],
  ["services", "tests/cases/io-services-unknown-line-key-rejected/services.yaml"],
  ["prices", "tests/cases/io-prices-unknown-keys-rejected/prices.yaml"],
  ["options", "tests/cases/compare-bad-options/options.yaml"],
]) {
  if (fs.existsSync(path.join(root, file))) (check(name, path.join(root, file), false), n++);
}
if (n < 30) fail(`only ${n} files checked`);
if (failures) {
  console.error(`${failures} failure(s)`);
  process.exit(1);
}
console.log(`${n} files checked against ${Object.keys(schemas).length} schemas`);
