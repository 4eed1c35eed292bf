import { useState } from "preact/hooks";
import { api, type Comparison, type PatientRecord, type PayPath } from "../api";
import { dateText, money } from "../format";
import { ErrorBox, Loading, Money, useLoad, useSession, useT } from "../ui";
import { go } from "../nav";
import { PlansSection } from "./plans";

// Colour-blind-safe palette (Okabe–Ito, darkened for contrast on white), each
// path also drawn with its own dash pattern so colour is never the only cue.
const colors = ["#0b5cad", "#b35900", "#007a5a", "#a3195b", "#5b4db3", "#6b6b00", "#00708a", "#8a3b12", "#3d3d3d", "#1f7a1f", "#7b3fa0", "#8c6d00"];
const dashes = ["", "8 4", "2 4", "10 3 2 3", "4 4", "12 4", "1 3", "6 2 2 2", "3 3 9 3", "14 3", "5 2", "2 2 6 2"];

interface Pt { t: number; y: number; date: string; note: string; amount: number }
const day = (iso: string) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / 86_400_000;

function curve(p: PayPath): Pt[] {
  const pays = [...(p.payments ?? [])].sort((a, b) => a.date.localeCompare(b.date));
  let sum = 0;
  return pays.map((x) => { sum += x.amount_cents; return { t: day(x.date), y: sum, date: x.date, note: x.note, amount: x.amount_cents }; });
}
/**
 * The engine names a path that pays for another by that path's id ("HSA paying
 * the package:decomp-10 path"); people read its name. Every path id that is
 * not a plain word, and every "the ID path", becomes the path's name.
 */
export function humanize(text: string, all: PayPath[]): string {
  let out = text;
  for (const p of all) {
    if (!p.id || !p.name || p.id === p.name) continue;
    out = out.split(`paying the ${p.id} path`).join(`paying for “${p.name}”`);
    out = out.split(`pagando la forma ${p.id}`).join(`pagando “${p.name}”`);  // lang=es (data/messages/es.yaml)
    out = out.split(`the ${p.id} path`).join(`the “${p.name}” path`);
    if (/[:+]/.test(p.id)) out = out.split(p.id).join(`“${p.name}”`);
  }
  return out;
}
/** The paths with human names (and notes and risks) throughout. */
export function humanPaths(all: PayPath[]): PayPath[] {
  const h = (x: any) => (typeof x === "string" ? humanize(x, all) : x && typeof x === "object" && typeof x.text === "string" ? { ...x, text: humanize(x.text, all) } : x);
  return all.map((p) => ({
    ...p, name: humanize(p.name, all), notes: (p.notes ?? []).map(h), risks: (p.risks ?? []).map(h),
    payments: (p.payments ?? []).map((x) => ({ ...x, note: humanize(x.note ?? "", all) })),
    costs: (p.costs ?? []).map((x) => ({ ...x, note: humanize(x.note ?? "", all) })),
  }));
}
function cliffs(p: PayPath) {
  return (p.costs ?? []).filter((c) => /deferred interest|intereses diferidos/i.test(c.note));
}

export function CompareTab({ id, rec, query, onChanged }: { id: string; rec: PatientRecord; query: URLSearchParams; onChanged: () => void }) {
  const t = useT();
  const { lang } = useSession();
  const course = query.get("course") ?? rec.courses[0]?.id ?? "";
  const [cmp, err] = useLoad<Comparison>(() => api.compare(id, course), `${id}|${course}|${lang}`);
  return (
    <div>
      <div class="toolbar-row">
        <div class="field inline">
          <label for="cmp-course">{t("course")}</label>
          <select id="cmp-course" value={course} onChange={(e) => go(`#/p/${encodeURIComponent(id)}/compare?course=${(e.target as HTMLSelectElement).value}`)}>
            {rec.courses.map((c) => <option key={c.id} value={c.id}>{c.id}: {c.lines} {t("linesWord")}</option>)}
          </select>
        </div>
      </div>
      <ErrorBox error={err} />
      {!cmp && !err ? <Loading /> : cmp && <CompareView cmp={cmp} />}
      <PlansSection id={id} rec={rec} course={course} onChanged={onChanged} />
    </div>
  );
}

export function CompareView({ cmp: raw }: { cmp: Comparison }) {
  const t = useT();
  const cmp = { ...raw, paths: humanPaths(raw.paths) };
  const paths = cmp.paths.filter((p) => p.available !== false);
  const best = paths.reduce<PayPath | undefined>((b, p) => (!b || p.net_cost_cents < b.net_cost_cents ? p : b), undefined);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const shown = paths.filter((p) => !hidden.has(p.id));
  return (
    <div>
      <section class="card" aria-labelledby="chart-h">
        <h2 id="chart-h">{t("chartTitle")}</h2>
        <p class="muted small" id="chart-help">{t("chartHelp")}</p>
        <fieldset class="legend">
          <legend class="sr-only">{t("show")}</legend>
          {paths.map((p) => {
            const i = cmp.paths.indexOf(p);
            return (
              <label key={p.id} class="legend-item">
                <input type="checkbox" checked={!hidden.has(p.id)} onChange={() => {
                  const n = new Set(hidden); n.has(p.id) ? n.delete(p.id) : n.add(p.id); setHidden(n);
                }} />
                <svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" stroke={colors[i % 12]} stroke-width="3" stroke-dasharray={dashes[i % 12]} /></svg>
                {p.name}
              </label>
            );
          })}
        </fieldset>
        <Chart all={cmp.paths} shown={shown} />
      </section>
      <section class="card flush" aria-labelledby="paths-h">
        <h2 id="paths-h" class="pad">{t("paths")}</h2>
        <div class="table-wrap" tabIndex={0} role="region" aria-label={`${t("paths")} (table)`}>
          <table class="table">
            <caption class="sr-only">{t("paths")}</caption>
            <thead><tr>
              <th scope="col">{t("path")}</th><th scope="col" class="num">{t("totalPaid")}</th><th scope="col" class="num">{t("paidNow")}</th>
              <th scope="col" class="num">{t("monthly")}</th><th scope="col" class="num">{t("interest")} + {t("fees")}</th>
              <th scope="col" class="num">{t("taxSaved")}</th><th scope="col" class="num">{t("netCost")}</th>
            </tr></thead>
            <tbody>
              {cmp.paths.map((p) => (
                <tr key={p.id} class={p === best ? "best" : ""}>
                  <th scope="row">{p.name}
                    {p === best && <span class="badge badge-yes">{t("cheapest")}</span>}
                    {p.available === false && <span class="badge badge-no">{t("unavailable")}</span>}
                    {cliffs(p).map((c, i) => <div key={i} class="cliff-note"><span aria-hidden="true">⚠ </span>{t("cliff")}: <Money cents={c.amount_cents} /> ({dateText(c.date)})</div>)}
                    {(p.risks ?? []).map((r: any, i: number) => <div key={`r${i}`} class="small risk">{typeof r === "string" ? r : r.text ?? r.what ?? JSON.stringify(r)}</div>)}
                    {(p.notes ?? []).slice(0, 2).map((n, i) => <div key={`n${i}`} class="muted small">{n}</div>)}
                  </th>
                  <td class="num"><Money cents={p.total_paid_cents} /></td>
                  <td class="num"><Money cents={p.paid_now_cents} /></td>
                  <td class="num">{p.monthly_payment_cents ? <Money cents={p.monthly_payment_cents} /> : "—"}{p.months ? <div class="muted small">{p.months} {t("monthsShort")}</div> : null}</td>
                  <td class="num"><Money cents={(p.interest_cents ?? 0) + (p.fees_cents ?? 0)} /></td>
                  <td class="num"><Money cents={p.tax_saved_cents ?? 0} /></td>
                  <td class="num"><Money cents={p.net_cost_cents} strong /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

function Chart({ all, shown }: { all: PayPath[]; shown: PayPath[] }) {
  const { lang } = useSession();
  const t = useT();
  const [tip, setTip] = useState<string | null>(null);
  const curves = shown.map((p) => ({ p, i: all.indexOf(p), pts: curve(p) }));
  const allPts = curves.flatMap((c) => c.pts);
  const first = allPts.length ? Math.min(...allPts.map((q) => q.t)) : 0;
  const last = allPts.length ? Math.max(...allPts.map((q) => q.t)) : 0;
  const spanMonths = Math.ceil((last - first) / 30.44) + 1;
  const [horizon, setHorizon] = useState<number>(spanMonths > 36 ? 36 : 0);
  if (allPts.length === 0) return <p class="muted">{t("noPayments")}</p>;
  const W = 860, H = 340, L = 78, R = 20, T = 18, B = 40;
  const t0 = first;
  const t1 = Math.max(horizon ? Math.min(last, t0 + horizon * 30.44) : last, t0 + 30);
  const inView = allPts.filter((q) => q.t <= t1);
  const yMax = Math.max(...inView.map((q) => q.y), 100);
  const step = niceStep(yMax / 5);
  const yTop = Math.ceil(yMax / step) * step;
  const xs = (tt: number) => L + ((Math.min(tt, t1) - t0) / (t1 - t0)) * (W - L - R);
  const ys = (y: number) => H - B - (Math.min(y, yTop) / yTop) * (H - T - B);
  // Month ticks, every 1, 2, 3, 6, 12 or 24 months so that at most 9 fit.
  const d0 = new Date(t0 * 86_400_000);
  const total = Math.ceil((t1 - t0) / 30.44) + 1;
  const every = [1, 2, 3, 6, 12, 24, 60].find((m) => total / m <= 9) ?? 120;
  const ticks: number[] = [];
  for (let m = 0; ; m++) {
    const d = Date.UTC(d0.getUTCFullYear(), d0.getUTCMonth() + m, 1) / 86_400_000;
    if (d > t1) break;
    const month = new Date(d * 86_400_000).getUTCMonth();
    if (d >= t0 && (every < 12 ? m % every === 0 : month === 0 && (new Date(d * 86_400_000).getUTCFullYear() % (every / 12) === 0))) ticks.push(d);
  }
  const fmtTick = (d: number) => new Date(d * 86_400_000).toLocaleDateString(lang === "es" ? "es-US" : "en-US", every >= 12 ? { year: "numeric", timeZone: "UTC" } : { month: "short", year: "2-digit", timeZone: "UTC" });
  return (
    <div class="chart-wrap">
      <div class="field inline chart-horizon">
        <label for="horizon">{t("timeShown")}</label>
        <select id="horizon" value={String(horizon)} onChange={(e) => setHorizon(Number((e.target as HTMLSelectElement).value))}>
          {[12, 24, 36, 60].filter((m) => m < spanMonths).map((m) => <option key={m} value={m}>{m / 12} {m === 12 ? t("year") : t("yearsWord")}</option>)}
          <option value="0">{`${t("allOfIt")} (${spanMonths} ${t("months")})`}</option>
        </select>
      </div>
      <div class="chart-scroll" tabIndex={0} role="region" aria-label={`${t("chartTitle")} (${t("chartScroll")})`}>
      <svg viewBox={`0 0 ${W} ${H}`} class="chart" role="group" aria-labelledby="chart-h" aria-describedby="chart-help">
        <defs><clipPath id="plot"><rect x={L - 6} y={T - 6} width={W - L - R + 12} height={H - T - B + 12} /></clipPath></defs>
        {Array.from({ length: Math.round(yTop / step) + 1 }, (_, k) => k * step).map((y) => (
          <g key={y} aria-hidden="true">
            <line x1={L} x2={W - R} y1={ys(y)} y2={ys(y)} class="grid" />
            <text x={L - 8} y={ys(y) + 4} text-anchor="end" class="axis">{money(y, lang).replace(/\.00$/, "")}</text>
          </g>
        ))}
        {ticks.map((m) => (
          <g key={m} aria-hidden="true">
            <line x1={xs(m)} x2={xs(m)} y1={H - B} y2={H - B + 5} class="grid" />
            <text x={xs(m)} y={H - B + 19} text-anchor="middle" class="axis">{fmtTick(m)}</text>
          </g>
        ))}
        <g clip-path="url(#plot)">
          {curves.map(({ p, i, pts }) => {
            let d = `M${xs(t0)},${ys(0)}`;
            for (const q of pts) { if (q.t > t1) { d += ` H${xs(t1)}`; break; } d += ` H${xs(q.t)} V${ys(q.y)}`; }
            if (pts.length && pts[pts.length - 1].t <= t1) d += ` H${xs(t1)}`;
            return <path key={p.id} d={d} fill="none" stroke={colors[i % 12]} stroke-width={3} stroke-dasharray={dashes[i % 12]} aria-hidden="true" />;
          })}
        </g>
        {curves.map(({ p, i, pts }) => {
          // Every payment is a point to focus when there are few; a long schedule shows about 12.
          const visible = pts.filter((q) => q.t <= t1);
          const k = Math.max(1, Math.ceil(visible.length / 12));
          return visible.filter((_, n) => n % k === 0 || n === visible.length - 1).map((q) => {
            const text = `${p.name}: ${dateText(q.date, lang)}, +${money(q.amount, lang)}, ${money(q.y, lang)} ${t("inAll")}${q.note ? ` (${q.note})` : ""}`;
            const show = () => setTip(text);
            return <circle key={`${p.id}${q.date}`} cx={xs(q.t)} cy={ys(q.y)} r={4.5} fill="#fff" stroke={colors[i % 12]} stroke-width={2}
              tabIndex={0} role="img" aria-label={text} class="pt" onMouseEnter={show} onFocus={show} onMouseLeave={() => setTip(null)} onBlur={() => setTip(null)} />;
          });
        })}
        {curves.flatMap(({ p, pts }) => cliffs(p).filter((c) => day(c.date) <= t1).map((c, k) => {
          const tt = day(c.date);
          const paid = pts.filter((q) => q.t <= tt).reduce((m, q) => Math.max(m, q.y), 0);
          const x = xs(tt), y = ys(paid);
          const left = x < W / 2;
          return (
            <g key={`${p.id}c${k}`} class="cliff" role="img" aria-label={`${p.name}: ${t("cliff")} ${money(c.amount_cents, lang)}, ${dateText(c.date, lang)}`}>
              <line x1={x} x2={x} y1={T} y2={H - B} class="cliff-line" />
              <circle cx={x} cy={y} r={9} fill="none" stroke="#b00020" stroke-width={2.5} />
              <text x={left ? x + 12 : x - 12} y={T + 14} text-anchor={left ? "start" : "end"} class="cliff-text">
                +{money(c.amount_cents, lang)} {t("cliff").toLowerCase()}, {dateText(c.date, lang)}
              </text>
              <text x={left ? x + 12 : x - 12} y={T + 30} text-anchor={left ? "start" : "end"} class="cliff-sub">{p.name}</text>
            </g>
          );
        }))}
      </svg>
      </div>
      {/* The focused point's reading, in its own row under the chart: it never covers the curves or the cliff's caption. */}
      <p class="chart-readout" aria-live="polite">{tip ? <span class="tip">{tip}</span> : <span class="muted small">{t("chartReadoutHelp")}</span>}</p>
    </div>
  );
}
function niceStep(raw: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1))));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}
