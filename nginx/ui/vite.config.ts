/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// No React plugin: esbuild compiles TSX with the automatic runtime, which is all we need
// (no fast refresh in production builds), and it keeps the build working on npm 10 machines.
export default defineConfig({
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    sourcemap: false,
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      output: {
        // React and the router change rarely: one long-cached vendor chunk.
        manualChunks: { vendor: ["react", "react-dom", "react-router-dom"] },
      },
    },
  },
  preview: {
    proxy: { "/api": process.env.TRACEHOUSE_URL ?? "http://127.0.0.1:1980" },
  },
  server: {
    // `npm run dev` proxies the API to a running stack (./tracehouse up listens on 1980).
    proxy: { "/api": process.env.TRACEHOUSE_URL ?? "http://127.0.0.1:1980" },
  },
  test: {
    environment: "jsdom",
    globals: true,
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
