export type Lang = "en" | "es";

/** Integer cents to a dollar string; never through floating point. */
export function money(cents: number | undefined | null, lang: Lang = "en"): string {
  if (cents === undefined || cents === null) return "—";
  const neg = cents < 0;
  let c = Math.abs(Math.trunc(cents));
  const dollars = Math.floor(c / 100).toString();
  const rest = (c % 100).toString().padStart(2, "0");
  const sep = lang === "es" ? "," : ",";
  const grouped = dollars.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  const dec = lang === "es" ? "." : ".";
  return `${neg ? "−" : ""}$${grouped}${dec}${rest}`;
}

let pageLang: Lang = "en";
/** The page's language, the default for dates (set by the language menu). */
export function setPageLang(l: Lang) { pageLang = l; }
/** The page's language now (the API's lang parameter follows it). */
export function currentLang(): Lang { return pageLang; }

export function dateText(iso: string | undefined, lang: Lang = pageLang): string {
  if (!iso) return "—";
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.toLocaleDateString(lang === "es" ? "es-US" : "en-US", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
}

export function todayIso(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}
