/** Colours read from the theme's CSS variables at draw time, so charts follow light/dark and export as-is. */
export interface ChartTheme {
  readonly fg: string;
  readonly muted: string;
  readonly bg: string;
  readonly border: string;
  readonly accent: string;
  readonly shortcut: string;
  readonly series: readonly string[];
}

const FALLBACK: ChartTheme = {
  fg: '#1b1f24',
  muted: '#5b6470',
  bg: '#ffffff',
  border: '#d5dae0',
  accent: '#2563eb',
  shortcut: '#d97706',
  series: ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d'],
};

export function chartTheme(el: Element): ChartTheme {
  const cs = getComputedStyle(el);
  const v = (name: string, fb: string) => cs.getPropertyValue(name).trim() || fb;
  return {
    fg: v('--fg', FALLBACK.fg),
    muted: v('--muted', FALLBACK.muted),
    bg: v('--bg', FALLBACK.bg),
    border: v('--border', FALLBACK.border),
    accent: v('--accent', FALLBACK.accent),
    shortcut: v('--shortcut', FALLBACK.shortcut),
    series: FALLBACK.series,
  };
}

/** Colour per preset group, stable across charts. */
export const GROUP_INDEX: Readonly<Record<string, number>> = { torchvision: 0, Keras: 1, CIFAR: 2, 'Plain twins': 3, Custom: 4 };
