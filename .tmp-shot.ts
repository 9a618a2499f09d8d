import { chromium } from 'playwright-core';
const base = 'http://127.0.0.1:18580';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
async function shot(user: string, viewport: { width: number; height: number }, phone: boolean, file: string) {
  const ctx = await browser.newContext({ viewport, isMobile: phone, hasTouch: phone, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await ctx.newPage();
  await page.goto(`${base}/`);
  await page.fill('#username', user);
  await page.fill('#password', 'weige-demo');
  await Promise.all([page.waitForURL((u) => u.pathname !== '/'), page.click('button[type=submit]')]);
  await page.waitForTimeout(4000);
  await page.screenshot({ path: file, fullPage: false });
  console.log(file, page.url());
  await ctx.close();
}
await shot('property', { width: 1440, height: 900 }, false, '/tmp/shots/console.png');
await shot('mg1-responder-a', { width: 390, height: 844 }, true, '/tmp/shots/phone.png');
await browser.close();
