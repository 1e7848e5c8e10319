// Compatibility test: the published Perspective API clients, pointed at `bulwark serve` on
// loopback, analyze comments and get Perspective's response and error shapes back.
//
//   perspective-api-client 3.1.0   hard-codes Perspective's URL; it posts through axios, so the
//                                  test points it here with an axios request interceptor on the
//                                  client's own axios (docs/perspective.md, "Migrating").
//   googleapis 50.0.0              google.commentanalyzer('v1alpha1') with its rootUrl option
//                                  (the last googleapis major that carried commentanalyzer).
//
// Also checked on the raw route: doNotStore (the comment is in neither the database nor the
// server's log afterwards) and that the API key sent as ?key= is never logged.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { run, assert } = require('../../e2e/lib/harness');

function requireClients() {
  try {
    const Perspective = require('perspective-api-client');
    const axios = require(require.resolve('axios', {
      paths: [path.dirname(require.resolve('perspective-api-client'))],
    }));
    const { google } = require('googleapis');
    return { Perspective, axios, google };
  } catch (e) {
    throw new Error(`Perspective clients missing (${e.message}): run scripts/setup.sh ` +
      '(npm ci in tests/perspective/clients)');
  }
}

const PERSPECTIVE_URL = 'https://commentanalyzer.googleapis.com';
const ALL = ['TOXICITY', 'SEVERE_TOXICITY', 'IDENTITY_ATTACK', 'INSULT', 'PROFANITY', 'THREAT'];

function checkScores(data, attributes, label) {
  assert(data && typeof data.attributeScores === 'object', `${label}: attributeScores missing`);
  for (const a of attributes) {
    const s = data.attributeScores[a];
    assert(s && s.summaryScore, `${label}: ${a} missing in ${JSON.stringify(data)}`);
    assert(s.summaryScore.type === 'PROBABILITY', `${label}: ${a} type ${s.summaryScore.type}`);
    const v = s.summaryScore.value;
    assert(typeof v === 'number' && v >= 0 && v <= 1, `${label}: ${a} value ${v}`);
  }
  assert(Array.isArray(data.languages), `${label}: languages`);
  assert(Array.isArray(data.detectedLanguages), `${label}: detectedLanguages`);
}

// Every file under `dir` (the server's database, WAL and key files), as one buffer.
function filesUnder(dir) {
  const out = [];
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = fs.statSync(p);
    if (st.isDirectory()) out.push(filesUnder(p));
    else out.push(fs.readFileSync(p));
  }
  return Buffer.concat(out);
}

run('perspective-clients', async (h) => {
  const { Perspective, axios, google } = requireClients();
  const key = h.cli(['keys', '--db', h.db, 'create', '--name', 'perspective-clients',
    '--role', 'platform']).trim().split(/\s+/).pop();
  assert(key.length > 10, `no key from keys create: ${key}`);
  const base = await h.startServer(['--no-enforce', '--data-dir', h.args.dataDir,
    '--cache-dir', h.args.cacheDir]);

  // 1. perspective-api-client, as its README shows it used.
  axios.interceptors.request.use((config) => {
    if (config.url.startsWith(PERSPECTIVE_URL)) config.url = base + config.url.slice(PERSPECTIVE_URL.length);
    return config;
  });
  const perspective = new Perspective({ apiKey: key });
  let data = await perspective.analyze('You are a pathetic idiot and I will hurt you.', {
    attributes: ALL,
  });
  checkScores(data, ALL, 'perspective-api-client');
  const calm = await perspective.analyze('Thanks for the recipe, the cake turned out great.', {
    attributes: ['toxicity', 'threat'],
  });
  checkScores(calm, ['TOXICITY', 'THREAT'], 'perspective-api-client (calm)');
  assert(data.attributeScores.TOXICITY.summaryScore.value >
    calm.attributeScores.TOXICITY.summaryScore.value + 0.2,
  `toxicity of an insult and threat ${data.attributeScores.TOXICITY.summaryScore.value} vs ` +
    `a thank-you ${calm.attributeScores.TOXICITY.summaryScore.value}`);
  // Its object form, with span annotations: offsets in UTF-16 code units.
  data = await perspective.analyze({
    comment: { text: '\u{1F400} Nice to see you. I will kill you.' },
    requestedAttributes: { THREAT: {} },
    spanAnnotations: true,
  });
  const spans = data.attributeScores.THREAT.spanScores;
  assert(Array.isArray(spans) && spans.length === 2, `spans ${JSON.stringify(spans)}`);
  const text = '\u{1F400} Nice to see you. I will kill you.';
  assert(text.slice(spans[1].begin, spans[1].end) === 'I will kill you.',
    `span [${spans[1].begin}, ${spans[1].end}) is "${text.slice(spans[1].begin, spans[1].end)}"`);
  // Errors reach the client as its ResponseError with Perspective's message.
  let failed = null;
  try {
    await perspective.analyze('hello there', { attributes: ['SEXUALLY_EXPLICIT'] });
  } catch (e) {
    failed = e;
  }
  assert(failed && failed.name === 'ResponseError', `expected a ResponseError, got ${failed}`);
  assert(/does not support request languages/.test(failed.message), failed.message);
  assert(failed.response.status === 400, `status ${failed.response.status}`);
  assert(failed.response.data.error.details[0].errorType === 'LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE',
    JSON.stringify(failed.response.data));
  const wrongKey = new Perspective({ apiKey: 'not-a-key' });
  failed = null;
  try {
    await wrongKey.analyze('hello there');
  } catch (e) {
    failed = e;
  }
  assert(failed && failed.response.status === 400 && /API key not valid/.test(failed.message),
    `wrong key: ${failed && failed.message}`);

  // 2. googleapis' commentanalyzer v1alpha1 client, through its rootUrl option, given per call
  // (this version's API-wide rootUrl rewrite cuts the path by the new root's length, which only
  // works when both roots are equally long).
  const client = google.commentanalyzer({ version: 'v1alpha1', auth: key });
  const here = { rootUrl: `${base}/` };
  const res = await client.comments.analyze({
    requestBody: {
      comment: { text: 'Muslims are vermin and should be wiped out.' },
      requestedAttributes: { IDENTITY_ATTACK: {}, TOXICITY: { scoreThreshold: 0 } },
      languages: ['en'],
      doNotStore: true,
      clientToken: 'token-42',
    },
  }, here);
  assert(res.status === 200, `googleapis status ${res.status}`);
  checkScores(res.data, ['IDENTITY_ATTACK', 'TOXICITY'], 'googleapis');
  assert(res.data.clientToken === 'token-42', `clientToken ${res.data.clientToken}`);
  assert(res.data.attributeScores.IDENTITY_ATTACK.summaryScore.value > 0.5,
    `identity attack ${res.data.attributeScores.IDENTITY_ATTACK.summaryScore.value}`);
  failed = null;
  try {
    await client.comments.analyze({
      requestBody: { comment: { text: 'hello' }, requestedAttributes: { TOXICITY: {} }, languages: ['fr'] },
    }, here);
  } catch (e) {
    failed = e;
  }
  assert(failed && failed.code === 400, `googleapis error code ${failed && failed.code}`);
  assert(/does not support request languages: fr/.test(failed.message), failed.message);
  failed = null;
  try {
    await client.comments.suggestscore({ requestBody: { comment: { text: 'hello' } } }, here);
  } catch (e) {
    failed = e;
  }
  assert(failed && failed.code === 501, `suggestscore: ${failed && failed.code}`);

  // 3. The raw route: doNotStore, and neither text nor key in the server's files or log.
  const secret = `a unique comment ${Date.now()} zebra-quartz-${Math.random().toString(36).slice(2)}`;
  const raw = await fetch(`${base}/v1alpha1/comments:analyze?key=${encodeURIComponent(key)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ comment: { text: secret }, requestedAttributes: { TOXICITY: {} }, doNotStore: true }),
  });
  assert(raw.status === 200, `raw status ${raw.status}`);
  const limited = await fetch(`${base}/v1alpha1/comments:analyze`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"comment":{"text":"x"},"requestedAttributes":{"TOXICITY":{}}}',
  });
  assert(limited.status === 403, `no key: ${limited.status}`);
  // Stop the server (its files are then complete) but keep its directory for the look.
  await new Promise((resolve) => {
    h.server.on('exit', resolve);
    h.server.kill('SIGTERM');
  });
  const stored = filesUnder(h.dir);
  const log = fs.readFileSync(path.join(h.artifacts, `${h.name}.server.log`));
  assert(stored.includes(Buffer.from('perspective-clients')), 'the database check looks at the wrong files');
  assert(!stored.includes(Buffer.from(secret)), 'the comment was written to the server\'s files');
  assert(!log.includes(Buffer.from(secret)), 'the comment is in the server log');
  assert(!log.includes(Buffer.from(key)), 'the API key is in the server log');
}, { deadlineMs: 180000 });
