import { useState } from "preact/hooks";
import { download, type PatientRecord } from "../api";
import { ErrorBox, useSession, useT } from "../ui";
import type { Key } from "../i18n";

const kinds: { kind: string; name: Key; help: Key }[] = [
  { kind: "gfe", name: "docGfe", help: "docGfeHelp" },
  { kind: "superbill", name: "docSuperbill", help: "docSuperbillHelp" },
  { kind: "lmn", name: "docLmn", help: "docLmnHelp" },
  { kind: "pa", name: "docPa", help: "docPaHelp" },
  { kind: "appeal", name: "docAppeal", help: "docAppealHelp" },
  { kind: "log", name: "docLog", help: "docLogHelp" },
];

export function DocumentsTab({ id, rec }: { id: string; rec: PatientRecord }) {
  const t = useT();
  const { lang } = useSession();
  const [course, setCourse] = useState(rec.courses[0]?.id ?? "");
  const [format, setFormat] = useState<"pdf" | "html">("pdf");
  const [docLang, setDocLang] = useState<string>(lang);
  const [err, setErr] = useState<unknown>();
  const [busy, setBusy] = useState("");
  const [done, setDone] = useState<string[]>([]);
  const base = `/api/patients/${encodeURIComponent(id)}`;
  // An appeal answers a denial: offered only when one is on file.
  const hasDenial = rec.files.some((f) => f.name === "denial.yaml");

  async function get(kind: string) {
    setErr(undefined); setBusy(kind);
    try {
      await download(`${base}/documents/${kind}?course=${encodeURIComponent(course)}&format=${format}&lang=${docLang}`, `${id}-${kind}-${course}.${format}`);
      setDone([...done.filter((x) => x !== kind), kind]);
    } catch (x) { setErr(x); } finally { setBusy(""); }
  }
  async function ics() {
    setErr(undefined); setBusy("ics");
    try { await download(`${base}/deadlines.ics`, `${id}-deadlines.ics`); setDone([...done, "ics"]); } catch (x) { setErr(x); } finally { setBusy(""); }
  }
  return (
    <div>
      <div class="toolbar-row card">
        <div class="field inline">
          <label for="doc-course">{t("course")}</label>
          <select id="doc-course" value={course} onChange={(e) => setCourse((e.target as HTMLSelectElement).value)}>
            {rec.courses.map((c) => <option key={c.id} value={c.id}>{c.id}</option>)}
          </select>
        </div>
        <div class="field inline">
          <label for="doc-format">{t("format")}</label>
          <select id="doc-format" value={format} onChange={(e) => setFormat((e.target as HTMLSelectElement).value as "pdf" | "html")}>
            <option value="pdf">PDF</option><option value="html">HTML</option>
          </select>
        </div>
        <div class="field inline">
          <label for="doc-lang">{t("language")}</label>
          <select id="doc-lang" value={docLang} onChange={(e) => setDocLang((e.target as HTMLSelectElement).value)}>
            <option value="en">English</option><option value="es">Español</option>
          </select>
        </div>
      </div>
      <ErrorBox error={err} />
      <section aria-labelledby="docs-h">
        <h2 id="docs-h">{t("documents")}</h2>
        <ul class="doc-grid">
          {kinds.map((k) => (
            <li key={k.kind} class="card doc">
              <h3>{t(k.name)}</h3>
              <p class="muted small">{t(k.help)}</p>
              {k.kind === "appeal" && !hasDenial ? <p class="small" id="appeal-needs">{t("appealNeedsDenial")} {t("appealNeedsDenialHelp")}</p> : <button type="button" class="btn" onClick={() => get(k.kind)} disabled={busy !== ""} aria-label={`${t("generate")} ${format.toUpperCase()}: ${t(k.name)}`}>
                {busy === k.kind ? t("loading") : `${t("generate")} ${format.toUpperCase()}`}
              </button>}
              {done.includes(k.kind) && <span class="ok-text small" role="status"> ✓ {t("downloaded")}</span>}
            </li>
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="dl-h">
        <h2 id="dl-h">{t("deadlines")}</h2>
        <p class="muted">{t("deadlinesHelp")}</p>
        <button type="button" class="btn btn-primary" onClick={ics} disabled={busy !== ""}>{t("icsDownload")}</button>
        {done.includes("ics") && <span class="ok-text small" role="status"> ✓</span>}
      </section>
    </div>
  );
}
