// Times node-x12 and x12-parser (npm) streaming one X12 file into segments;
// prints JSON {name: {cpu_s, wall_s, segments}}. Used by bench/x12_npm_ratio.
'use strict';
const fs = require('fs');
const path = require('path');
const from = { paths: [path.join(__dirname, '..', 'tests', 'interop')] };  // tests/interop/node_modules
const { X12Parser } = require(require.resolve('node-x12', from));
const { X12parser } = require(require.resolve('x12-parser', from));

function time(make) {
  return new Promise((resolve, reject) => {
    const cpu0 = process.cpuUsage(), t0 = process.hrtime.bigint();
    let segments = 0;
    const parser = make();
    parser.on('error', reject);
    fs.createReadStream(process.argv[2], { highWaterMark: 1 << 20 }).pipe(parser)
      .on('data', () => { segments++; })
      .on('end', () => {
        const cpu = process.cpuUsage(cpu0);
        resolve({ cpu_s: (cpu.user + cpu.system) / 1e6, wall_s: Number(process.hrtime.bigint() - t0) / 1e9, segments });
      })
      .on('error', reject);
  });
}

(async () => {
  const out = {};
  out['node-x12 1.7.1'] = await time(() => new X12Parser(false));  // strict mode refuses a stream (it checks each chunk for a group)
  out['x12-parser 1.3.0'] = await time(() => new X12parser());
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
