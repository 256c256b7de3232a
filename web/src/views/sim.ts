// Simulator results: open the --json output of `suanli sim` and compare policies side by side.
// The file is read locally in the browser; nothing is uploaded.
import { errorBox, h, replace } from '../dom';
import { formatDuration, formatNumber } from '../format';
import { markRendered, type ViewContext } from '../router';

export interface PolicyRun {
  name: string;
  metrics: Record<string, number>;
  timeline?: number[]; // utilization per equal time bucket, when the result file has it
}

const KNOWN = ['jobs', 'avg_jct_s', 'p50_jct_s', 'p99_jct_s', 'avg_queue_s', 'max_queue_s', 'utilization', 'jain_fairness'];
const HIGHER_IS_BETTER = new Set(['utilization', 'jain_fairness', 'jobs']);
const LABELS: Record<string, string> = {
  jobs: 'Jobs',
  avg_jct_s: 'Avg JCT',
  p50_jct_s: 'p50 JCT',
  p99_jct_s: 'p99 JCT',
  avg_queue_s: 'Avg queue',
  max_queue_s: 'Max queue',
  utilization: 'Utilization',
  jain_fairness: "Jain's fairness",
};

// Results stay while the tab is open so leaving and returning to the view keeps them.
let loaded: PolicyRun[] = [];
let loadedFrom = '';

// Reads a run's metrics: flat numbers (avg_jct_s, utilization, ...) and nested distributions such as
// "jct_s": {"mean", "p50", "p99", "max"}, which become avg_jct_s, p50_jct_s, p99_jct_s, max_jct_s.
function numericFields(value: unknown): Record<string, number> | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const source = (value as Record<string, unknown>).metrics;
  const object = (source && typeof source === 'object' ? source : value) as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(object)) {
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [stat, x] of Object.entries(v as Record<string, unknown>)) {
        if (typeof x !== 'number' || !Number.isFinite(x)) continue;
        const name = stat === 'mean' || stat === 'avg' ? `avg_${k}` : `${stat}_${k}`;
        if (!(name in out)) out[name] = x;
      }
    }
  }
  return KNOWN.some((k) => k in out) ? out : null;
}

function timelineOf(value: unknown): number[] | undefined {
  const o = value as Record<string, unknown>;
  const t = o?.utilization_timeline ?? (o?.metrics as Record<string, unknown> | undefined)?.utilization_timeline;
  return Array.isArray(t) && t.every((x) => typeof x === 'number') ? (t as number[]) : undefined;
}

function nameOf(value: unknown, fallback: string): string {
  const o = value as Record<string, unknown>;
  for (const key of ['policy', 'label', 'name']) if (typeof o?.[key] === 'string') return o[key] as string;
  return fallback;
}

// Accepts the shapes a result file plausibly has: {"policies":[{policy, ...metrics}]}, {"results":[...]},
// a bare list, a map {policy: metrics}, or one run's metrics.
export function extractRuns(json: unknown): PolicyRun[] {
  if (Array.isArray(json)) {
    return json.flatMap((item, i) => {
      const metrics = numericFields(item);
      return metrics ? [{ name: nameOf(item, `run ${i + 1}`), metrics, timeline: timelineOf(item) }] : extractRuns(item);
    });
  }
  if (!json || typeof json !== 'object') return [];
  const object = json as Record<string, unknown>;
  for (const key of ['policies', 'results', 'runs']) {
    const inner = object[key];
    if (inner && typeof inner === 'object') {
      const runs = Array.isArray(inner)
        ? extractRuns(inner)
        : Object.entries(inner).flatMap(([name, v]) => {
            const metrics = numericFields(v);
            return metrics ? [{ name: nameOf(v, name), metrics, timeline: timelineOf(v) }] : [];
          });
      if (runs.length) return runs;
    }
  }
  const own = numericFields(object);
  if (own) return [{ name: nameOf(object, 'run'), metrics: own, timeline: timelineOf(object) }];
  return Object.entries(object).flatMap(([name, v]) => {
    const metrics = numericFields(v);
    return metrics ? [{ name: nameOf(v, name), metrics, timeline: timelineOf(v) }] : [];
  });
}

export async function render(ctx: ViewContext): Promise<void> {
  const input = h('input', { type: 'file', id: 'sim-file', accept: '.json,application/json', multiple: true });
  const drop = h(
    'label',
    { class: 'dropzone', for: 'sim-file' },
    h('strong', null, 'Open a result file'),
    h('span', { class: 'muted' }, ' — the output of ', h('code', null, 'suanli sim … --json result.json'), '. Drop one or more files here or click to choose.'),
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
        if (!found.length) throw new Error(`${file.name} has no policy metrics (expected fields like avg_jct_s, utilization, jain_fairness)`);
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
    const jct = h('div', { class: 'chart', id: 'sim-jct-chart' });
    const queue = h('div', { class: 'chart', id: 'sim-queue-chart' });
    const ratio = h('div', { class: 'chart', id: 'sim-ratio-chart' });
    const withTimeline = loaded.filter((r) => r.timeline && r.timeline.length > 1);
    const timeline = withTimeline.length ? h('div', { class: 'chart', id: 'sim-timeline-chart' }) : null;
    replace(
      results,
      h('section', { class: 'card' }, h('h2', null, 'Policies'), comparisonTable(loaded)),
      h('div', { class: 'two-col' }, h('section', { class: 'card' }, h('h2', null, 'Job completion time'), jct), h('section', { class: 'card' }, h('h2', null, 'Queueing delay'), queue)),
      h('section', { class: 'card' }, h('h2', null, 'Utilization and fairness'), ratio),
      timeline ? h('section', { class: 'card' }, h('h2', null, 'Utilization over the run (share of the makespan)'), timeline) : null,
    );
    const { Chart } = await import('../charts');
    if (ctx.signal.aborted) return;
    const names = loaded.map((r) => r.name);
    const bars = (keys: string[], seconds: boolean) => ({
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => (seconds ? formatDuration(v) : v.toFixed(3)) },
      xAxis: { type: 'category', data: names, axisLabel: { interval: 0 } },
      yAxis: seconds ? { type: 'value', name: 'seconds' } : { type: 'value', min: 0, max: 1 },
      series: keys.map((k) => ({ name: LABELS[k], type: 'bar', data: loaded.map((r) => r.metrics[k] ?? null) })),
    });
    new Chart(jct, ctx).set(bars(['avg_jct_s', 'p50_jct_s', 'p99_jct_s'], true));
    new Chart(queue, ctx).set(bars(['avg_queue_s', 'max_queue_s'], true));
    new Chart(ratio, ctx).set(bars(['utilization', 'jain_fairness'], false));
    if (timeline) {
      new Chart(timeline, ctx).set({
        legend: { top: 0 },
        grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
        tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${(v * 100).toFixed(1)}%` },
        xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
        yAxis: { type: 'value', min: 0, max: 1 },
        series: withTimeline.map((r) => ({
          name: r.name,
          type: 'line',
          showSymbol: false,
          data: r.timeline!.map((u, i) => [((i + 0.5) / r.timeline!.length) * 100, u]),
        })),
      });
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

function labelFor(key: string): string {
  if (LABELS[key]) return LABELS[key];
  const m = /^(avg|min|max|p\d+)_(.+?)(_s)?$/.exec(key);
  if (m) return `${m[1]} ${m[2].replace(/_/g, ' ')}`;
  return key.replace(/_/g, ' ');
}

function comparisonTable(runs: PolicyRun[]): HTMLElement {
  const extra = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].filter((k) => !KNOWN.includes(k)).sort();
  const keys = [...KNOWN.filter((k) => runs.some((r) => k in r.metrics)), ...extra];
  const best = new Map<string, number>();
  for (const k of keys) {
    const values = runs.map((r) => r.metrics[k]).filter((v) => v !== undefined);
    // Only figures with a clear direction are ranked, and only when the policies differ.
    const ranked = k.endsWith('_s') || HIGHER_IS_BETTER.has(k);
    if (ranked && k !== 'jobs' && values.length > 1 && new Set(values).size > 1) best.set(k, HIGHER_IS_BETTER.has(k) ? Math.max(...values) : Math.min(...values));
  }
  const cell = (k: string, v: number | undefined) => {
    if (v === undefined) return '—';
    if (k.endsWith('_s')) return formatDuration(v);
    if (k === 'utilization' || k === 'jain_fairness') return v.toFixed(3);
    return formatNumber(v, 3);
  };
  return h(
    'table',
    { class: 'grid', id: 'sim-table' },
    h('thead', null, h('tr', null, h('th', null, 'Policy'), keys.map((k) => h('th', { class: 'num', title: HIGHER_IS_BETTER.has(k) ? 'higher is better' : k.endsWith('_s') ? 'lower is better' : k }, labelFor(k))))),
    h(
      'tbody',
      null,
      runs.map((r) =>
        h('tr', { 'data-policy': r.name }, h('td', null, r.name), keys.map((k) => h('td', { class: `num${best.get(k) === r.metrics[k] ? ' best' : ''}` }, cell(k, r.metrics[k])))),
      ),
    ),
  );
}
