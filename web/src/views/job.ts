// One job: state timeline, resources, nodes, live-following logs, cancel.
import { ApiError, getJson, postJson, request } from '../api';
import { errorBox, h, replace, stateBadge } from '../dom';
import { formatDuration, formatMem, formatNumber, formatResources, formatTime, nowSeconds } from '../format';
import { markRendered, poll, type ViewContext } from '../router';
import { isTerminal, type HistoryEntry, type Job } from '../types';

const MAX_LOG_CHARS = 2_000_000; // keep the page light: older output is trimmed from the top

export async function render(ctx: ViewContext): Promise<void> {
  const id = Number(ctx.params.id);
  if (!Number.isInteger(id) || id <= 0) {
    replace(ctx.root, errorBox(`"${ctx.params.id}" is not a job id`));
    markRendered('job');
    return;
  }
  let job: Job;
  try {
    job = await getJson<Job>(`/jobs/${id}`, undefined, ctx.signal);
  } catch (e) {
    const notFound = e instanceof ApiError && e.status === 404;
    replace(
      ctx.root,
      h('div', { class: 'page-head' }, h('h1', null, `Job #${id}`)),
      h('div', { class: 'error', id: 'job-not-found', role: 'alert' }, notFound ? `Job ${id} does not exist or you may not see it.` : (e as Error).message),
    );
    markRendered('job');
    return;
  }

  const header = h('div', { class: 'page-head' });
  const details = h('section', { class: 'card', id: 'job-details' });
  const timeline = h('section', { class: 'card', id: 'job-timeline' });
  const logs = new LogPanel(ctx, id);
  replace(ctx.root, header, h('div', { class: 'two-col wide-left' }, details, timeline), logs.element);

  const draw = () => {
    renderHeader(header, job, async () => {
      job = await postJson<Job>(`/jobs/${id}/cancel`, {});
      draw();
    });
    renderDetails(details, job);
    renderTimeline(timeline, job);
    logs.setTasks(job.resources?.tasks ?? 1);
  };
  draw();
  markRendered('job');

  logs.start(() => job.state);
  poll(ctx, 2000, async () => {
    if (isTerminal(job.state)) return;
    job = await getJson<Job>(`/jobs/${id}`, undefined, ctx.signal);
    draw();
  });
}

function renderHeader(container: HTMLElement, job: Job, cancel: () => Promise<void>): void {
  const actions = h('div', { class: 'actions' });
  if (!isTerminal(job.state)) {
    const message = h('span', { class: 'error-text', role: 'alert' });
    const confirm = h('button', { class: 'danger', id: 'confirm-cancel', hidden: true }, 'Yes, cancel it');
    const keep = h('button', { class: 'link', hidden: true }, 'Keep running');
    const ask = h('button', { class: 'danger-outline', id: 'cancel-job' }, 'Cancel job');
    ask.addEventListener('click', () => {
      ask.hidden = true;
      confirm.hidden = false;
      keep.hidden = false;
    });
    keep.addEventListener('click', () => {
      ask.hidden = false;
      confirm.hidden = true;
      keep.hidden = true;
    });
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      try {
        await cancel();
      } catch (e) {
        message.textContent = `Cannot cancel: ${(e as Error).message}`;
        confirm.disabled = false;
      }
    });
    actions.append(ask, confirm, keep, message);
  }
  replace(
    container,
    h('h1', null, `Job #${job.id} `, h('span', { class: 'job-name' }, job.name || '(unnamed)'), ' ', h('span', { id: 'job-state' }, stateBadge(job.state))),
    actions,
  );
}

function renderDetails(container: HTMLElement, job: Job): void {
  const r = job.resources ?? {};
  const runEnd = job.end_time ?? nowSeconds();
  const rows: [string, Node | string][] = [
    ['Tenant / user', `${job.tenant ?? '—'} / ${job.user ?? '—'}`],
    ['Resources', formatResources(r)],
    ['Per task', `${formatNumber(r.cpus)} CPU · ${formatMem(r.mem_mb)} · ${formatNumber(r.gpus ?? 0)} × ${r.gpu_type ?? 'any'}`],
    ['Tasks', String(r.tasks ?? 1)],
    ['Nodes', job.nodes && job.nodes.length ? h('span', { id: 'job-nodes' }, job.nodes.join(', ')) : '—'],
    ['Command', h('code', { class: 'command' }, job.command ? job.command.join(' ') : job.script ? '(script)' : '—')],
    ['Submitted', formatTime(job.submit_time)],
    ['Started', formatTime(job.start_time)],
    ['Ended', formatTime(job.end_time)],
    ['Run time', job.start_time ? formatDuration(runEnd - job.start_time) : '—'],
    ['Time limit', job.time_limit_s ? formatDuration(job.time_limit_s) : '—'],
    ['Priority', String(job.priority ?? 0)],
    ['Attempt', `${job.attempt ?? 1}${job.requeue ? ' (requeues on preemption)' : ''}`],
    ['Exit', exitText(job)],
    ['Cost', job.cost !== undefined ? formatNumber(job.cost) : '—'],
  ];
  if (job.state === 'PENDING') {
    rows.unshift(['Waiting because', h('span', { class: 'reason' }, job.reason || 'waiting to be scheduled')], ['Estimated start', job.est_start_time ? formatTime(job.est_start_time) : 'unknown']);
  } else if (job.reason && isTerminal(job.state)) {
    rows.unshift(['Reason', job.reason]);
  }
  replace(container, h('h2', null, 'Details'), h('dl', { class: 'details' }, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)])));
}

function exitText(job: Job): string {
  const parts: string[] = [];
  if (job.exit_code !== null && job.exit_code !== undefined) parts.push(`code ${job.exit_code}`);
  if (job.signal !== null && job.signal !== undefined) parts.push(`signal ${job.signal}`);
  if (job.failed_task !== null && job.failed_task !== undefined) parts.push(`task ${job.failed_task} failed`);
  return parts.join(', ') || '—';
}

function renderTimeline(container: HTMLElement, job: Job): void {
  const history: HistoryEntry[] = (job.history ?? []).filter((e) => e.time !== null && e.time !== undefined);
  const end = isTerminal(job.state) ? (job.end_time ?? history[history.length - 1]?.time ?? nowSeconds()) : nowSeconds();
  const spans = history.map((entry, i) => ({ entry, duration: Math.max(0, (history[i + 1]?.time ?? end)! - entry.time!) }));
  const total = spans.reduce((sum, s) => sum + s.duration, 0) || 1;
  replace(
    container,
    h('h2', null, 'Timeline'),
    h(
      'div',
      { class: 'timeline-bar', 'aria-hidden': 'true' },
      spans.map((s) => h('div', { class: `seg state-${s.entry.state.toLowerCase()}`, style: `flex-grow:${Math.max(s.duration / total, 0.02)}`, title: `${s.entry.state} ${formatDuration(s.duration)}` })),
    ),
    h(
      'ol',
      { class: 'timeline', id: 'timeline-list' },
      spans.length === 0
        ? h('li', { class: 'muted' }, 'No history yet.')
        : spans.map((s, i) =>
            h(
              'li',
              { 'data-state': s.entry.state },
              stateBadge(s.entry.state),
              h('span', { class: 'tl-time' }, formatTime(s.entry.time)),
              h('span', { class: 'tl-dur muted' }, i === spans.length - 1 && isTerminal(s.entry.state) ? '' : formatDuration(s.duration)),
              s.entry.reason ? h('div', { class: 'tl-reason' }, s.entry.reason) : null,
            ),
          ),
    ),
  );
}

// Follows a task's stdout/stderr by polling with the next offset until the job ended and the log is drained.
class LogPanel {
  readonly element: HTMLElement;
  private readonly pre = h('pre', { class: 'logs', id: 'job-logs', tabindex: '0' });
  private readonly taskSelect = h('select', { id: 'log-task', 'aria-label': 'task' });
  private readonly streamSelect = h(
    'select',
    { id: 'log-stream', 'aria-label': 'stream' },
    h('option', { value: 'stdout' }, 'stdout'),
    h('option', { value: 'stderr' }, 'stderr'),
  );
  private readonly follow = h('input', { type: 'checkbox', id: 'log-follow', checked: true });
  private readonly status = h('span', { class: 'muted', id: 'log-status' });
  private offset = 0;
  private tasks = 0;
  private generation = 0;

  constructor(
    private readonly ctx: ViewContext,
    private readonly jobId: number,
  ) {
    const reset = () => {
      this.offset = 0;
      this.generation++;
      this.pre.textContent = '';
    };
    this.taskSelect.addEventListener('change', reset);
    this.streamSelect.addEventListener('change', reset);
    this.element = h(
      'section',
      { class: 'card' },
      h(
        'div',
        { class: 'log-head' },
        h('h2', null, 'Logs'),
        h('label', null, 'Task ', this.taskSelect),
        h('label', null, 'Stream ', this.streamSelect),
        h('label', null, this.follow, ' follow'),
        this.status,
      ),
      this.pre,
    );
  }

  setTasks(tasks: number): void {
    if (tasks === this.tasks) return;
    this.tasks = tasks;
    const selected = this.taskSelect.value || '0';
    replace(
      this.taskSelect,
      Array.from({ length: Math.max(1, tasks) }, (_, i) => h('option', { value: i, selected: String(i) === selected }, String(i))),
    );
  }

  start(state: () => string): void {
    let drainedAfterEnd = false;
    poll(this.ctx, 1000, async () => {
      if (drainedAfterEnd && this.pre.dataset.generation === String(this.generation)) return;
      const generation = this.generation;
      let response: Response;
      try {
        response = await request('GET', `/jobs/${this.jobId}/logs`, {
          query: { task: this.taskSelect.value || '0', stream: this.streamSelect.value, offset: this.offset },
          signal: this.ctx.signal,
        });
      } catch (e) {
        if ((e as Error).name === 'AbortError') return;
        this.status.textContent = e instanceof ApiError && e.status === 404 ? 'no log yet' : `log error: ${(e as Error).message}`;
        return;
      }
      const text = await response.text();
      if (generation !== this.generation) return;
      const next = Number(response.headers.get('X-Suanli-Next-Offset'));
      this.offset = Number.isFinite(next) && next >= this.offset ? next : this.offset + new TextEncoder().encode(text).length;
      const jobState = response.headers.get('X-Suanli-Job-State') ?? state();
      if (text) this.appendText(text);
      drainedAfterEnd = isTerminal(jobState) && text === '';
      this.pre.dataset.generation = String(generation);
      this.status.textContent = drainedAfterEnd ? `complete · ${formatNumber(this.offset)} bytes` : `following · ${formatNumber(this.offset)} bytes`;
      this.element.dataset.logState = drainedAfterEnd ? 'complete' : 'following';
    });
  }

  private appendText(text: string): void {
    const atBottom = this.pre.scrollTop + this.pre.clientHeight >= this.pre.scrollHeight - 8;
    let content = (this.pre.textContent ?? '') + text;
    if (content.length > MAX_LOG_CHARS) content = '… (older output trimmed)\n' + content.slice(content.length - MAX_LOG_CHARS);
    this.pre.textContent = content;
    if (this.follow.checked && atBottom) this.pre.scrollTop = this.pre.scrollHeight;
  }
}
