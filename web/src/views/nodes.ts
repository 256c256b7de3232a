// Nodes: state and health, devices, what is allocated and to which jobs, last heartbeat.
import { getJson } from '../api';
import { errorBox, h, jobLink, replace, table } from '../dom';
import { formatAgo, formatMem, formatNumber, formatTime, nowSeconds } from '../format';
import { markRendered, poll, type ViewContext } from '../router';
import type { NodeInfo } from '../types';

// A heartbeat older than this is shown as a warning before the controller declares the node DOWN.
const STALE_HEARTBEAT_S = 5;

export async function render(ctx: ViewContext): Promise<void> {
  const summary = h('div', { class: 'cards' });
  const list = h('div', { id: 'node-list' });
  const status = h('div', { class: 'status-line' });
  replace(ctx.root, h('div', { class: 'page-head' }, h('h1', null, 'Nodes'), status), summary, list);
  poll(ctx, 3000, async () => {
    try {
      const { nodes } = await getJson<{ nodes: NodeInfo[] }>('/nodes', undefined, ctx.signal);
      renderSummary(summary, nodes);
      replace(list, nodes.length ? nodes.map(nodeCard) : h('div', { class: 'card muted' }, 'No node has registered yet.'));
      status.textContent = `Updated ${formatTime(nowSeconds())}`;
    } catch (e) {
      if ((e as Error).name !== 'AbortError') replace(list, errorBox(e));
    }
    markRendered('nodes');
  });
}

function health(node: NodeInfo): { label: string; cls: string } {
  if (node.state === 'DOWN') return { label: 'down', cls: 'bad' };
  if (node.state === 'DRAINING') return { label: 'draining', cls: 'warn' };
  const age = node.last_heartbeat ? nowSeconds() - node.last_heartbeat : Infinity;
  if (age > STALE_HEARTBEAT_S) return { label: 'heartbeat late', cls: 'warn' };
  return { label: 'healthy', cls: 'good' };
}

function renderSummary(container: HTMLElement, nodes: NodeInfo[]): void {
  const count = (state: string) => nodes.filter((n) => n.state === state).length;
  const devices = nodes.reduce((sum, n) => sum + (n.devices?.length ?? 0), 0);
  replace(
    container,
    [
      ['Nodes up', `${count('UP')} / ${nodes.length}`],
      ['Draining', String(count('DRAINING'))],
      ['Down', String(count('DOWN'))],
      ['Accelerators', String(devices)],
    ].map(([title, value]) => h('div', { class: 'card stat' }, h('div', { class: 'stat-title' }, title), h('div', { class: 'stat-value' }, value))),
  );
}

function meter(used: number, total: number, label: string): HTMLElement {
  const pct = total > 0 ? Math.min(100, Math.round((used / total) * 100)) : 0;
  return h(
    'div',
    { class: 'meter-row' },
    h('span', { class: 'meter-label' }, label),
    h('div', { class: 'meter' }, h('div', { class: 'meter-fill', style: `width:${pct}%` })),
    h('span', { class: 'meter-pct' }, `${pct}%`),
  );
}

function nodeCard(node: NodeInfo): HTMLElement {
  const { label, cls } = health(node);
  const alloc = node.allocated ?? {};
  const devices = node.devices ?? [];
  return h(
    'section',
    { class: 'card node', 'data-node': node.name },
    h(
      'div',
      { class: 'node-head' },
      h('h2', null, node.name),
      h('span', { class: `badge health-${cls}` }, node.state),
      h('span', { class: `health ${cls}` }, label),
      h('span', { class: 'muted', title: formatTime(node.last_heartbeat) }, `heartbeat ${formatAgo(node.last_heartbeat)}`),
    ),
    h(
      'div',
      { class: 'node-body' },
      h(
        'div',
        { class: 'node-meters' },
        meter(alloc.cpus ?? 0, node.cpus ?? 0, `CPU ${formatNumber(alloc.cpus ?? 0)} / ${formatNumber(node.cpus)}`),
        meter(alloc.mem_mb ?? 0, node.mem_mb ?? 0, `Mem ${formatMem(alloc.mem_mb ?? 0)} / ${formatMem(node.mem_mb)}`),
        meter(alloc.gpus ?? 0, devices.length, `Accel ${formatNumber(alloc.gpus ?? 0)} / ${devices.length}`),
        h('div', { class: 'node-jobs' }, 'Jobs: ', node.jobs && node.jobs.length ? node.jobs.map((id) => [jobLink(id), ' ']) : h('span', { class: 'muted' }, 'none visible')),
      ),
      table(
        [
          { title: '#', cell: (d) => d.index, className: 'num' },
          { title: 'Type', cell: (d) => d.type },
          { title: 'Memory', cell: (d) => formatMem(d.memory_mb) },
          { title: 'Island', cell: (d) => d.island ?? 0, className: 'num' },
          { title: 'UUID', cell: (d) => h('code', null, d.uuid ?? '') },
        ],
        devices,
        'No accelerators on this node.',
      ),
    ),
  );
}
