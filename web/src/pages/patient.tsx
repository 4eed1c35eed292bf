import { parse } from "yaml";
import { useState } from "preact/hooks";
import { api, type FamilyEstimate, type PatientRecord, type PatientRow } from "../api";
import { dateText } from "../format";
import { ErrorBox, Loading, Money, useLoad, useSession, useT } from "../ui";
import { valueText, type Key } from "../i18n";
import type { Lang } from "../format";
import { CoverageTab } from "./coverage";
import { PlanTab } from "./plan";
import { CompareTab } from "./compare";
import { DocumentsTab } from "./documents";
import { AuthTab } from "./auth";

const tabs: { id: string; key: Key }[] = [
  { id: "overview", key: "overview" }, { id: "coverage", key: "coverage" }, { id: "plan", key: "planCourse" },
  { id: "auth", key: "authorizations" }, { id: "compare", key: "comparePay" }, { id: "documents", key: "documents" },
];

export function PatientPage({ id, tab, query }: { id: string; tab: string; query: URLSearchParams }) {
  const t = useT();
  const { me } = useSession();
  const [rec, err, reload] = useLoad<PatientRecord>(() => api.patient(id), id);
  const [caseFile] = useLoad<any>(() => api.file(id, "case.yaml").then((f) => parse(f.text)).catch(() => null), `${id}|case`);
  const name = rec?.patient?.name ?? caseFile?.patient?.name ?? id;
  const staff = me?.role !== "patient";
  return (
    <div class="page">
      {staff && <nav aria-label="Breadcrumb" class="crumbs"><a href="#/">{t("patients")}</a> <span aria-hidden="true">/</span> <span>{name}</span></nav>}
      <div class="page-head patient-head">
        <div>
          <h1>{name}</h1>
          <p class="muted">
            <code>{rec?.patient?.id ?? id}</code>
            {caseFile?.patient?.date_of_birth && <> · {t("born")} {dateText(String(caseFile.patient.date_of_birth))}</>}
            {caseFile?.patient?.member_id && <> · {t("member")} {caseFile.patient.member_id}</>}
            {rec?.coverage?.plan_name && <> · {rec.coverage.plan_name}</>}
          </p>
        </div>
      </div>
      <nav class="tabs" aria-label={name}>
        {tabs.map((x) => (
          <a key={x.id} href={`#/p/${encodeURIComponent(id)}${x.id === "overview" ? "" : `/${x.id}`}`}
            aria-current={tab === x.id ? "page" : undefined} class={tab === x.id ? "tab active" : "tab"}>{t(x.key)}</a>
        ))}
      </nav>
      <ErrorBox error={err} />
      {!rec && !err ? <Loading /> : rec && (
        tab === "coverage" ? <CoverageTab id={id} onSaved={reload} /> :
        tab === "plan" ? <PlanTab id={id} rec={rec} query={query} onChanged={reload} /> :
        tab === "compare" ? <CompareTab id={id} rec={rec} query={query} onChanged={reload} /> :
        tab === "auth" ? <AuthTab id={id} /> :
        tab === "documents" ? <DocumentsTab id={id} rec={rec} /> :
        <Overview id={id} rec={rec} caseFile={caseFile} />
      )}
    </div>
  );
}

function Overview({ id, rec, caseFile }: { id: string; rec: PatientRecord; caseFile: any }) {
  const t = useT();
  const { lang, me } = useSession();
  const staff = me?.role !== "patient";
  const c = caseFile ?? {};
  const h = c.history ?? {};
  return (
    <div class="grid-2">
      <section class="card" aria-labelledby="case-h">
        <h2 id="case-h">{t("caseFile")}</h2>
        {!caseFile ? <Loading /> : (
          <>
            <h3>{t("diagnoses")}</h3>
            <ul class="plain">{(c.diagnoses ?? []).map((d: any, i: number) => <li key={i}><code>{d.code}</code> {d.description}</li>)}</ul>
            {(h.therapies ?? []).length > 0 && <><h3>{t("careTried")}</h3>
              <ObjTable rows={h.therapies} cols={["kind", "start", "end", "weeks", "outcome"]} label={t("careTried")} /></>}
            {(h.referrals ?? []).length > 0 && <><h3>{t("referrals")}</h3>
              <ObjTable rows={h.referrals} cols={["kind", "from", "for", "visits", "date", "expires"]} label={t("referrals")} /></>}
            {(h.imaging ?? []).length > 0 && <><h3>{t("imaging")}</h3>
              <ObjTable rows={h.imaging} cols={["kind", "region", "date", "findings"]} label={t("imaging")} /></>}
          </>
        )}
      </section>
      <section class="card" aria-labelledby="log-h">
        <h2 id="log-h">{t("log")}</h2>
        {Array.isArray(c.log) && c.log.length > 0
          ? <ObjTable rows={c.log} cols={["date", "pain", "note", "visit", "medication"]} label={t("log")} />
          : <p class="muted">{t("noLog")}</p>}
      </section>
      <section class="card" aria-labelledby="courses-h">
        <h2 id="courses-h">{t("courses")}</h2>
        {rec.courses.length === 0 ? <p class="muted">{t("noCourses")}</p> : (
          <div class="table-wrap" tabIndex={0} role="region" aria-label={`${t("courses")} (${t("table")})`}>
          <table class="table">
            <caption class="sr-only">{t("courses")}</caption>
            <thead><tr><th scope="col">{t("course")}</th><th scope="col" class="num">{t("lines")}</th><th scope="col">{t("dates")}</th><th scope="col" class="num">{t("charge")}</th><th scope="col"><span class="sr-only">{t("actions")}</span></th></tr></thead>
            <tbody>{rec.courses.map((co) => (
              <tr key={co.id}>
                <td><code>{co.id}</code></td><td class="num">{co.lines}</td>
                <td><span class="nowrap">{dateText(co.first_date)}</span> – <span class="nowrap">{dateText(co.last_date)}</span></td>
                <td class="num"><Money cents={co.charge_cents} /></td>
                <td><a href={`#/p/${encodeURIComponent(id)}/plan?course=${co.id}`} aria-label={`${t("estimate")} ${co.id}`}>{t("estimate")}</a></td>
              </tr>))}</tbody>
          </table>
          </div>
        )}
      </section>
      <section class="card" aria-labelledby="auth-h">
        <h2 id="auth-h">{t("authorizations")}</h2>
        <ObjTable rows={rec.authorizations ?? []} cols={["number", "codes", "categories", "from", "to", "status", "visits", "visits_used"]} label={t("authorizations")} empty={t("noAuth")} />
        <p class="small"><a href={`#/p/${encodeURIComponent(id)}/auth`}>{t("authHelp")}</a></p>
      </section>
      <section class="card" aria-labelledby="visits-h">
        <h2 id="visits-h">{t("visits")}</h2>
        <ObjTable rows={(rec.claims ?? []).map((c: any) => ({
          claim: c.claim_id, posted: c.posted_at, status: c.status, lines: Array.isArray(c.lines) ? c.lines.length : c.lines,
          charge_cents: Array.isArray(c.lines) ? c.lines.reduce((a: number, l: any) => a + (l.charge_cents ?? 0), 0) : undefined,
          plan_pays_cents: Array.isArray(c.lines) ? c.lines.reduce((a: number, l: any) => a + (l.plan_pays_cents ?? 0), 0) : undefined,
          patient_pays_cents: Array.isArray(c.lines) ? c.lines.reduce((a: number, l: any) => a + (l.patient_pays_cents ?? 0), 0) : undefined,
        }))} cols={["claim", "posted", "status", "lines", "charge_cents", "plan_pays_cents", "patient_pays_cents"]} label={t("visits")} empty={t("noVisits")} />
      </section>
      <section class="card" aria-labelledby="totals-h">
        <h2 id="totals-h">{t("totals")}</h2>
        {(rec.counters ?? []).length === 0 ? <p class="muted">{t("noTotals")}</p> : (
          <div class="table-wrap" tabIndex={0} role="region" aria-label={`${t("totals")} (${t("table")})`}>
          <table class="table compact">
            <caption class="sr-only">{t("totals")}</caption>
            <thead><tr><th scope="col">{t("totalCol")}</th><th scope="col">{t("scope")}</th><th scope="col">{t("planYear")}</th><th scope="col" class="num">{t("amount")}</th></tr></thead>
            <tbody>{(rec.counters ?? []).map((c: any, i: number) => (
              <tr key={i}>
                <td>{counterName(String(c.counter), t)}</td><td>{valueText(String(c.scope), lang)}</td><td class="nowrap">{dateText(String(c.plan_year))}</td>
                <td class="num">{String(c.counter).startsWith("visits:") ? `${c.amount} ${t("visitsUnit")}` : <Money cents={c.amount} />}</td>
              </tr>))}</tbody>
          </table>
          </div>
        )}
      </section>
      {staff && <FamilyCard id={id} rec={rec} />}
      <section class="card wide" aria-labelledby="est-h">
        <h2 id="est-h">{t("estimates")}</h2>
        <ObjTable rows={(rec.estimates ?? []) as any[]} cols={["id", "course_id", "created_at", "inputs_sha256"]} label={t("estimates")} empty={t("noEstimates")} />
      </section>
    </div>
  );
}

/** Who shares this patient's family totals; join others (same plan); one estimate for all. */
function FamilyCard({ id, rec }: { id: string; rec: PatientRecord }) {
  const t = useT();
  const [n, setN] = useState(0);
  const [rows] = useLoad<PatientRow[]>(() => api.patients(""), `family-list|${n}`);
  const [add, setAdd] = useState("");
  const [err, setErr] = useState<unknown>();
  const [est, setEst] = useState<FamilyEstimate>();
  const [busy, setBusy] = useState(false);
  const family = String(rec.patient?.family_id ?? rec.patient?.id ?? id);
  const me = String(rec.patient?.id ?? id);
  const members = (rows ?? []).filter((r) => (r.family_id ?? r.id) === family);
  const others = (rows ?? []).filter((r) => (r.family_id ?? r.id) !== family);
  const run = async (f: () => Promise<void>) => {
    setBusy(true); setErr(undefined);
    try { await f(); } catch (e) { setErr(e); } finally { setBusy(false); }
  };
  const join = () => run(async () => { await api.setFamily(me, [add]); setAdd(""); setEst(undefined); setN(n + 1); });
  const estimate = () => run(async () => { setEst(await api.familyEstimate(me)); });
  return (
    <section class="card wide" aria-labelledby="family-h">
      <h2 id="family-h">{t("familyH")}</h2>
      <p class="small muted">{t("familyHelp")}</p>
      {!rows ? <Loading /> : members.length <= 1 ? <p class="muted">{t("familyAlone")}</p> : (
        <ul class="plain">{members.map((m) => <li key={m.id}><a href={`#/p/${encodeURIComponent(m.id)}`}>{m.name}</a> <code>{m.id}</code></li>)}</ul>
      )}
      <div class="actions wrap">
        <label>{t("familyAdd")}{" "}
          <select value={add} onChange={(e) => setAdd((e.target as HTMLSelectElement).value)}>
            <option value="">—</option>
            {others.map((o) => <option key={o.id} value={o.id}>{o.name} ({o.id})</option>)}
          </select>
        </label>
        <button type="button" class="btn" disabled={!add || busy} onClick={join}>{t("familyAddButton")}</button>
        <button type="button" class="btn btn-primary" disabled={busy} onClick={estimate}>{t("familyEstimate")}</button>
      </div>
      <ErrorBox error={err} />
      {est && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={`${t("familyEstimate")} (${t("table")})`}>
          <table class="table compact">
            <caption class="sr-only">{t("familyEstimate")}</caption>
            <thead><tr><th scope="col">{t("memberCol")}</th><th scope="col" class="num">{t("lines")}</th><th scope="col" class="num">{t("charge")}</th>
              <th scope="col" class="num">{t("planPays")}</th><th scope="col" class="num">{t("youPay")}</th><th scope="col" class="num">{t("deductible")}</th></tr></thead>
            <tbody>
              {est.members.map((m) => (
                <tr key={m.id}><td>{(rows ?? []).find((r) => r.id === m.id)?.name ?? m.id} <code>{m.id}</code></td>
                  <td class="num">{m.estimate.totals.lines}</td><td class="num"><Money cents={m.estimate.totals.charge_cents} /></td>
                  <td class="num"><Money cents={m.estimate.totals.plan_pays_cents} /></td><td class="num"><Money cents={m.estimate.totals.patient_pays_cents} /></td>
                  <td class="num"><Money cents={m.estimate.totals.patient.deductible} /></td></tr>))}
              <tr><th scope="row">{t("familyTotal")}</th><td class="num">{est.totals.lines}</td><td class="num"><Money cents={est.totals.charge_cents} /></td>
                <td class="num"><Money cents={est.totals.plan_pays_cents} /></td><td class="num"><Money cents={est.totals.patient_cents} strong /></td>
                <td class="num"><Money cents={est.totals.patient.deductible} /></td></tr>
            </tbody>
          </table>
          <p class="small">{t("familyDedMet")}: <Money cents={est.family_after.family_deductible_met_cents.in_network} /> · {t("familyOopMet")}: <Money cents={est.family_after.family_out_of_pocket_met_cents.in_network} /></p>
          {est.warnings.length > 0 && <ul class="small">{est.warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>}
        </div>
      )}
    </section>
  );
}

type T = (k: Key) => string;
function counterName(c: string, t: T): string {
  const [what, net] = c.split(".");
  const names: Record<string, Key> = { deductible: "dedMet", oop: "oopMet" };
  if (c.startsWith("visits:")) return `${t("visitsUsed")} (${c.slice(7)})`;
  if (c.startsWith("spend:")) return `${t("spendToward")} ${c.slice(6)}`;
  return `${names[what] ? t(names[what]) : what}${net ? (net === "in" ? t("inNetworkSuffix") : t("outNetworkSuffix")) : ""}`;
}

function cell(k: string, v: any, t: T, lang: Lang) {
  if (v === null || v === undefined || v === "") return <span class="muted">—</span>;
  if (/_cents$|^amount$/.test(k) && typeof v === "number") return <Money cents={v} />;
  if (Array.isArray(v)) return v.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(", ");
  if (typeof v === "object") return JSON.stringify(v);
  if (/sha256/.test(k)) return <code title={String(v)}>{String(v).slice(0, 12)}…</code>;
  if (/^\d{4}-\d{2}-\d{2}/.test(String(v))) return dateText(String(v));
  if (typeof v === "boolean") return v ? t("yes") : t("no");
  if (/^(kind|outcome|for|status|region|scope)$/.test(k)) return valueText(String(v), lang);
  return String(v);
}
const isNum = (k: string, rows: any[]) => rows.some((r) => typeof r?.[k] === "number");
/** A column's header through the i18n table (col_<field>, "_cents" dropped). */
export function colLabel(k: string, t: T): string {
  const key = `col_${k.replace(/_cents$/, "")}` as Key;
  const v = t(key);
  return v ?? k.replace(/_cents$/, "").replace(/_/g, " ");
}

/** A readable table of a list of records whose shape the page does not fix. */
export function ObjTable({ rows, cols, label, empty }: { rows: any[]; cols?: string[]; label: string; empty?: string }) {
  const t = useT();
  const { lang } = useSession();
  if (!rows || rows.length === 0) return <p class="muted">{empty ?? t("none")}</p>;
  const keys = (cols ?? Array.from(new Set(rows.flatMap((r) => Object.keys(r ?? {})))))
    .filter((k) => rows.some((r) => r?.[k] !== undefined && r?.[k] !== null)).slice(0, 8);
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={`${label} (${t("table")})`}>
      <table class="table compact">
        <caption class="sr-only">{label}</caption>
        <thead><tr>{keys.map((k) => <th scope="col" key={k} class={isNum(k, rows) ? "num" : ""}>{colLabel(k, t)}</th>)}</tr></thead>
        <tbody>{rows.map((r, i) => <tr key={i}>{keys.map((k) => <td key={k} class={isNum(k, rows) ? "num" : /^\d{4}-\d{2}-\d{2}/.test(String(r?.[k] ?? "")) ? "nowrap" : ""}>{cell(k, r?.[k], t, lang)}</td>)}</tr>)}</tbody>
      </table>
    </div>
  );
}
