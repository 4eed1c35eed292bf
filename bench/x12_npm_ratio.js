// Times node-x12 and x12-parser (npm) streaming one X12 file into segment
// objects; prints JSON {name: {cpu_s, wall_s, segments}}. Used by bench/x12_npm_ratio.
//
// Measured as our side is: the file is read into memory first (not timed), then
// pushed through the parser in 1 MB chunks; one untimed warm-up pass over the
// whole file first (JIT compiled, heap grown), then the timed pass: node's own
// clocks in process (process.cpuUsage: every thread of the process, GC helpers
// included; hrtime for wall time). Run with --single-threaded by the script too,
// so the CPU time is one core's (V8 does its GC and compiling on the main thread).
'use strict';
const fs = require('fs');
const path = require('path');
const { Readable } = require('stream');
const from = { paths: [path.join(__dirname, '..', 'tests', 'interop')] };  // tests/interop/node_modules
const { X12Parser } = require(require.resolve('node-x12', from));
const { X12parser } = require(require.resolve('x12-parser', from));

const bytes = fs.readFileSync(process.argv[2]);
const chunks = [];
for (let i = 0; i < bytes.length; i += 1 << 20) chunks.push(bytes.subarray(i, Math.min(bytes.length, i + (1 << 20))));

function pass(make) {
  return new Promise((resolve, reject) => {
    let segments = 0;
    const parser = make();
    parser.on('error', reject);
    const cpu0 = process.cpuUsage(), t0 = process.hrtime.bigint();
    Readable.from(chunks, { objectMode: false }).pipe(parser)
      .on('data', () => { segments++; })
      .on('end', () => {
        const cpu = process.cpuUsage(cpu0);
        resolve({ cpu_s: (cpu.user + cpu.system) / 1e6, wall_s: Number(process.hrtime.bigint() - t0) / 1e9, segments });
      })
      .on('error', reject);
  });
}

async function time(make) {
  await pass(make);  // warm-up, not timed
  return pass(make);
}

(async () => {
  const out = {};
  out['node-x12 1.7.1'] = await time(() => new X12Parser(false));  // strict mode refuses a stream (it checks each chunk for a group)
  out['x12-parser 1.3.0'] = await time(() => new X12parser());
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
