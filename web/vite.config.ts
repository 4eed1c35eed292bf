import { defineConfig } from "vite";

// The page is served by `backcover serve` from web/dist (relative asset URLs, so
// it works under any prefix). `npm run dev` proxies /api to BACKCOVER_API
// (default: the development mock, dev/mock-server.mjs, on 127.0.0.1:8099).
const api = process.env.BACKCOVER_API ?? "http://127.0.0.1:8099";
export default defineConfig({
  base: "./",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, target: "es2020" },
  server: { proxy: { "/api": api, "/healthz": api, "/openapi.json": api } },
});
