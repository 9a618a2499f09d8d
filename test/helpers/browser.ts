/**
 * Browser tests: Debian's Chromium driven by playwright-core (never a downloaded browser), and the
 * dashboards built once if their sources are newer than dashboards/dist.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { findBinary } from './binaries.ts';
import { DEMO_STAFF_PASSWORD } from './gateway.ts';

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

/** Builds dashboards/dist when it is missing or older than any of its sources (about 10 s). */
export function ensureDashboardsBuilt(): void {
  const built = path.join(DASHBOARDS, 'dist', 'index.html');
  const sources = [
    'src',
    'public',
    'index.html',
    'console.html',
    'worker.html',
    'engineer.html',
    'vite.config.ts',
  ]
    .map((p) => path.join(DASHBOARDS, p))
    .filter((p) => existsSync(p));
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newestMtime))) return;
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
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
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

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}
