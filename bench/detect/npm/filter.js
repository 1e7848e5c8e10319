// The popular-alternative baseline: the `obscenity` npm profanity filter (English preset) over
// the same JSONL posts file that scan_bench and `bulwark scan` read. Prints posts/s on one
// thread (Node runs this on one core), the matched-post count (so the work is checked) and peak
// RSS. Usage: node filter.js POSTS.jsonl [TOTAL] (TOTAL scans cycle through the file's posts,
// as scan_bench cycles through its pool).
'use strict';
const fs = require('fs');
const readline = require('readline');
const {
  RegExpMatcher,
  englishDataset,
  englishRecommendedTransformers,
} = require('obscenity');

function obscenityVersion() {
  try {
    const p = require.resolve('obscenity').split('node_modules')[0] + 'node_modules/obscenity/package.json';
    return JSON.parse(fs.readFileSync(p, 'utf8')).version;
  } catch (e) {
    return 'unknown';
  }
}

async function main() {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node filter.js POSTS.jsonl');
    process.exit(2);
  }
  const matcher = new RegExpMatcher({
    ...englishDataset.build(),
    ...englishRecommendedTransformers,
  });
  // Read every post first so that only the filter is timed (as scan_bench times the detector).
  const texts = [];
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line) continue;
    texts.push(JSON.parse(line).text);
  }
  const total = process.argv[3] ? parseInt(process.argv[3], 10) : texts.length;
  const start = process.hrtime.bigint();
  let matched = 0;
  for (let i = 0; i < total; i++) {
    if (matcher.hasMatch(texts[i % texts.length])) matched++;
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({
    baseline: 'npm obscenity ' + obscenityVersion(),
    posts: total,
    distinct_posts: texts.length,
    matched,
    seconds: +secs.toFixed(3),
    posts_per_s: Math.round(total / secs),
    peak_rss_mb: Math.round(rssMb),
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
