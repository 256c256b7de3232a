// Usage and cost by tenant, user or accelerator type over a chosen period, with CSV export.
import { getJson, request } from '../api';
import { errorBox, h, replace } from '../dom';
import { formatNumber } from '../format';
import { markRendered, type ViewContext } from '../router';
import type { UsageReport, UsageRow } from '../types';

type By = 'tenant' | 'user' | 'type';

function isoDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function daysAgo(days: number): string {
  return isoDate(new Date(Date.now() - days * 86400_000));
}

// The API's `until` is exclusive; the form's "to" date is inclusive, so the request asks up to the next day.
function dayAfter(date: string): string {
  const d = new Date(`${date}T00:00:00`);
  d.setDate(d.getDate() + 1);
  return isoDate(d);
}

export async function render(ctx: ViewContext): Promise<void> {
  const q = ctx.query;
  const since = h('input', { type: 'date', id: 'usage-since', value: q.get('since') ?? daysAgo(6) });
  const until = h('input', { type: 'date', id: 'usage-until', value: q.get('until') ?? daysAgo(0) });
  const by = h(
    'select',
    { id: 'usage-by' },
    (['tenant', 'user', 'type'] as By[]).map((b) => h('option', { value: b, selected: (q.get('by') ?? 'tenant') === b }, b === 'type' ? 'accelerator type' : b)),
  );
  const tenant = h('input', { id: 'usage-tenant', placeholder: 'all tenants', value: q.get('tenant') ?? '' });
  const user = h('input', { id: 'usage-user', placeholder: 'all users', value: q.get('user') ?? '' });
  const presets = h(
    'div',
    { class: 'presets' },
    [
      ['Today', 0],
      ['7 days', 6],
      ['30 days', 29],
      ['90 days', 89],
    ].map(([label, days]) =>
      h('button', { type: 'button', class: 'link', onclick: () => ((since.value = daysAgo(days as number)), (until.value = daysAgo(0)), void load()) }, label as string),
    ),
  );
  const exportButton = h('button', { type: 'button', id: 'usage-export' }, 'Export CSV');
  const exportStatus = h('span', { class: 'muted' });
  const hoursChart = h('div', { class: 'chart', id: 'usage-hours-chart' });
  const costChart = h('div', { class: 'chart small', id: 'usage-cost-chart' });
  const tableBox = h('div', { id: 'usage-table' });
  const form = h(
    'form',
    { class: 'filters card' },
    h('label', null, 'From', since),
    h('label', null, 'To', until),
    presets,
    h('label', null, 'Group by', by),
    h('label', null, 'Tenant', tenant),
    h('label', null, 'User', user),
    h('div', { class: 'spacer' }),
    exportButton,
    exportStatus,
  );
  replace(
    ctx.root,
    h('div', { class: 'page-head' }, h('h1', null, 'Usage and cost')),
    form,
    h('div', { class: 'two-col' }, h('section', { class: 'card' }, h('h2', null, 'Accelerator hours'), hoursChart), h('section', { class: 'card' }, h('h2', null, 'Cost'), costChart)),
    h('section', { class: 'card' }, tableBox),
  );

  const chartsModule = import('../charts');
  let charts: { hours: import('../charts').Chart; cost: import('../charts').Chart } | null = null;

  const params = () => ({
    since: since.value || undefined,
    until: until.value ? dayAfter(until.value) : undefined,
    by: by.value,
    tenant: tenant.value.trim() || undefined,
    user: user.value.trim() || undefined,
  });

  let generation = 0;
  async function load(): Promise<void> {
    const mine = ++generation;
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries({ since: since.value, until: until.value, by: by.value, tenant: tenant.value.trim(), user: user.value.trim() })) if (v) query.set(k, v);
    ctx.setQuery(query);
    try {
      const report = await getJson<UsageReport>('/usage', { ...params(), format: 'json' }, ctx.signal);
      if (mine !== generation) return;
      const rows = [...(report.rows ?? [])].sort((a, b) => totalAccel(b) - totalAccel(a) || a.key.localeCompare(b.key));
      const types = [...new Set(rows.flatMap((r) => Object.keys(r.accel_s ?? {})))].sort();
      replace(tableBox, usageTable(rows, types, report.total, by.value));
      markRendered('usage');
      const mod = await chartsModule;
      if (ctx.signal.aborted || mine !== generation) return;
      charts ??= { hours: new mod.Chart(hoursChart, ctx), cost: new mod.Chart(costChart, ctx) };
      charts.hours.set({
        legend: { top: 0 },
        grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
        tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${v.toFixed(2)} h` },
        xAxis: { type: 'category', data: rows.map((r) => r.key), axisLabel: { interval: 0, rotate: rows.length > 8 ? 30 : 0 } },
        yAxis: { type: 'value', name: 'hours' },
        series: types.map((type) => ({ name: type, type: 'bar', stack: 'accel', data: rows.map((r) => (r.accel_s?.[type] ?? 0) / 3600) })),
      });
      charts.cost.set({
        grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
        tooltip: { trigger: 'axis', valueFormatter: (v: number) => v.toFixed(2) },
        xAxis: { type: 'category', data: rows.map((r) => r.key), axisLabel: { interval: 0, rotate: rows.length > 8 ? 30 : 0 } },
        yAxis: { type: 'value', name: 'cost' },
        series: [{ name: 'cost', type: 'bar', data: rows.map((r) => r.cost ?? 0), color: '#7c3aed' }],
      });
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      replace(tableBox, errorBox(e));
      markRendered('usage');
    }
  }

  // The token must not appear in a URL, so the CSV is fetched with the Authorization header and saved as a blob.
  exportButton.addEventListener('click', async () => {
    exportButton.disabled = true;
    exportStatus.textContent = 'Exporting…';
    try {
      const response = await request('GET', '/usage', { query: { ...params(), format: 'csv' } });
      const blob = new Blob([await response.text()], { type: 'text/csv' });
      const link = h('a', { href: URL.createObjectURL(blob), download: `suanli-usage-by-${by.value}-${since.value}-to-${until.value}.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      exportStatus.textContent = '';
    } catch (e) {
      exportStatus.textContent = `Export failed: ${(e as Error).message}`;
    } finally {
      exportButton.disabled = false;
    }
  });

  form.addEventListener('change', () => void load());
  form.addEventListener('submit', (e) => (e.preventDefault(), void load()));
  await load();
}

function totalAccel(row: UsageRow): number {
  return Object.values(row.accel_s ?? {}).reduce((a, b) => a + b, 0);
}

function usageTable(rows: UsageRow[], types: string[], total: Partial<UsageRow> | undefined, by: string): HTMLElement {
  const hours = (s: number | undefined) => formatNumber((s ?? 0) / 3600, 2);
  const line = (r: Partial<UsageRow>, cls?: string) =>
    h(
      'tr',
      { class: cls },
      h('td', null, r.key ?? 'Total'),
      h('td', { class: 'num' }, formatNumber(r.jobs ?? 0)),
      h('td', { class: 'num' }, hours(r.cpu_s)),
      h('td', { class: 'num' }, formatNumber((r.mem_mb_s ?? 0) / 1024 / 3600, 2)),
      types.map((t) => h('td', { class: 'num' }, hours(r.accel_s?.[t]))),
      h('td', { class: 'num' }, formatNumber(r.cost ?? 0, 2)),
    );
  return h(
    'table',
    { class: 'grid' },
    h('thead', null, h('tr', null, h('th', null, by === 'type' ? 'accelerator type' : by), h('th', { class: 'num' }, 'Jobs'), h('th', { class: 'num' }, 'CPU-hours'), h('th', { class: 'num' }, 'Mem GiB-hours'), types.map((t) => h('th', { class: 'num' }, `${t} hours`)), h('th', { class: 'num' }, 'Cost'))),
    h('tbody', null, rows.length ? rows.map((r) => line(r)) : h('tr', null, h('td', { colspan: 5 + types.length, class: 'empty' }, 'No usage in this period.'))),
    total && rows.length ? h('tfoot', null, line({ ...total, key: 'Total' }, 'total')) : null,
  );
}
