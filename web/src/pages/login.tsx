import { useState } from "preact/hooks";
import { api, type Me } from "../api";
import { ErrorBox, useT } from "../ui";

export function LoginPage({ onIn }: { onIn: (m: Me) => void }) {
  const t = useT();
  const [clinic, setClinic] = useState("default");
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [err, setErr] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true); setErr(undefined);
    try { onIn(await api.login(clinic, user, password)); } catch (x) { setErr(x); } finally { setBusy(false); }
  }
  return (
    <div class="login-wrap">
      <section class="card login" aria-labelledby="login-h">
        <h1 id="login-h">{t("signIn")}</h1>
        <p class="muted">{t("signInHelp")}</p>
        <form onSubmit={submit}>
          <div class="field">
            <label for="clinic">{t("clinic")}</label>
            <input id="clinic" name="clinic" autoComplete="organization" required value={clinic} onInput={(e) => setClinic((e.target as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for="user">{t("userName")}</label>
            <input id="user" name="user" autoComplete="username" required value={user} onInput={(e) => setUser((e.target as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for="password">{t("password")}</label>
            <input id="password" name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
          </div>
          <ErrorBox error={err} />
          <button class="btn btn-primary btn-block" type="submit" disabled={busy}>{busy ? t("signingIn") : t("signIn")}</button>
        </form>
      </section>
    </div>
  );
}
