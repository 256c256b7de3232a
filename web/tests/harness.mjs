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
  try {
    const help = execFileSync(binary, ['up', '--help'], { encoding: 'utf8', timeout: 10000, stdio: ['ignore', 'pipe', 'pipe'] });
    if (help.includes('--web-dir')) args.push('--web-dir', join(WEB_DIR, 'dist'));
  } catch {
    // Older binaries print help to stderr or exit non-zero; the env var below still tells it where web/ is.
  }
  const log = createWriteStream(join(dataDir, 'suanli-up.log'));
  const child = spawn(binary, args, {
    env: { ...process.env, SUANLI_SOURCE_DIR: REPO_DIR },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));

  const stop = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      const deadline = Date.now() + 10000;
      while (exited === null && Date.now() < deadline) await sleep(50);
      if (exited === null) {
        child.kill('SIGKILL');
        await sleep(200);
        exited = { code: null, signal: 'SIGKILL (did not stop on SIGTERM within 10 s)' };
      }
    }
    log.end();
    const result = { ...exited, log: readLog() };
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
      if (exited !== null) throw new Error(`suanli up exited early (${JSON.stringify(exited)}):\n${readLog()}`);
      const file = join(dataDir, 'url');
      return existsSync(file) && readFileSync(file, 'utf8').trim();
    });
    const adminToken = await waitFor('DATA_DIR/admin.token', () => {
      const file = join(dataDir, 'admin.token');
      return existsSync(file) && readFileSync(file, 'utf8').trim();
    });
    await waitFor(`${url}/api/v1/healthz`, async () => (await fetch(`${url}/api/v1/healthz`)).ok);
    return { url: url.replace(/\/$/, ''), adminToken, dataDir, stop, log: readLog, exited: () => exited };
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
