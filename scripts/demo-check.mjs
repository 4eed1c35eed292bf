// `BACKCOVER_DEMO_CHECK=1 make demo` (CI): against a running `backcover serve`,
// fetch the page and its script, sign in as the demo user and ask the API for
// one stored estimate; exit 0 only if each answer is right. Every request has a
// timeout, so CI never hangs here.
//   node scripts/demo-check.mjs BASE_URL USER PASSWORD PATIENT COURSE EXPECTED_PATIENT_CENTS
const [base, user, password, patient, course, expected] = process.argv.slice(2);
const get = (path, init = {}) => fetch(base + path, { ...init, signal: AbortSignal.timeout(15_000) });
function fail(msg) { console.error(`scripts/demo: ${msg}`); process.exit(1); }

// The server was just started: wait (30 s at most) for /healthz.
for (let t = Date.now(); ; await new Promise((r) => setTimeout(r, 200))) {
  try { if ((await get("/healthz")).ok) break; } catch { /* not listening yet */ }
  if (Date.now() - t > 30_000) fail("backcover serve did not answer /healthz within 30 s");
}
const page = await get("/");
const html = await page.text();
if (!page.ok || !html.includes('id="app"')) fail(`GET / did not return the page (HTTP ${page.status})`);
const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(html);
if (!script) fail("the page names no script");
const js = await get(`/${script[1]}`);
if (!js.ok || !(js.headers.get("content-type") ?? "").includes("javascript")) fail(`GET /${script[1]}: HTTP ${js.status} ${js.headers.get("content-type")}`);

const login = await get("/api/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ clinic: "default", user, password }) });
if (!login.ok) fail(`POST /api/login: HTTP ${login.status} ${await login.text()}`);
const me = await login.json();
const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
if (!cookie.startsWith("bc_session=")) fail("login set no bc_session cookie");
const est = await get(`/api/patients/${patient}/courses/${course}/estimate`, {
  method: "POST", headers: { Cookie: cookie, "X-CSRF-Token": me.csrf, "Content-Type": "application/json" }, body: "{}",
});
if (!est.ok) fail(`POST estimate: HTTP ${est.status} ${await est.text()}`);
const e = await est.json();
if (e?.totals?.patient_pays_cents !== Number(expected)) fail(`the API estimate says the patient pays ${e?.totals?.patient_pays_cents} cents, expected ${expected}`);
console.error(`scripts/demo: the page (${html.length} bytes, ${script[1]}) and the API estimate (${patient} ${course}: patient pays ${expected} cents) answered`);
