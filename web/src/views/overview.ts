// Overview: accelerators by type, utilization over time, pending/running jobs per tenant, recent failures.
import { getJson } from '../api';
import { errorBox, h, jobLink, replace, stateBadge, table } from '../dom';
import { formatAgo, formatTime, nowSeconds } from '../format';
import { markRendered, poll, type ViewContext } from '../router';
import type { Overview, UtilizationSample } from '../types';

const UTILIZATION_WINDOW_S = 6 * 3600;

export async function render(ctx: ViewContext): Promise<void> {
  const cards = h('div', { class: 'cards', id: 'accel-cards' });
  const utilChart = h('div', { class: 'chart', id: 'util-chart' });
  const tenantChart = h('div', { class: 'chart small', id: 'tenant-chart' });
  const tenantTable = h('div');
  const failures = h('div', { id: 'recent-failures' });
  const status = h('div', { class: 'status-line' });
  replace(
    ctx.root,
    h('div', { class: 'page-head' }, h('h1', null, 'Overview'), status),
    h('section', null, h('h2', null, 'Cluster'), cards),
    h('section', { class: 'card' }, h('h2', null, 'Utilization (last 6 h)'), utilChart),
    h('div', { class: 'two-col' }, h('section', { class: 'card' }, h('h2', null, 'Jobs per tenant'), tenantChart, tenantTable), h('section', { class: 'card' }, h('h2', null, 'Recent failures'), failures)),
  );

  // Charts load lazily after the numbers are on screen.
  const chartsModule = import('../charts');
  let charts: { util: import('../charts').Chart; tenants: import('../charts').Chart } | null = null;

  let first = true;
  poll(ctx, 5000, async () => {
    try {
      const [overview, utilization] = await Promise.all([
        getJson<Overview>('/stats/overview', undefined, ctx.signal),
        getJson<{ samples: UtilizationSample[] }>('/stats/utilization', { since: Math.floor(nowSeconds() - UTILIZATION_WINDOW_S) }, ctx.signal),
      ]);
      renderCards(cards, overview);
      replace(
        tenantTable,
        table(
          [
            { title: 'Tenant', cell: (r) => h('a', { href: `#/queue?tenant=${encodeURIComponent(r.tenant)}` }, r.tenant) },
            { title: 'Pending', cell: (r) => r.pending, className: 'num' },
            { title: 'Running', cell: (r) => r.running, className: 'num' },
          ],
          overview.jobs_by_tenant ?? [],
          'No jobs queued or running.',
        ),
      );
      replace(
        failures,
        table(
          [
            { title: 'Job', cell: (j) => jobLink(j.id) },
            { title: 'Name', cell: (j) => j.name ?? '' },
            { title: 'Tenant', cell: (j) => j.tenant ?? '' },
            { title: 'State', cell: (j) => stateBadge(j.state) },
            { title: 'Why', cell: (j) => j.reason ?? (j.exit_code !== null && j.exit_code !== undefined ? `exit ${j.exit_code}` : '') },
            { title: 'Ended', cell: (j) => h('span', { title: formatTime(j.end_time) }, formatAgo(j.end_time)) },
          ],
          overview.recent_failures ?? [],
          'No recent failures.',
        ),
      );
      status.textContent = `Updated ${formatTime(nowSeconds())}`;
      if (first) {
        first = false;
        markRendered('overview');
      }
      const mod = await chartsModule;
      if (ctx.signal.aborted) return;
      charts ??= { util: new mod.Chart(utilChart, ctx), tenants: new mod.Chart(tenantChart, ctx) };
      charts.util.set(utilizationOption(utilization.samples ?? []));
      tenantChart.hidden = (overview.jobs_by_tenant ?? []).length === 0;
      charts.tenants.set(tenantOption(overview));
      if (!tenantChart.hidden) charts.tenants.resize();
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      status.replaceChildren(errorBox(e));
      if (first) {
        first = false;
        markRendered('overview');
      }
    }
  });
}

function renderCards(container: HTMLElement, overview: Overview): void {
  const accels = overview.accelerators ?? [];
  const totals: HTMLElement[] = [];
  if (overview.nodes) {
    totals.push(
      h('a', { class: 'card stat', href: '#/nodes', id: 'nodes-card' }, h('div', { class: 'stat-title' }, 'Nodes up'), h('div', { class: 'stat-value' }, `${overview.nodes.up ?? 0}`, h('span', { class: 'muted' }, ` / ${overview.nodes.total ?? 0}`))),
    );
  }
  if (overview.jobs) {
    totals.push(
      h('a', { class: 'card stat', href: '#/queue', id: 'jobs-card' }, h('div', { class: 'stat-title' }, 'Jobs'), h('div', { class: 'stat-value' }, `${overview.jobs.running ?? 0}`, h('span', { class: 'muted' }, ' running · '), `${overview.jobs.pending ?? 0}`, h('span', { class: 'muted' }, ' pending'))),
    );
  }
  if (accels.length === 0) {
    replace(container, totals, h('div', { class: 'card muted' }, 'No accelerators registered. Start an agent with --accelerators.'));
    return;
  }
  replace(
    container,
    totals,
    accels.map((a) => {
      const pct = a.total > 0 ? Math.round((a.allocated / a.total) * 100) : 0;
      return h(
        'div',
        { class: 'card stat', 'data-type': a.type },
        h('div', { class: 'stat-title' }, a.type),
        h('div', { class: 'stat-value' }, h('span', { class: 'allocated' }, a.allocated), h('span', { class: 'muted' }, ` / ${a.total} allocated`)),
        h('div', { class: 'meter' }, h('div', { class: 'meter-fill', style: `width:${pct}%` })),
        h('div', { class: 'stat-foot' }, `${a.idle} idle · ${pct}% busy`),
      );
    }),
  );
}

function utilizationOption(samples: UtilizationSample[]) {
  const types = [...new Set(samples.flatMap((s) => Object.keys(s.total ?? {})))].sort();
  return {
    legend: { top: 0 },
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${v.toFixed(0)}%` },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: types.map((type) => ({
      name: type,
      type: 'line',
      showSymbol: false,
      step: 'end',
      areaStyle: { opacity: 0.12 },
      data: samples.map((s) => {
        const total = s.total?.[type] ?? 0;
        return [s.time * 1000, total > 0 ? ((s.allocated?.[type] ?? 0) / total) * 100 : 0];
      }),
    })),
  };
}

function tenantOption(overview: Overview) {
  const rows = overview.jobs_by_tenant ?? [];
  return {
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: rows.map((r) => r.tenant) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: 'running', type: 'bar', stack: 'jobs', data: rows.map((r) => r.running), color: '#16a34a' },
      { name: 'pending', type: 'bar', stack: 'jobs', data: rows.map((r) => r.pending), color: '#f59e0b' },
    ],
  };
}
