import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import "./style.css";
import { api, setCsrf, type Me } from "./api";
import { setPageLang, type Lang } from "./format";
import { SessionCtx, useSession, useT, Loading } from "./ui";
import { LoginPage } from "./pages/login";
import { PatientsPage } from "./pages/patients";
import { PatientPage } from "./pages/patient";

/** Hash routes: #/login, #/ (patients), #/p/ID[/coverage|/plan|/compare|/documents][?query]. */
export interface Route { path: string[]; query: URLSearchParams }
function parseHash(): Route {
  const h = location.hash.replace(/^#/, "") || "/";
  const [p, q] = h.split("?");
  return { path: p.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q || "") };
}
import { go } from "./nav";
import { dicts } from "./i18n";

function Header() {
  const { me, lang, setLang, setMe } = useSession();
  const t = useT();
  return (
    <header class="top">
      <div class="top-inner">
        <a class="brand" href="#/">
          <svg aria-hidden="true" width="22" height="22" viewBox="0 0 24 24"><path d="M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3Z" fill="currentColor" /></svg>
          <span>backcover</span>
        </a>
        <span class="tagline">{t("tagline")}</span>
        <div class="top-right">
          <label class="lang">
            <span>{t("language")}</span>
            <select value={lang} onChange={(e) => setLang((e.target as HTMLSelectElement).value as Lang)}>
              <option value="en">English</option>
              <option value="es">Español</option>
            </select>
          </label>
          {me && (
            <>
              <span class="who">{t("signedInAs")} <strong>{me.user}</strong> <span class="muted">({me.role}, {me.clinic})</span></span>
              <button type="button" class="btn btn-quiet" onClick={async () => { try { await api.logout(); } catch { /* gone already */ } setMe(null); go("#/login"); }}>{t("signOut")}</button>
            </>
          )}
        </div>
      </div>
    </header>
  );
}

function App() {
  const [route, setRoute] = useState<Route>(parseHash());
  const [me, setMeState] = useState<Me | null>(null);
  const [checked, setChecked] = useState(false);
  const [lang, setLangState] = useState<Lang>(() => { const l = (localStorage.getItem("bc-lang") as Lang) || "en"; setPageLang(l); return l; });
  const setLang = (l: Lang) => { setPageLang(l); setLangState(l); localStorage.setItem("bc-lang", l); };
  const setMe = (m: Me | null) => { setMeState(m); setCsrf(m?.csrf ?? ""); };

  useEffect(() => {
    const on = () => { setRoute(parseHash()); window.scrollTo(0, 0); };
    window.addEventListener("hashchange", on);
    api.me().then(setMe, () => setMe(null)).finally(() => setChecked(true));
    return () => window.removeEventListener("hashchange", on);
  }, []);
  useEffect(() => { document.documentElement.lang = lang; }, [lang]);

  let page;
  if (!checked) page = <Loading />;
  else if (!me || route.path[0] === "login") page = <LoginPage onIn={(m) => { setMe(m); go(m.role === "patient" && m.patient ? `#/p/${m.patient}` : "#/"); }} />;
  else if (route.path[0] === "p" && route.path[1]) page = <PatientPage id={route.path[1]} tab={route.path[2] || "overview"} query={route.query} />;
  else if (me.role === "patient" && me.patient) page = <PatientPage id={me.patient} tab="overview" query={route.query} />;
  else page = <PatientsPage query={route.query} />;

  return (
    <SessionCtx.Provider value={{ me, lang, setLang, setMe }}>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>{dictsSkip(lang)}</a>
      <Header />
      <main id="main" tabIndex={-1}>{page}</main>
      <footer class="foot"><p>{dicts[lang].footer}</p></footer>
    </SessionCtx.Provider>
  );
}
function dictsSkip(lang: Lang) { return lang === "es" ? "Ir al contenido principal" : "Skip to main content"; }

render(<App />, document.getElementById("app")!);
