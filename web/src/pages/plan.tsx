import { useEffect, useState } from "preact/hooks";
import { api, type Estimate, type EstimateLine, type LedgerEntry, type PatientRecord } from "../api";
import { dateText } from "../format";
import type { Key } from "../i18n";
import { ErrorBox, Loading, Money, Verdict, WhyButton, useSession, useT } from "../ui";
import { go } from "../nav";

export function PlanTab({ id, rec, query, onChanged }: { id: string; rec: PatientRecord; query: URLSearchParams; onChanged: () => void }) {
  const t = useT();
  const { me, lang } = useSession();
  const course = query.get("course") ?? rec.courses[0]?.id ?? "";
  const [est, setEst] = useState<Estimate>();
  const [err, setErr] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [text, setText] = useState("");
  const [addErr, setAddErr] = useState<unknown>();

  async function run(c: string) {
    if (!c) return;
    setBusy(true); setErr(undefined); setEst(undefined);
    try { setEst(await api.estimate(id, c)); } catch (x) { setErr(x); } finally { setBusy(false); }
  }
  useEffect(() => { run(course); }, [id, course, lang]);

  async function add(e: Event) {
    e.preventDefault(); setAddErr(undefined);
    try {
      const r = await api.addCourse(id, text);
      setText(""); onChanged();
      go(`#/p/${encodeURIComponent(id)}/plan?course=${encodeURIComponent(r.id)}`);
    } catch (x) { setAddErr(x); }
  }

  return (
    <div>
      <div class="grid-2 plan-top">
        <section class="card" aria-labelledby="pick-h">
          <h2 id="pick-h">{t("courses")}</h2>
          {rec.courses.length === 0 ? <p class="muted">{t("noCourses")}</p> : (
            <div class="field">
              <label for="course-pick">{t("course")}</label>
              <select id="course-pick" value={course} onChange={(e) => go(`#/p/${encodeURIComponent(id)}/plan?course=${(e.target as HTMLSelectElement).value}`)}>
                {rec.courses.map((c) => <option key={c.id} value={c.id}>{c.id}: {c.lines} {t("linesWord")}, {dateText(c.first_date)} – {dateText(c.last_date)}</option>)}
              </select>
            </div>
          )}
        </section>
        {me?.role !== "patient" && <form class="card" onSubmit={add} aria-labelledby="add-h">
          <h2 id="add-h">{t("planCourse")}</h2>
          <div class="field">
            <label for="course-text">{t("shorthandLabel")}</label>
            <textarea id="course-text" rows={3} class="code" aria-describedby="course-help" required value={text}
              onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
            <p id="course-help" class="muted small">{t("shorthandHelp")}</p>
          </div>
          <ErrorBox error={addErr} />
          <button class="btn btn-primary" type="submit">{t("addCourse")}</button>
        </form>}
      </div>
      <ErrorBox error={err} />
      {busy && <Loading />}
      {est && <EstimateView est={est} course={course} />}
    </div>
  );
}

/** The line's prior-authorization status (a code in the answer) in the page's language. */
function paText(pa: string, t: (k: Key) => string): string {
  const keys: Record<string, Key> = { "auth-needed": "paNeeded", satisfied: "paSatisfied", conditional: "paConditional" };
  return keys[pa] ? t(keys[pa]) : pa.replace(/-/g, " ");
}

function sumEntries(lines: EstimateLine[], pick: (e: LedgerEntry) => boolean): LedgerEntry[] {
  return lines.flatMap((l) => (l.ledger ?? []).filter(pick).map((e) => ({ ...e, note: `${l.date} ${l.code}: ${e.note}` })));
}

export function EstimateView({ est, course }: { est: Estimate; course: string }) {
  const t = useT();
  const tot = est.totals;
  const patientBuckets = ["deductible", "copay", "coinsurance", "not_covered", "balance_bill"];
  const missing = est.lines.flatMap((l) => [
    ...(l.doc_needed ?? []).map((d: any) => ({ l, kind: "doc", text: d.text ?? String(d), rule: d.rule })),
    ...(l.actions ?? []).map((d: any) => ({ l, kind: "action", text: d.text ?? String(d), rule: d.rule })),
  ]);
  // The same need repeated on every session is shown once, with the lines it concerns.
  const merged = new Map<string, { text: string; kind: string; rule?: string; lines: number[] }>();
  for (const m of missing) {
    const k = `${m.kind}|${m.text}`;
    if (!merged.has(k)) merged.set(k, { text: m.text, kind: m.kind, rule: m.rule, lines: [] });
    merged.get(k)!.lines.push(m.l.line);
  }
  // Warnings that differ only in the line they name are shown once, with the lines.
  const warnText = (w: any) => (typeof w === "string" ? w : w.text ?? JSON.stringify(w));
  const warnGroups = new Map<string, { text: string; lines: number[] }>();
  const addWarn = (text: string, line?: number) => {
    // "line 3" in English, "línea 3" in Spanish (lang=es).
    const m = /\b(?:line|línea) (\d+)\b/.exec(text);
    const n = line ?? (m ? Number(m[1]) : undefined);
    const key = text.replace(/\b(?:line|línea) \d+\b/g, "line #");
    if (!warnGroups.has(key)) warnGroups.set(key, { text: key, lines: [] });
    if (n !== undefined && !warnGroups.get(key)!.lines.includes(n)) warnGroups.get(key)!.lines.push(n);
  };
  for (const w of est.warnings ?? []) addWarn(warnText(w));
  for (const l of est.lines) for (const w of l.warnings ?? []) addWarn(warnText(w), l.line);
  const span = (ls: number[]) => (ls.length > 4 ? `${ls[0]}–${ls[ls.length - 1]} (${ls.length})` : ls.join(", "));
  const uniqWarns = Array.from(warnGroups.values()).map((g) =>
    g.lines.length === 0 ? g.text : g.text.includes("line #") ? g.text.replace(/line #/g, `${t("linesWord")} ${span(g.lines)}`) : `${g.text} (${t("linesWord")} ${span(g.lines)})`);
  const p = tot.patient ?? { deductible: 0, copay: 0, coinsurance: 0, not_covered: 0, balance_bill: 0 };

  return (
    <section aria-labelledby="est-h" class="estimate">
      <h2 id="est-h">{t("estimate")}: {course} <span class="muted small">· {est.plan?.name}</span>{est.estimate_id !== undefined && <span class="muted small"> · #{String(est.estimate_id)}</span>}</h2>
      <div class="stats">
        <div class="stat stat-main"><span class="stat-label">{t("youPay")}</span><span class="stat-value"><Money cents={tot.patient_pays_cents} /></span>
          <WhyButton label={t("youPay")} title={`${t("whyTitle")}: ${t("youPay")}`} entries={sumEntries(est.lines, (e) => patientBuckets.includes(e.bucket))} /></div>
        <div class="stat"><span class="stat-label">{t("planPays")}</span><span class="stat-value"><Money cents={tot.plan_pays_cents} /></span>
          <WhyButton label={t("planPays")} title={`${t("whyTitle")}: ${t("planPays")}`} entries={sumEntries(est.lines, (e) => e.bucket === "plan_pays")} /></div>
        <div class="stat"><span class="stat-label">{t("charge")}</span><span class="stat-value"><Money cents={tot.charge_cents} /></span></div>
        <div class="stat"><span class="stat-label">{t("ifDenied")}</span><span class="stat-value"><Money cents={tot.patient_if_denied_cents} /></span></div>
        <div class="stat"><span class="stat-label">{t("verdict")}</span>
          <span class="stat-verdicts">
            {tot.covered > 0 && <span><Verdict value="covered" /> {tot.covered}</span>}
            {tot.conditional > 0 && <span><Verdict value="conditional" /> {tot.conditional}</span>}
            {tot.not_covered > 0 && <span><Verdict value="not-covered" /> {tot.not_covered}</span>}
          </span></div>
      </div>

      <div class="grid-2">
        <section class="card" aria-labelledby="missing-h">
          <h3 id="missing-h">{t("missing")}</h3>
          {merged.size === 0 ? <p class="ok-text"><span aria-hidden="true">✓ </span>{t("nothingMissing")}</p> : (
            <ul class="missing">
              {Array.from(merged.values()).map((m, i) => (
                <li key={i} class={m.kind === "action" ? "todo action" : "todo"}>
                  <span class="todo-kind">{m.kind === "action" ? t("todo") : t("missingKind")}</span>
                  <span>{m.text}</span>
                  <span class="muted small">{t("linesWord")} {m.lines.length > 4 ? `${m.lines[0]}–${m.lines[m.lines.length - 1]} (${m.lines.length})` : m.lines.join(", ")}{m.rule && <> · <code>{m.rule}</code></>}</span>
                </li>
              ))}
            </ul>
          )}
          {uniqWarns.length > 0 && <><h3>{t("warnings")}</h3><ul class="plain warn-list">{uniqWarns.map((w, i) => <li key={i}>{w}</li>)}</ul></>}
        </section>
        <section class="card" aria-labelledby="split-h">
          <h3 id="split-h">{t("split")}</h3>
          <table class="table compact">
            <caption class="sr-only">{t("split")}</caption>
            <tbody>
              {([["deductible", p.deductible], ["copay", p.copay], ["coinsurance", p.coinsurance], ["notCoveredPart", p.not_covered], ["balanceBill", p.balance_bill]] as const).map(([k, v]) => (
                <tr key={k}><th scope="row">{t(k)}</th><td class="num"><Money cents={v} /></td>
                  <td class="bar-cell" aria-hidden="true"><span class="bar" style={{ width: `${tot.patient_pays_cents > 0 ? Math.round((100 * v) / tot.patient_pays_cents) : 0}%` }} /></td></tr>
              ))}
              <tr class="total"><th scope="row">{t("total")}</th><td class="num"><Money cents={tot.patient_pays_cents} strong /></td><td /></tr>
            </tbody>
          </table>
          <p class="muted small">{t("allowed")}: <Money cents={tot.allowed_cents} /> · {t("writeOff")}: <Money cents={tot.contractual_adjustment_cents ?? 0} /></p>
        </section>
      </div>

      <div class="table-wrap card flush" tabIndex={0} role="region" aria-label={t("estimateLines")}>
        <table class="table lines">
          <caption class="sr-only">{t("estimateLines")}</caption>
          <thead><tr>
            <th scope="col" class="num">#</th><th scope="col">{t("date")}</th><th scope="col">{t("service")}</th><th scope="col">{t("verdict")}</th>
            <th scope="col" class="num">{t("charge")}</th><th scope="col" class="num">{t("allowed")}</th><th scope="col" class="num">{t("planPays")}</th><th scope="col" class="num">{t("youPay")}</th>
          </tr></thead>
          <tbody>
            {est.lines.map((l) => (
              <tr key={l.line}>
                <td class="num">{l.line}</td>
                <td class="nowrap">{dateText(l.date)}</td>
                <td><code>{l.code}{l.modifiers && l.modifiers.length ? `-${l.modifiers.join("-")}` : ""}</code>{l.units > 1 && <span class="muted"> ×{l.units}</span>} {l.name}
                  {l.decided_by?.text && <div class="muted small">{l.decided_by.text}</div>}</td>
                <td><Verdict value={l.covered} />{l.pa_needed && l.pa_needed !== "no-auth" && <div class="small muted">{paText(l.pa_needed, t)}</div>}</td>
                <td class="num"><Money cents={l.charge_cents} /></td>
                <td class="num"><Money cents={l.allowed_cents} /></td>
                <td class="num"><Money cents={l.plan_pays_cents} /></td>
                <td class="num"><Money cents={l.patient_pays_cents} strong />
                  <div><WhyButton label={`${t("youPay")}, ${t("line")} ${l.line}`} title={`${t("whyTitle")}: ${t("line")} ${l.line}, ${l.code}`} entries={l.ledger ?? []} /></div></td>
              </tr>
            ))}
          </tbody>
          <tfoot><tr>
            <th scope="row" colSpan={4}>{t("total")}</th>
            <td class="num"><Money cents={tot.charge_cents} /></td><td class="num"><Money cents={tot.allowed_cents} /></td>
            <td class="num"><Money cents={tot.plan_pays_cents} /></td><td class="num"><Money cents={tot.patient_pays_cents} strong /></td>
          </tr></tfoot>
        </table>
      </div>
    </section>
  );
}
