// Reads X12 files with a peer parser (node-x12, npm) in strict mode and checks
// what our reader also checks: SE01 = the segments from ST to SE, GE01 = the
// transaction sets in the group, IEA01 = the groups; for an 837 the sum of the
// SV1 charges equals each CLM02 total; for an 835 BPR02 = Σ CLP04 − Σ PLB.
// usage: node peer_check.js FILE... (exit 1 on the first disagreement)
'use strict';
const fs = require('fs');
const { X12Parser } = require('node-x12');

function cents(v) {
  const m = /^(-?)(\d*)(?:\.(\d{0,2}))?$/.exec(v);
  if (!m) throw new Error(`not an amount: ${v}`);
  return (m[1] ? -1 : 1) * (Number(m[2] || 0) * 100 + Number(((m[3] || '') + '00').slice(0, 2)));
}

let failures = 0;
function check(cond, msg) {
  if (!cond) {
    console.error(`FAIL ${msg}`);
    failures++;
  }
}

for (const file of process.argv.slice(2)) {
  let text = fs.readFileSync(file, 'latin1');
  const iea = text.lastIndexOf('IEA');
  text = text.slice(0, text.indexOf('~', iea) + 1);  // our reader ignores bytes after IEA; node-x12 does not
  const ic = new X12Parser(true).parse(text);
  check(Number(ic.trailer.elements[0].value) === ic.functionalGroups.length, `${file}: IEA01`);
  for (const g of ic.functionalGroups) {
    check(Number(g.trailer.elements[0].value) === g.transactions.length, `${file}: GE01`);
    for (const t of g.transactions) {
      const se01 = Number(t.trailer.elements[0].value);
      check(se01 === t.segments.length + 2, `${file}: SE01 ${se01} vs ${t.segments.length + 2} segments`);
      const st01 = t.header.elements[0].value;
      if (st01 === '837') {
        let clm = null, sv1 = 0;
        const close = () => { if (clm !== null) check(clm === sv1, `${file}: CLM02 ${clm} vs SV1 ${sv1}`); };
        for (const s of t.segments) {
          if (s.tag === 'CLM') { close(); clm = cents(s.elements[1].value); sv1 = 0; }
          if (s.tag === 'SV1') sv1 += cents(s.elements[1].value);
        }
        close();
      }
      if (st01 === '835') {
        let bpr = 0, clp = 0, plb = 0;
        for (const s of t.segments) {
          if (s.tag === 'BPR') bpr = cents(s.elements[1].value);
          if (s.tag === 'CLP') clp += cents(s.elements[3].value);
          if (s.tag === 'PLB') for (let i = 3; i < s.elements.length; i += 2) if (s.elements[i].value) plb += cents(s.elements[i].value);
        }
        check(bpr === clp - plb, `${file}: BPR02 ${bpr} vs ${clp} - ${plb}`);
      }
    }
  }
  console.log(`ok ${file}`);
}
process.exit(failures ? 1 : 0);
