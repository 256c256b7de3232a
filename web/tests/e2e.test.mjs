// The dashboard, end to end: real `suanli up` (controller + agent), real REST API, real Chromium.
// Run with `SUANLI_BINARY=/abs/path/to/suanli npm test` (the root Makefile's `make test` does).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { apiClient, ensureResultsDir, launchBrowser, startSuanli, waitFor, WEB_DIR } from './harness.mjs';

const VIEWPORT = { width: 1440, height: 900 }; // a laptop screen
const metrics = {};
let server;
let browser;
let admin;
let alice; // member of tenant "physics"
let bob; // member of tenant "chemistry"
let carol; // another member of "physics"
const pageErrors = [];
const results = ensureResultsDir();

async function newPage(token) {
  const context = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true });
  context.setDefaultTimeout(15000);
  if (token) await context.addInitScript((t) => sessionStorage.setItem('suanli.token', t), token);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  return page;
}

async function shot(page, name) {
  await page.waitForTimeout(400); // let chart animations settle
  await page.screenshot({ path: join(results, `${name}.png`), fullPage: true });
}

async function waitJobState(api, id, states, timeoutMs = 30000) {
  let last = null;
  try {
    return await waitFor(`job ${id} in ${states}`, async () => {
      last = await api.get(`/jobs/${id}`);
      return states.includes(last.state) && last;
    }, { timeoutMs, intervalMs: 200 });
  } catch (e) {
    const active = await admin.get('/jobs?state=PENDING,STARTING,RUNNING').catch(() => ({ jobs: [] }));
    const others = active.jobs.map((j) => `#${j.id} ${j.state} ${j.resources?.gpus ?? 0} gpu`).join(', ');
    throw new Error(`${e.message}; it is ${last?.state} (${last?.reason ?? 'no reason'}); active jobs: ${others}`);
  }
}

describe('suanli dashboard (real server, real agent, real browser)', { timeout: 180000 }, () => {
  // A setup failure is reported by every test (so the summary counts failures, not cancellations).
  let setupError = null;
  let setupReported = false;
  const ready = () => {
    if (!setupError) return;
    if (setupReported) throw new Error('setup failed (see the first failing test for the server log)');
    setupReported = true;
    throw setupError;
  };
  before(async () => {
    try {
      await setup();
    } catch (e) {
      setupError = e;
    }
  });
  async function setup() {
    server = await startSuanli();
    admin = apiClient(server.url, server.adminToken);
    await admin.post('/tenants', { name: 'physics', parent: 'root', weight: 2, quota: { 'nvidia-a100': 1 }, budget_accel_hours: 10 });
    await admin.post('/tenants', { name: 'chemistry', parent: 'root', weight: 1, quota: { 'nvidia-a100': 1 } });
    await admin.post('/users', { name: 'alice', tenant: 'physics', role: 'member' });
    await admin.post('/users', { name: 'bob', tenant: 'chemistry', role: 'member' });
    await admin.post('/users', { name: 'carol', tenant: 'physics', role: 'member' });
    const aliceToken = (await admin.post('/tokens', { user: 'alice' })).token;
    alice = { ...apiClient(server.url, aliceToken), token: aliceToken };
    bob = apiClient(server.url, (await admin.post('/tokens', { user: 'bob' })).token);
    carol = apiClient(server.url, (await admin.post('/tokens', { user: 'carol' })).token);
    browser = await launchBrowser();
  }

  after(async () => {
    await browser?.close().catch(() => {});
    if (server) {
      const stopped = await server.stop();
      metrics.server_exit = { code: stopped.code, signal: stopped.signal };
    }
    writeFileSync(join(results, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
    console.log(`dashboard metrics: ${JSON.stringify(metrics)}`);
  });

  test('the controller serves the built dashboard at /', async () => {
    ready();
    const response = await fetch(`${server.url}/`);
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.match(html, /<title>Suanli/);
    const script = /src="\.?\/?(assets\/index-[^"]+\.js)"/.exec(html);
    assert.ok(script, 'index.html references the entry script');
    const asset = await fetch(`${server.url}/${script[1]}`);
    assert.equal(asset.status, 200, `entry script ${script[1]} is served`);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
  });

  test('login with a token, bad tokens are refused, first view is fast', async () => {
    ready();
    const page = await newPage();
    await page.goto(`${server.url}/`);
    await page.waitForSelector('#login-form');
    await shot(page, 'login');
    await page.fill('#token', 'sl_not-a-real-token');
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('.login-status.error-text');
    assert.match(await page.textContent('.login-status'), /not valid/);

    await page.fill('#token', server.adminToken);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('body[data-view=overview]');
    assert.equal(await page.textContent('#whoami-user'), 'admin');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('suanli.token')), server.adminToken);

    // First view: a fresh navigation (token already in the session) until the overview's numbers render.
    const times = [];
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      await page.goto(`${server.url}/#/`, { waitUntil: 'commit' });
      await page.reload({ waitUntil: 'commit' });
      await page.waitForSelector('body[data-view=overview] #accel-cards .stat');
      const wall = Date.now() - started;
      const mark = await page.evaluate(() => performance.getEntriesByName('suanli-first-render')[0]?.startTime ?? null);
      times.push({ wall_ms: wall, first_render_ms: mark === null ? null : Math.round(mark) });
    }
    metrics.first_view = times;
    const best = Math.min(...times.map((t) => t.first_render_ms ?? Infinity));
    metrics.first_view_ms = best;
    console.log(`first view (navigation start → overview rendered): ${times.map((t) => `${t.first_render_ms} ms`).join(', ')}`);
    assert.ok(Number.isFinite(best), 'the first-render mark was recorded');

    const card = page.locator('.stat[data-type="nvidia-a100"]');
    await waitFor('overview shows 2 × nvidia-a100', async () => /\/ 2 allocated/.test(await card.textContent()));

    await page.click('#logout');
    await page.waitForSelector('#login-form');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('suanli.token')), null);
    await page.context().close();
  });

  test('a job goes RUNNING → COMPLETED in the queue view and its logs are shown', async () => {
    ready();
    const job = await alice.post('/jobs', {
      name: 'hello-e2e',
      command: ['sh', '-c', 'echo hello-from-suanli; sleep 4; echo second-line; echo to-stderr 1>&2'],
      cpus: 0.5,
      mem_mb: 256,
      gpus: 1,
      gpu_type: 'nvidia-a100',
      time_limit_s: 120,
    });
    const page = await newPage(server.adminToken);
    await page.goto(`${server.url}/#/queue?state=PENDING,STARTING,RUNNING,COMPLETED,FAILED`);
    const row = page.locator(`tr[data-job-id="${job.id}"]`);
    await row.waitFor();
    await page.waitForSelector(`tr[data-job-id="${job.id}"][data-job-state="RUNNING"]`, { timeout: 20000 });
    assert.match(await row.textContent(), /hello-e2e/);
    assert.match(await row.textContent(), /physics/);
    await shot(page, 'queue');
    await page.waitForSelector(`tr[data-job-id="${job.id}"][data-job-state="COMPLETED"]`, { timeout: 30000 });

    // Filters: by user (bob has no such job) and by state (COMPLETED hidden when only PENDING is chosen).
    await page.fill('#filter-user', 'bob');
    await page.waitForSelector(`tr[data-job-id="${job.id}"]`, { state: 'detached' });
    await page.fill('#filter-user', 'alice');
    await row.waitFor();

    await row.locator('a.job-link').click();
    await page.waitForSelector('body[data-view=job]');
    await page.waitForFunction(() => document.querySelector('#job-logs')?.textContent?.includes('second-line'));
    const logs = await page.textContent('#job-logs');
    assert.match(logs, /hello-from-suanli\nsecond-line/);
    assert.doesNotMatch(logs, /to-stderr/, 'stdout view shows only stdout');
    await page.selectOption('#log-stream', 'stderr');
    await page.waitForFunction(() => document.querySelector('#job-logs')?.textContent?.includes('to-stderr'));
    await page.selectOption('#log-stream', 'stdout');
    await page.waitForFunction(() => document.querySelector('#job-logs')?.textContent?.includes('second-line'));
    const timeline = await page.locator('#timeline-list li').evaluateAll((items) => items.map((li) => li.getAttribute('data-state')));
    assert.ok(timeline.includes('RUNNING') && timeline.at(-1) === 'COMPLETED', `timeline ${timeline}`);
    assert.equal(await page.getAttribute('#job-state .badge', 'data-state'), 'COMPLETED');
    assert.equal(await page.locator('#cancel-job').count(), 0, 'no cancel button on a finished job');
    await page.waitForSelector('[data-log-state=complete]');
    await shot(page, 'job');
    await page.context().close();
  });

  test("a member cancels her own long-running job from the job page, but not a teammate's", async () => {
    ready();
    const job = await alice.post('/jobs', { name: 'long-sleep', command: ['sleep', '300'], cpus: 0.5, mem_mb: 128, gpus: 1, gpu_type: 'nvidia-a100', time_limit_s: 600 });
    await waitJobState(alice, job.id, ['RUNNING']);
    const page = await newPage(alice.token);
    await page.goto(`${server.url}/#/jobs/${job.id}`);
    await page.waitForSelector('#cancel-job');
    assert.equal(await page.getAttribute('#job-state .badge', 'data-state'), 'RUNNING');
    await page.click('#cancel-job');
    await page.click('#confirm-cancel');
    await page.waitForSelector('#job-state .badge[data-state="CANCELLED"]', { timeout: 20000 });
    const cancelled = await waitJobState(alice, job.id, ['CANCELLED']);
    assert.equal(cancelled.state, 'CANCELLED');
    await shot(page, 'job-cancelled');

    // A member may see a teammate's job but not cancel it: the API refuses and the page says so.
    const other = await carol.post('/jobs', { name: 'carols-job', command: ['sleep', '300'], cpus: 0.5, mem_mb: 128, gpus: 0, time_limit_s: 600 });
    try {
      await page.goto(`${server.url}/#/jobs/${other.id}`);
      await page.waitForSelector('#cancel-job');
      await page.click('#cancel-job');
      await page.click('#confirm-cancel');
      await page.waitForFunction(() => /Cannot cancel/.test(document.querySelector('.actions')?.textContent ?? ''));
      const still = await carol.get(`/jobs/${other.id}`);
      assert.ok(['PENDING', 'STARTING', 'RUNNING'].includes(still.state), `carol's job is ${still.state}`);
    } finally {
      await admin.post(`/jobs/${other.id}/cancel`).catch(() => {});
    }
    await page.context().close();
  });

  test("a member of tenant A never sees tenant B's jobs", async () => {
    ready();
    const secret = await bob.post('/jobs', { name: 'chemistry-secret', command: ['sleep', '300'], cpus: 0.5, mem_mb: 128, gpus: 0, time_limit_s: 600 });
    const visible = await alice.post('/jobs', { name: 'physics-visible', command: ['sleep', '300'], cpus: 0.5, mem_mb: 128, gpus: 0, time_limit_s: 600 });
    try {
      await waitJobState(admin, secret.id, ['RUNNING', 'PENDING']);
      // Control: the admin sees both, so the member-side checks below can really fail.
      const adminPage = await newPage(server.adminToken);
      await adminPage.goto(`${server.url}/#/queue`);
      await adminPage.waitForSelector(`tr[data-job-id="${secret.id}"]`);
      await adminPage.waitForSelector(`tr[data-job-id="${visible.id}"]`);
      await adminPage.context().close();

      const page = await newPage(alice.token);
      const allStates = 'PENDING,STARTING,RUNNING,COMPLETED,FAILED,CANCELLED,TIMEOUT,PREEMPTED,LOST,OUT_OF_MEMORY';
      await page.goto(`${server.url}/#/queue?state=${allStates}`);
      await page.waitForSelector(`tr[data-job-id="${visible.id}"]`);
      const queueText = await page.textContent('#queue-table');
      assert.doesNotMatch(queueText, /chemistry/);
      assert.doesNotMatch(queueText, /\bbob\b/);
      assert.equal(await page.locator(`tr[data-job-id="${secret.id}"]`).count(), 0);
      // Asking for tenant B explicitly shows nothing of it either.
      await page.fill('#filter-tenant', 'chemistry');
      await page.waitForSelector(`tr[data-job-id="${visible.id}"]`, { state: 'detached' });
      assert.equal(await page.locator(`tr[data-job-id="${secret.id}"]`).count(), 0);
      await shot(page, 'member-queue');

      await page.goto(`${server.url}/#/jobs/${secret.id}`);
      await page.waitForSelector('#job-not-found');
      assert.doesNotMatch(await page.textContent('main'), /chemistry-secret/);

      await page.goto(`${server.url}/#/`);
      await page.waitForSelector('body[data-view=overview] #accel-cards');
      await page.waitForFunction(() => document.body.textContent.includes('physics'));
      assert.doesNotMatch(await page.textContent('main'), /chemistry/);

      await page.goto(`${server.url}/#/nodes`);
      await page.waitForSelector('[data-node]');
      const nodeJobs = await page.locator('.node-jobs a.job-link').allTextContents();
      assert.ok(!nodeJobs.includes(`#${secret.id}`), `nodes view leaks job ${secret.id}: ${nodeJobs}`);

      await page.goto(`${server.url}/#/usage`);
      await page.waitForSelector('#usage-table table');
      assert.doesNotMatch(await page.textContent('#usage-table'), /chemistry/);
      await page.context().close();
    } finally {
      await admin.post(`/jobs/${secret.id}/cancel`).catch(() => {});
      await admin.post(`/jobs/${visible.id}/cancel`).catch(() => {});
    }
  });

  test('every view renders for an admin (screenshots in test-results/)', async () => {
    ready();
    // A job that fails shows up among the overview's recent failures, with its exit code on its page.
    const failing = await alice.post('/jobs', { name: 'fails-on-purpose', command: ['sh', '-c', 'echo boom >&2; exit 3'], cpus: 0.5, mem_mb: 128, gpus: 0, time_limit_s: 60 });
    await waitJobState(alice, failing.id, ['FAILED']);
    const page = await newPage(server.adminToken);
    await page.goto(`${server.url}/#/`);
    await page.waitForSelector('body[data-view=overview] #accel-cards .stat');
    await page.waitForSelector('#util-chart canvas');
    await page.waitForSelector(`#recent-failures a[href="#/jobs/${failing.id}"]`);
    assert.match(await page.textContent('#recent-failures'), /fails-on-purpose/);
    await shot(page, 'overview');
    await page.click(`#recent-failures a[href="#/jobs/${failing.id}"]`);
    await page.waitForSelector('#job-state .badge[data-state="FAILED"]');
    assert.match(await page.textContent('#job-details'), /code 3/);

    // A job that holds both devices and one that must wait: the waiting one shows why and when it may start.
    const big = await alice.post('/jobs', { name: 'holds-both', command: ['sleep', '120'], cpus: 0.5, mem_mb: 128, gpus: 2, gpu_type: 'nvidia-a100', time_limit_s: 300, preemptible: false });
    let waiting = null;
    try {
      await waitJobState(admin, big.id, ['RUNNING']);
      waiting = await alice.post('/jobs', { name: 'waits-for-gpus', command: ['sleep', '60'], cpus: 0.5, mem_mb: 128, gpus: 1, gpu_type: 'nvidia-a100', time_limit_s: 300 });
      await page.goto(`${server.url}/#/queue`);
      const pendingRow = page.locator(`tr[data-job-id="${waiting.id}"][data-job-state="PENDING"]`);
      await pendingRow.waitFor();
      await page.waitForSelector(`tr[data-job-id="${big.id}"][data-job-state="RUNNING"]`);
      const reason = (await pendingRow.locator('.reason').textContent()).trim();
      assert.ok(reason.length > 0, 'a pending job shows its reason');
      assert.match(await pendingRow.locator('.est-start').textContent(), /^est\. start /);
      await shot(page, 'queue-pending');
    } finally {
      if (waiting) await admin.post(`/jobs/${waiting.id}/cancel`).catch(() => {});
      await admin.post(`/jobs/${big.id}/cancel`).catch(() => {});
    }

    await page.goto(`${server.url}/#/nodes`);
    await page.waitForSelector('[data-node] table');
    const nodeText = await page.textContent('#node-list');
    assert.match(nodeText, /nvidia-a100/);
    assert.equal(await page.locator('[data-node] tbody tr').count(), 2, 'the agent declared 2 devices');
    await shot(page, 'nodes');

    await page.goto(`${server.url}/#/tenants`);
    await page.waitForSelector('tr[data-tenant="physics"]');
    await page.waitForSelector('tr[data-tenant="chemistry"]');
    // Children are listed under their parent, in name order.
    const order = await page.locator('tr[data-tenant]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tenant')));
    assert.deepEqual(order, ['root', 'chemistry', 'physics']);
    assert.match(await page.textContent('tr[data-tenant="physics"]'), /\/ 10 h this month/);
    await page.waitForSelector('#tenant-quota-chart canvas');
    await shot(page, 'tenants');

    await page.goto(`${server.url}/#/usage?by=user`);
    await page.waitForSelector('#usage-table table');
    await page.waitForFunction(() => document.querySelector('#usage-table')?.textContent?.includes('alice'));
    await page.waitForSelector('#usage-hours-chart canvas');
    await shot(page, 'usage');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#usage-export')]);
    const csv = readFileSync(await download.path(), 'utf8');
    assert.match(download.suggestedFilename(), /^suanli-usage-by-user-.*\.csv$/);
    assert.match(csv, /alice/, `CSV export has alice's usage:\n${csv}`);

    await page.goto(`${server.url}/#/sim`);
    await page.waitForSelector('body[data-view=sim]');
    await page.setInputFiles('#sim-file', join(WEB_DIR, 'tests', 'fixtures', 'sim-result.json'));
    await page.waitForSelector('#sim-table tbody tr[data-policy="backfill"]');
    assert.equal(await page.locator('#sim-table tbody tr').count(), 3);
    // Best p99 JCT is backfill's 16000 s = 4h 26m; best fairness is drf's 0.910.
    const best = await page.locator('#sim-table td.best').allTextContents();
    assert.ok(best.includes('4h 26m') && best.includes('0.910'), `best cells: ${best}`);
    await page.waitForSelector('#sim-timeline-chart canvas');
    await page.waitForSelector('#sim-tenant-chart canvas');
    await shot(page, 'sim');
    // A result of another protocol (fragmentation) still compares its per-policy numbers.
    await page.setInputFiles('#sim-file', join(WEB_DIR, 'tests', 'fixtures', 'sim-fragmentation.json'));
    await page.waitForSelector('#sim-table tbody tr[data-policy="fgd"]');
    assert.equal(await page.locator('#sim-table td.best').first().textContent(), '92.5');
    await page.waitForSelector('#sim-metric-chart canvas');
    await page.selectOption('#sim-metric', 'alloc_pct_min');
    await page.context().close();
  });

  test('bundle sizes stay small (entry chunk without ECharts)', () => {
    ready();
    const assets = join(WEB_DIR, 'dist', 'assets');
    const files = readdirSync(assets).map((name) => {
      const data = readFileSync(join(assets, name));
      return { name, bytes: statSync(join(assets, name)).size, gzip: gzipSync(data).length };
    });
    metrics.bundle = files.sort((a, b) => b.bytes - a.bytes);
    const entry = files.find((f) => /^index-.*\.js$/.test(f.name));
    assert.ok(entry, 'entry chunk exists');
    metrics.entry_js_gzip = entry.gzip;
    metrics.total_js_gzip = files.filter((f) => f.name.endsWith('.js')).reduce((s, f) => s + f.gzip, 0);
    console.log(`bundle: ${files.map((f) => `${f.name} ${(f.bytes / 1024).toFixed(1)} KiB (${(f.gzip / 1024).toFixed(1)} KiB gz)`).join('; ')}`);
    assert.ok(entry.gzip < 20 * 1024, `entry chunk is ${entry.gzip} bytes gzipped; ECharts must stay in a lazy chunk`);
    assert.ok(!readFileSync(join(assets, entry.name), 'utf8').includes('zrender'), 'entry chunk must not include ECharts/zrender');
  });

  test('no uncaught errors in any page', () => {
    ready();
    assert.deepEqual(pageErrors, []);
  });
});
