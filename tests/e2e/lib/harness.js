// Shared harness for the browser end-to-end tests (run by CTest, see CMakeLists.txt).
//
// Each test gets a fresh temporary directory with its own SQLite database, runs the real
// `bulwark` binary (CLI commands to prepare data, `bulwark serve` on 127.0.0.1 with a port the
// kernel picks), and drives Debian's Chromium (/usr/bin/chromium) through playwright-core.
// Everything is bounded: a test that has not finished after `deadlineMs` kills the server and
// the browser and fails.
'use strict';

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CHROMIUM = process.env.BULWARK_CHROMIUM || '/usr/bin/chromium';

function parseArgs(argv) {
  const args = { bulwark: '', artifacts: '', dataDir: '', cacheDir: '' };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in args)) throw new Error(`unknown argument ${argv[i]}`);
    args[key] = argv[i + 1];
  }
  if (!args.bulwark) throw new Error('--bulwark PATH is required');
  return args;
}

function requirePlaywright() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: run scripts/setup.sh (installs Debian's chromium)`);
  }
  try {
    return require('playwright-core');
  } catch (e) {
    throw new Error('playwright-core missing: run scripts/setup.sh (npm ci in tests/e2e)');
  }
}

class Harness {
  constructor(args, name) {
    this.args = args;
    this.name = name;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `bulwark-e2e-${name}-`));
    this.db = `sqlite:${path.join(this.dir, 'bulwark.db')}`;
    this.artifacts = path.resolve(args.artifacts || path.join(this.dir, 'artifacts'));
    fs.mkdirSync(this.artifacts, { recursive: true });
    this.server = null;
    this.browser = null;
    this.url = '';
  }

  // Runs a bulwark CLI command synchronously; returns stdout. Throws with stderr on failure.
  cli(argv, input) {
    try {
      return execFileSync(this.args.bulwark, argv, {
        input, encoding: 'utf8', timeout: 120000, stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (e) {
      throw new Error(`bulwark ${argv.join(' ')} failed: ${e.stderr || e.message}`);
    }
  }

  // Starts `bulwark serve` on this test's database; resolves once it listens.
  async startServer(extra = []) {
    const portFile = path.join(this.dir, 'port');
    // Plain HTTP on loopback: the cookies lose Secure and the __Host- prefix.
    const argv = ['serve', '--db', this.db, '--address', '127.0.0.1', '--port', '0',
      '--port-file', portFile, '--insecure-http', ...extra];
    const log = fs.openSync(path.join(this.artifacts, `${this.name}.server.log`), 'w');
    this.server = spawn(this.args.bulwark, argv, { stdio: ['ignore', log, log] });
    const started = Date.now();
    while (!fs.existsSync(portFile)) {
      if (this.server.exitCode !== null) throw new Error(`server exited: see ${this.name}.server.log`);
      if (Date.now() - started > 60000) throw new Error('server did not start within 60 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const port = parseInt(fs.readFileSync(portFile, 'utf8'), 10);
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async launchBrowser() {
    const { chromium } = requirePlaywright();
    // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start. The rest keep the
    // browser off the network and quiet (nothing may download at test time).
    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
    });
    return this.browser;
  }

  async screenshot(page, label) {
    const file = path.join(this.artifacts, `${this.name}-${label}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  }

  async close() {
    if (this.browser) await this.browser.close().catch(() => {});
    if (this.server && this.server.exitCode === null) {
      this.server.kill('SIGTERM');
      await new Promise((r) => {
        const t = setTimeout(() => { this.server.kill('SIGKILL'); r(); }, 10000);
        this.server.on('exit', () => { clearTimeout(t); r(); });
      });
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// Runs `body(harness)` with a deadline; exits 0 on success, 1 on failure (message on stderr).
function run(name, body, { deadlineMs = 180000 } = {}) {
  let harness;
  const timer = setTimeout(async () => {
    console.error(`${name}: FAILED: deadline of ${deadlineMs} ms passed`);
    if (harness) await harness.close();
    process.exit(1);
  }, deadlineMs);
  (async () => {
    harness = new Harness(parseArgs(process.argv), name);
    try {
      await body(harness);
      console.log(`${name}: passed (artifacts in ${harness.artifacts})`);
      process.exitCode = 0;
    } catch (e) {
      console.error(`${name}: FAILED: ${e.stack || e}`);
      process.exitCode = 1;
    } finally {
      clearTimeout(timer);
      await harness.close();
    }
  })();
}

function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

module.exports = { run, assert, Harness };
