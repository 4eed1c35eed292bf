import { createContext } from "preact";
import { useContext, useEffect, useRef, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { api, ApiError, type LedgerEntry, type Me } from "./api";
import { dicts, type Key } from "./i18n";
import { money, type Lang } from "./format";

export interface Session { me: Me | null; lang: Lang; setLang: (l: Lang) => void; setMe: (m: Me | null) => void }
export const SessionCtx = createContext<Session>({ me: null, lang: "en", setLang: () => {}, setMe: () => {} });
export function useSession() { return useContext(SessionCtx); }
export function useT() {
  const { lang } = useSession();
  return (k: Key) => dicts[lang][k];
}

// The server's message table (GET /api/messages/es), for the words the page
// takes from the plan file itself (benefit names, categories); read once.
let words: Promise<Record<string, string>> | null = null;
/** A word of the plan file in the page's language (as written when the table has none). */
export function useWord(): (s: string) => string {
  const { lang } = useSession();
  const [table, setTable] = useState<Record<string, string>>({});
  useEffect(() => {
    if (lang === "en") return;
    words ??= api.words(lang).then((w) => w.phrases, () => ({}));
    let live = true;
    words.then((p) => live && setTable(p));
    return () => { live = false; };
  }, [lang]);
  return (s: string) => (lang === "en" ? s : table[s] ?? s);
}

export function Money({ cents, strong }: { cents: number | undefined | null; strong?: boolean }) {
  const { lang } = useSession();
  const text = money(cents, lang);
  return strong ? <strong class="money">{text}</strong> : <span class="money">{text}</span>;
}

/** A verdict is shown as a word and a symbol, with colour only as a third cue. */
export function Verdict({ value }: { value: string }) {
  const t = useT();
  const v = (value || "").toLowerCase();
  const kind = v.startsWith("not") ? "no" : v === "covered" ? "yes" : "maybe";
  const label = kind === "yes" ? t("covered") : kind === "no" ? t("notCovered") : t("conditional");
  const sym = kind === "yes" ? "✓" : kind === "no" ? "✕" : "!";
  return <span class={`verdict verdict-${kind}`}><span aria-hidden="true">{sym}</span> {label}</span>;
}

export function AlertBadge({ kind }: { kind: string }) {
  const k = kind.toLowerCase();
  const cls = /expired|denied|exhaust|used|not/.test(k) ? "no" : "maybe";
  return <span class={`badge badge-${cls}`}>{kind.replace(/[_-]/g, " ")}</span>;
}

export function ErrorBox({ error }: { error: unknown }) {
  const t = useT();
  if (!error) return null;
  const p = error instanceof ApiError ? error.problem : { title: t("error"), status: 0, detail: String(error) };
  return (
    <div class="error-box" role="alert">
      <p><strong>{p.title}</strong>{p.detail && p.detail !== p.title ? <>: {p.detail}</> : null}</p>
      {p.errors && p.errors.length > 0 && (
        <ul>
          {p.errors.map((e, i) => (
            <li key={i}>
              {e.file && <code>{e.file}{e.line ? `:${e.line}` : ""}{e.column ? `:${e.column}` : ""}</code>}{" "}
              {e.field && <>{t("field")} <code>{e.field}</code>: </>}
              {e.message ?? ""}
              {e.expected && !e.message && <> {t("expectedWord")} {e.expected}</>}{e.got && !e.message && <>, {t("gotWord")} <code>{e.got}</code></>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading() {
  const t = useT();
  return <p class="muted" role="status">{t("loading")}</p>;
}

/** Loads once per key; returns [data, error, reload]. */
export function useLoad<T>(fn: () => Promise<T>, key: string): [T | undefined, unknown, () => void] {
  const [data, setData] = useState<T>();
  const [err, setErr] = useState<unknown>();
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setErr(undefined);
    fn().then((d) => live && setData(d), (e) => live && setErr(e));
    return () => { live = false; };
  }, [key, n]);
  return [data, err, () => setN(n + 1)];
}

/** A modal dialog (native <dialog>: focus trapped, Esc closes, focus returns). */
export function Dialog({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  const t = useT();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="dialog-title" onClose={onClose} onCancel={onClose}>
      <div class="dialog-head">
        <h2 id="dialog-title">{title}</h2>
        <button type="button" class="btn btn-quiet" onClick={onClose}>{t("close")}</button>
      </div>
      <div class="dialog-body">{children}</div>
    </dialog>
  );
}

const bucketKey: Record<string, Key> = {
  deductible: "deductible", copay: "copay", coinsurance: "coinsurance", not_covered: "notCoveredPart",
  balance_bill: "balanceBill", plan_pays: "planPays",
};

/** The ledger of rules behind one amount: each entry, the rule and its source. */
export function LedgerTable({ entries }: { entries: LedgerEntry[] }) {
  const t = useT();
  return (
    <table class="table ledger">
      <caption class="sr-only">{t("whyTitle")}</caption>
      <thead><tr><th scope="col">{t("amount")}</th><th scope="col">{t("rule")}</th><th scope="col">{t("reason")}</th></tr></thead>
      <tbody>
        {entries.map((e, i) => (
          <tr key={i}>
            <td class="num"><Money cents={e.amount_cents} /><div class="muted small">{bucketKey[e.bucket] ? t(bucketKey[e.bucket]) : e.bucket.replace(/_/g, " ")}</div></td>
            <td>
              <div>{ruleText(e.note)}</div>
              <div class="small"><code>{e.rule}</code></div>
              <div class="muted small source">{t("source")}: {e.source}</div>
            </td>
            <td>{e.reason || "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** "$30.00 written off by the provider [rule: text; source: …] CO-45" (or "…; fuente: …]" in Spanish) → the rule's text. */
function ruleText(note: string): string {
  const m = /\[[^:\]]+: ([^\]]*?)(?:; (?:source|fuente): [^\]]*)?\]/.exec(note);
  return m ? m[1] : note;
}

export function WhyButton({ label, entries, title }: { label: string; entries: LedgerEntry[]; title: string }) {
  const [open, setOpen] = useState(false);
  const t = useT();
  if (!entries || entries.length === 0) return null;
  return (
    <>
      <button type="button" class="why" aria-label={`${t("why")} ${label}`} onClick={() => setOpen(true)}>{t("why")}</button>
      {open && <Dialog title={title} open={open} onClose={() => setOpen(false)}><LedgerTable entries={entries} /></Dialog>}
    </>
  );
}
