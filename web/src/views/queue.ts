// Queue: jobs filtered by tenant, user and state. Pending jobs show why they wait and when they should start.
import { getJson } from '../api';
import { errorBox, h, jobLink, replace, stateBadge, table } from '../dom';
import { formatAgo, formatDuration, formatIn, formatResources, formatTime, nowSeconds } from '../format';
import { markRendered, poll, type ViewContext } from '../router';
import { ACTIVE_STATES, ALL_STATES, type Job, type Tenant } from '../types';

const LIMIT = 500;

export async function render(ctx: ViewContext): Promise<void> {
  const initialStates = (ctx.query.get('state') ?? ACTIVE_STATES.join(',')).split(',').filter((s) => ALL_STATES.includes(s as never));
  const tenantInput = h('input', { id: 'filter-tenant', list: 'tenant-list', placeholder: 'any tenant', value: ctx.query.get('tenant') ?? '' });
  const userInput = h('input', { id: 'filter-user', placeholder: 'any user', value: ctx.query.get('user') ?? '' });
  const tenantList = h('datalist', { id: 'tenant-list' });
  const stateBoxes = ALL_STATES.map((state) =>
    h('label', { class: 'chip' }, h('input', { type: 'checkbox', value: state, checked: initialStates.includes(state), 'data-filter-state': state }), state.replace(/_/g, ' ').toLowerCase()),
  );
  const results = h('div', { id: 'queue-table' });
  const status = h('div', { class: 'status-line' });
  const form = h(
    'form',
    { class: 'filters card', id: 'queue-filters' },
    h('label', null, 'Tenant', tenantInput),
    tenantList,
    h('label', null, 'User', userInput),
    h(
      'div',
      { class: 'state-filter' },
      h('span', { class: 'filter-label' }, 'State'),
      stateBoxes,
      h('button', { type: 'button', class: 'link', onclick: () => setStates(ALL_STATES) }, 'all'),
      h('button', { type: 'button', class: 'link', onclick: () => setStates(ACTIVE_STATES) }, 'active'),
    ),
  );
  replace(ctx.root, h('div', { class: 'page-head' }, h('h1', null, 'Queue'), status), form, h('section', { class: 'card' }, results));

  function selectedStates(): string[] {
    return stateBoxes.map((label) => label.querySelector('input')!).filter((i) => i.checked).map((i) => i.value);
  }
  function setStates(states: string[]): void {
    for (const label of stateBoxes) {
      const input = label.querySelector('input')!;
      input.checked = states.includes(input.value);
    }
    refresh();
  }

  let generation = 0;
  async function load(): Promise<void> {
    const mine = ++generation;
    const states = selectedStates();
    const query = new URLSearchParams();
    if (tenantInput.value.trim()) query.set('tenant', tenantInput.value.trim());
    if (userInput.value.trim()) query.set('user', userInput.value.trim());
    query.set('state', states.join(','));
    ctx.setQuery(query);
    if (states.length === 0) {
      replace(results, h('div', { class: 'muted' }, 'Choose at least one state.'));
      return;
    }
    try {
      const allStates = states.length === ALL_STATES.length;
      const { jobs } = await getJson<{ jobs: Job[] }>(
        '/jobs',
        {
          state: allStates ? undefined : states.join(','),
          all: allStates ? true : undefined,
          tenant: tenantInput.value.trim() || undefined,
          user: userInput.value.trim() || undefined,
          limit: LIMIT,
        },
        ctx.signal,
      );
      if (mine !== generation) return; // a newer filter's answer wins
      renderJobs(results, jobs.filter((j) => states.includes(j.state)));
      status.textContent = `${jobs.length} job${jobs.length === 1 ? '' : 's'} · updated ${formatTime(nowSeconds())}`;
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      replace(results, errorBox(e));
    }
    markRendered('queue');
  }

  let debounce: number | undefined;
  function refresh(): void {
    window.clearTimeout(debounce);
    debounce = window.setTimeout(() => void load(), 150);
  }
  form.addEventListener('input', refresh);
  form.addEventListener('submit', (e) => e.preventDefault());
  ctx.onDispose(() => window.clearTimeout(debounce));

  getJson<{ tenants: Tenant[] }>('/tenants', undefined, ctx.signal)
    .then(({ tenants }) => replace(tenantList, tenants.map((t) => h('option', { value: t.name }))))
    .catch(() => {});
  poll(ctx, 2000, load);
}

function renderJobs(container: HTMLElement, jobs: Job[]): void {
  const now = nowSeconds();
  replace(
    container,
    table(
      [
        { title: 'ID', cell: (j) => jobLink(j.id) },
        { title: 'Name', cell: (j) => h('a', { href: `#/jobs/${j.id}` }, j.name || '(unnamed)') },
        { title: 'Tenant', cell: (j) => j.tenant ?? '' },
        { title: 'User', cell: (j) => j.user ?? '' },
        { title: 'State', cell: (j) => stateBadge(j.state) },
        { title: 'Resources', cell: (j) => formatResources(j.resources) },
        {
          title: 'Where / why',
          cell: (j) =>
            j.state === 'PENDING'
              ? h('div', { class: 'pending-info' }, h('div', { class: 'reason' }, j.reason || 'waiting to be scheduled'), h('div', { class: 'est-start muted' }, `est. start ${formatIn(j.est_start_time)}`))
              : j.nodes && j.nodes.length
                ? j.nodes.join(', ')
                : (j.reason ?? ''),
        },
        { title: 'Submitted', cell: (j) => h('span', { title: formatTime(j.submit_time) }, formatAgo(j.submit_time)) },
        {
          title: 'Run time',
          cell: (j) => (j.start_time ? formatDuration((j.end_time ?? now) - j.start_time) : '—'),
          className: 'num',
        },
      ],
      jobs,
      'No jobs match these filters.',
      (j) => ({ 'data-job-id': j.id, 'data-job-state': j.state }),
    ),
  );
}
