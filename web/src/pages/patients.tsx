import { useEffect, useState } from "preact/hooks";
import { api, type Alert, type PatientRow } from "../api";
import { dateText, todayIso } from "../format";
import { AlertBadge, ErrorBox, Loading, Money, useLoad } from "../ui";

type Group = "auth" | "visits" | "deadline";
function groupOf(a: Alert): Group {
  const k = `${a.kind} ${a.text}`.toLowerCase();
  if (/visit|cap|limit/.test(a.kind.toLowerCase())) return "visits";
  if (/auth/.test(k) && !/visits? left/.test(k)) return "auth";
  if (/visits? left|cap/.test(k)) return "visits";
  return "deadline";
}
const groupTitle: Record<Group, string> = {
  auth: "Authorizations running out",
  visits: "Visits left under a cap",
  deadline: "Deadlines and expiring papers",
};

export function PatientsPage({ query }: { query: URLSearchParams }) {
  const [q, setQ] = useState(query.get("q") ?? "");
  const [today, setToday] = useState(query.get("today") ?? todayIso());
  const [debounced, setDebounced] = useState(q);
  useEffect(() => { const h = setTimeout(() => setDebounced(q), 200); return () => clearTimeout(h); }, [q]);
  const [rows, err] = useLoad<PatientRow[]>(() => api.patients(debounced, today), `${debounced}|${today}`);

  const alerts: { p: PatientRow; a: Alert }[] = [];
  for (const p of rows ?? []) for (const a of p.alerts ?? []) alerts.push({ p, a });
  const groups: Group[] = ["auth", "visits", "deadline"];

  return (
    <div class="page">
      <div class="page-head">
        <div>
          <h1>Patients</h1>
          <p class="muted">Today's alerts first, then every patient of the clinic.</p>
        </div>
        <form class="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
          <div class="field inline">
            <label for="search">Search patients</label>
            <input id="search" type="search" placeholder="Name, id, plan…" value={q}
              onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
          </div>
          <div class="field inline">
            <label for="today">As of</label>
            <input id="today" type="date" value={today} onInput={(e) => setToday((e.target as HTMLInputElement).value)} />
          </div>
        </form>
      </div>

      <ErrorBox error={err} />
      <section aria-labelledby="alerts-h" class="alerts">
        <h2 id="alerts-h">Today's alerts <span class="count">{alerts.length}</span></h2>
        <div class="alert-grid">
          {groups.map((g) => {
            const list = alerts.filter((x) => groupOf(x.a) === g);
            return (
              <section class="card alert-card" aria-labelledby={`ag-${g}`} key={g}>
                <h3 id={`ag-${g}`}>{groupTitle[g]} <span class="count">{list.length}</span></h3>
                {list.length === 0 ? <p class="muted">None as of {dateText(today)}.</p> : (
                  <ul class="alert-list">
                    {list.map(({ p, a }, i) => (
                      <li key={i}>
                        <a href={`#/p/${encodeURIComponent(p.id)}`}>{p.name}</a>
                        <span class="alert-text">{a.text}</span>
                        {a.date && <span class="muted small">{dateText(a.date)}</span>}
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            );
          })}
        </div>
      </section>

      <section aria-labelledby="list-h">
        <h2 id="list-h">All patients <span class="count">{rows?.length ?? 0}</span></h2>
        {!rows && !err ? <Loading /> : (
          <div class="table-wrap" tabIndex={0} role="region" aria-label="All patients">
            <table class="table">
              <caption class="sr-only">Patients with their plan, planned courses, posted claims and alerts</caption>
              <thead>
                <tr>
                  <th scope="col">Patient</th><th scope="col">Id</th><th scope="col">Plan</th>
                  <th scope="col" class="num">Courses</th><th scope="col" class="num">Planned charges</th>
                  <th scope="col" class="num">Claims</th><th scope="col">Alerts</th>
                </tr>
              </thead>
              <tbody>
                {(rows ?? []).map((p) => (
                  <tr key={p.id}>
                    <td><a class="strong-link" href={`#/p/${encodeURIComponent(p.id)}`}>{p.name}</a>{p.slug && <div class="muted small">{p.slug}</div>}</td>
                    <td><code>{p.id}</code></td>
                    <td>{p.plan_name ?? "—"}</td>
                    <td class="num">{p.courses?.length ?? 0}</td>
                    <td class="num"><Money cents={(p.courses ?? []).reduce((s, c) => s + (c.charge_cents ?? 0), 0)} /></td>
                    <td class="num">{p.claims ?? 0}</td>
                    <td>{(p.alerts ?? []).length === 0 ? <span class="muted">none</span> :
                      <ul class="plain">{p.alerts.map((a, i) => <li key={i}><AlertBadge kind={a.kind} /> {a.text}</li>)}</ul>}</td>
                  </tr>
                ))}
                {rows && rows.length === 0 && <tr><td colSpan={7} class="muted">No patient matches “{debounced}”.</td></tr>}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
