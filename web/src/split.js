// The resizable split between the lab pane and the terminals. The ratio is
// kept in localStorage; CSS stacks the panes on narrow screens.

const KEY = 'playground.split';
const DEFAULT = 0.45;
const MIN = 0.2;
const MAX = 0.8;
const STEP = 0.02;

export function setupSplit(container, handle) {
  let ratio = load();
  let dragging = false;

  const apply = () => {
    container.style.setProperty('--left', `${ratio}fr`);
    container.style.setProperty('--right', `${1 - ratio}fr`);
    handle.setAttribute('aria-valuenow', String(Math.round(ratio * 100)));
  };
  const set = (r) => {
    ratio = Math.min(MAX, Math.max(MIN, r));
    apply();
  };

  handle.setAttribute('aria-valuemin', String(MIN * 100));
  handle.setAttribute('aria-valuemax', String(MAX * 100));
  handle.addEventListener('pointerdown', (ev) => {
    if (ev.button !== 0) return;
    ev.preventDefault();
    dragging = true;
    handle.setPointerCapture(ev.pointerId);
    container.classList.add('dragging');
  });
  handle.addEventListener('pointermove', (ev) => {
    if (!dragging) return;
    const rect = container.getBoundingClientRect();
    if (rect.width > 0) set((ev.clientX - rect.left) / rect.width);
  });
  const end = () => {
    if (!dragging) return;
    dragging = false;
    container.classList.remove('dragging');
    save(ratio);
  };
  handle.addEventListener('pointerup', end);
  handle.addEventListener('pointercancel', end);
  handle.addEventListener('dblclick', () => {
    set(DEFAULT);
    save(ratio);
  });
  handle.addEventListener('keydown', (ev) => {
    const delta = { ArrowLeft: -STEP, ArrowRight: STEP }[ev.key];
    if (!delta) return;
    ev.preventDefault();
    set(ratio + delta);
    save(ratio);
  });
  apply();
}

function load() {
  try {
    const r = parseFloat(localStorage.getItem(KEY));
    if (r >= MIN && r <= MAX) return r;
  } catch {
    // No storage: use the default.
  }
  return DEFAULT;
}

function save(r) {
  try {
    localStorage.setItem(KEY, r.toFixed(3));
  } catch {
    // No storage: the ratio lasts for this page only.
  }
}
