// Shapes of the REST API's JSON (docs/api.md). Only fields the dashboard reads are listed; every field
// is treated as possibly missing, since the dashboard must never crash on a server that is newer or older.

export type JobState =
  | 'PENDING'
  | 'STARTING'
  | 'RUNNING'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELLED'
  | 'TIMEOUT'
  | 'PREEMPTED'
  | 'LOST'
  | 'OUT_OF_MEMORY';

export const ALL_STATES: JobState[] = [
  'PENDING',
  'STARTING',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'PREEMPTED',
  'LOST',
  'OUT_OF_MEMORY',
];

export const ACTIVE_STATES: JobState[] = ['PENDING', 'STARTING', 'RUNNING'];

export function isTerminal(state: string | undefined): boolean {
  return !!state && !ACTIVE_STATES.includes(state as JobState) && state !== 'PREEMPTED';
}

export interface Resources {
  cpus?: number;
  mem_mb?: number;
  gpus?: number;
  gpu_type?: string;
  tasks?: number;
}

export interface HistoryEntry {
  state: string;
  time: number | null;
  reason?: string | null;
}

export interface Job {
  id: number;
  name?: string;
  state: string;
  reason?: string | null;
  est_start_time?: number | null;
  tenant?: string;
  user?: string;
  resources?: Resources;
  nodes?: string[];
  exit_code?: number | null;
  signal?: number | string | null;
  failed_task?: number | null;
  submit_time?: number | null;
  start_time?: number | null;
  end_time?: number | null;
  priority?: number;
  time_limit_s?: number;
  command?: string[] | null;
  script?: string | null;
  attempt?: number;
  requeue?: boolean;
  cost?: number;
  history?: HistoryEntry[];
}

export interface WhoAmI {
  user: string;
  tenant: string;
  role: 'admin' | 'tenant-admin' | 'member' | string;
}

export type DimMap = Record<string, number>;

export interface Tenant {
  name: string;
  parent?: string | null;
  weight?: number;
  quota?: DimMap | null;
  limit?: DimMap | null;
  budget_accel_hours?: number | null;
  budget_period?: 'day' | 'week' | 'month' | 'total' | string;
  budget_used_accel_hours?: number; // in the current period, running jobs included
  budget_period_start?: number | null;
  budget_resets_at?: number | null;
  allocated?: DimMap | null;
  pending_jobs?: number;
  running_jobs?: number;
  fair_share?: number;
  usage_accel_hours?: number;
}

export interface Device {
  index: number;
  type: string;
  uuid?: string;
  memory_mb?: number;
  island?: number;
}

export interface NodeInfo {
  name: string;
  state: string;
  cpus?: number;
  mem_mb?: number;
  devices?: Device[];
  allocated?: { cpus?: number; mem_mb?: number; gpus?: number } & DimMap;
  jobs?: number[];
  last_heartbeat?: number | null;
}

export interface UsageRow {
  key: string;
  jobs?: number;
  cpu_s?: number;
  mem_mb_s?: number;
  accel_s?: DimMap;
  cost?: number;
}

export interface UsageReport {
  rows: UsageRow[];
  total?: Partial<UsageRow>;
}

export interface Overview {
  accelerators: { type: string; total: number; allocated: number; idle: number }[];
  jobs?: { pending?: number; running?: number };
  nodes?: { total?: number; up?: number };
  jobs_by_tenant: { tenant: string; pending: number; running: number }[];
  recent_failures: Job[];
}

export interface UtilizationSample {
  time: number;
  allocated: DimMap;
  total: DimMap;
}
