// The home page's lab picker: every lab as a card (title, level, time,
// nodes, languages), grouped by level, and a search box that narrows them.
// The chosen lab's slug is the value of the hidden input
// [data-testid="home-lab"], which Start reads.

import { t } from './i18n.js';

// LEVELS are the groups, in order; a lab whose lab.md gives no level goes
// last, under "Other labs".
const LEVELS = ['beginner', 'intermediate', 'advanced', ''];
const LEVEL_KEYS = {
  beginner: 'levelBeginner', intermediate: 'levelIntermediate', advanced: 'levelAdvanced', '': 'levelOther',
};

let labs = [];
let wired = false;

// showLabs fills the picker with labs, choosing the lab chosen (a slug), or
// the first lab when it is not among them (or a search hides it). It
// returns the slug chosen.
export function showLabs(list, chosen) {
  labs = list;
  const input = document.querySelector('[data-testid="home-lab"]');
  input.value = labs.some((l) => l.slug === chosen) ? chosen : (labs[0]?.slug || input.value);
  render();
  if (!wired) {
    wired = true;
    const search = document.querySelector('[data-testid="lab-search"]');
    search.addEventListener('input', render);
    // Enter in the search box starts the lab when the search leaves one.
    search.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Enter') return;
      ev.preventDefault();
      if (visible().length === 1) document.querySelector('[data-testid="start-session"]').click();
    });
  }
  const card = document.querySelector(`.lab-card input[value="${CSS.escape(input.value)}"]`);
  if (card) card.closest('.lab-card').scrollIntoView({ block: 'nearest' });
  return input.value;
}

// chosenLab returns the slug of the lab chosen.
export function chosenLab() {
  return document.querySelector('[data-testid="home-lab"]').value;
}

// fold lowercases s and drops its accents, so that "debutant" finds
// "Débutant".
function fold(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

// levelName is the level of a lab in the page's language.
function levelName(l) {
  return t(LEVEL_KEYS[LEVELS.includes(l.level || '') ? (l.level || '') : '']);
}

// visible returns the labs that match every word of the search, in the
// title, the slug, the level (in the page's language and in lab.md's
// words) or the language codes.
function visible() {
  const words = fold(document.querySelector('[data-testid="lab-search"]').value).split(/\s+/).filter(Boolean);
  return labs.filter((l) => {
    const text = fold([l.title, l.slug, l.level || '', levelName(l), ...(l.langs || [])].join(' '));
    return words.every((w) => text.includes(w));
  });
}

// render draws the cards of the labs that match the search, by level. When
// the search hides the chosen lab, the first lab shown is chosen instead,
// so that Start always starts a lab in view; with none shown, Start waits.
function render() {
  const list = document.querySelector('[data-testid="lab-list"]');
  const input = document.querySelector('[data-testid="home-lab"]');
  const shown = visible();
  if (shown.length > 0 && !shown.some((l) => l.slug === input.value)) input.value = shown[0].slug;
  const groups = [];
  for (const level of LEVELS) {
    const members = shown.filter((l) => (LEVELS.includes(l.level || '') ? (l.level || '') : '') === level);
    if (members.length === 0) continue;
    const group = document.createElement('div');
    group.className = 'lab-group';
    group.dataset.level = level || 'other';
    const title = document.createElement('h3');
    title.textContent = t(LEVEL_KEYS[level]);
    const grid = document.createElement('div');
    grid.className = 'lab-grid';
    grid.append(...members.map((l) => card(l, l.slug === input.value)));
    group.append(title, grid);
    groups.push(group);
  }
  list.replaceChildren(...groups);
  document.querySelector('[data-testid="lab-none"]').hidden = shown.length > 0 || labs.length === 0;
  document.querySelector('[data-testid="start-session"]').disabled = labs.length > 0 && shown.length === 0;
  const count = document.querySelector('[data-testid="lab-count"]');
  count.textContent = labs.length === 0 ? '' :
    shown.length === labs.length ? t('labCount', { n: labs.length }) : t('labCountOf', { n: shown.length, total: labs.length });
}

// card is one lab: a radio button in a label, so that a click, or the
// arrow keys, choose it.
function card(l, checked) {
  const label = document.createElement('label');
  label.className = 'lab-card';
  label.dataset.testid = 'lab-card';
  label.dataset.slug = l.slug;
  const radio = document.createElement('input');
  radio.type = 'radio';
  radio.name = 'lab-choice';
  radio.value = l.slug;
  radio.checked = checked;
  radio.addEventListener('change', () => {
    document.querySelector('[data-testid="home-lab"]').value = l.slug;
    for (const c of document.querySelectorAll('.lab-card')) c.classList.toggle('chosen', c.dataset.slug === l.slug);
  });
  // A double click starts the lab at once.
  label.addEventListener('dblclick', () => document.querySelector('[data-testid="start-session"]').click());
  label.classList.toggle('chosen', checked);
  const title = document.createElement('span');
  title.className = 'lab-card-title';
  title.textContent = l.title;
  const meta = document.createElement('span');
  meta.className = 'lab-card-meta';
  const n = (l.nodes || []).length;
  const parts = LEVELS.includes(l.level || '') && l.level ? [levelName(l)] : [];
  if (l.minutes) parts.push(t('labMinutes', { n: l.minutes }));
  parts.push(n === 1 ? t('labNode') : t('labNodes', { n }));
  parts.push((l.langs || []).map((x) => x.toUpperCase()).join(' '));
  meta.textContent = parts.join(' · ');
  label.append(radio, title, meta);
  return label;
}
