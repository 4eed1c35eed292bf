// End-to-end test of the web page in a real browser (Debian's Chromium driven by
// playwright-core), against the real `backcover serve` over a throwaway SQLite
// store seeded with examples/. Every page is checked with axe-core (no
// violations allowed) and saved as a screenshot.
//   node e2e.mjs --bin path/to/backcover --out build/screenshots [--keep]
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import assert from "node:assert/strict";

const arg = (k, d) => { const i = process.argv.indexOf(k); return i > 0 ? process.argv[i + 1] : d; };
const here = new URL(".", import.meta.url).pathname;
const root = resolve(here, "../..");
const bin = resolve(arg("--bin", join(root, "build-dev/backcover")));
const out = resolve(arg("--out", join(root, "build/screenshots")));
const chromiumPath = process.env.BACKCOVER_CHROMIUM ?? "/usr/bin/chromium";
const axeSource = readFileSync(join(here, "node_modules/axe-core/axe.min.js"), "utf8");
mkdirSync(out, { recursive: true });

const tmp = mkdtempSync(join(tmpdir(), "bc-browser-"));
const db = join(tmp, "store.db");
const demo = { clinic: "default", user: "demo", password: "demo-password-2026" };
const cli = (...a) => execFileSync(bin, a, { cwd: tmp, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer(); s.unref(); s.on("error", rej);
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => res(p)); });
  });
}
async function waitHealthy(base, child, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`backcover serve exited with ${child.exitCode}`);
    try { const r = await fetch(`${base}/healthz`); if (r.ok) return; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`backcover serve did not answer /healthz within ${ms} ms`);
}

let step = 0;
const shots = [];
async function check(page, name) {
  await page.waitForFunction(() => !document.querySelector('[role="status"].muted'), null, { timeout: 20_000 });
  // Evaluated through the DevTools protocol: the server's Content-Security-Policy
  // (no inline scripts) stays on for the page itself.
  await page.evaluate(`${axeSource};0`);
  const r = await page.evaluate(async () => {
    // @ts-ignore axe is injected above
    const res = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
    return res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " — " + n.failureSummary) }));
  });
  const file = join(out, `${String(++step).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
  if (r.length) {
    throw new Error(`axe-core: ${r.length} accessibility violation(s) on ${name} (${file}):\n` +
      r.map((v) => `  ${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join("\n    ")}`).join("\n"));
  }
  console.log(`ok ${step} ${name}: no axe violations; ${file}`);
}

// Nothing on the page is wider than its box: a table too wide scrolls inside
// its .table-wrap, and the page itself never scrolls sideways.
async function noOverflow(page, name) {
  const bad = await page.evaluate(() => {
    const out = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth + 1) out.push(`the page is ${doc.scrollWidth}px wide in a ${window.innerWidth}px window`);
    for (const el of document.querySelectorAll(".card, section, .stats, .tabs, .toolbar-row")) {
      if (el.closest(".table-wrap")) continue;
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "auto")
        out.push(`${el.tagName.toLowerCase()}.${el.className} overflows by ${el.scrollWidth - el.clientWidth}px: ${(el.querySelector("h2,h3")?.textContent ?? "").slice(0, 40)}`);
    }
    return out;
  });
  assert.deepEqual(bad, [], `${name}: content wider than its container`);
}


// Text made by the engine, the plan's rules and the payment paths as the page
// shows it (verdict explanations, what is missing, warnings, the ledger's
// rule texts, path names, notes and risks): read in English, then looked for
// on the Spanish page, where none may remain.
async function engineTexts(page) {
  return page.evaluate(() => [...document.querySelectorAll(
    ".missing li > span:nth-child(2), .warn-list li, table.lines tbody td .muted.small, .legend-item, .risk, table tbody th .muted.small, .ledger td > div:first-child")]
    .map((e) => e.textContent.trim()).filter((t) => /[a-z]{4}/.test(t)));
}
// English left on a Spanish page: the words no Spanish sentence has, and the
// terms of the estimate. Not read: the course shorthand's example (its syntax
// is English words), the user's own YAML, and a rule's source (a citation of
// the English document, "SBC p.4 'Rehabilitation services: …'").
const englishWords = /\b(the|and|you|your|with|for|of|is|not|plan pays|coinsurance|deductible|copay|covered|prior authorization|prescription|written off|source|payment|months|interest|paid|cash|loan|session)\b/i;
async function englishLeft(page, known = []) {
  const text = await page.evaluate(() => {
    const skip = [...document.querySelectorAll("main #course-help, main textarea, main code, main .sr-only, .source, dialog code")];
    const was = skip.map((el) => el.style.display);
    for (const el of skip) el.style.display = "none";
    const dlg = document.querySelector("dialog[open]");
    const text = document.querySelector("main").innerText + "\n" + (dlg ? dlg.innerText : "");
    skip.forEach((el, i) => { el.style.display = was[i]; });
    return text;
  });
  const found = [];
  for (const line of text.split("\n")) { const m = englishWords.exec(line); if (m) found.push(`"${m[0]}" in: ${line.trim().slice(0, 160)}`); }
  for (const k of known) if (text.includes(k)) found.push(`an English text of the engine: ${k.slice(0, 160)}`);
  return found;
}

let server, browser;
try {
  // --base URL (development only) drives an already running server instead.
  let base = arg("--base", "");
  if (!base) {
  // The store: the examples and a demo front-desk user.
  cli("db", "init", "--db", db);
  cli("import", join(root, "examples"), "--db", db);
  execFileSync(bin, ["user", "add", "--db", db, "--clinic", demo.clinic, "--user", demo.user, "--role", "frontdesk"],
    { cwd: tmp, input: demo.password + "\n", stdio: ["pipe", "pipe", "pipe"] });
  execFileSync(bin, ["user", "add", "--db", db, "--clinic", demo.clinic, "--user", "priya", "--role", "patient", "--patient", "mri-hdhp"],
    { cwd: tmp, input: "priya-password-2026\n", stdio: ["pipe", "pipe", "pipe"] });

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(bin, ["serve", "--db", db, "--listen", `127.0.0.1:${port}`, "--web", join(root, "web/dist")],
    { cwd: tmp, stdio: ["ignore", "pipe", "pipe"] });
  let serverLog = "";
  server.stdout.on("data", (d) => (serverLog += d)); server.stderr.on("data", (d) => (serverLog += d));
  process.on("exit", () => { if (serverLog && process.exitCode) process.stderr.write(`--- backcover serve said:\n${serverLog.slice(-4000)}\n`); });
  await waitHealthy(base, server, 30_000);
  }

  browser = await chromium.launch({
    executablePath: chromiumPath, headless: true,
    args: process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : [],
  });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, locale: "en-US" });
  const page = await ctx.newPage();
  page.setDefaultTimeout(20_000);
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) pageErrors.push(m.text()); });

  // 1. Sign in: a wrong password is refused with a message; the right one opens the patients list.
  await page.goto(`${base}/`);
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await check(page, "login");
  await page.getByLabel("User name").fill(demo.user);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").waitFor();
  await page.getByLabel("Password").fill(demo.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Patients", level: 1 }).waitFor();

  // 2. Patients with today's alerts (as of a fixed date) and search.
  await page.getByLabel("As of").fill("2026-06-20");
  await page.getByText("PA-2026-118842").first().waitFor();
  const rows = page.locator("table tbody tr");
  await page.waitForFunction(() => document.querySelectorAll("table tbody tr").length >= 6);
  assert.ok((await rows.count()) >= 6, "every example is a patient");
  await check(page, "patients");
  await page.getByLabel("Search patients").fill("Priya");
  await page.waitForFunction(() => document.querySelectorAll("table tbody tr").length === 1);
  assert.match(await rows.first().innerText(), /Priya Shah/);
  await page.getByLabel("Search patients").fill("");
  await page.waitForFunction(() => document.querySelectorAll("table tbody tr").length >= 6);

  // 3. A patient: case file, treatment log, courses, visits, totals.
  await page.getByRole("link", { name: "Maria Lopez" }).first().click();
  await page.getByRole("heading", { name: "Maria Lopez", level: 1 }).waitFor();
  await page.getByText("M54.50").first().waitFor();
  await check(page, "patient");
  await noOverflow(page, "patient");

  // 4. Coverage shaped like the SBC; edited as a form; a YAML mistake is refused naming the field.
  await page.getByRole("link", { name: "Coverage" }).click();
  await page.getByText("What is the overall deductible?").waitFor();
  const sbc = await page.locator(".sbc-q").innerText();
  assert.match(sbc, /\$1,500\.00/, "in-network individual deductible from plan.yaml");
  await check(page, "coverage-sbc");
  await page.getByRole("button", { name: "Edit as a form" }).click();
  await page.getByLabel("Medical massage therapy, visit limit").fill("24");
  await check(page, "coverage-form");
  await page.getByRole("button", { name: "Save coverage" }).click();
  await page.getByRole("button", { name: "Save coverage" }).waitFor({ state: "detached" });
  await page.waitForFunction(() => /24/.test([...document.querySelectorAll(".sbc-b tr")].find((r) => /massage/i.test(r.textContent))?.textContent ?? ""));
  await page.getByRole("button", { name: "Edit the YAML" }).click();
  const yaml = page.getByLabel("plan.yaml");
  // The stored file, once the save's reload has come back.
  await page.waitForFunction(() => /visit_limit: 24/.test(document.querySelector("#plan-yaml")?.value ?? ""), null, { timeout: 10_000 }).catch(() => {});
  const text = await yaml.inputValue();
  assert.match(text, /visit_limit: 24/, "the form's change is in the stored YAML");
  assert.match(text, /# An illustrative employer PPO/, "comments kept");
  await yaml.fill(text.replace("visit_limit: 24", "visit_limt: 24"));
  await page.getByRole("button", { name: "Save plan" }).click();
  await page.getByRole("alert").waitFor();
  assert.match(await page.getByRole("alert").innerText(), /visit_limt/, "the error names the field");
  await check(page, "coverage-yaml-error");
  await yaml.fill(text.replace("visit_limit: 24", "visit_limit: 20"));
  await page.getByRole("button", { name: "Save plan" }).click();
  await page.getByText("What is the overall deductible?").waitFor();

  // 5. Plan a course: the estimate, the verdicts, what is missing, the split and "why?".
  await page.getByRole("link", { name: "Plan a course" }).click();
  await page.locator(".stat-main .stat-value").waitFor();
  assert.equal((await page.locator(".stat-main .stat-value").innerText()).trim(), "$491.38", "README's figure for the massage example");
  assert.ok(await page.locator("table.lines tbody tr").count() === 12, "12 sessions");
  await check(page, "estimate");
  await page.getByRole("button", { name: "why? You pay", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /coinsurance/i);
  assert.match(await dialog.innerText(), /plan\.benefits\.massage/);
  await check(page, "estimate-why");
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
  await page.getByLabel("Course (shorthand or services YAML)").fill("97124 2 units twice a week for 2 weeks from 2026-09-07 at $45 per unit");
  await page.getByRole("button", { name: "Add course" }).click();
  await page.waitForFunction(() => document.querySelectorAll("table.lines tbody tr").length === 4);
  await page.getByRole("heading", { name: /Estimate: C2/ }).waitFor();

  // 6. Ways to pay, with the deferred-interest cliff on the chart.
  await page.getByRole("link", { name: "Patients" }).click();
  await page.locator("table tbody tr", { hasText: "James Carter" }).getByRole("link", { name: "James Carter" }).click();
  await page.getByRole("heading", { name: "James Carter", level: 1 }).waitFor();
  {
    await page.getByRole("link", { name: "Ways to pay" }).click();
    await page.locator("svg.chart").waitFor();
    await page.locator(".cliff").first().waitFor();
    assert.match(await page.locator(".cliff-text").first().textContent(), /deferred interest/i);
    await page.locator("svg.chart circle.pt").first().focus();
    await page.locator(".tip").waitFor();
    // The reading of a point never covers the deferred-interest caption.
    for (const pt of await page.locator("svg.chart circle.pt").all()) {
      await pt.focus();
      const tip = await page.locator(".tip").boundingBox();
      for (const cap of await page.locator(".cliff-text, .cliff-sub").all()) {
        const c = await cap.boundingBox();
        const overlap = tip && c && tip.x < c.x + c.width && c.x < tip.x + tip.width && tip.y < c.y + c.height && c.y < tip.y + tip.height;
        assert.ok(!overlap, `the point's reading (${JSON.stringify(tip)}) covers the cliff caption (${JSON.stringify(c)})`);
      }
    }
    await page.locator("svg.chart circle.pt").first().focus();
    // Path names, never ids (package:decomp-10), in the legend, the table, the chart and the readings.
    assert.doesNotMatch(await page.locator("main").innerText(), /\b(package|insurance\+package):[a-z0-9-]+/i, "an internal path id is shown");
    for (const el of await page.locator("svg.chart [aria-label]").all())
      assert.doesNotMatch(await el.getAttribute("aria-label"), /\bpackage:[a-z0-9-]+/i, "an internal path id in the chart's labels");
    await noOverflow(page, "compare");
    await check(page, "compare");
    const firstBox = page.locator(".legend input[type=checkbox]").first();
    const before = await page.locator("svg.chart path").count();
    await firstBox.uncheck();
    assert.equal(await page.locator("svg.chart path").count(), before - 1, "a path can be hidden");
    await firstBox.check();
  }

  // 7. Documents and deadlines download.
  await page.getByRole("link", { name: "Documents" }).click();
  await page.getByRole("heading", { name: "Appeal letter" }).waitFor();
  assert.equal(await page.getByRole("button", { name: /Appeal letter/ }).count(), 0, "no appeal offered without a denial on file");
  await page.getByText("An appeal answers a denial").waitFor();
  await check(page, "documents");
  {
    const [gfe] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: /PDF: Good Faith Estimate/ }).click()]);
    const gfePath = join(tmp, "gfe.pdf"); await gfe.saveAs(gfePath);
    assert.equal(readFileSync(gfePath).subarray(0, 5).toString(), "%PDF-", "the GFE is a PDF");
  }
  {
    const [ics] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: /\.ics/ }).click()]);
    const icsPath = join(tmp, "d.ics"); await ics.saveAs(icsPath);
    assert.match(readFileSync(icsPath, "utf8"), /^BEGIN:VCALENDAR/, "deadlines as iCalendar");
  }

  // 8. Spanish for the patient's pages. First James's estimate and ways to pay in
  // English, to know the engine's English texts on them.
  const english = [];
  await page.getByRole("link", { name: "Plan a course" }).click();
  await page.locator(".stat-main .stat-value").waitFor();
  english.push(...await engineTexts(page));
  await page.getByRole("button", { name: "why? You pay", exact: true }).click();
  await page.getByRole("dialog").waitFor();
  english.push(...await engineTexts(page));
  await page.keyboard.press("Escape");
  await page.getByRole("link", { name: "Ways to pay" }).click();
  await page.locator("svg.chart").waitFor();
  english.push(...await engineTexts(page));
  assert.ok(english.length >= 10, `the engine's English texts were read (${english.length})`);
  await page.getByRole("link", { name: "Documents" }).click();
  await page.getByRole("heading", { name: "Appeal letter" }).waitFor();
  await page.getByLabel("Language").first().selectOption("es");
  await page.getByRole("heading", { name: "Documentos" }).waitFor();
  // <html lang> follows the language (set after the render): waited for, and fails after the timeout.
  await page.waitForFunction(() => document.documentElement.lang === "es", null, { timeout: 5000 });
  await check(page, "documents-es");
  await page.getByRole("link", { name: "Resumen" }).click();
  await page.getByRole("heading", { name: "Autorizaciones", level: 2 }).waitFor();
  {
    const main = await page.locator("main").innerText();
    for (const english of ["No authorization on file", "No visit posted yet", "No totals yet", "No entries in the treatment log", "No estimate saved yet", "Plan year", "Scope", "None."])
      assert.ok(!main.includes(english), `English on a Spanish page: "${english}"`);
    for (const th of await page.locator("main thead th").allInnerTexts())
      assert.doesNotMatch(th, /^(KIND|START|END|OUTCOME|FROM|FOR|VISITS|DATE|EXPIRES|NUMBER|STATUS|CLAIM|POSTED|LINES|CHARGE|TOTAL AMOUNT)$/, `an English header on a Spanish page: ${th}`);
  }
  await check(page, "patient-es");
  await page.getByRole("link", { name: "Documentos" }).click();
  await page.getByRole("heading", { name: "Documentos" }).waitFor();
  await page.getByRole("link", { name: "Planear un tratamiento" }).click();
  await page.locator(".stat-main .stat-value").waitFor();
  assert.match(await page.locator(".stat-main .stat-label").innerText(), /usted paga/i);
  // The engine's text comes in Spanish (lang=es): the explanations, what is missing, the warnings.
  await page.waitForFunction(() => /[áéíóúñ¿]/.test(document.querySelector("table.lines tbody")?.innerText ?? ""));
  assert.deepEqual(await englishLeft(page, english), [], "English on the Spanish estimate");
  await check(page, "estimate-es");
  await page.getByRole("button", { name: "¿por qué? Usted paga", exact: true }).click();
  await page.getByRole("dialog").waitFor();
  assert.match(await page.getByRole("dialog").innerText(), /Fuente: [^]*(No cubierto|coseguro|deducible|copago)/);
  assert.deepEqual(await englishLeft(page, english), [], "English in the Spanish ledger");
  await check(page, "estimate-why-es");
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "hidden" });
  {
    await page.getByRole("link", { name: "Formas de pago" }).click();
    await page.locator("svg.chart").waitFor();
    await page.locator(".cliff").first().waitFor();
    assert.deepEqual(await englishLeft(page, english), [], "English on the Spanish ways to pay");
    await check(page, "compare-es");
  }
  await page.getByRole("link", { name: "Cobertura" }).click();
  await page.getByText("¿Cuál es el deducible general?").waitFor();
  // The plan file's own benefit names, through the server's message table (GET /api/messages/es).
  await page.locator(".sbc-b th", { hasText: "Consulta en el consultorio" }).waitFor();
  assert.equal(await page.locator(".sbc-b th", { hasText: "Office visit" }).count(), 0, "an English benefit name on the Spanish SBC");
  await check(page, "coverage-es");
  await page.getByLabel("Idioma").first().selectOption("en");

  // 8b. Authorizations (Priya's MRI authorization) and plans at open enrollment (Maria: a second plan added).
  await page.getByRole("link", { name: "Patients" }).click();
  await page.getByLabel("As of").fill("2026-06-20");
  await page.locator("table tbody tr", { hasText: "Priya Shah" }).getByRole("link", { name: "Priya Shah" }).click();
  await page.getByRole("heading", { name: "Priya Shah", level: 1 }).waitFor();
  await page.getByRole("link", { name: "Authorizations" }).click();
  await page.locator("table.auth-table tbody tr", { hasText: "PA-2026-118842" }).waitFor();
  await noOverflow(page, "authorizations");
  await check(page, "authorizations");
  await page.getByRole("link", { name: "Patients" }).click();
  await page.getByRole("link", { name: "Maria Lopez" }).first().click();
  await page.getByRole("heading", { name: "Maria Lopez", level: 1 }).waitFor();
  await page.getByRole("link", { name: "Ways to pay" }).click();
  await page.getByRole("heading", { name: "Plans at open enrollment" }).waitFor();
  await page.getByLabel("Plan name").fill("hdhp");
  await page.getByLabel("The plan (plan.yaml text)").fill(readFileSync(join(root, "examples/mri-hdhp/plan.yaml"), "utf8"));
  await page.getByRole("button", { name: "Add a plan to compare" }).click();
  await page.getByRole("button", { name: "Compare plans" }).waitFor();
  await page.getByLabel("Monthly premium, plan-hdhp.yaml").fill("$95");
  await page.getByLabel("Monthly premium, plan.yaml").fill("210.00");
  await page.getByRole("button", { name: "Compare plans" }).click();
  await page.waitForFunction(() => document.querySelectorAll("table.plans-table tbody tr").length === 2);
  assert.match(await page.locator("table.plans-table tbody tr").first().innerText(), /^1\s+Summit HSA Bronze/, "the cheaper year ranks first");
  assert.match(await page.locator("table.plans-table").innerText(), /\$1,140\.00/, "12 x $95 of premiums");
  await noOverflow(page, "plans");
  await check(page, "compare-plans");

  // 8c. A phone (390 px wide): every patient page fits, tables scroll inside their box; English and Spanish.
  {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: "en-US", storageState: await ctx.storageState() });
    const ph = await phone.newPage();
    ph.setDefaultTimeout(20_000);
    ph.on("pageerror", (e) => pageErrors.push(String(e)));
    const pid = new URL(page.url()).hash.match(/#\/p\/([^/?]+)/)[1];
    for (const lang of ["en", "es"]) {
      await ph.goto(`${base}/#/p/${pid}`);
      await ph.locator("h1").waitFor();
      await ph.locator("header .lang select").selectOption(lang);
      await ph.waitForFunction((l) => document.documentElement.lang === l, lang, { timeout: 5000 });
      // Priya's authorizations (a table on a phone); Maria's other pages.
      for (const [tab, name, who] of [["", "patient", pid], ["/auth", "authorizations", "mri-hdhp"], ["/plan", "estimate", pid], ["/compare", "compare", pid], ["/documents", "documents", pid]]) {
        await ph.goto(`${base}/#/p/${who}${tab}`);
        await ph.locator("h1").waitFor();
        if (tab === "/plan") await ph.locator(".stat-main .stat-value").waitFor();
        if (tab === "/compare") await ph.locator("svg.chart").waitFor();
        if (tab === "/auth") await ph.locator("#auth-list-h").waitFor();
        await noOverflow(ph, `phone ${name} ${lang}`);
        await check(ph, `phone-${name}-${lang}`);
      }
    }
    await phone.close();
  }

  // 9. Keyboard: the skip link is the first stop, focus is visible, Enter moves to the content.
  await page.reload();
  await page.getByRole("heading", { name: "Maria Lopez", level: 1 }).waitFor();
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => document.activeElement?.textContent);
  assert.equal(focused, "Skip to main content");
  await page.keyboard.press("Tab");
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, "none", "the focused control shows an outline");
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "main");

  // 9b. A family: two patients on the same plan (the Acme Gold PPO) joined on the
  // patient page, a third on another plan refused, then one estimate for both.
  await page.goto(`${base}/#/p/P4`);
  await page.getByRole("heading", { name: "Family", level: 2 }).waitFor();
  await page.getByLabel("Add to this family").selectOption("P5");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByRole("alert").waitFor();
  assert.match(await page.getByRole("alert").innerText(), /a family shares one plan/);
  await page.getByLabel("Add to this family").selectOption("P2");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.locator("#family-h + p + ul li").nth(1).waitFor();
  assert.equal(await page.locator("#family-h + p + ul li").count(), 2, "two members in the family");
  await page.getByRole("button", { name: "Estimate the family together" }).click();
  const famRow = page.getByRole("row", { name: /^Family/ });
  await famRow.waitFor();
  assert.match(await famRow.innerText(), /\$[\d,]+\.\d\d/);
  await check(page, "patient-family");

  // 10. Sign out: the session is gone.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  const me = await page.evaluate(async () => (await fetch("/api/me")).status);
  assert.equal(me, 401);

  // 11. A patient signs in (in Spanish): their own record only; another patient's is not found.
  if (!arg("--base", "")) {
    await page.getByLabel("Language").first().selectOption("es");
    await page.getByRole("heading", { name: "Iniciar sesión" }).waitFor();
    await page.getByLabel("Usuario").fill("priya");
    await page.getByLabel("Contraseña").fill("priya-password-2026");
    await page.getByRole("button", { name: "Iniciar sesión" }).click();
    await page.getByRole("heading", { name: "Priya Shah", level: 1 }).waitFor();
    assert.equal(await page.getByRole("link", { name: "Pacientes" }).count(), 0, "no patients list for a patient");
    await check(page, "patient-portal-es");
    await page.getByRole("link", { name: "Planear un tratamiento" }).click();
    await page.locator(".stat-main .stat-value").waitFor();
    assert.equal(await page.getByLabel("Tratamiento (forma abreviada o YAML de servicios)").count(), 0, "a patient plans no course");
    await page.waitForFunction(() => /[áéíóúñ¿]/.test(document.querySelector("table.lines tbody")?.innerText ?? ""));
    assert.deepEqual(await englishLeft(page), [], "English on the patient's own Spanish estimate");
    await check(page, "patient-portal-estimate-es");
    await page.getByRole("link", { name: "Autorizaciones" }).click();
    await page.locator("#auth-list-h").waitFor();
    await check(page, "patient-portal-authorizations-es");
    await page.goto(`${base}/#/p/P3`);
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").innerText(), /not found|404/i);
    await page.getByLabel("Idioma").first().selectOption("en");
  }

  assert.deepEqual(pageErrors, [], "no script errors in the page");
  writeFileSync(join(out, "index.txt"), shots.map((s) => s.replace(out + "/", "")).join("\n") + "\n");
  console.log(`browser test passed: ${shots.length} screenshots in ${out}`);
} catch (e) {
  process.exitCode = 1;
  console.error(`browser test FAILED: ${e.stack ?? e}`);
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((r) => { const t = setTimeout(() => { server.kill("SIGKILL"); r(); }, 5000); server.on("exit", () => { clearTimeout(t); r(); }); });
  }
  if (!process.argv.includes("--keep")) rmSync(tmp, { recursive: true, force: true });
}
