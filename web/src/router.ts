// A tiny hash router (#/queue?state=PENDING). Hash URLs need no server-side fallback, so the controller
// only has to serve static files. Each view module is imported on first use (lazy chunks).

export interface ViewContext {
  root: HTMLElement;
  params: Record<string, string>;
  query: URLSearchParams;
  signal: AbortSignal; // aborted when the user leaves the view
  onDispose(fn: () => void): void;
  setQuery(query: URLSearchParams): void; // updates the URL without re-rendering the view
}

export type ViewModule = { render(ctx: ViewContext): Promise<void> | void };

interface Route {
  pattern: RegExp;
  keys: string[];
  name: string;
  load: () => Promise<ViewModule>;
}

const routes: Route[] = [];

export function route(path: string, name: string, load: () => Promise<ViewModule>): void {
  const keys: string[] = [];
  const source = path.replace(/:(\w+)/g, (_, key: string) => {
    keys.push(key);
    return '([^/]+)';
  });
  routes.push({ pattern: new RegExp(`^${source}$`), keys, name, load });
}

let current: { controller: AbortController; disposers: (() => void)[] } | null = null;

export function currentPath(): { path: string; query: URLSearchParams } {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = hash.split('?', 2);
  return { path: path || '/', query: new URLSearchParams(qs ?? '') };
}

// Starts loading the current route's view chunk (e.g. while the token is being checked), so the first
// view does not wait for two round trips in a row.
export function preloadCurrentRoute(): void {
  const { path } = currentPath();
  const match = routes.find((r) => r.pattern.test(path));
  match?.load().catch(() => {});
}

function disposeCurrent(): void {
  if (!current) return;
  current.controller.abort();
  for (const fn of current.disposers) {
    try {
      fn();
    } catch (e) {
      console.error(e);
    }
  }
  current = null;
}

export async function renderRoute(root: HTMLElement, onRoute: (name: string) => void): Promise<void> {
  disposeCurrent();
  const { path, query } = currentPath();
  const match = routes
    .map((r) => ({ r, m: r.pattern.exec(path) }))
    .find((x) => x.m !== null);
  const state = { controller: new AbortController(), disposers: [] as (() => void)[] };
  current = state;
  root.replaceChildren();
  if (!match || !match.m) {
    onRoute('');
    root.append(Object.assign(document.createElement('div'), { className: 'error', textContent: `No page at ${path}` }));
    return;
  }
  const params: Record<string, string> = {};
  match.r.keys.forEach((key, i) => (params[key] = decodeURIComponent(match.m![i + 1])));
  onRoute(match.r.name);
  root.setAttribute('aria-busy', 'true');
  try {
    const view = await match.r.load();
    if (state.controller.signal.aborted) return;
    await view.render({
      root,
      params,
      query,
      signal: state.controller.signal,
      onDispose: (fn) => state.disposers.push(fn),
      setQuery: (q) => {
        const qs = q.toString();
        history.replaceState(null, '', `#${path}${qs ? `?${qs}` : ''}`);
      },
    });
  } catch (e) {
    if ((e as Error).name !== 'AbortError') {
      console.error(e);
      root.append(Object.assign(document.createElement('div'), { className: 'error', textContent: String((e as Error).message ?? e) }));
    }
  } finally {
    root.removeAttribute('aria-busy');
  }
}

// Runs `tick` now and then every `intervalMs` after the previous run finished, until the view is left.
// Skips ticks while the tab is hidden so an idle dashboard puts no load on the controller.
export function poll(ctx: ViewContext, intervalMs: number, tick: () => Promise<void>): void {
  let timer: number | undefined;
  const run = async () => {
    if (ctx.signal.aborted) return;
    if (!document.hidden) {
      try {
        await tick();
      } catch (e) {
        if ((e as Error).name !== 'AbortError') console.error(e);
      }
    }
    if (!ctx.signal.aborted) timer = window.setTimeout(run, intervalMs);
  };
  ctx.onDispose(() => window.clearTimeout(timer));
  void run();
}

// Marks the first meaningful render of the page (used by the e2e suite to measure first-view time).
let firstRenderMarked = false;
export function markRendered(view: string): void {
  document.body.dataset.view = view;
  if (firstRenderMarked) return;
  firstRenderMarked = true;
  performance.mark('suanli-first-render');
}
