// Human-friendly numbers and times. API times are Unix epoch seconds (with a millisecond fraction).
import type { Resources } from './types';

export function nowSeconds(): number {
  return Date.now() / 1000;
}

export function formatTime(epoch: number | null | undefined): string {
  if (epoch === null || epoch === undefined) return '—';
  const date = new Date(epoch * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const today = new Date();
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  if (date.toDateString() === today.toDateString()) return time;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

export function formatAgo(epoch: number | null | undefined): string {
  if (epoch === null || epoch === undefined) return 'never';
  const delta = nowSeconds() - epoch;
  if (delta < 1) return 'just now';
  return `${formatDuration(delta)} ago`;
}

export function formatIn(epoch: number | null | undefined): string {
  if (epoch === null || epoch === undefined) return 'unknown';
  const delta = epoch - nowSeconds();
  if (delta <= 0) return `now (${formatTime(epoch)})`;
  return `in ${formatDuration(delta)} (${formatTime(epoch)})`;
}

export function formatMem(mb: number | null | undefined): string {
  if (mb === null || mb === undefined) return '—';
  if (mb >= 1024 * 1024) return `${(mb / 1024 / 1024).toFixed(1)} TiB`;
  if (mb >= 1024) return `${(mb / 1024).toFixed(mb % 1024 === 0 ? 0 : 1)} GiB`;
  return `${mb} MiB`;
}

export function formatNumber(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  // Small amounts (a few accelerator-seconds in hours) keep two significant digits instead of rounding to 0.
  if (Math.abs(value) < 1) return value.toLocaleString('en-US', { maximumSignificantDigits: Math.max(2, digits) });
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

export function formatResources(r: Resources | undefined): string {
  if (!r) return '—';
  const parts: string[] = [];
  const tasks = r.tasks ?? 1;
  if (tasks > 1) parts.push(`${tasks} tasks ×`);
  if (r.gpus) parts.push(`${formatNumber(r.gpus)} × ${r.gpu_type && r.gpu_type !== 'any' ? r.gpu_type : 'any accel'}`);
  if (r.cpus !== undefined) parts.push(`${formatNumber(r.cpus)} cpu`);
  if (r.mem_mb !== undefined) parts.push(formatMem(r.mem_mb));
  return parts.join(' ');
}

// Quota/usage dimensions: "cpus", "mem_mb", or an accelerator type.
export function formatDim(dim: string, value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (value < 0) return '∞';
  if (dim === 'mem_mb') return formatMem(value);
  return formatNumber(value);
}

export function dimLabel(dim: string): string {
  if (dim === 'cpus') return 'CPUs';
  if (dim === 'mem_mb') return 'Memory';
  return dim;
}
