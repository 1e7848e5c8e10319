// The console's group pages end to end, in real headless Chromium against the real server: the
// platform sends a secret group built around hate and a harmless one; the group scan sends the
// first to the extremism queue; a reviewer with that expertise finds it in the groups list, reads
// its page (profile, the server-rendered risk chart, the blurred evidence items, its admins),
// claims the group case, restricts the group, and the recommendations check then blocks the group
// and every item of it. A reviewer without a group queue's expertise sees no groups pages.
'use strict';
const { run, assert } = require('./lib/harness');
const { PASSWORD, api, waitFor, signIn } = require('./lib/console');

run('groups', async (h) => {
  const db = ['--db', h.db];
  const platformKey = h.cli(['keys', 'create', ...db, '--name', 'e2e-platform', '--role', 'platform']).trim();
  h.cli(['users', 'create', ...db, '--username', 'ezra', '--role', 'reviewer',
    '--expertise', 'extremism', '--display-name', 'Ezra (extremism)', '--password-stdin'], PASSWORD);
  h.cli(['users', 'create', ...db, '--username', 'rosa', '--role', 'reviewer',
    '--expertise', 'threat', '--display-name', 'Rosa (threats)', '--password-stdin'], PASSWORD);

  await h.startServer(['--data-dir', h.args.dataDir, '--cache-dir', h.args.cacheDir,
    '--policy', `${h.args.dataDir}/policy/default.policy`, '--group-scan-seconds', '1']);

  const hourAgo = new Date(Date.now() - 3600 * 1000).toISOString();
  const groups = await api(h, platformKey, 'POST', '/v1/groups', { groups: [
    { id: 'g-hate', name: 'Heritage Club', description: 'For people who remember', visibility: 'secret',
      created_at: hourAgo, owner_id: 'boss', admin_ids: ['deputy'] },
    { id: 'g-walks', name: 'River Walkers', description: 'Weekend walks by the river', visibility: 'public',
      created_at: hourAgo, owner_id: 'wanda' },
  ] });
  assert(groups.status === 200, `POST /v1/groups: ${groups.status} ${groups.text}`);
  const items = [];
  for (let i = 0; i < 24; i++) {
    items.push({ id: `h${i}`, author_id: `m${i % 6}`, group_id: 'g-hate', group_visibility: 'secret',
      text: i % 2 ? 'Muslims are filthy vermin and should be driven out of this country'
        : 'Lovely evening for a walk by the river', created_at: hourAgo });
    items.push({ id: `w${i}`, author_id: `w${i % 5}`, group_id: 'g-walks', group_visibility: 'public',
      text: 'Lovely evening for a walk by the river', created_at: hourAgo });
  }
  const posted = await api(h, platformKey, 'POST', '/v1/items', { items });
  assert(posted.status === 200, `POST /v1/items: ${posted.status} ${posted.text}`);
  const review = await waitFor('the group scan to send g-hate to review', async () => {
    const feed = await api(h, platformKey, 'GET', '/v1/decisions?after=0&limit=1000');
    return feed.json && feed.json.decisions.find((d) => d.target_kind === 'group' && d.item_id === 'g-hate');
  });
  assert(review.rule_id === 'group.hate', `the group rule that matched: ${review.rule_id}`);

  const browser = await h.launchBrowser();

  // A reviewer without a group queue's expertise has no groups pages.
  {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await signIn(page, h, 'rosa', PASSWORD);
    assert(await page.locator('nav a[href="/console/groups"]').count() === 0, 'no groups link for rosa');
    const denied = await page.goto(`${h.url}/console/groups`);
    assert(denied.status() === 403, `rosa on the groups page: ${denied.status()}`);
    await ctx.close();
  }

  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, h, 'ezra', PASSWORD);
  await page.click('nav a[href="/console/groups"]');
  await page.waitForURL(/\/console\/groups$/);
  const list = await page.locator('[data-testid=groups]').innerText();
  assert(list.includes('Heritage Club') && list.includes('River Walkers'), `the groups list: ${list}`);
  await h.screenshot(page, '1-groups');

  // The group's page: profile, risk chart, shares and the evidence behind them.
  await page.click('[data-testid=group-g-hate]');
  await page.waitForURL(/\/console\/groups\/g-hate$/);
  assert((await page.locator('[data-testid=group-visibility]').innerText()).includes('secret'), 'visibility');
  const bars = await page.locator('[data-testid=risk-chart] rect.bar-flagged').count();
  assert(bars >= 1, `the risk chart draws weekly bars: ${bars}`);
  const flaggedHeight = await page.locator('[data-testid=risk-chart] rect.bar-flagged').last().getAttribute('height');
  assert(parseFloat(flaggedHeight) > 0, `this week's flagged bar has a height: ${flaggedHeight}`);
  const shares = await page.locator('[data-testid=shares]').innerText();
  assert(/hate\s+12 of 24/.test(shares), `the hate share: ${shares}`);
  const admins = await page.locator('[data-testid=admins]').innerText();
  assert(admins.includes('boss') && admins.includes('deputy'), `owner and admins: ${admins}`);
  const evidence = page.locator('[data-testid=evidence-items] blockquote').first();
  assert((await evidence.innerText()).includes('vermin'), 'the evidence items show the flagged text');
  const blurred = await evidence.evaluate((el) => getComputedStyle(el).filter);
  assert(blurred.includes('blur'), `evidence starts blurred: ${blurred}`);
  await page.keyboard.press('v');
  assert(await evidence.evaluate((el) => getComputedStyle(el).filter) === 'none', 'v reveals the evidence');
  await h.screenshot(page, '2-group-page');

  // The group case: claimed from the extremism queue, decided on the group's page.
  await page.goto(`${h.url}/console/queues`);
  await page.click('[data-testid=claim-extremism]');
  await page.waitForURL(/\/console\/cases\/\d+$/);
  assert((await page.locator('[data-testid=group-name]').innerText()).includes('Heritage Club'), 'the case is the group');
  assert((await page.locator('[data-testid=opened-by]').innerText()).includes('group.hate'), 'why it is here');
  assert(await page.locator('[data-testid=risk-chart]').count() === 1, 'the case page has the chart');
  assert(await page.locator('[data-testid=action-reduce]').count() === 0, 'a group is restricted, not reduced');
  await h.screenshot(page, '3-group-case');
  await page.check('[data-testid=action-restrict]');
  await page.check('[data-testid="reason-group.hate_share"]');
  await page.click('[data-testid=submit-decision]');
  await page.waitForURL(/\/console\/queues(\?.*)?$/);
  const flash = await page.locator('[data-testid=flash]').innerText();
  assert(/Decision #\d+ recorded/.test(flash), `flash after deciding: ${flash}`);
  await h.screenshot(page, '4-restricted');

  // The recommender is told: the group and its items are blocked, the other group is not.
  const check = await waitFor('the guard to block the group', async () => {
    const r = await api(h, platformKey, 'POST', '/v1/recommendations/check', { candidates: [
      { type: 'group', id: 'g-hate' }, { type: 'item', id: 'h2' }, { type: 'item', id: 'h3' },
      { type: 'group', id: 'g-walks' }, { type: 'item', id: 'w1' },
    ] });
    return r.json && r.json.results[0].verdict === 'block' ? r.json.results : null;
  }, 10000);
  assert(check[0].reason_code === 'group.restricted', `group: ${JSON.stringify(check[0])}`);
  assert(check[1].verdict === 'block' && check[1].reason_code === 'group.restricted', `a harmless item of the group: ${JSON.stringify(check[1])}`);
  assert(check[2].verdict === 'block', `a hateful item of the group: ${JSON.stringify(check[2])}`);
  assert(check[3].verdict === 'allow' && check[4].verdict === 'allow', `the other group: ${JSON.stringify(check.slice(3))}`);

  // The group's page shows the new state and its history.
  await page.goto(`${h.url}/console/groups/g-hate`);
  assert((await page.locator('[data-testid=group-state]').innerText()).includes('restricted'), 'state restricted');
  assert((await page.locator('[data-testid=state-history]').innerText()).includes('restricted'), 'history');
  await h.screenshot(page, '5-group-restricted');
  await ctx.close();
});
