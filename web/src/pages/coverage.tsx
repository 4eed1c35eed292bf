import { useEffect, useState } from "preact/hooks";
import { parseDocument, type Document } from "yaml";
import { api } from "../api";
import { dateText, money } from "../format";
import { ErrorBox, Loading, useLoad, useSession, useT, useWord } from "../ui";

// Coverage laid out like the plan's Summary of Benefits and Coverage (SBC): the
// "important questions" (deductible, out-of-pocket limit) and, per service, what
// you pay in and out of network and the limits. Editable as a form or as the YAML;
// either way the server checks it with the same loaders as the command line.

const dollars = (v: unknown) => (typeof v === "number" ? money(Math.round(v * 100)) : v === undefined ? "—" : String(v));

function shareText(s: any): string {
  if (s === undefined || s === null) return "";
  if (s === "not_covered" || s === false) return "not covered";
  if (typeof s !== "object") return String(s);
  const parts: string[] = [];
  if (s.copay !== undefined) parts.push(`$${s.copay} copay`);
  if (s.coinsurance !== undefined) parts.push(`${s.coinsurance} coinsurance`);
  if (parts.length === 0) parts.push("no charge");
  return parts.join(" + ");
}
function shareNote(s: any): string {
  if (!s || typeof s !== "object") return "";
  if (s.deductible === false) return "deductible does not apply";
  return "after the deductible";
}
/** "$40 copay" | "20% coinsurance" | "$40 copay + 20% coinsurance" | "not covered" → the YAML value (or an error). */
function parseShare(text: string, old: any): any | string {
  const s = text.trim().toLowerCase();
  if (s === "not covered" || s === "not_covered") return "not_covered";
  const out: any = old && typeof old === "object" ? { ...old } : {};
  delete out.copay; delete out.coinsurance;
  let ok = false;
  for (const part of s.split("+").map((p) => p.trim())) {
    let m = /^\$?\s*(\d+(?:\.\d{1,2})?)\s*copay$/.exec(part);
    if (m) { out.copay = Number(m[1]); ok = true; continue; }
    m = /^(\d+(?:\.\d+)?)\s*%\s*coinsurance$/.exec(part);
    if (m) { out.coinsurance = `${m[1]}%`; ok = true; continue; }
    if (part === "no charge") { out.copay = 0; ok = true; continue; }
    return `“${text}” is not a cost share: write “$40 copay”, “20% coinsurance”, both joined by “+”, “no charge” or “not covered”`;
  }
  return ok ? out : "empty cost share";
}

export function CoverageTab({ id, onSaved }: { id: string; onSaved: () => void }) {
  const [file, err, reload] = useLoad(() => api.file(id, "plan.yaml"), `${id}|plan`);
  const [mode, setMode] = useState<"view" | "form" | "yaml">("view");
  const t = useT();
  const { me } = useSession();
  if (err) return <ErrorBox error={err} />;
  if (!file) return <Loading />;
  const saved = () => { reload(); onSaved(); setMode("view"); };
  return (
    <div>
      {me?.role !== "patient" && <div class="seg" role="group" aria-label={t("coverage")}>
        <button type="button" aria-pressed={mode === "view"} onClick={() => setMode("view")}>{t("summaryView")}</button>
        <button type="button" aria-pressed={mode === "form"} onClick={() => setMode("form")}>{t("editForm")}</button>
        <button type="button" aria-pressed={mode === "yaml"} onClick={() => setMode("yaml")}>{t("editYaml")}</button>
      </div>}
      {mode === "yaml" ? <YamlEditor key={file.text} id={id} text={file.text} onSaved={saved} onCancel={() => setMode("view")} />
        : <Sbc id={id} text={file.text} editing={mode === "form"} onSaved={saved} onCancel={() => setMode("view")} />}
    </div>
  );
}

function YamlEditor({ id, text, onSaved, onCancel }: { id: string; text: string; onSaved: () => void; onCancel: () => void }) {
  const t = useT();
  const [value, setValue] = useState(text);
  const [err, setErr] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  async function save(e: Event) {
    e.preventDefault(); setBusy(true); setErr(undefined);
    try { await api.putFile(id, "plan.yaml", value); onSaved(); } catch (x) { setErr(x); } finally { setBusy(false); }
  }
  return (
    <form class="card" onSubmit={save}>
      <div class="field">
        <label for="plan-yaml">plan.yaml</label>
        <textarea id="plan-yaml" class="code" rows={24} spellcheck={false} value={value} onInput={(e) => setValue((e.target as HTMLTextAreaElement).value)} />
      </div>
      <ErrorBox error={err} />
      <div class="actions"><button class="btn btn-primary" type="submit" disabled={busy}>{t("savePlan")}</button>
        <button class="btn" type="button" onClick={onCancel}>{t("cancel")}</button></div>
    </form>
  );
}

interface Row { key: string; name: string; inText: string; outText: string; limit: string; pa: boolean; excluded?: string; source?: string; raw: any }

function Sbc({ id, text, editing, onSaved, onCancel }: { id: string; text: string; editing: boolean; onSaved: () => void; onCancel: () => void }) {
  const { lang } = useSession();
  const t = useT();
  const word = useWord();
  const note = (x: any) => { const n = shareNote(x); return n === "" ? "" : n.startsWith("after") ? t("afterDed") : t("noDed"); };
  const tr = (x: string) => (lang === "es" ? x.replace("not covered", t("notCoveredShare")).replace("coinsurance", "coseguro").replace("copay", "copago").replace("no charge", "sin cargo") : x);
  const [doc, setDoc] = useState<Document | null>(null);
  const [parseErr, setParseErr] = useState<string>();
  const [rows, setRows] = useState<Row[]>([]);
  const [ded, setDed] = useState<Record<string, string>>({});
  const [fieldErr, setFieldErr] = useState<string[]>([]);
  const [err, setErr] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const d = parseDocument(text);
    if (d.errors.length) { setParseErr(d.errors[0].message); return; }
    setDoc(d);
    const plan: any = d.toJS()?.plan ?? {};
    const b = plan.benefits ?? {};
    setRows(Object.keys(b).map((k) => ({
      key: k, name: b[k].name ?? k, inText: shareText(b[k].in_network), outText: shareText(b[k].out_of_network),
      limit: b[k].visit_limit !== undefined ? String(b[k].visit_limit) : "", pa: !!b[k].prior_authorization,
      excluded: b[k].excluded, source: b[k].source, raw: b[k],
    })));
    const g = (p: string[]) => { let v: any = plan; for (const x of p) v = v?.[x]; return v === undefined ? "" : String(v); };
    setDed({
      di: g(["deductible", "in_network", "individual"]), df: g(["deductible", "in_network", "family"]),
      doi: g(["deductible", "out_of_network", "individual"]), dof: g(["deductible", "out_of_network", "family"]),
      oi: g(["out_of_pocket_max", "in_network", "individual"]), of: g(["out_of_pocket_max", "in_network", "family"]),
      ooi: g(["out_of_pocket_max", "out_of_network", "individual"]), oof: g(["out_of_pocket_max", "out_of_network", "family"]),
    });
  }, [text]);

  if (parseErr) return <ErrorBox error={new Error(parseErr)} />;
  if (!doc) return <Loading />;
  const plan: any = doc.toJS()?.plan ?? {};

  async function save(e: Event) {
    e.preventDefault(); if (!doc) return;
    const problems: string[] = [];
    const d = doc.clone();
    const num = (label: string, v: string, path: string[]) => {
      if (v.trim() === "") return;
      const n = Number(v.replace(/[$,\s]/g, ""));
      if (!Number.isFinite(n) || n < 0) { problems.push(`${label}: “${v}” is not an amount of dollars`); return; }
      d.setIn(["plan", ...path], n);
    };
    num("Deductible in network, individual", ded.di, ["deductible", "in_network", "individual"]);
    num("Deductible in network, family", ded.df, ["deductible", "in_network", "family"]);
    num("Deductible out of network, individual", ded.doi, ["deductible", "out_of_network", "individual"]);
    num("Deductible out of network, family", ded.dof, ["deductible", "out_of_network", "family"]);
    num("Out-of-pocket limit in network, individual", ded.oi, ["out_of_pocket_max", "in_network", "individual"]);
    num("Out-of-pocket limit in network, family", ded.of, ["out_of_pocket_max", "in_network", "family"]);
    num("Out-of-pocket limit out of network, individual", ded.ooi, ["out_of_pocket_max", "out_of_network", "individual"]);
    num("Out-of-pocket limit out of network, family", ded.oof, ["out_of_pocket_max", "out_of_network", "family"]);
    for (const r of rows) {
      if (r.excluded) continue;
      for (const [net, txt] of [["in_network", r.inText], ["out_of_network", r.outText]] as const) {
        if (txt.trim() === "" && r.raw[net] === undefined) continue;
        const v = parseShare(txt, r.raw[net]);
        if (typeof v === "string" && v !== "not_covered") problems.push(`${r.name}, ${net.replace(/_/g, " ")}: ${v}`);
        else d.setIn(["plan", "benefits", r.key, net], d.createNode(v, { flow: true }));
      }
      if (r.limit.trim() === "") { if (r.raw.visit_limit !== undefined) d.deleteIn(["plan", "benefits", r.key, "visit_limit"]); }
      else if (!/^\d+$/.test(r.limit.trim())) problems.push(`${r.name}, visit limit: “${r.limit}” is not a whole number of visits`);
      else d.setIn(["plan", "benefits", r.key, "visit_limit"], Number(r.limit));
      if (r.pa) d.setIn(["plan", "benefits", r.key, "prior_authorization"], true);
      else if (r.raw.prior_authorization !== undefined) d.deleteIn(["plan", "benefits", r.key, "prior_authorization"]);
    }
    setFieldErr(problems);
    if (problems.length) return;
    setBusy(true); setErr(undefined);
    try { await api.putFile(id, "plan.yaml", d.toString({ lineWidth: 0, flowCollectionPadding: false })); onSaved(); } catch (x) { setErr(x); } finally { setBusy(false); }
  }
  const upd = (i: number, patch: Partial<Row>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const dedInput = (k: string, label: string) => (
    <input id={`ded-${k}`} class="money-input" inputMode="decimal" aria-label={label} value={ded[k]} onInput={(e) => setDed({ ...ded, [k]: (e.target as HTMLInputElement).value })} />
  );
  const limits = (plan.visit_limits ?? []) as any[];

  return (
    <form class="sbc card" onSubmit={save} aria-labelledby="sbc-h">
      <div class="sbc-head">
        <div>
          <p class="eyebrow">{t("sbc")}</p>
          <h2 id="sbc-h">{plan.name ?? plan.id}</h2>
          <p class="muted small">{[plan.type, plan.payer, plan.coverage].filter(Boolean).join(" · ")}{plan.effective && <> · {dateText(String(plan.effective.from))} – {dateText(String(plan.effective.to))}</>}</p>
        </div>
        <p class="muted small sbc-source">{plan.source}</p>
      </div>
      <div class="table-wrap" tabIndex={0} role="region" aria-label={t("importantQuestions")}>
      <table class="table sbc-q">
        <caption>{t("importantQuestions")}</caption>
        <thead><tr><th scope="col">{t("question")}</th><th scope="col" class="num">{t("inIndividual")}</th><th scope="col" class="num">{t("family")}</th><th scope="col" class="num">{t("outIndividual")}</th><th scope="col" class="num">{t("family")}</th></tr></thead>
        <tbody>
          <tr><th scope="row">{t("dedQ")}</th>
            {editing ? <><td class="num">{dedInput("di", t("dedInInd"))}</td><td class="num">{dedInput("df", t("dedInFam"))}</td><td class="num">{dedInput("doi", t("dedOutInd"))}</td><td class="num">{dedInput("dof", t("dedOutFam"))}</td></>
              : <><td class="num">{dollars(plan.deductible?.in_network?.individual)}</td><td class="num">{dollars(plan.deductible?.in_network?.family)}</td><td class="num">{dollars(plan.deductible?.out_of_network?.individual)}</td><td class="num">{dollars(plan.deductible?.out_of_network?.family)}</td></>}
          </tr>
          <tr><th scope="row">{t("oopQ")}</th>
            {editing ? <><td class="num">{dedInput("oi", t("oopInInd"))}</td><td class="num">{dedInput("of", t("oopInFam"))}</td><td class="num">{dedInput("ooi", t("oopOutInd"))}</td><td class="num">{dedInput("oof", t("oopOutFam"))}</td></>
              : <><td class="num">{dollars(plan.out_of_pocket_max?.in_network?.individual)}</td><td class="num">{dollars(plan.out_of_pocket_max?.in_network?.family)}</td><td class="num">{dollars(plan.out_of_pocket_max?.out_of_network?.individual)}</td><td class="num">{dollars(plan.out_of_pocket_max?.out_of_network?.family)}</td></>}
          </tr>
        </tbody>
      </table>
      </div>
      <div class="table-wrap" tabIndex={0} role="region" aria-label={t("servicesPay")}>
      <table class="table sbc-b">
        <caption>{t("servicesPay")}</caption>
        <thead><tr><th scope="col">{t("service")}</th><th scope="col">{t("inNet")}</th><th scope="col">{t("outNet")}</th><th scope="col" class="num">{t("visitsYear")}</th><th scope="col">{t("priorAuth")}</th><th scope="col">{t("limitsSource")}</th></tr></thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.key}>
              <th scope="row">{word(r.name)}<div class="muted small"><code>{r.key}</code></div></th>
              {r.excluded ? <td colSpan={2}><span class="verdict verdict-no"><span aria-hidden="true">✕</span> {t("excluded")} ({r.excluded})</span></td> : editing ? (
                <>
                  <td><input aria-label={`${r.name}, in network`} value={r.inText} onInput={(e) => upd(i, { inText: (e.target as HTMLInputElement).value })} /></td>
                  <td><input aria-label={`${r.name}, out of network`} value={r.outText} onInput={(e) => upd(i, { outText: (e.target as HTMLInputElement).value })} /></td>
                </>
              ) : (
                <>
                  <td>{r.inText ? <>{tr(r.inText)}<div class="muted small">{note(r.raw.in_network)}</div></> : "—"}</td>
                  <td>{r.outText ? <>{tr(r.outText)}<div class="muted small">{note(r.raw.out_of_network)}</div></> : "—"}</td>
                </>
              )}
              <td class="num">{editing && !r.excluded ? <input class="short" inputMode="numeric" aria-label={`${r.name}, visit limit`} value={r.limit} onInput={(e) => upd(i, { limit: (e.target as HTMLInputElement).value })} /> : (r.limit || "—")}</td>
              <td>{editing && !r.excluded ? <label class="check"><input type="checkbox" checked={r.pa} onChange={(e) => upd(i, { pa: (e.target as HTMLInputElement).checked })} /> required<span class="sr-only"> for {r.name}</span></label> : r.pa ? t("required") : "—"}</td>
              <td class="small">{r.raw.prescription_required && <div>{t("rxRequired")}</div>}<span class="muted">{r.source}</span></td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
      {limits.length > 0 && (
        <p class="small">{t("sharedLimits")}: {limits.map((l, i) => <span key={i}>{i > 0 && "; "}{l.visits} {t("visitsAYearFor")} {(l.categories ?? []).map((c: string) => word(c.replace(/_/g, " "))).join(" + ")}</span>)}.</p>
      )}
      {fieldErr.length > 0 && <div class="error-box" role="alert"><ul>{fieldErr.map((x, i) => <li key={i}>{x}</li>)}</ul></div>}
      <ErrorBox error={err} />
      {editing && <div class="actions"><button class="btn btn-primary" type="submit" disabled={busy}>{t("saveCoverage")}</button><button class="btn" type="button" onClick={onCancel}>{t("cancel")}</button></div>}
      <p class="muted small">{t("amountsNote")}</p>
    </form>
  );
}
