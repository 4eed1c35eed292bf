import { currentLang as pageLang } from "./format";
// The HTTP API (docs/api.md): JSON in and out, RFC 9457 problem details on errors,
// a session cookie plus the X-CSRF-Token header on every change.

export interface FieldError {
  file?: string; line?: number; column?: number; field?: string; got?: string; expected?: string; message?: string;
}
export interface Problem { type?: string; title: string; status: number; detail?: string; errors?: FieldError[] }

export class ApiError extends Error {
  constructor(public problem: Problem) { super(problem.detail || problem.title); }
}

export interface Me { user: string; role: string; clinic: string; csrf: string; patient?: string }

let csrf = "";
export function setCsrf(token: string) { csrf = token; }

async function problemOf(r: Response): Promise<Problem> {
  const text = await r.text();
  try {
    const p = JSON.parse(text);
    if (p && typeof p === "object" && (p.title || p.detail)) return { status: r.status, title: p.title || r.statusText, ...p };
  } catch { /* not JSON */ }
  return { status: r.status, title: r.statusText || `HTTP ${r.status}`, detail: text.slice(0, 400) };
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  const r = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) throw new ApiError(await problemOf(r));
  if (r.status === 204) return undefined as T;
  const type = r.headers.get("Content-Type") || "";
  return (type.includes("json") ? r.json() : r.text()) as Promise<T>;
}

/** Fetches bytes (documents, .ics) and hands them to the browser as a download. */
export async function download(path: string, filename: string): Promise<void> {
  const r = await fetch(path, { credentials: "same-origin" });
  if (!r.ok) throw new ApiError(await problemOf(r));
  const blob = await r.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url; a.download = filename; document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// The patient's pages ask for the engine's and the payment paths' texts in the
// page's language (lang=es: the server's message table, docs/api.md).
const langQ = (sep: "?" | "&" = "?") => (pageLang() === "en" ? "" : `${sep}lang=${pageLang()}`);

export const api = {
  me: () => call<Me>("GET", "/api/me"),
  login: (clinic: string, user: string, password: string) => call<Me>("POST", "/api/login", { clinic, user, password }),
  logout: () => call<void>("POST", "/api/logout"),
  patients: (q: string, today?: string) =>
    call<any>("GET", `/api/patients?q=${encodeURIComponent(q)}${today ? `&today=${today}` : ""}`)
      .then((r) => (Array.isArray(r) ? r : r?.patients ?? []).map(normPatient)),
  patient: (id: string) => call<any>("GET", `/api/patients/${enc(id)}`).then((r) => ({
    ...r, files: r.files ?? [], courses: (r.courses ?? []).map(normCourse),
  }) as PatientRecord),
  file: (id: string, name: string) => call<{ name: string; text: string; sha256: string }>("GET", `/api/patients/${enc(id)}/files/${enc(name)}`),
  putFile: (id: string, name: string, text: string) => call<unknown>("PUT", `/api/patients/${enc(id)}/files/${enc(name)}`, { text }),
  addCourse: (id: string, text: string) => call<{ id: string }>("POST", `/api/patients/${enc(id)}/courses`, { text }),
  estimate: (id: string, course: string) => call<Estimate>("POST", `/api/patients/${enc(id)}/courses/${enc(course)}/estimate${langQ()}`),
  compare: (id: string, course: string) => call<Comparison>("POST", `/api/patients/${enc(id)}/compare${langQ()}`, { course }),
  comparePlans: (id: string, course: string, plans?: string[], premiums_monthly_cents?: Record<string, number>) =>
    call<PlanRanking>("POST", `/api/patients/${enc(id)}/compare-plans${langQ()}`, { course, ...(plans ? { plans } : {}), ...(premiums_monthly_cents ? { premiums_monthly_cents } : {}) }),
  setFamily: (id: string, members: string[]) => call<{ family: string; members: string[] }>("PUT", `/api/patients/${enc(id)}/family`, { members }),
  familyEstimate: (id: string) => call<FamilyEstimate>("POST", `/api/patients/${enc(id)}/family/estimate${langQ()}`),
  words: (lang: string) => call<{ lang: string; phrases: Record<string, string>; codes: Record<string, string> }>("GET", `/api/messages/${enc(lang)}`),
  authorizations: (id: string, today?: string) =>
    call<{ patient: string; today: string; authorizations: AuthStatus[] }>("GET", `/api/patients/${enc(id)}/authorizations${today ? `?today=${today}${langQ("&")}` : langQ()}`),
};
const enc = encodeURIComponent;

// The list's rows as `backcover patients --json` prints them (alerts as text,
// courses with first/last) or as docs/api.md words them: both are read.
function normCourse(c: any): CourseRow {
  return { ...c, first_date: c.first_date ?? c.first, last_date: c.last_date ?? c.last };
}
function alertKind(text: string): string {
  const t = text.toLowerCase();
  if (/visits? left|used up|cap/.test(t)) return "visits";
  if (/^auth|authorization/.test(t)) return /expired|denied|not approved/.test(t) ? "auth expired" : "auth";
  if (/prescription|referral/.test(t)) return /expired/.test(t) ? "expired" : "expiring";
  return "deadline";
}
function normPatient(r: any): PatientRow {
  return {
    ...r, slug: r.slug ?? r.folder, plan_name: r.plan_name ?? r.plan,
    courses: (r.courses ?? []).map(normCourse),
    alerts: (r.alerts ?? []).map((a: any) => (typeof a === "string" ? { kind: alertKind(a), text: a } : a)),
  };
}

export interface Alert { kind: string; text: string; date?: string }
export interface CourseRow { id: string; lines: number; first_date?: string; last_date?: string; charge_cents?: number; name?: string }
export interface PatientRow {
  id: string; slug?: string; name: string; family_id?: string; plan_name?: string; courses: CourseRow[]; claims?: number; alerts: Alert[];
}
interface FamilyTotals { lines: number; charge_cents: number; plan_pays_cents: number; patient_cents: number; patient: Split }
export interface FamilyEstimate {
  household: string; plan: string; deductible_mode: string; oop_mode: string;
  members: { id: string; estimate: { totals: { lines: number; charge_cents: number; plan_pays_cents: number; patient_pays_cents: number; patient: Split } } }[];
  family_after: { family_deductible_met_cents: { in_network: number }; family_out_of_pocket_met_cents: { in_network: number } };
  totals: FamilyTotals; warnings: string[];
}
export interface PatientRecord {
  patient: Record<string, any>; coverage?: Record<string, any>; files: { name: string; sha256: string }[];
  courses: CourseRow[]; authorizations?: Record<string, any>[]; counters?: Record<string, any>[];
  claims?: Record<string, any>[]; estimates?: { id: string | number; course_id: string; created_at: string; inputs_sha256: string }[];
}

export interface LedgerEntry { amount_cents: number; bucket: string; note: string; reason: string; rule: string; source: string }
export interface Split { deductible: number; copay: number; coinsurance: number; not_covered: number; balance_bill: number }
export interface EstimateLine {
  line: number; date: string; code: string; name: string; modifiers?: string[]; units: number; category?: string;
  covered: string; pa_needed?: string; charge_cents: number; allowed_cents: number; plan_pays_cents: number;
  patient_pays_cents: number; patient_if_denied_cents?: number; contractual_adjustment_cents?: number;
  other_payer_cents?: number; patient: Split; ledger: LedgerEntry[]; doc_needed?: any[]; actions?: any[];
  edits?: any[]; warnings?: any[]; reasons?: any[]; network_applied?: string; nsa_protected?: boolean;
  decided_by?: { id: string; text: string; source: string }; provider?: { name: string; network: string; role?: string };
}
export interface Estimate {
  plan: { id: string; name: string; payer?: string; type?: string; source?: string };
  lines: EstimateLine[];
  totals: {
    lines: number; covered: number; conditional: number; not_covered: number; charge_cents: number; allowed_cents: number;
    plan_pays_cents: number; patient_pays_cents: number; patient_if_denied_cents?: number; patient: Split;
    contractual_adjustment_cents?: number; other_payer_cents?: number;
  };
  warnings?: any[]; regime?: Record<string, any>; accumulators_before?: any; accumulators_after?: any;
  estimate_id?: string | number; [k: string]: any;
}
export interface Payment { amount_cents: number; date: string; note: string }
export interface PayPath {
  id: string; kind: string; name: string; available: boolean; base?: string; care_cents: number; fees_cents: number;
  interest_cents: number; forfeited_cents?: number; tax_saved_cents?: number; net_cost_cents: number;
  total_paid_cents: number; paid_now_cents?: number; monthly_payment_cents?: number; months?: number;
  payments: Payment[]; costs?: Payment[]; notes?: string[]; risks?: any[]; unused_value_cents?: number; other_payer_cents?: number;
  [k: string]: any;
}
export interface AuthStatus {
  number: string; codes: string; categories: string; from: string; to: string; status: string; visits: number;
  visits_used: number; visits_left: number | null; days_left: number | null; alerts: string[];
}
export interface PlanRank {
  plan: string; name: string; premium_known: boolean; rank: number | null; premiums_cents: number | null; hsa_employer_cents?: number;
  oop_best_cents: number; oop_worst_cents: number; total_best_cents: number | null; total_worst_cents: number | null;
  conditional_lines?: number; not_covered_lines?: number; beats_rank_1_if_premiums_under_cents?: number | null;
}
export interface PlanRanking { plans: PlanRank[]; premiums_missing: string[]; warnings: string[]; course: string; files: string[] }
export interface Comparison { paths: PayPath[]; branches?: any[]; [k: string]: any }
