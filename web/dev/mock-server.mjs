// Development only: a stand-in for `backcover serve` while the real server is
// being written. It serves web/dist and answers the API routes the page uses by
// running the backcover CLI over a throwaway SQLite store. The browser tests
// never use it (they start the real `backcover serve`).
//   node dev/mock-server.mjs [--bin build-dev/backcover] [--port 8099]
import { createServer } from "node:http";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, existsSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, extname } from "node:path";
import { parse, stringify } from "yaml";

const arg = (k, d) => { const i = process.argv.indexOf(k); return i > 0 ? process.argv[i + 1] : d; };
const root = resolve(new URL("../..", import.meta.url).pathname);
const bin = resolve(root, arg("--bin", "build-dev/backcover"));
const port = Number(arg("--port", "8099"));
const dist = join(root, "web/dist");
const tmp = mkdtempSync(join(tmpdir(), "bc-mock-"));
const db = join(tmp, "store.db");
const run = (args, opts = {}) => execFileSync(bin, [...args], { cwd: tmp, encoding: opts.enc ?? "utf8", maxBuffer: 1 << 28 });
run(["db", "init", "--db", db]);
run(["import", join(root, "examples"), "--db", db]);
const exported = new Map();
const extra = new Map();
function exportDir(id) {
  if (!exported.has(id)) { const d = join(tmp, `x-${id}`); run(["export", "--patient", id, "--out", d, "--db", db]); exported.set(id, d); }
  return exported.get(id);
}
const json = (res, code, body, type = "application/json") => { res.writeHead(code, { "Content-Type": type }); res.end(typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body)); };
const problem = (res, status, title, detail) => json(res, status, { type: "about:blank", title, status, detail }, "application/problem+json");
let session = null;
const me = { user: "frontdesk", role: "frontdesk", clinic: "default", csrf: "mock-csrf" };
const types = { ".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml" };

function patients(today) {
  return JSON.parse(run(["patients", "--json", "--db", db, ...(today ? ["--today", today] : [])]));
}

createServer(async (req, res) => {
  const url = new URL(req.url, "http://x");
  const p = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  let body = "";
  for await (const c of req) body += c;
  try {
    if (p[0] !== "api") {
      const f = join(dist, p.length ? p.join("/") : "index.html");
      if (existsSync(f) && statSync(f).isFile()) return json(res, 200, readFileSync(f), types[extname(f)] ?? "application/octet-stream");
      return json(res, 200, readFileSync(join(dist, "index.html")), "text/html");
    }
    if (p[1] === "login") {
      const b = JSON.parse(body || "{}");
      if (!b.password || b.password.startsWith("not")) return problem(res, 401, "Wrong user name or password", "The clinic, user or password is not right.");
      session = { ...me, user: b.user }; res.setHeader("Set-Cookie", "bc_session=mock; HttpOnly; SameSite=Strict; Path=/");
      return json(res, 200, session);
    }
    if (p[1] === "logout") { session = null; res.writeHead(204); return res.end(); }
    if (!session || !(req.headers.cookie ?? "").includes("bc_session=mock")) return problem(res, 401, "Sign in first", "No session");
    if (p[1] === "me") return json(res, 200, session);
    if (p[1] === "patients" && p.length === 2) {
      const q = (url.searchParams.get("q") ?? "").toLowerCase();
      const rows = patients(url.searchParams.get("today"));
      const list = Array.isArray(rows) ? rows : rows.patients ?? [];
      return json(res, 200, list.filter((r) => !q || JSON.stringify(r).toLowerCase().includes(q)));
    }
    const id = p[2];
    if (p[1] === "patients" && p.length === 3) {
      const list = patients(); const row = (Array.isArray(list) ? list : list.patients).find((r) => r.id === id || r.slug === id || r.folder === id);
      if (!row) return problem(res, 404, "No such patient", id);
      const d = exportDir(row.id);
      return json(res, 200, { patient: { id: row.id, name: row.name }, coverage: { plan_name: row.plan },
        courses: [...(row.courses ?? []), ...(extra.get(row.id) ?? []).map((c) => ({ id: c.id, lines: 0 }))],
        files: readdirSync(d).map((name) => ({ name, sha256: "" })), authorizations: [], counters: [], claims: [], estimates: [] });
    }
    if (p[3] === "files") {
      const f = join(exportDir(id), p[4]);
      if (req.method === "PUT") {
        const d = exportDir(id), trial = join(tmp, `trial-${p[4]}`);
        writeFileSync(trial, JSON.parse(body).text);
        const files = { "plan.yaml": join(d, "plan.yaml"), "case.yaml": join(d, "case.yaml"), "services.yaml": join(d, "services.yaml"), [p[4]]: trial };
        try { run(["estimate", "--plan", files["plan.yaml"], "--case", files["case.yaml"], "--services", files["services.yaml"]]); }
        catch (e) { return json(res, 400, { type: "about:blank", title: "The file has errors", status: 400, detail: String(e.stderr).split("\n")[0] }, "application/problem+json"); }
        writeFileSync(f, JSON.parse(body).text); return json(res, 200, { name: p[4] });
      }
      if (!existsSync(f)) return problem(res, 404, "No such file", p[4]);
      return json(res, 200, { name: p[4], text: readFileSync(f, "utf8"), sha256: "" });
    }
    if (p[3] === "courses" && p.length === 4 && req.method === "POST") {
      // A course given as shorthand keeps the patient's providers and defaults.
      const d = exportDir(id); const text = JSON.parse(body).text;
      const svc = parse(readFileSync(join(d, "services.yaml"), "utf8"));
      const given = /^\s*\w+\s*:/m.test(text) ? parse(text) : { courses: [text.trim()] };
      const merged = { providers: svc.providers, defaults: svc.defaults, ...given };
      const n = (extra.get(id)?.length ?? 0) + 2, f = join(d, `services-C${n}.yaml`);
      writeFileSync(f, stringify(merged));
      try { run(["estimate", "--plan", join(d, "plan.yaml"), "--case", join(d, "case.yaml"), "--services", f]); }
      catch (e) { return json(res, 400, { type: "about:blank", title: "The course has errors", status: 400, detail: String(e.stderr).split("\n")[0] }, "application/problem+json"); }
      extra.set(id, [...(extra.get(id) ?? []), { id: `C${n}`, file: f }]);
      return json(res, 201, { id: `C${n}` });
    }
    const mine = (extra.get(id) ?? []).find((c) => c.id === p[4]);
    if (p[3] === "courses" && p[5] === "estimate" && mine) {
      const d = exportDir(id); const a = ["estimate", "--plan", join(d, "plan.yaml"), "--case", join(d, "case.yaml"), "--services", mine.file, "--json"];
      if (existsSync(join(d, "prices.yaml"))) a.push("--prices", join(d, "prices.yaml"));
      return json(res, 200, JSON.parse(run(a)));
    }
    if (p[3] === "courses" && p[5] === "estimate") return json(res, 200, JSON.parse(run(["estimate", "--patient", id, "--course", p[4], "--json", "--db", db])));
    if (p[3] === "compare") {
      const d = exportDir(id); const a = ["compare", "--plan", join(d, "plan.yaml"), "--case", join(d, "case.yaml"), "--services", join(d, "services.yaml"), "--json"];
      if (existsSync(join(d, "prices.yaml"))) a.push("--prices", join(d, "prices.yaml"));
      if (existsSync(join(d, "options.yaml"))) a.push("--options", join(d, "options.yaml"));
      return json(res, 200, JSON.parse(run(a)));
    }
    if (p[3] === "documents") return url.searchParams.get("format") === "pdf" ? json(res, 200, "%PDF-1.4\n% mock\n", "application/pdf") : json(res, 200, `<html><body>mock ${p[4]}</body></html>`, "text/html");
    if (p[3] === "deadlines.ics") return json(res, 200, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar");
    return problem(res, 404, "Not in the mock", url.pathname);
  } catch (e) {
    return problem(res, 500, "mock failed", String(e.stderr ?? e));
  }
}).listen(port, "127.0.0.1", () => console.log(`mock on http://127.0.0.1:${port}/ (store ${db}; login with password demo)`));
