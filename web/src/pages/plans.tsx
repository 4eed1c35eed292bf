import { useState } from "preact/hooks";
import { api, type PatientRecord, type PlanRanking } from "../api";
import { ErrorBox, Loading, Money, useSession, useT } from "../ui";

const isPlanFile = (n: string) => n === "plan.yaml" || /^plan-[A-Za-z0-9_-]+\.yaml$/.test(n);
/** "$95", "95.50", "1,200" → cents, without floating point; null when not an amount. */
function cents(text: string): number | null {
  const m = /^\$?\s*(\d{1,3}(?:,\d{3})*|\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1].replace(/,/g, "")) * 100 + Number((m[2] ?? "0").padEnd(2, "0"));
}

/** Plans at open enrollment: the plans on file ranked by premiums plus what the course would cost. */
export function PlansSection({ id, rec, course, onChanged }: { id: string; rec: PatientRecord; course: string; onChanged: () => void }) {
  const t = useT();
  const { me } = useSession();
  const files = rec.files.map((f) => f.name).filter(isPlanFile);
  const [picked, setPicked] = useState<string[] | null>(null);
  const chosen = picked ?? files;
  const [res, setRes] = useState<PlanRanking>();
  const [err, setErr] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState("");
  const [text, setText] = useState("");
  const [addErr, setAddErr] = useState<unknown>();
  const [premium, setPremium] = useState<Record<string, string>>({});
  const [premErr, setPremErr] = useState("");

  async function rank(e: Event) {
    e.preventDefault(); setPremErr("");
    const given: Record<string, number> = {};
    for (const f of chosen) {
      const v = (premium[f] ?? "").trim();
      if (v === "") continue;
      const c = cents(v);
      if (c === null) { setPremErr(`${f}: “${v}” ${t("notAnAmount")}`); return; }
      given[f] = c;
    }
    setBusy(true); setErr(undefined); setRes(undefined);
    try { setRes(await api.comparePlans(id, course, chosen, Object.keys(given).length ? given : undefined)); } catch (x) { setErr(x); } finally { setBusy(false); }
  }
  async function add(e: Event) {
    e.preventDefault(); setAddErr(undefined);
    const file = `plan-${name.trim().toLowerCase().replace(/[^a-z0-9_-]+/g, "-")}.yaml`;
    try { await api.putFile(id, file, text); setName(""); setText(""); setPicked(null); onChanged(); } catch (x) { setAddErr(x); }
  }
  return (
    <section class="card" aria-labelledby="plans-h">
      <h2 id="plans-h">{t("openEnrollment")}</h2>
      <p class="muted small">{t("openEnrollmentHelp")}</p>
      {files.length < 2 ? <p class="muted">{t("needTwoPlans")}</p> : (
        <form onSubmit={rank}>
          <fieldset class="plan-picks">
            <legend>{t("planFiles")}</legend>
            {files.map((f) => (
              <div key={f} class="plan-pick">
                <label class="check"><input type="checkbox" checked={chosen.includes(f)}
                  onChange={() => setPicked(chosen.includes(f) ? chosen.filter((x) => x !== f) : [...chosen, f])} /> <code>{f}</code></label>
                <label class="premium">{t("monthlyPremium")} <input class="money-input" inputMode="decimal" value={premium[f] ?? ""} placeholder="$0.00"
                  aria-label={`${t("monthlyPremium")}, ${f}`} onInput={(e) => setPremium({ ...premium, [f]: (e.target as HTMLInputElement).value })} /></label>
              </div>
            ))}
            <p class="muted small">{t("premiumHelp")}</p>
          </fieldset>
          {premErr && <div class="error-box" role="alert"><p>{premErr}</p></div>}
          <button class="btn btn-primary" type="submit" disabled={busy || chosen.length < 2}>{t("comparePlans")}</button>
        </form>
      )}
      <ErrorBox error={err} />
      {busy && <Loading />}
      {res && (
        <>
          <div class="table-wrap" tabIndex={0} role="region" aria-label={`${t("openEnrollment")} (${t("table")})`}>
            <table class="table plans-table">
              <caption class="sr-only">{t("openEnrollment")}</caption>
              <thead><tr>
                <th scope="col" class="num">{t("rank")}</th><th scope="col">{t("planCol")}</th><th scope="col" class="num">{t("premiums")}</th>
                <th scope="col" class="num">{t("expectedOop")}: {t("ifApproved")}</th><th scope="col" class="num">{t("expectedOop")}: {t("ifDeniedCase")}</th>
                <th scope="col" class="num">{t("yearCost")}: {t("ifApproved")}</th><th scope="col" class="num">{t("yearCost")}: {t("ifDeniedCase")}</th>
              </tr></thead>
              <tbody>{res.plans.map((p) => (
                <tr key={p.plan} class={p.rank === 1 ? "best" : ""}>
                  <td class="num">{p.rank ?? "—"}</td>
                  <th scope="row">{p.name}{p.rank === 1 && <span class="badge badge-yes">{t("cheapest")}</span>}
                    {!p.premium_known && <div class="muted small">{t("premiumUnknown")}</div>}</th>
                  <td class="num">{p.premiums_cents === null ? "—" : <Money cents={p.premiums_cents} />}</td>
                  <td class="num"><Money cents={p.oop_best_cents} /></td><td class="num"><Money cents={p.oop_worst_cents} /></td>
                  <td class="num">{p.total_best_cents === null ? "—" : <Money cents={p.total_best_cents} strong />}</td>
                  <td class="num">{p.total_worst_cents === null ? "—" : <Money cents={p.total_worst_cents} />}</td>
                </tr>))}</tbody>
            </table>
          </div>
          {res.warnings.length > 0 && <ul class="plain warn-list">{res.warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>}
        </>
      )}
      {me?.role !== "patient" && (
        <form class="add-plan" onSubmit={add}>
          <h3>{t("addPlan")}</h3>
          <div class="field">
            <label for="plan-name">{t("planFileName")}</label>
            <input id="plan-name" required pattern="[A-Za-z0-9_ -]+" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} aria-describedby="plan-name-help" />
            <p id="plan-name-help" class="muted small">{t("planFileNameHelp")}</p>
          </div>
          <div class="field">
            <label for="plan-text">{t("planYaml")}</label>
            <textarea id="plan-text" class="code" rows={5} required spellcheck={false} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
          </div>
          <ErrorBox error={addErr} />
          <button class="btn" type="submit">{t("addPlan")}</button>
        </form>
      )}
    </section>
  );
}
