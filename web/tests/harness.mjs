// End-to-end harness: starts the real `suanli up` (controller + local agent) in a temp data dir, talks to
// its REST API, and drives Debian's Chromium through playwright-core. Everything it starts, it stops.
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = resolve(WEB_DIR, '..');
export const RESULTS_DIR = join(WEB_DIR, 'test-results');
export const CHROMIUM = process.env.SUANLI_CHROMIUM ?? '/usr/bin/chromium';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what, fn, { timeoutMs = 20000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (e) {
      if (e.fatal) throw e;
      last = e;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

// Starts `$SUANLI_BINARY up` on a free loopback port and returns {url, adminToken, stop()}.
export async function startSuanli() {
  const binary = process.env.SUANLI_BINARY;
  if (!binary) throw new Error('SUANLI_BINARY is not set: point it at the built suanli binary (make test does)');
  if (!existsSync(binary)) throw new Error(`SUANLI_BINARY=${binary} does not exist: build it first (cmake --build build --target suanli)`);
  const dist = join(WEB_DIR, 'dist', 'index.html');
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run "npm run build" (scripts/build-web.sh) first`);

  const dataDir = mkdtempSync(join(tmpdir(), 'suanli-web-e2e-'));
  const args = ['up', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--accelerators', 'nvidia-a100:2'];
  // Pass the dashboard directory explicitly when the binary has a flag for it; SUANLI_SOURCE_DIR covers the rest.
  if (process.env.SUANLI_E2E_SPLIT !== '1') try {
    const help = execFileSync(binary, ['up', '--help'], { encoding: 'utf8', timeout: 10000, stdio: ['ignore', 'pipe', 'pipe'] });
    if (help.includes('--web-dir')) args.push('--web-dir', join(WEB_DIR, 'dist'));
  } catch {
    // Older binaries print help to stderr or exit non-zero; the env var below still tells it where web/ is.
  }
  const log = createWriteStream(join(dataDir, 'suanli-up.log'));
  const env = { ...process.env, SUANLI_SOURCE_DIR: REPO_DIR };
  const children = [];
  const launch = (argv) => {
    const child = spawn(binary, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    const entry = { child, argv, exited: null };
    child.on('exit', (code, signal) => (entry.exited = { code, signal }));
    children.push(entry);
    return entry;
  };
  // SUANLI_E2E_SPLIT=1 (development only) runs `suanli server` + `suanli agent` instead of `suanli up`.
  const split = process.env.SUANLI_E2E_SPLIT === '1';
  if (split) {
    launch(['server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--web-dir', join(WEB_DIR, 'dist')]);
  } else if (process.env.SUANLI_E2E_AGENT_CMD) {
    launch([...args, '--no-agent']);
  } else {
    launch(args);
  }
  const firstExit = () => children.find((c) => c.exited !== null) ?? null;
  const fatal = (message) => Object.assign(new Error(message), { fatal: true });
  // SIGTERM everything started (agent first), wait up to 10 s each, then SIGKILL what is left.
  const stop = async () => {
    const results = [];
    for (const entry of [...children].reverse()) {
      if (entry.exited === null) {
        entry.child.kill('SIGTERM');
        const deadline = Date.now() + 10000;
        while (entry.exited === null && Date.now() < deadline) await sleep(50);
        if (entry.exited === null) {
          entry.child.kill('SIGKILL');
          await sleep(200);
          entry.exited = { code: null, signal: 'SIGKILL (did not stop on SIGTERM within 10 s)' };
        }
      }
      results.push(entry.exited);
    }
    log.end();
    const result = { ...results[results.length - 1], log: readLog() };
    rmSync(dataDir, { recursive: true, force: true });
    return result;
  };
  const readLog = () => {
    try {
      return readFileSync(join(dataDir, 'suanli-up.log'), 'utf8');
    } catch {
      return '';
    }
  };

  try {
    const url = await waitFor('DATA_DIR/url', () => {
      const gone = firstExit();
      if (gone) throw fatal(`suanli ${gone.argv[0]} exited early (${JSON.stringify(gone.exited)})`);
      const file = join(dataDir, 'url');
      return existsSync(file) && readFileSync(file, 'utf8').trim();
    });
    const adminToken = await waitFor('DATA_DIR/admin.token', () => {
      const file = join(dataDir, 'admin.token');
      return existsSync(file) && readFileSync(file, 'utf8').trim();
    });
    await waitFor(`${url}/api/v1/healthz`, async () => (await fetch(`${url}/api/v1/healthz`)).ok);
    if (process.env.SUANLI_E2E_AGENT_CMD) {
      // Development only: an agent started by a shell command (given SUANLI_URL and SUANLI_JOIN_TOKEN_FILE).
      const child = spawn('sh', ['-c', process.env.SUANLI_E2E_AGENT_CMD], {
        env: { ...env, SUANLI_URL: url, SUANLI_JOIN_TOKEN_FILE: join(dataDir, 'join.token') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.pipe(log, { end: false });
      child.stderr.pipe(log, { end: false });
      const entry = { child, argv: ['agent-cmd'], exited: null };
      child.on('exit', (code, signal) => (entry.exited = { code, signal }));
      children.push(entry);
    }
    if (split) {
      const joinToken = join(dataDir, 'join.token');
      await waitFor('DATA_DIR/join.token', () => existsSync(joinToken));
      launch(['agent', '--url', url, '--join-token-file', joinToken, '--name', 'e2e-node', '--accelerators', 'nvidia-a100:2', '--work-dir', join(dataDir, 'agent-work'), '--allow-root']);
    }
    // The agent registers asynchronously: wait until its node and devices are visible.
    const nodes = await waitFor('a registered node with 2 accelerators', async () => {
      const gone = firstExit();
      if (gone) throw fatal(`suanli ${gone.argv[0]} exited early (${JSON.stringify(gone.exited)})`);
      const r = await fetch(`${url}/api/v1/nodes`, { headers: { Authorization: `Bearer ${adminToken}` } });
      if (!r.ok) return false;
      const body = await r.json();
      return body.nodes?.some((n) => n.state === 'UP' && (n.devices ?? []).length >= 2) && body.nodes;
    });
    return { url: url.replace(/\/$/, ''), adminToken, dataDir, stop, log: readLog, nodes };
  } catch (e) {
    const result = await stop();
    throw new Error(`${e.message}\n--- suanli up log ---\n${result.log}`);
  }
}

// A minimal REST client for setting the scene (tenants, users, tokens, jobs).
export function apiClient(baseUrl, token) {
  const call = async (method, path, body) => {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
    return json ?? text;
  };
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body ?? {}),
    status: async (method, path) => (await fetch(`${baseUrl}/api/v1${path}`, { method, headers: { Authorization: `Bearer ${token}` } })).status,
  };
}

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium package (apt-get install chromium)`);
  // launch() gives every run a fresh temporary user-data dir and removes it on close.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
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

export function ensureResultsDir() {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return RESULTS_DIR;
}
