// Reads `suanli sim` result files. The simulator writes {"input": {...}, "policies": [{"policy": "fifo",
// "avg_jct_s": …, "slowdown": {"mean", "p50", …}, "tenants": [...], "utilization_timeline": [...]}]};
// other plausible shapes (a bare list, {"runs"|"results": [...]}, a map from policy to metrics) are accepted too.

export interface TenantResult {
  tenant: string;
  received_over_fair?: number;
  share?: number;
}

export interface PolicyRun {
  name: string;
  metrics: Record<string, number>;
  timeline?: { field: string; values: number[] }; // a per-bucket series, when the file has one
  tenants?: TenantResult[];
}

const KNOWN = ['avg_jct_s', 'p50_jct_s', 'p99_jct_s', 'avg_queue_s', 'max_queue_s', 'utilization', 'jain_fairness'];
const SERIES_FIELDS = ['utilization_timeline', 'mean_curve'];

// Flat numbers are metrics; a nested distribution "slowdown": {"mean", "p50", …} becomes avg_slowdown, p50_slowdown, ….
function numericFields(value: unknown, strict: boolean): Record<string, number> | null {
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
  if (strict) return KNOWN.some((k) => k in out) ? out : null;
  return Object.keys(out).length ? out : null;
}

function seriesOf(value: Record<string, unknown>): PolicyRun['timeline'] {
  for (const field of SERIES_FIELDS) {
    const t = value[field];
    if (Array.isArray(t) && t.length && t.every((x) => typeof x === 'number')) return { field, values: t as number[] };
  }
  return undefined;
}

function tenantsOf(value: Record<string, unknown>): TenantResult[] | undefined {
  const t = value.tenants;
  if (!Array.isArray(t)) return undefined;
  const rows = t.filter((x) => x && typeof x === 'object' && typeof (x as TenantResult).tenant === 'string') as TenantResult[];
  return rows.length ? rows : undefined;
}

function nameOf(value: unknown, fallback: string): string {
  const o = value as Record<string, unknown>;
  for (const key of ['policy', 'label', 'name']) if (typeof o?.[key] === 'string') return o[key] as string;
  return fallback;
}

function runOf(value: unknown, fallback: string, strict: boolean): PolicyRun | null {
  const metrics = numericFields(value, strict);
  if (!metrics) return null;
  const o = value as Record<string, unknown>;
  return { name: nameOf(value, fallback), metrics, timeline: seriesOf(o), tenants: tenantsOf(o) };
}

function extract(json: unknown, strict: boolean): PolicyRun[] {
  if (Array.isArray(json)) {
    return json.flatMap((item, i) => {
      const run = runOf(item, `run ${i + 1}`, strict);
      return run ? [run] : strict ? extract(item, strict) : [];
    });
  }
  if (!json || typeof json !== 'object') return [];
  const object = json as Record<string, unknown>;
  for (const key of ['policies', 'runs', 'results']) {
    const inner = object[key];
    if (inner && typeof inner === 'object') {
      const runs = Array.isArray(inner)
        ? extract(inner, strict)
        : Object.entries(inner).flatMap(([name, v]) => {
            const run = runOf(v, name, strict);
            return run ? [run] : [];
          });
      if (runs.length) return runs;
    }
  }
  if (!strict) return [];
  const own = runOf(object, 'run', strict);
  if (own) return [own];
  return Object.entries(object).flatMap(([name, v]) => {
    const run = runOf(v, name, strict);
    return run ? [run] : [];
  });
}

// Runs with the known scheduling metrics first; failing that, any list of per-policy numbers
// (e.g. the fragmentation protocol's alloc_pct_mean) so such files can still be compared.
export function extractRuns(json: unknown): PolicyRun[] {
  const runs = extract(json, true);
  return runs.length ? runs : extract(json, false);
}
