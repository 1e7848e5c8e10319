// Smoke test: the real server, reached from real headless Chromium. Proves the browser
// harness itself works, independently of the console pages (console.e2e.js).
'use strict';
const { run, assert } = require('./lib/harness');

run('smoke', async (h) => {
  await h.startServer(['--no-detectors', '--no-enforce']);
  const browser = await h.launchBrowser();
  const page = await browser.newPage();
  const res = await page.goto(`${h.url}/healthz`);
  assert(res.status() === 200, `/healthz status ${res.status()}`);
  const body = JSON.parse(await page.evaluate(() => document.body.innerText));
  assert(body.status === 'ok', `/healthz body ${JSON.stringify(body)}`);
  await h.screenshot(page, 'healthz');
});
