/**
 * Builds the dashboards (login, property-manager console, grid-worker phone page, engineer bench)
 * into dashboards/dist, which the gateway serves at `/` (gateway/src/ui). Every asset is local:
 * nothing loads from a CDN, so the pages work on a closed estate network. Assets are also written
 * gzip- and brotli-compressed so the gateway can serve them small on a slow phone connection.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const OUT_DIR = path.join(ROOT, 'dist');
/** Files smaller than this gain nothing from compression. */
const COMPRESS_MIN_BYTES = 1024;
const COMPRESSIBLE = /\.(js|css|html|svg|json|webmanifest)$/;

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}

/** Writes `.gz` and `.br` siblings for @fastify/static's `preCompressed` option. */
function precompress(): Plugin {
  return {
    name: 'weige-precompress',
    apply: 'build',
    closeBundle() {
      for (const file of listFiles(OUT_DIR)) {
        if (!COMPRESSIBLE.test(file)) continue;
        const data = readFileSync(file);
        if (data.length < COMPRESS_MIN_BYTES) continue;
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    },
  };
}

export default defineConfig({
  root: ROOT,
  base: '/',
  publicDir: path.join(ROOT, 'public'),
  plugins: [precompress()],
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    // The ECharts chunk (~580 kB, ~165 kB brotli) loads only on the console, after the plan and lists.
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      input: {
        index: path.join(ROOT, 'index.html'),
        console: path.join(ROOT, 'console.html'),
        worker: path.join(ROOT, 'worker.html'),
        engineer: path.join(ROOT, 'engineer.html'),
        street: path.join(ROOT, 'street.html'),
        privacy: path.join(ROOT, 'privacy.html'),
        sw: path.join(ROOT, 'src/sw.ts'),
      },
      output: {
        // The service worker must sit at a fixed root URL to control every page under `/`.
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  server: {
    // `npx vite dashboards` during development, against a gateway on the default port.
    proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } },
  },
});
