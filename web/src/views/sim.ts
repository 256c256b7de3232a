// Simulator results: open the --json output of `suanli sim` and compare policies side by side.
// The file is read locally in the browser; nothing is uploaded.
import { errorBox, h, replace } from '../dom';
import { formatDuration, formatNumber } from '../format';
import { markRendered, type ViewContext } from '../router';
import { extractRuns, type PolicyRun } from './sim_parse';

const KNOWN = ['jobs', 'avg_jct_s', 'p50_jct_s', 'p99_jct_s', 'avg_queue_s', 'max_queue_s', 'utilization', 'jain_fairness'];
// Shown in the main table when present; everything else numeric is under "All metrics".
const SECONDARY = ['finished', 'unfinished', 'makespan_s', 'avg_slowdown', 'preemptions', 'lost_gpu_h'];
const HIGHER_IS_BETTER = new Set(['utilization', 'jain_fairness', 'finished', 'alloc_pct_mean', 'alloc_pct_min', 'alloc_pct_max']);
const LOWER_IS_BETTER = new Set(['unfinished', 'avg_slowdown', 'preemptions', 'lost_gpu_h']);
const LABELS: Record<string, string> = {
  jobs: 'Jobs',
  avg_jct_s: 'Avg JCT',
  p50_jct_s: 'p50 JCT',
  p99_jct_s: 'p99 JCT',
  avg_queue_s: 'Avg queue',
  max_queue_s: 'Max queue',
  utilization: 'Utilization',
  jain_fairness: "Jain's fairness",
  finished: 'Finished',
  unfinished: 'Unfinished',
  makespan_s: 'Makespan',
  avg_slowdown: 'Avg slowdown',
  preemptions: 'Preemptions',
  lost_gpu_h: 'Lost GPU·h',
  utilization_timeline: 'Utilization',
  mean_curve: 'Allocated % (mean over seeds)',
};

// Results stay while the tab is open so leaving and returning to the view keeps them.
let loaded: PolicyRun[] = [];
let loadedFrom = '';

function labelFor(key: string): string {
  if (LABELS[key]) return LABELS[key];
  const m = /^(avg|min|max|p\d+)_(.+?)(_s)?$/.exec(key);
  if (m) return `${m[1]} ${m[2].replace(/_/g, ' ')}`;
  return key.replace(/_/g, ' ');
}

function direction(key: string): 'up' | 'down' | null {
  if (HIGHER_IS_BETTER.has(key)) return 'up';
  if (LOWER_IS_BETTER.has(key) || key.endsWith('_s')) return 'down';
  return null;
}

function formatMetric(key: string, value: number | undefined): string {
  if (value === undefined) return '—';
  if (key.endsWith('_s')) return formatDuration(value);
  if (key === 'utilization' || key === 'jain_fairness') return value.toFixed(3);
  return formatNumber(value, 3);
}

export async function render(ctx: ViewContext): Promise<void> {
  const input = h('input', { type: 'file', id: 'sim-file', accept: '.json,application/json', multiple: true });
  const drop = h(
    'label',
    { class: 'dropzone', for: 'sim-file' },
    h('strong', null, 'Open a result file'),
    h('span', { class: 'muted' }, ' — the output of ', h('code', null, 'suanli sim … --json > result.json'), ' (or summary.json from --out). Drop one or more files here or click to choose.'),
  );
  const status = h('div', { class: 'status-line', id: 'sim-status' });
  const results = h('div', { id: 'sim-results' });
  replace(ctx.root, h('div', { class: 'page-head' }, h('h1', null, 'Simulator results'), status), h('section', { class: 'card' }, drop, input), results);

  async function open(files: FileList | File[]): Promise<void> {
    const list = [...files];
    if (!list.length) return;
    try {
      const runs: PolicyRun[] = [];
      for (const file of list) {
        let json: unknown;
        try {
          json = JSON.parse(await file.text());
        } catch (e) {
          throw new Error(`${file.name} is not valid JSON: ${(e as Error).message}`);
        }
        const found = extractRuns(json);
        if (!found.length) throw new Error(`${file.name} has no per-policy metrics (expected e.g. {"policies": [{"policy": "fifo", "avg_jct_s": …}]})`);
        runs.push(...found.map((r) => (list.length > 1 ? { ...r, name: `${file.name.replace(/\.json$/, '')}: ${r.name}` } : r)));
      }
      loaded = runs;
      loadedFrom = list.map((f) => f.name).join(', ');
      await show();
    } catch (e) {
      replace(results, errorBox(e));
    }
  }

  async function show(): Promise<void> {
    if (!loaded.length) {
      replace(results, h('div', { class: 'card muted' }, 'No result loaded yet.'));
      return;
    }
    status.textContent = `${loaded.length} polic${loaded.length === 1 ? 'y' : 'ies'} from ${loadedFrom}`;
    const all = [...new Set(loaded.flatMap((r) => Object.keys(r.metrics)))];
    const hasKnown = KNOWN.some((k) => all.includes(k));
    const primary = hasKnown ? [...KNOWN, ...SECONDARY].filter((k) => all.includes(k)) : all;
    const rest = all.filter((k) => !primary.includes(k)).sort();

    const sections: HTMLElement[] = [h('section', { class: 'card' }, h('h2', null, 'Policies'), comparisonTable(loaded, primary, 'sim-table'))];
    if (rest.length) {
      sections.push(h('section', { class: 'card' }, h('details', null, h('summary', null, `All metrics (${rest.length} more)`), comparisonTable(loaded, rest, 'sim-table-all'))));
    }
    const charts: [HTMLElement, Record<string, unknown>][] = [];
    let metricChart: import('../charts').Chart | null = null;
    const chartBox = (id: string) => h('div', { class: 'chart', id });
    const names = loaded.map((r) => r.name);
    const bars = (keys: string[], seconds: boolean, unitMax?: number) => ({
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => (seconds ? formatDuration(v) : formatNumber(v, 3)) },
      xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 20 : 0 } },
      yAxis: seconds ? { type: 'value', name: 'seconds' } : { type: 'value', min: 0, max: unitMax },
      series: keys.map((k) => ({ name: labelFor(k), type: 'bar', data: loaded.map((r) => r.metrics[k] ?? null) })),
    });
    if (hasKnown) {
      const jct = chartBox('sim-jct-chart');
      const queue = chartBox('sim-queue-chart');
      const ratio = chartBox('sim-ratio-chart');
      sections.push(
        h('div', { class: 'two-col' }, h('section', { class: 'card' }, h('h2', null, 'Job completion time'), jct), h('section', { class: 'card' }, h('h2', null, 'Queueing delay'), queue)),
        h('section', { class: 'card' }, h('h2', null, 'Utilization and fairness'), ratio),
      );
      charts.push([jct, bars(['avg_jct_s', 'p50_jct_s', 'p99_jct_s'].filter((k) => all.includes(k)), true)]);
      charts.push([queue, bars(['avg_queue_s', 'p99_queue_s', 'max_queue_s'].filter((k) => all.includes(k)), true)]);
      charts.push([ratio, bars(['utilization', 'jain_fairness'].filter((k) => all.includes(k)), false, 1)]);
    } else {
      // Another kind of result (e.g. the fragmentation protocol): one chart per chosen metric.
      const box = chartBox('sim-metric-chart');
      const select = h('select', { id: 'sim-metric' }, all.map((k) => h('option', { value: k }, labelFor(k))));
      sections.push(h('section', { class: 'card' }, h('div', { class: 'log-head' }, h('h2', null, 'Compare'), select), box));
      charts.push([box, bars([all[0]], all[0].endsWith('_s'))]);
      select.addEventListener('change', () => metricChart?.set(bars([select.value], select.value.endsWith('_s'))));
    }
    const withTimeline = loaded.filter((r) => r.timeline && r.timeline.values.length > 1);
    if (withTimeline.length) {
      const box = chartBox('sim-timeline-chart');
      const field = withTimeline[0].timeline!.field;
      const fraction = withTimeline.every((r) => r.timeline!.values.every((v) => v >= 0 && v <= 1));
      sections.push(h('section', { class: 'card' }, h('h2', null, `${labelFor(field)} over the run`), box));
      charts.push([
        box,
        {
          legend: { top: 0 },
          grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
          tooltip: { trigger: 'axis', valueFormatter: (v: number) => (fraction ? `${(v * 100).toFixed(1)}%` : formatNumber(v, 3)) },
          xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' }, name: 'share of the run' },
          yAxis: fraction ? { type: 'value', min: 0, max: 1 } : { type: 'value' },
          series: withTimeline.map((r) => ({
            name: r.name,
            type: 'line',
            showSymbol: false,
            data: r.timeline!.values.map((u, i, a) => [((i + 0.5) / a.length) * 100, u]),
          })),
        },
      ]);
    }
    const tenantNames = [...new Set(loaded.flatMap((r) => (r.tenants ?? []).map((t) => t.tenant)))].sort();
    if (tenantNames.length > 1) {
      const box = chartBox('sim-tenant-chart');
      sections.push(h('section', { class: 'card' }, h('h2', null, 'Tenants: accelerator-hours received ÷ fair share (1 = exactly fair)'), box));
      charts.push([
        box,
        {
          legend: { top: 0 },
          grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
          tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatNumber(v, 3) },
          xAxis: { type: 'category', data: tenantNames, axisLabel: { interval: 0, rotate: tenantNames.length > 8 ? 30 : 0 } },
          yAxis: { type: 'value' },
          series: loaded.map((r) => ({
            name: r.name,
            type: 'bar',
            data: tenantNames.map((t) => r.tenants?.find((x) => x.tenant === t)?.received_over_fair ?? null),
          })),
        },
      ]);
    }
    replace(results, sections);
    const { Chart } = await import('../charts');
    if (ctx.signal.aborted) return;
    for (const [element, option] of charts) {
      const chart = new Chart(element, ctx);
      chart.set(option);
      if (element.id === 'sim-metric-chart') metricChart = chart;
    }
  }

  input.addEventListener('change', () => void open(input.files ?? []));
  drop.addEventListener('dragover', (e) => (e.preventDefault(), drop.classList.add('over')));
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    void open(e.dataTransfer?.files ?? []);
  });
  await show();
  markRendered('sim');
}

function comparisonTable(runs: PolicyRun[], keys: string[], id: string): HTMLElement {
  const best = new Map<string, number>();
  for (const k of keys) {
    const values = runs.map((r) => r.metrics[k]).filter((v) => v !== undefined);
    const dir = direction(k);
    // Only figures with a clear direction are ranked, and only when the policies differ.
    if (dir && values.length > 1 && new Set(values).size > 1) best.set(k, dir === 'up' ? Math.max(...values) : Math.min(...values));
  }
  const dirTitle = (k: string) => (direction(k) === 'up' ? 'higher is better' : direction(k) === 'down' ? 'lower is better' : k);
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'grid', id },
      h('thead', null, h('tr', null, h('th', null, 'Policy'), keys.map((k) => h('th', { class: 'num', title: dirTitle(k) }, labelFor(k))))),
      h(
        'tbody',
        null,
        runs.map((r) =>
          h('tr', { 'data-policy': r.name }, h('td', null, r.name), keys.map((k) => h('td', { class: `num${best.get(k) === r.metrics[k] ? ' best' : ''}` }, formatMetric(k, r.metrics[k])))),
        ),
      ),
    ),
  );
}
