/**
 * Browser tests: Debian's Chromium driven by playwright-core (never a downloaded browser), and the
 * dashboards built once if their sources are newer than dashboards/dist.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { findBinary } from './binaries.ts';
import { DEMO_STAFF_PASSWORD, startTestGateway, type TestGateway } from './gateway.ts';
import { testNow } from './clock.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DASHBOARDS = path.join(ROOT, 'dashboards');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-output', 'screenshots');

export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

function newestMtime(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((n) => newestMtime(path.join(p, n))));
}

function isStale(): boolean {
  const built = path.join(DASHBOARDS, 'dist', 'index.html');
  const sources = [
    'src',
    'public',
    'index.html',
    'console.html',
    'worker.html',
    'engineer.html',
    'street.html',
    'vite.config.ts',
  ]
    .map((p) => path.join(DASHBOARDS, p))
    .filter((p) => existsSync(p));
  return !existsSync(built) || statSync(built).mtimeMs < Math.max(...sources.map(newestMtime));
}

/** Held while building, so two test files (two vitest workers) never build into dist at once. */
const BUILD_LOCK = path.join(
  os.tmpdir(),
  `weige-dashboards-build-${createHash('sha1').update(ROOT).digest('hex').slice(0, 8)}`,
);
const LOCK_STALE_MS = 120_000;

/** Builds dashboards/dist when it is missing or older than any of its sources (about 10 s). */
export function ensureDashboardsBuilt(): void {
  for (;;) {
    // While another worker holds the lock its build is half-written (the .br/.gz come last): wait.
    if (!existsSync(BUILD_LOCK) && !isStale()) return;
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      // Another worker is building: wait for it (or clear a lock left by a killed run).
      const lockedAt = statSync(BUILD_LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - lockedAt > LOCK_STALE_MS) rmSync(BUILD_LOCK, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (!isStale()) return;
    execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/vite/bin/vite.js'),
        'build',
        '-c',
        path.join(DASHBOARDS, 'vite.config.ts'),
        '--logLevel',
        'error',
      ],
      { cwd: ROOT, stdio: 'inherit' },
    );
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

export function chromiumPath(): string {
  const found = process.env.WEIGE_CHROMIUM ?? findBinary('chromium') ?? '/usr/bin/chromium';
  if (!existsSync(found))
    throw new Error('chromium not found: run scripts/install-test-deps.sh (npm test does)');
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface PageOptions {
  viewport?: { width: number; height: number };
  phone?: boolean;
  locale?: 'zh-CN' | 'en';
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** URLs outside the gateway the page tried to load (blocked); must stay empty. */
  external: string[];
  /** Uncaught exceptions on the page (failed requests the page handles are not errors). */
  errors: string[];
}

/** A fresh context (own storage, so its own login) with one page. */
export async function openPage(browser: Browser, options: PageOptions = {}): Promise<OpenedPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? (options.phone ? PHONE : DESKTOP),
    isMobile: options.phone ?? false,
    hasTouch: options.phone ?? false,
    locale: options.locale ?? 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  // The page's Date and timers run from the test clock's "now", as the gateway's do.
  await context.clock.install({ time: testNow() });
  const page = await context.newPage();
  const external: string[] = [];
  const errors: string[] = [];
  // Every request must stay on the gateway: no CDN, no web fonts.
  await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => {
    external.push(route.request().url());
    return route.abort();
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return { context, page, external, errors };
}

export interface ChromiumSuite {
  /** The gateway the pages talk to (started before the file's tests). */
  readonly gw: TestGateway;
  readonly browser: Browser;
  /** A fresh page (own context and login), checked by faults() at the end. */
  open(options?: PageOptions): Promise<OpenedPage>;
  /** Requests that left the gateway and uncaught page errors, of every page opened so far. */
  faults(): string[];
}

/**
 * A test file's browser setup: builds the dashboards if needed, starts a gateway (the default
 * test gateway unless `start` says otherwise) and Chromium before its tests, stops both after.
 */
export function chromiumSuite(start: () => Promise<TestGateway> = () => startTestGateway()): ChromiumSuite {
  let gw: TestGateway | undefined;
  let browser: Browser | undefined;
  const opened: OpenedPage[] = [];
  beforeAll(async () => {
    ensureDashboardsBuilt();
    [gw, browser] = await Promise.all([start(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('chromiumSuite: used before its beforeAll ran');
    return v;
  };
  return {
    get gw() {
      return started(gw);
    },
    get browser() {
      return started(browser);
    },
    async open(options = {}) {
      const o = await openPage(started(browser), options);
      opened.push(o);
      return o;
    },
    faults: () => opened.flatMap((o) => [...o.external.map((u) => `external: ${u}`), ...o.errors]),
  };
}

/** Logs in through the login form; resolves once the role's home page has loaded. */
export async function loginThroughForm(
  page: Page,
  baseUrl: string,
  username: string,
  next?: string,
): Promise<void> {
  await page.goto(`${baseUrl}/${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.fill('#username', username);
  await page.fill('#password', DEMO_STAFF_PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/'), page.click('button[type=submit]')]);
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/** Form controls and buttons with no accessible name (no label, aria-label or text). */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const named = (el: Element): boolean => {
      if (el.getAttribute('aria-label')?.trim() || el.getAttribute('aria-labelledby')) return true;
      if (el.closest('label')) return true;
      if (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) return true;
      return el.tagName === 'BUTTON' && Boolean(el.textContent?.trim());
    };
    return [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
      .filter((el) => !named(el))
      .map((el) => el.outerHTML.slice(0, 120));
  });
}

/**
 * Visible text whose contrast against its effective background is below WCAG AA (4.5:1, or 3:1
 * for large text). Disabled controls are exempt, as WCAG allows.
 */
export function lowContrastText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const rgba = (c: string): [number, number, number, number] => {
      const m = c.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 0];
      return [m[0] ?? 0, m[1] ?? 0, m[2] ?? 0, m[3] ?? 1];
    };
    const lum = ([r, g, b]: number[]): number => {
      const f = (v: number): number => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const background = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c[3] > 0.5) return c;
      }
      return [255, 255, 255, 1];
    };
    const bad: string[] = [];
    for (const el of document.querySelectorAll('body *')) {
      if (el.closest('svg, canvas, .sr-only, [disabled], [hidden]')) continue;
      const text = [...el.childNodes]
        .filter((n) => n.nodeType === 3)
        .map((n) => n.textContent ?? '')
        .join('')
        .trim();
      if (!text) continue;
      const rect = el.getBoundingClientRect();
      if (!rect.width || !rect.height) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || Number(style.opacity) < 0.1) continue;
      const fg = lum(rgba(style.color));
      const bg = lum(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) bad.push(`${text.slice(0, 30)} (${ratio.toFixed(2)}:1)`);
    }
    return bad;
  });
}
