#!/usr/bin/env node
// DEVELOPMENT ONLY: a minimal agent speaking the agent protocol of docs/api.md (register, long poll with
// events, log shipping), with 2 declared nvidia-a100 devices. It lets the e2e suite exercise the real
// controller when the real agent cannot run:
//   SUANLI_E2E_AGENT_CMD="exec node tests/dev-agent.mjs" SUANLI_BINARY=... npm test
// The harness then starts `suanli up --no-agent` and this with SUANLI_URL and SUANLI_JOIN_TOKEN_FILE set.
// The real check is `suanli up` with its own agent (the default).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const url = process.env.SUANLI_URL;
const joinToken = readFileSync(process.env.SUANLI_JOIN_TOKEN_FILE, 'utf8').trim();
const name = 'dev-node';
const headers = { Authorization: `Bearer ${joinToken}`, 'Content-Type': 'application/json' };

async function post(path, body) {
  const response = await fetch(`${url}/api/v1${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) console.error(`dev-agent: POST ${path} → ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const tasks = new Map();
let events = [];
let stopping = false;

function ship(task, stream, data) {
  const offset = task.offsets[stream];
  task.offsets[stream] += data.length;
  void post(`/agents/${name}/logs`, { job_id: task.job_id, attempt: task.attempt, task: task.task, stream, offset, data: data.toString('base64') });
}

process.on('SIGTERM', () => {
  stopping = true;
  for (const task of tasks.values()) task.child.kill('SIGKILL');
  process.exit(0);
});

await post('/agents/register', {
  name,
  cpus: 2,
  mem_mb: 8000,
  devices: [0, 1].map((index) => ({ index, type: 'nvidia-a100', uuid: `GPU-dev-${index}`, memory_mb: 81920, island: 0 })),
  address: '127.0.0.1',
  running: [],
});

while (!stopping) {
  const running = [...tasks.values()].map((t) => ({ job_id: t.job_id, attempt: t.attempt, task: t.task }));
  const sent = events;
  events = [];
  const reply = await post(`/agents/${name}/poll`, { wait_ms: 500, running, events: sent });
  for (const launch of reply?.launch ?? []) {
    const key = `${launch.job_id}/${launch.attempt}/${launch.task}`;
    if (tasks.has(key)) continue;
    const argv = launch.command ?? ['/bin/sh', '-c', launch.script ?? 'true'];
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const task = { ...launch, child, offsets: { stdout: 0, stderr: 0 } };
    tasks.set(key, task);
    events.push({ job_id: launch.job_id, attempt: launch.attempt, task: launch.task, event: 'started', time: Date.now() / 1000 });
    child.stdout.on('data', (d) => ship(task, 'stdout', d));
    child.stderr.on('data', (d) => ship(task, 'stderr', d));
    child.on('error', (e) => ship(task, 'stderr', Buffer.from(`${e.message}\n`)));
    child.on('close', (code, signal) => {
      tasks.delete(key);
      events.push({ job_id: launch.job_id, attempt: launch.attempt, task: launch.task, event: 'exited', exit_code: code, signal, time: Date.now() / 1000 });
    });
  }
  for (const kill of reply?.kill ?? []) {
    for (const task of tasks.values()) if (task.job_id === kill.job_id && task.attempt === kill.attempt) task.child.kill('SIGTERM');
  }
}
