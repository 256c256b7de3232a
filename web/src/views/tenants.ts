// Tenants: the quota tree, usage against guarantee, fair-share standing and budgets.
import { getJson } from '../api';
import { errorBox, h, replace } from '../dom';
import { dimLabel, formatDim, formatNumber, formatTime, nowSeconds } from '../format';
import { markRendered, poll, type ViewContext } from '../router';
import type { Tenant } from '../types';

interface TreeRow {
  tenant: Tenant;
  depth: number;
}

export async function render(ctx: ViewContext): Promise<void> {
  const tree = h('div', { id: 'tenant-tree' });
  const chartBox = h('div', { class: 'chart', id: 'tenant-quota-chart' });
  const status = h('div', { class: 'status-line' });
  replace(
    ctx.root,
    h('div', { class: 'page-head' }, h('h1', null, 'Tenants'), status),
    h('section', { class: 'card' }, h('h2', null, 'Quota tree'), tree),
    h('section', { class: 'card' }, h('h2', null, 'Accelerators: allocated vs guaranteed'), chartBox),
  );
  const chartsModule = import('../charts');
  let chart: import('../charts').Chart | null = null;
  poll(ctx, 5000, async () => {
    try {
      const { tenants } = await getJson<{ tenants: Tenant[] }>('/tenants', undefined, ctx.signal);
      const rows = treeOrder(tenants);
      const dims = dimensions(tenants);
      replace(tree, rows.length ? treeTable(rows, dims) : h('div', { class: 'muted' }, 'No tenants visible to you.'));
      status.textContent = `Updated ${formatTime(nowSeconds())}`;
      markRendered('tenants');
      const mod = await chartsModule;
      if (ctx.signal.aborted) return;
      chart ??= new mod.Chart(chartBox, ctx);
      chart.set(quotaOption(rows, dims.filter((d) => d !== 'cpus' && d !== 'mem_mb')));
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      replace(tree, errorBox(e));
      markRendered('tenants');
    }
  });
}

// Depth-first order with children sorted by name; tenants whose parent is not visible become roots.
function treeOrder(tenants: Tenant[]): TreeRow[] {
  const names = new Set(tenants.map((t) => t.name));
  const children = new Map<string, Tenant[]>();
  for (const t of tenants) {
    const parent = t.parent && names.has(t.parent) ? t.parent : '';
    children.set(parent, [...(children.get(parent) ?? []), t]);
  }
  const out: TreeRow[] = [];
  const visit = (parent: string, depth: number) => {
    for (const t of (children.get(parent) ?? []).sort((a, b) => a.name.localeCompare(b.name))) {
      out.push({ tenant: t, depth });
      if (depth < 32) visit(t.name, depth + 1);
    }
  };
  visit('', 0);
  return out;
}

// Accelerator types first (sorted), then CPUs and memory.
function dimensions(tenants: Tenant[]): string[] {
  const keys = new Set<string>();
  for (const t of tenants) for (const map of [t.quota, t.limit, t.allocated]) for (const k of Object.keys(map ?? {})) keys.add(k);
  const accel = [...keys].filter((k) => k !== 'cpus' && k !== 'mem_mb').sort();
  return [...accel, ...['cpus', 'mem_mb'].filter((k) => keys.has(k))];
}

function usageCell(t: Tenant, dim: string): HTMLElement {
  const used = t.allocated?.[dim] ?? 0;
  const guarantee = t.quota?.[dim];
  const limit = t.limit?.[dim];
  const hasGuarantee = guarantee !== undefined && guarantee !== null && guarantee >= 0;
  const pct = hasGuarantee && guarantee > 0 ? (used / guarantee) * 100 : used > 0 ? 100 : 0;
  const cls = pct > 100 ? 'over' : '';
  return h(
    'div',
    { class: 'usage-cell', title: `allocated ${formatDim(dim, used)}; guarantee ${formatDim(dim, guarantee)}; limit ${formatDim(dim, limit)}` },
    h('div', null, h('strong', null, formatDim(dim, used)), h('span', { class: 'muted' }, ` / ${hasGuarantee ? formatDim(dim, guarantee) : '—'}`), limit !== undefined && limit !== null ? h('span', { class: 'muted small' }, ` (cap ${formatDim(dim, limit)})`) : null),
    hasGuarantee ? h('div', { class: `meter ${cls}` }, h('div', { class: 'meter-fill', style: `width:${Math.min(100, pct)}%` })) : null,
  );
}

function budgetCell(t: Tenant): HTMLElement | string {
  const budget = t.budget_accel_hours;
  if (budget === null || budget === undefined || budget < 0) return `${formatNumber(t.usage_accel_hours ?? 0, 1)} h (no budget)`;
  // The budget covers the current period (running jobs included); all-time usage is not its measure.
  const used = t.budget_used_accel_hours ?? t.usage_accel_hours ?? 0;
  const period = !t.budget_period || t.budget_period === 'total' ? 'in total' : `this ${t.budget_period}`;
  const resets = t.budget_resets_at ? `resets ${formatTime(t.budget_resets_at)}` : 'never resets';
  const pct = budget > 0 ? (used / budget) * 100 : 100;
  return h(
    'div',
    { class: 'usage-cell', title: `${formatNumber(used, 2)} of ${formatNumber(budget, 1)} accelerator-hours ${period}; ${resets}` },
    h('div', null, h('strong', null, `${formatNumber(used, 1)} h`), h('span', { class: 'muted' }, ` / ${formatNumber(budget, 1)} h ${period}`)),
    h('div', { class: `meter ${pct > 100 ? 'over' : pct > 80 ? 'warn' : ''}` }, h('div', { class: 'meter-fill', style: `width:${Math.min(100, pct)}%` })),
  );
}

function treeTable(rows: TreeRow[], dims: string[]): HTMLElement {
  return h(
    'table',
    { class: 'grid tenants' },
    h(
      'thead',
      null,
      h('tr', null, h('th', null, 'Tenant'), h('th', { class: 'num' }, 'Weight'), h('th', { class: 'num' }, 'Fair share'), h('th', { class: 'num' }, 'Running'), h('th', { class: 'num' }, 'Pending'), dims.map((d) => h('th', null, `${dimLabel(d)} used / guaranteed`)), h('th', null, 'Budget (accel-hours)')),
    ),
    h(
      'tbody',
      null,
      rows.map(({ tenant: t, depth }) =>
        h(
          'tr',
          { 'data-tenant': t.name },
          h('td', null, h('span', { class: 'tree-name', style: `padding-left:${depth * 18}px` }, depth > 0 ? '└ ' : '', h('a', { href: `#/queue?tenant=${encodeURIComponent(t.name)}` }, t.name))),
          h('td', { class: 'num' }, formatNumber(t.weight ?? 1)),
          h('td', { class: 'num' }, fairShare(t.fair_share)),
          h('td', { class: 'num' }, t.running_jobs ?? 0),
          h('td', { class: 'num' }, t.pending_jobs ?? 0),
          dims.map((d) => h('td', null, usageCell(t, d))),
          h('td', null, budgetCell(t)),
        ),
      ),
    ),
  );
}

function fairShare(value: number | undefined): HTMLElement | string {
  if (value === undefined || value === null) return '—';
  return h('span', { class: 'fair-share', title: 'fair-share factor: higher means the tenant is further below its share and is scheduled sooner' }, value.toFixed(3));
}

function quotaOption(rows: TreeRow[], accelDims: string[]) {
  const names = rows.map((r) => r.tenant.name);
  return {
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: names },
    yAxis: { type: 'value', minInterval: 1, name: 'devices' },
    series: accelDims.flatMap((dim) => [
      { name: `${dim} allocated`, type: 'bar', data: rows.map((r) => r.tenant.allocated?.[dim] ?? 0) },
      { name: `${dim} guaranteed`, type: 'bar', data: rows.map((r) => Math.max(0, r.tenant.quota?.[dim] ?? 0)), itemStyle: { opacity: 0.45 } },
    ]),
  };
}
