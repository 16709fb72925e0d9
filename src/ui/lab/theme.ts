/** Chart colours from the theme's CSS variables (light/dark), read at draw time. */
export interface LabTheme {
  readonly fg: string;
  readonly muted: string;
  readonly border: string;
  readonly plain: string;
  readonly residual: string;
}

export function labTheme(el: Element): LabTheme {
  const cs = getComputedStyle(el);
  const v = (name: string, fb: string) => cs.getPropertyValue(name).trim() || fb;
  return {
    fg: v('--fg', '#1b1f24'),
    muted: v('--muted', '#5b6470'),
    border: v('--border', '#d5dae0'),
    plain: v('--lab-plain', '#b91c1c'),
    residual: v('--lab-residual', '#2563eb'),
  };
}
