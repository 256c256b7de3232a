// A tiny DOM builder: h('div', {class: 'x'}, child, ...). Text children are always set as text, never
// parsed as HTML, so anything the API returns (job names, reasons, log lines) cannot inject markup.

type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (value === true) {
      element.setAttribute(key, '');
    } else {
      element.setAttribute(key, String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}

export function replace(element: Element, ...children: Child[]): void {
  clear(element);
  append(element, children);
}

// A table from column definitions; `empty` is shown in one cell when there are no rows.
export interface Column<T> {
  title: string;
  cell: (row: T) => Child;
  className?: string;
}

export function table<T>(columns: Column<T>[], rows: T[], empty: string, rowAttrs?: (row: T) => Attrs): HTMLTableElement {
  return h(
    'table',
    { class: 'grid' },
    h('thead', null, h('tr', null, columns.map((c) => h('th', { class: c.className }, c.title)))),
    h(
      'tbody',
      null,
      rows.length === 0
        ? h('tr', null, h('td', { colspan: columns.length, class: 'empty' }, empty))
        : rows.map((row) => h('tr', rowAttrs?.(row) ?? null, columns.map((c) => h('td', { class: c.className }, c.cell(row))))),
    ),
  );
}

export function stateBadge(state: string): HTMLElement {
  return h('span', { class: `badge state-${state.toLowerCase()}`, 'data-state': state }, state);
}

export function errorBox(error: unknown): HTMLElement {
  const message = error instanceof Error ? error.message : String(error);
  return h('div', { class: 'error', role: 'alert' }, message);
}

export function jobLink(id: number): HTMLElement {
  return h('a', { href: `#/jobs/${id}`, class: 'job-link' }, `#${id}`);
}
