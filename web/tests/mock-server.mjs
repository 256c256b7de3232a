#!/usr/bin/env node
// DEVELOPMENT ONLY: a small stand-in for `suanli up` that speaks the REST API of docs/api.md, so the
// dashboard can be developed before/without the C++ controller. It runs job commands for real (child
// processes) on one simulated node. Usage mirrors the real binary:
//   tests/mock-server.mjs up --data-dir DIR --listen 127.0.0.1:0 --accelerators nvidia-a100:2
// The e2e suite uses the REAL binary ($SUANLI_BINARY); pointing SUANLI_BINARY here is for local iteration.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h') || args[0] !== 'up') {
  console.log('usage: mock-server.mjs up [--data-dir DIR] [--listen HOST:PORT] [--accelerators TYPE:N,...] [--web-dir DIR]');
  process.exit(args.includes('--help') || args.includes('-h') ? 0 : 2);
}
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const dataDir = resolve(opt('data-dir', 'data'));
const [host, port] = opt('listen', '127.0.0.1:8080').split(':');
const webDir = resolve(opt('web-dir', join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')));
const accels = (opt('accelerators', 'nvidia-a100:2') || '')
  .split(',')
  .filter(Boolean)
  .flatMap((spec) => {
    const [type, n] = spec.split(':');
    return Array.from({ length: Number(n || 1) }, () => type);
  });

const now = () => Date.now() / 1000;
const token = () => `sl_${randomBytes(16).toString('hex')}`;
const tenants = new Map([['root', { name: 'root', parent: null, weight: 1, quota: {}, limit: {}, budget_accel_hours: null }]]);
const users = new Map([['admin', { name: 'admin', tenant: 'root', role: 'admin' }]]);
const tokens = new Map();
const adminToken = token();
tokens.set(adminToken, 'admin');
const jobs = new Map();
const procs = new Map();
let nextJobId = 1;
let nextTokenId = 2;
const node = {
  name: 'mock-node',
  state: 'UP',
  cpus: 8,
  mem_mb: 16384,
  devices: accels.map((type, index) => ({ index, type, uuid: `GPU-mock-${index}`, memory_mb: 81920, island: 0 })),
  last_heartbeat: now(),
};
const samples = [];

function fail(res, status, code, message) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ error: { code, message } }));
}
function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
function subtree(root) {
  const out = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const t of tenants.values()) if (t.parent && out.has(t.parent) && !out.has(t.name)) out.add(t.name), (grew = true);
  }
  return out;
}
function canSee(user, job) {
  if (user.role === 'admin') return true;
  if (user.role === 'tenant-admin') return subtree(user.tenant).has(job.tenant);
  return job.tenant === user.tenant;
}
function visibleTenants(user) {
  if (user.role === 'admin') return new Set(tenants.keys());
  return subtree(user.tenant);
}
function allocated() {
  let gpus = 0, cpus = 0, mem = 0;
  for (const j of jobs.values()) if (j.state === 'RUNNING') (gpus += j.resources.gpus), (cpus += j.resources.cpus), (mem += j.resources.mem_mb);
  return { gpus, cpus, mem_mb: mem };
}
function transition(job, state, reason) {
  job.state = state;
  job.reason = reason ?? null;
  job.history.push({ state, time: now(), reason: reason ?? null });
}

function schedule() {
  node.last_heartbeat = now();
  for (const job of [...jobs.values()].filter((j) => j.state === 'PENDING').sort((a, b) => a.id - b.id)) {
    const alloc = allocated();
    if (alloc.gpus + job.resources.gpus > accels.length || alloc.cpus + job.resources.cpus > node.cpus) {
      job.reason = `waiting for ${job.resources.gpus} × ${job.resources.gpu_type}; ${accels.length - alloc.gpus} idle`;
      const running = [...jobs.values()].filter((j) => j.state === 'RUNNING');
      const soonest = Math.min(...running.map((j) => j.start_time + j.time_limit_s));
      job.est_start_time = Number.isFinite(soonest) ? soonest : null;
      continue;
    }
    job.start_time = now();
    job.nodes = [node.name];
    job.est_start_time = null;
    transition(job, 'RUNNING', `started on ${node.name}`);
    const child = spawn(job.command[0], job.command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.set(job.id, child);
    child.stdout.on('data', (d) => (job.logs.stdout = Buffer.concat([job.logs.stdout, d])));
    child.stderr.on('data', (d) => (job.logs.stderr = Buffer.concat([job.logs.stderr, d])));
    child.on('error', (e) => (job.logs.stderr = Buffer.concat([job.logs.stderr, Buffer.from(String(e))])));
    child.on('close', (code, signal) => {
      procs.delete(job.id);
      if (job.state !== 'RUNNING') return;
      job.end_time = now();
      job.exit_code = code;
      job.signal = signal;
      job.cost = ((job.end_time - job.start_time) / 3600) * job.resources.gpus * 2.5;
      transition(job, code === 0 ? 'COMPLETED' : 'FAILED', code === 0 ? 'exited 0' : `exited ${code ?? signal}`);
    });
  }
  const alloc = allocated();
  const totals = {};
  const used = {};
  for (const t of accels) totals[t] = (totals[t] ?? 0) + 1;
  for (const j of jobs.values()) if (j.state === 'RUNNING' && j.resources.gpus) used[j.resources.gpu_type] = (used[j.resources.gpu_type] ?? 0) + j.resources.gpus;
  samples.push({ time: now(), allocated: used, total: totals });
  if (samples.length > 20000) samples.shift();
  void alloc;
}
setInterval(schedule, 200);

function jobUsage(j) {
  if (!j.start_time) return { cpu_s: 0, mem_mb_s: 0, accel_s: {}, cost: 0 };
  const secs = (j.end_time ?? now()) - j.start_time;
  const accel_s = j.resources.gpus ? { [j.resources.gpu_type]: secs * j.resources.gpus } : {};
  return { cpu_s: secs * j.resources.cpus, mem_mb_s: secs * j.resources.mem_mb, accel_s, cost: (secs / 3600) * j.resources.gpus * 2.5 };
}

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  if (!chunks.length) return {};
  return JSON.parse(Buffer.concat(chunks).toString());
}

async function api(req, res, url) {
  const path = url.pathname.replace(/^\/api\/v1/, '');
  const q = url.searchParams;
  if (path === '/healthz') return send(res, 200, { ok: true });
  const auth = (req.headers.authorization ?? '').replace(/^Bearer /, '');
  const userName = tokens.get(auth);
  if (!userName) return fail(res, 401, 'UNAUTHENTICATED', 'missing or invalid token');
  const me = users.get(userName);
  let m;
  if (req.method === 'GET' && path === '/whoami') return send(res, 200, { user: me.name, tenant: me.tenant, role: me.role });
  if (req.method === 'POST' && path === '/tenants') {
    if (me.role !== 'admin') return fail(res, 403, 'PERMISSION_DENIED', 'only admins create tenants');
    const b = await body(req);
    tenants.set(b.name, { name: b.name, parent: b.parent ?? 'root', weight: b.weight ?? 1, quota: b.quota ?? {}, limit: b.limit ?? {}, budget_accel_hours: b.budget_accel_hours ?? null, budget_period: b.budget_period ?? 'month' });
    return send(res, 201, tenants.get(b.name));
  }
  if (req.method === 'GET' && path === '/tenants') {
    const visible = visibleTenants(me);
    const list = [...tenants.values()].filter((t) => visible.has(t.name)).map((t) => {
      const mine = [...jobs.values()].filter((j) => j.tenant === t.name);
      const running = mine.filter((j) => j.state === 'RUNNING');
      const allocatedDims = { cpus: running.reduce((s, j) => s + j.resources.cpus, 0), mem_mb: running.reduce((s, j) => s + j.resources.mem_mb, 0) };
      for (const j of running) if (j.resources.gpus) allocatedDims[j.resources.gpu_type] = (allocatedDims[j.resources.gpu_type] ?? 0) + j.resources.gpus;
      const hours = mine.reduce((s, j) => s + Object.values(jobUsage(j).accel_s).reduce((a, b) => a + b, 0), 0) / 3600;
      return { ...t, allocated: allocatedDims, pending_jobs: mine.filter((j) => j.state === 'PENDING').length, running_jobs: running.length, fair_share: 1 / (1 + hours), usage_accel_hours: hours, budget_used_accel_hours: hours };
    });
    return send(res, 200, { tenants: list });
  }
  if (req.method === 'POST' && path === '/users') {
    if (me.role !== 'admin') return fail(res, 403, 'PERMISSION_DENIED', 'only admins create users');
    const b = await body(req);
    if (!tenants.has(b.tenant)) return fail(res, 400, 'INVALID_ARGUMENT', `tenant ${b.tenant} does not exist`);
    users.set(b.name, { name: b.name, tenant: b.tenant, role: b.role ?? 'member' });
    return send(res, 201, users.get(b.name));
  }
  if (req.method === 'POST' && path === '/tokens') {
    const b = await body(req);
    if (me.role !== 'admin' && b.user !== me.name) return fail(res, 403, 'PERMISSION_DENIED', 'tokens for others need admin');
    if (!users.has(b.user)) return fail(res, 400, 'INVALID_ARGUMENT', `user ${b.user} does not exist`);
    const t = token();
    tokens.set(t, b.user);
    return send(res, 201, { id: nextTokenId++, token: t });
  }
  if (req.method === 'POST' && path === '/jobs') {
    const b = await body(req);
    const id = nextJobId++;
    const job = {
      id, name: b.name ?? `job-${id}`, state: 'PENDING', reason: 'submitted', est_start_time: null,
      tenant: b.tenant ?? me.tenant, user: me.name,
      resources: { cpus: b.cpus ?? 1, mem_mb: b.mem_mb ?? 1024, gpus: b.gpus ?? 0, gpu_type: b.gpu_type ?? 'any', tasks: b.tasks ?? 1 },
      nodes: [], exit_code: null, signal: null, failed_task: null, submit_time: now(), start_time: null, end_time: null,
      priority: b.priority ?? 0, time_limit_s: b.time_limit_s ?? 3600, command: b.command, attempt: 1, requeue: b.requeue ?? true, cost: 0,
      history: [], logs: { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) },
    };
    if (job.resources.gpus && job.resources.gpu_type === 'any') job.resources.gpu_type = accels[0];
    transition(job, 'PENDING', 'submitted');
    jobs.set(id, job);
    return send(res, 201, publicJob(job));
  }
  if (req.method === 'GET' && path === '/jobs') {
    const states = q.get('all') === 'true' ? null : (q.get('state') ?? 'PENDING,RUNNING').split(',');
    const list = [...jobs.values()]
      .filter((j) => canSee(me, j) && (!states || states.includes(j.state)) && (!q.get('tenant') || j.tenant === q.get('tenant')) && (!q.get('user') || j.user === q.get('user')))
      .slice(0, Number(q.get('limit') ?? 1000));
    return send(res, 200, { jobs: list.map(publicJob) });
  }
  if ((m = /^\/jobs\/(\d+)(\/cancel|\/logs)?$/.exec(path))) {
    const job = jobs.get(Number(m[1]));
    if (!job || !canSee(me, job)) return fail(res, 404, 'NOT_FOUND', `job ${m[1]} does not exist`);
    if (!m[2] && req.method === 'GET') return send(res, 200, publicJob(job));
    if (m[2] === '/cancel' && req.method === 'POST') {
      if (me.role === 'member' && job.user !== me.name) return fail(res, 403, 'PERMISSION_DENIED', 'members may cancel only their own jobs');
      if (!['PENDING', 'RUNNING'].includes(job.state)) return fail(res, 409, 'FAILED_PRECONDITION', `job ${job.id} already ${job.state}`);
      job.end_time = now();
      transition(job, 'CANCELLED', `cancelled by ${me.name}`);
      procs.get(job.id)?.kill('SIGTERM');
      return send(res, 200, publicJob(job));
    }
    if (m[2] === '/logs' && req.method === 'GET') {
      const buffer = job.logs[q.get('stream') === 'stderr' ? 'stderr' : 'stdout'];
      const offset = Math.min(Number(q.get('offset') ?? 0), buffer.length);
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Suanli-Next-Offset': String(buffer.length), 'X-Suanli-Job-State': job.state });
      return res.end(buffer.subarray(offset));
    }
  }
  if (req.method === 'GET' && path === '/nodes') {
    const a = allocated();
    return send(res, 200, { nodes: [{ ...node, allocated: a, jobs: [...jobs.values()].filter((j) => j.state === 'RUNNING' && canSee(me, j)).map((j) => j.id) }] });
  }
  if (req.method === 'GET' && path === '/stats/overview') {
    const a = allocated();
    const types = [...new Set(accels)];
    const perTenant = new Map();
    for (const j of jobs.values()) {
      if (!canSee(me, j) || !['PENDING', 'RUNNING'].includes(j.state)) continue;
      const row = perTenant.get(j.tenant) ?? { tenant: j.tenant, pending: 0, running: 0 };
      row[j.state === 'PENDING' ? 'pending' : 'running']++;
      perTenant.set(j.tenant, row);
    }
    return send(res, 200, {
      accelerators: types.map((type) => {
        const total = accels.filter((t) => t === type).length;
        return { type, total, allocated: a.gpus, idle: total - a.gpus };
      }),
      jobs_by_tenant: [...perTenant.values()],
      recent_failures: [...jobs.values()].filter((j) => canSee(me, j) && ['FAILED', 'LOST', 'OUT_OF_MEMORY', 'TIMEOUT'].includes(j.state)).slice(-10).map(publicJob),
    });
  }
  if (req.method === 'GET' && path === '/stats/utilization') {
    const since = Number(q.get('since') ?? 0);
    return send(res, 200, { samples: samples.filter((s) => s.time >= since).filter((_, i, all) => i % Math.ceil(all.length / 500) === 0) });
  }
  if (req.method === 'GET' && path === '/usage') {
    const by = q.get('by') ?? 'tenant';
    const rows = new Map();
    for (const j of jobs.values()) {
      if (!canSee(me, j) || (q.get('tenant') && j.tenant !== q.get('tenant')) || (q.get('user') && j.user !== q.get('user'))) continue;
      const u = jobUsage(j);
      const keys = by === 'type' ? Object.keys(u.accel_s) : [by === 'user' ? j.user : j.tenant];
      for (const key of keys) {
        const row = rows.get(key) ?? { key, jobs: 0, cpu_s: 0, mem_mb_s: 0, accel_s: {}, cost: 0 };
        row.jobs++;
        row.cpu_s += u.cpu_s;
        row.mem_mb_s += u.mem_mb_s;
        for (const [t, s] of Object.entries(u.accel_s)) row.accel_s[t] = (row.accel_s[t] ?? 0) + s;
        row.cost += u.cost;
        rows.set(key, row);
      }
    }
    const list = [...rows.values()];
    if (q.get('format') === 'csv') {
      res.writeHead(200, { 'Content-Type': 'text/csv' });
      return res.end(['key,jobs,cpu_s,mem_mb_s,accel_s,cost', ...list.map((r) => [r.key, r.jobs, r.cpu_s.toFixed(1), r.mem_mb_s.toFixed(1), Object.values(r.accel_s).reduce((a, b) => a + b, 0).toFixed(1), r.cost.toFixed(4)].join(','))].join('\n') + '\n');
    }
    const total = { jobs: list.reduce((s, r) => s + r.jobs, 0), cpu_s: list.reduce((s, r) => s + r.cpu_s, 0), mem_mb_s: list.reduce((s, r) => s + r.mem_mb_s, 0), accel_s: {}, cost: list.reduce((s, r) => s + r.cost, 0) };
    for (const r of list) for (const [t, s] of Object.entries(r.accel_s)) total.accel_s[t] = (total.accel_s[t] ?? 0) + s;
    return send(res, 200, { rows: list, total });
  }
  return fail(res, 404, 'NOT_FOUND', `no route ${req.method} ${path}`);
}

function publicJob(j) {
  const { logs, ...rest } = j;
  void logs;
  return rest;
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };
function serveStatic(res, pathname) {
  const file = normalize(join(webDir, pathname === '/' ? 'index.html' : pathname));
  if (!file.startsWith(webDir) || !existsSync(file) || !statSync(file).isFile()) return fail(res, 404, 'NOT_FOUND', `no file ${pathname}`);
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
  res.end(readFileSync(file));
}

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname.startsWith('/api/v1/')) {
    api(req, res, url).catch((e) => fail(res, 400, 'INVALID_ARGUMENT', String(e.message ?? e)));
  } else serveStatic(res, url.pathname);
});
server.listen(Number(port), host, () => {
  const address = `http://${host}:${server.address().port}`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'admin.token'), `${adminToken}\n`);
  writeFileSync(join(dataDir, 'url'), `${address}\n`);
  console.log(`mock suanli controller listening on ${address} (dashboard at ${address}/)`);
});
const stop = () => {
  for (const p of procs.values()) p.kill('SIGTERM');
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
