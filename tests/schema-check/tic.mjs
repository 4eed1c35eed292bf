// Transparency-in-Coverage files against CMS's own schemas (draft-07), with
// ajv, an independent validator (issue 16):
//  1. every payer file the golden cases use (tests/cases/mrf-*, prices-*),
//     except the ones made bad on purpose, which must be refused;
//  2. the files named on the command line (ctest passes one that
//     `backcover mrf generate` wrote, so the benchmark generator keeps the
//     schema's shape).
// Usage: node tests/schema-check/tic.mjs [FILE.json ...]
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const kinds = {};
for (const k of ["in-network-rates", "allowed-amounts", "table-of-contents"])
  kinds[k] = ajv.compile(JSON.parse(fs.readFileSync(path.join(here, "tic", `${k}.json`), "utf8")));

const kindOf = (doc) =>
  doc.reporting_structure ? "table-of-contents" : doc.out_of_network ? "allowed-amounts" : "in-network-rates";

// Made bad on purpose (the golden cases that prove the reader refuses them).
const bad = new Set([
  "tests/cases/mrf-bad-number/bad-number.json",
  "tests/cases/mrf-string-number/string-number.json",
]);

// Off the schema on purpose: the reader must cope with what real files do
// (an NPI written as a string, a TIN-only group with "npi": [], the v1 shape
// without network_name / business_name / setting). Not checked here.
const offSchema = new Set(["late-refs.json"]);

let failures = 0, n = 0;
const check = (file, wantOk) => {
  const rel = path.relative(root, file);
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    if (!wantOk) return console.log(`ok   ${rel} refused: not JSON (${e.message.slice(0, 80)})`), n++;
    failures++;
    return console.error(`FAIL ${rel}: not JSON: ${e.message}`);
  }
  const kind = kindOf(doc);
  const ok = kinds[kind](doc);
  n++;
  if (ok === wantOk) {
    console.log(`ok   ${kind.padEnd(17)} ${rel}${ok ? "" : " refused: " + ajv.errorsText(kinds[kind].errors).slice(0, 200)}`);
  } else {
    failures++;
    console.error(`FAIL ${kind} ${rel}: ${wantOk ? ajv.errorsText(kinds[kind].errors, { separator: "\n  " }) : "accepted a bad file"}`);
  }
};

const cases = path.join(root, "tests/cases");
for (const c of fs.readdirSync(cases).sort()) {
  if (!/^(mrf-|prices-)/.test(c)) continue;
  for (const sub of ["", "setup"]) {
    const dir = path.join(cases, c, sub);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      if (!f.endsWith(".json") || f.startsWith("expected")) continue;
      const file = path.join(dir, f);
      const rel = path.relative(root, file);
      if (/truncated/.test(c)) continue;  // cut short on purpose: not JSON, the reader's own case
      if (offSchema.has(f)) {
        console.log(`skip ${rel}: off the schema on purpose (see offSchema)`);
        continue;
      }
      check(file, !bad.has(rel));
    }
  }
}
for (const f of process.argv.slice(2)) check(path.resolve(f), true);
if (n < 10) (failures++, console.error(`FAIL only ${n} files checked`));
if (failures) {
  console.error(`${failures} failure(s)`);
  process.exit(1);
}
console.log(`${n} Transparency-in-Coverage files checked against CMS's schemas`);
