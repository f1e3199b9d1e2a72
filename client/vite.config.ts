import { defineConfig } from "vitest/config";

export default defineConfig({
  build: {
    outDir: "../src/vitrina/web/dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    // three.js is most of the bundle and is tree-shaken; the budget is 1 MiB gzipped (docs/client.md).
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      // The agent console is a page of its own; the chat widget is one self-contained script.
      // Paths are relative to this directory, where npm runs the build.
      input: {
        main: "index.html",
        console: "console.html",
        widget: "src/widget/main.ts",
      },
    },
  },
  server: {
    proxy: {
      "/api": "http://127.0.0.1:8000",
      "/ws": { target: "ws://127.0.0.1:8000", ws: true },
    },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
