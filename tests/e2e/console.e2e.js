// The reviewer console end to end, in real headless Chromium against the real server:
// a platform posts items through the API, enforcement opens review cases, a reviewer signs in,
// sees only their queues, claims a case, reads the highlighted evidence (blurred until shown),
// decides with keyboard shortcuts, and the decision appears in the platform's decision feed.
// The author appeals; a different reviewer restores the item from the appeals tab, and the
// restore is in the feed too. Screenshots of every step are kept as test artefacts.
'use strict';
const { run, assert } = require('./lib/harness');
const { PASSWORD, api, waitFor, postForm, signIn } = require('./lib/console');

run('console', async (h) => {
  const db = ['--db', h.db];
  const platformKey = h.cli(['keys', 'create', ...db, '--name', 'e2e-platform', '--role', 'platform']).trim();
  h.cli(['users', 'create', ...db, '--username', 'rosa', '--role', 'reviewer',
    '--expertise', 'threat', '--display-name', 'Rosa (threats)', '--password-stdin'], PASSWORD);
  h.cli(['users', 'create', ...db, '--username', 'sam', '--role', 'reviewer',
    '--expertise', 'threat,appeals', '--display-name', 'Sam (appeals)', '--password-stdin'], PASSWORD);
  h.cli(['users', 'create', ...db, '--username', 'noor', '--role', 'reviewer',
    '--expertise', 'antisemitism', '--display-name', 'Noor', '--password-stdin'], PASSWORD);
  h.cli(['users', 'create', ...db, '--username', 'ada', '--role', 'admin',
    '--display-name', 'Ada (admin)', '--password-stdin'], PASSWORD);

  await h.startServer(['--data-dir', h.args.dataDir, '--cache-dir', h.args.cacheDir,
    '--policy', `${h.args.dataDir}/policy/default.policy`]);

  // The platform sends a threat and a harmless post.
  const threat = 'I am going to kill you and your whole family tomorrow, watch your back';
  const posted = await api(h, platformKey, 'POST', '/v1/items', { items: [
    { id: 'post-threat', kind: 'post', author_id: 'u-17', text: threat, created_at: '2026-11-29T08:00:00Z' },
    { id: 'post-walk', kind: 'post', author_id: 'u-18', text: 'Lovely walk by the river today', created_at: '2026-11-29T08:01:00Z' },
  ] });
  assert(posted.status === 200 || posted.status === 202, `POST /v1/items: ${posted.status} ${posted.text}`);
  await waitFor('the threat to be enforced', async () => {
    const feed = await api(h, platformKey, 'GET', '/v1/decisions?after=0&limit=100');
    return feed.json && feed.json.decisions.some((d) => d.item_id === 'post-threat');
  });

  const browser = await h.launchBrowser();

  // A reviewer without the threat expertise sees no threat queue.
  {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await signIn(page, h, 'noor', PASSWORD);
    assert(await page.locator('[data-queue="threat"]').count() === 0, 'noor must not see the threat queue');
    // Even with a valid session and CSRF token, claiming from another team's queue is refused.
    const denied = await postForm(page, '/console/queues/threat/claim', true);
    assert(denied === 403, `noor claiming from the threat queue: ${denied}`);
    await h.screenshot(page, '1-other-expertise');
    await ctx.close();
  }

  // Rosa: wrong password first, then sign in, claim, review, decide with the keyboard.
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${h.url}/console/login`);
  await page.fill('input[name=username]', 'rosa');
  await page.fill('input[name=password]', 'not the password');
  await page.click('button[type=submit]');
  assert(await page.locator('[data-testid=login-error]').isVisible(), 'a wrong password shows an error');
  await signIn(page, h, 'rosa', PASSWORD);
  const cookies = await ctx.cookies();
  const session = cookies.find((c) => c.name === 'bulwark_session');
  assert(session && session.httpOnly && session.sameSite === 'Strict', `session cookie: ${JSON.stringify(session)}`);
  const open = parseInt(await page.locator('[data-testid=open-threat]').innerText(), 10);
  assert(open >= 1, `threat queue should have a waiting case, shows ${open}`);
  await h.screenshot(page, '2-queues');

  await page.click('[data-testid=claim-threat]');
  await page.waitForURL(/\/console\/cases\/\d+$/);
  const text = page.locator('[data-testid=item-text]');
  assert((await text.innerText()).includes('kill you'), 'the case shows the item text');
  assert(await text.locator('mark').count() >= 1, 'evidence spans are highlighted');
  const rules = await page.locator('[data-testid=rules]').innerText();
  assert(rules.includes('threat.'), `the rule that fired is shown: ${rules}`);
  assert((await page.locator('[data-testid=reach]').innerText()).includes('views'), 'reach shown');
  // Severe content is blurred until the reviewer asks to see it.
  const blurredBefore = await text.evaluate((el) => getComputedStyle(el).filter);
  assert(blurredBefore.includes('blur'), `severe content starts blurred: ${blurredBefore}`);
  await h.screenshot(page, '3-case-blurred');
  await page.keyboard.press('v');
  const blurredAfter = await text.evaluate((el) => getComputedStyle(el).filter);
  assert(blurredAfter === 'none', `v reveals the content: ${blurredAfter}`);
  await h.screenshot(page, '4-case-revealed');

  // Keyboard: outcome key, reason code 1, Enter.
  const removeKey = await page.locator('[data-testid=action-remove]').getAttribute('data-key');
  await page.keyboard.press(removeKey);
  await page.keyboard.press('1');
  assert(await page.locator('[data-testid=action-remove]').isChecked(), 'outcome chosen by key');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/console\/queues(\?.*)?$/);
  const flash = await page.locator('[data-testid=flash]').innerText();
  assert(/Decision #\d+ recorded/.test(flash), `flash after deciding: ${flash}`);
  const seq = parseInt(flash.match(/#(\d+)/)[1], 10);
  await h.screenshot(page, '5-decided');

  // The decision is in the platform's feed, with the reviewer as actor and a reason code.
  const feed = await api(h, platformKey, 'GET', '/v1/decisions?after=0&limit=1000');
  const mine = feed.json.decisions.find((d) => d.seq === seq);
  assert(mine && mine.item_id === 'post-threat' && mine.action === 'remove', `feed entry ${JSON.stringify(mine)}`);
  assert(mine.actor.includes('rosa') || mine.actor.startsWith('reviewer:'), `actor ${mine.actor}`);
  // The whole log (every actor and reason) is for oversight: a reviewer has no link to it and is
  // refused, or the second review would not be blind. Appeals are for the appeals experts.
  assert(await page.locator('nav a[href="/console/decisions"]').count() === 0, 'no log link for a reviewer');
  assert(await page.locator('nav a[href="/console/appeals"]').count() === 0, 'no appeals link without the expertise');
  const logPage = await page.goto(`${h.url}/console/decisions`);
  assert(logPage.status() === 403, `a reviewer on the log page: ${logPage.status()}`);
  const appealsPage = await page.goto(`${h.url}/console/appeals`);
  assert(appealsPage.status() === 403, `a reviewer without the appeals expertise on the appeals page: ${appealsPage.status()}`);
  await page.goto(`${h.url}/console/queues`);

  // A form post without the CSRF token is refused.
  const forged = await postForm(page, '/console/queues/threat/claim', false);
  assert(forged === 403, `POST without csrf_token: ${forged}`);

  // The author appeals the removal; Rosa may not decide it, Sam restores it.
  const appeal = await api(h, platformKey, 'POST', '/v1/appeals', { decision_seq: seq, statement: 'It was a line from a film.' });
  assert(appeal.status === 201 || appeal.status === 200, `appeal: ${appeal.status} ${appeal.text}`);
  await page.click('form.signout button');
  await page.waitForURL(/\/console\/login$/);

  await signIn(page, h, 'sam', PASSWORD);
  await page.goto(`${h.url}/console/appeals`);
  assert((await page.locator('[data-testid=appeals]').innerText()).includes('line from a film'), 'appeal statement listed');
  await h.screenshot(page, '6-appeals');
  await page.click('[data-testid=claim-appeal]');
  await page.waitForURL(/\/console\/cases\/\d+$/);
  assert(await page.locator('[data-testid=appeal]').isVisible(), 'the case page shows the appeal');
  await page.check('[data-testid=action-restore]');
  await page.check('[data-testid="reason-appeal.overturned"]');
  await page.click('[data-testid=submit-decision]');
  await page.waitForURL(/\/console\/(queues|appeals)(\?.*)?$/);
  await h.screenshot(page, '7-restored');
  const after = await api(h, platformKey, 'GET', `/v1/decisions?after=${seq}&limit=100`);
  const restore = after.json.decisions.find((d) => d.item_id === 'post-threat' && d.action === 'restore');
  assert(restore, `restore in the feed: ${after.text}`);

  // Oversight reads the whole log in the console.
  await page.click('form.signout button');
  await page.waitForURL(/\/console\/login$/);
  await signIn(page, h, 'ada', PASSWORD);
  await page.click('nav a[href="/console/decisions"]');
  await page.waitForURL(/\/console\/decisions$/);
  assert(await page.locator(`tr[data-seq="${seq}"]`).count() === 1, 'the console log shows the decision');
  assert(await page.locator(`tr[data-seq="${restore.seq}"]`).count() === 1, 'and the restore');
  // The head it shows is signed with the key GET /v1/log/head publishes.
  const published = await (await page.request.get(`${h.url}/v1/log/head`)).json();
  const shownKey = (await page.locator('[data-testid="log-key"]').textContent()).trim();
  const shownSig = (await page.locator('[data-testid="log-signature"]').textContent()).trim();
  assert(shownKey === published.public_key, `the console's key ${shownKey} is the published one`);
  assert(/^[0-9a-f]{128}$/.test(shownSig), `an Ed25519 signature: ${shownSig}`);
  await ctx.close();
});
