import { api, type AuthStatus } from "../api";
import { dateText } from "../format";
import { ErrorBox, Loading, useLoad, useSession, useT } from "../ui";
import { valueText } from "../i18n";
import { colLabel } from "./patient";

/** A patient's authorizations: visits and days left on each, and what needs doing. */
export function AuthTab({ id }: { id: string }) {
  const t = useT();
  const { lang } = useSession();
  const [data, err] = useLoad(() => api.authorizations(id), `${id}|auth|${lang}`);
  const rows: AuthStatus[] = data?.authorizations ?? [];
  // What needs doing, in the page's language, by the rule the patients list's alerts follow.
  const alerts = rows.flatMap((a) => {
    const out: string[] = [];
    if (a.status !== "approved") return [`${a.number}: ${t("authIs")} ${valueText(a.status, lang)}`];
    if (a.days_left !== null && a.days_left < 0) out.push(`${a.number}: ${t("authExpired")} ${dateText(a.to)}`);
    else if (a.days_left !== null && a.days_left <= 30) out.push(`${a.number}: ${t("authEnds")} ${dateText(a.to)} (${t("inDays").replace("N", String(a.days_left))})`);
    if (a.visits > 0 && a.visits_left !== null && (a.visits_left <= 0 || (a.visits > 2 && a.visits_left <= 2)))
      out.push(`${a.number}: ${t("visitsLeftOf").replace("L", String(a.visits_left)).replace("V", String(a.visits))}`);
    return out;
  }).map((x) => ({ x }));
  return (
    <div>
      <ErrorBox error={err} />
      {!data && !err ? <Loading /> : data && (
        <>
          <section class="card" aria-labelledby="auth-todo-h">
            <h2 id="auth-todo-h">{t("todo")}</h2>
            {alerts.length === 0 ? <p class="ok-text"><span aria-hidden="true">✓ </span>{t("noAuthAlerts")}</p> : (
              <ul class="missing">{alerts.map((a, i) => <li key={i} class="todo"><span class="todo-kind">{t("col_alert")}</span><span>{a.x}</span></li>)}</ul>
            )}
          </section>
          <section class="card flush" aria-labelledby="auth-list-h">
            <h2 id="auth-list-h" class="pad">{t("authorizations")} <span class="muted small">· {dateText(data.today)}</span></h2>
            <p class="muted small pad">{t("authHelp")}</p>
            {rows.length === 0 ? <p class="muted pad">{t("noAuth")}</p> : (
              <div class="table-wrap" tabIndex={0} role="region" aria-label={`${t("authorizations")} (${t("table")})`}>
                <table class="table auth-table">
                  <caption class="sr-only">{t("authorizations")}</caption>
                  <thead><tr>
                    {["number", "codes", "categories", "from", "to", "status"].map((k) => <th scope="col" key={k}>{colLabel(k, t)}</th>)}
                    {["visits", "visits_used", "visits_left", "days_left"].map((k) => <th scope="col" key={k} class="num">{colLabel(k, t)}</th>)}
                  </tr></thead>
                  <tbody>{rows.map((a) => (
                    <tr key={a.number}>
                      <th scope="row" class="nowrap"><code>{a.number}</code></th>
                      <td>{a.codes ? <code>{a.codes}</code> : <span class="muted">—</span>}</td>
                      <td>{a.categories ? a.categories.replace(/_/g, " ") : <span class="muted">—</span>}</td>
                      <td class="nowrap">{dateText(a.from)}</td><td class="nowrap">{dateText(a.to)}</td>
                      <td>{valueText(a.status, lang)}</td>
                      <td class="num">{a.visits || "—"}</td><td class="num">{a.visits ? a.visits_used : "—"}</td>
                      <td class="num">{a.visits_left ?? "—"}</td>
                      <td class="num">{a.days_left === null ? "—" : a.days_left < 0 ? <span class="no-text">{t("expiredWord")}</span> : <span class={a.days_left <= 30 ? "maybe-text" : ""}>{a.days_left}</span>}</td>
                    </tr>))}</tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </div>
  );
}
