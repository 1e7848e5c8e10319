// Helpers shared by the console's browser tests: the platform API, waiting, forms and sign-in.
'use strict';
const { assert } = require('./harness');

const PASSWORD = 'correct horse battery staple 42';

async function api(h, key, method, path, body) {
  const res = await fetch(`${h.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch (e) { /* not JSON */ }
  return { status: res.status, json, text };
}

async function waitFor(what, fn, timeoutMs = 60000) {
  const started = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// Submits a form from the current page (the console's CSP allows forms, not fetch) to `action`,
// with or without the page's CSRF token; resolves to the response status.
async function postForm(page, action, withToken) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(action) && r.request().method() === 'POST'),
    page.evaluate(({ action, withToken }) => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = action;
      if (withToken) {
        const token = document.createElement('input');
        token.type = 'hidden';
        token.name = 'csrf_token';
        token.value = document.querySelector('input[name=csrf_token]').value;
        form.appendChild(token);
      }
      document.body.appendChild(form);
      form.submit();
    }, { action, withToken }),
  ]);
  await page.waitForLoadState();
  return response.status();
}

async function signIn(page, h, username, password) {
  await page.goto(`${h.url}/console/`);
  assert(page.url().endsWith('/console/login'), `anonymous /console/ should go to login, got ${page.url()}`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/console\/queues$/);
}

module.exports = { PASSWORD, api, waitFor, postForm, signIn };
