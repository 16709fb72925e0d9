/**
 * The explorer's state in the URL: which model (a preset name or a whole custom spec), which groups are
 * expanded and which layer is selected. A link reproduces the view. Everything read here comes from a
 * stranger's link: it is parsed defensively (a custom spec by parseCustomSpec, src/core/spec-json.ts), bounded in
 * size, and anything wrong falls back to the default with a notice (plain text; the UI renders it as text, never
 * as HTML).
 */
import { show } from './errors';
import type { ArchGraph } from './graph';
import { allGroups } from './layout';
import { findPreset } from './presets';
import type { ArchSpec } from './spec';
import { ignoredFieldsNotice, parseCustomSpec } from './spec-json';

export const DEFAULT_MODEL = 'ResNet50';
/** Longer parameters are refused outright (a custom spec has its own limit, MAX_SPEC_CHARS). */
export const MAX_PARAM_LENGTH = 4000;

export type ModelRef = { readonly kind: 'preset'; readonly name: string } | { readonly kind: 'custom'; readonly spec: ArchSpec };

export interface ExploreState {
  readonly model: ModelRef;
  /** Expanded group ids; null = the model's default. */
  readonly expanded: readonly string[] | null;
  readonly selected: string | null;
}

export interface Parsed {
  readonly state: ExploreState;
  /** Plain-text explanations of what in the link was ignored. */
  readonly notices: readonly string[];
}

const GROUP_TOKEN = /^(all|stem|head|conv\d{1,2}(_block\d{1,4})?)$/;
const NODE_ID = /^[A-Za-z0-9_]{1,64}$/;

/** Parse `location.search` (with or without the `?`). Never throws. */
export function parseExploreState(search: string): Parsed {
  const notices: string[] = [];
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(search);
  } catch {
    params = new URLSearchParams();
  }
  const model = parseModel(params, notices);

  let expanded: string[] | null = null;
  const x = params.get('x');
  if (x !== null) {
    if (x.length > MAX_PARAM_LENGTH) {
      notices.push(`The link's expanded-groups list is too long (${x.length} characters); showing the default view.`);
    } else {
      const tokens = x === '' ? [] : x.split(',');
      const bad = tokens.filter((t) => !GROUP_TOKEN.test(t));
      if (bad.length) notices.push(`Ignored unknown diagram groups in the link: ${bad.slice(0, 3).map(show).join(', ')}.`);
      expanded = tokens.filter((t) => GROUP_TOKEN.test(t));
    }
  }

  let selected: string | null = null;
  const sel = params.get('sel');
  if (sel !== null) {
    if (NODE_ID.test(sel)) selected = sel;
    else notices.push(`Ignored the selected layer in the link: ${show(sel)} is not a layer name.`);
  }
  return { state: { model, expanded, selected }, notices };
}

function parseModel(params: URLSearchParams, notices: string[]): ModelRef {
  const fallback: ModelRef = { kind: 'preset', name: DEFAULT_MODEL };
  const raw = params.get('spec');
  if (raw !== null) {
    const r = parseCustomSpec(raw);
    if (r.ok) {
      const ignored = ignoredFieldsNotice(r.ignored);
      if (ignored) notices.push(ignored);
      return { kind: 'custom', spec: r.spec };
    }
    notices.push(`The custom model in the link is invalid (${r.error}); showing ${DEFAULT_MODEL} instead.`);
    return fallback;
  }
  const name = params.get('model');
  if (name === null) return fallback;
  const spec = name.length <= 80 ? findPreset(name) : undefined;
  if (!spec) {
    notices.push(`Unknown model ${show(name)} in the link; showing ${DEFAULT_MODEL} instead.`);
    return fallback;
  }
  return { kind: 'preset', name: spec.name };
}

/**
 * Write the state into `params` (other parameters, e.g. `view`, are kept). Expanded groups are written only
 * when they differ from the default; `all` stands for every group.
 */
export function writeExploreState(params: URLSearchParams, state: ExploreState, graph?: ArchGraph): URLSearchParams {
  const out = new URLSearchParams(params);
  for (const k of ['model', 'spec', 'x', 'sel']) out.delete(k);
  if (state.model.kind === 'preset') out.set('model', state.model.name);
  else out.set('spec', JSON.stringify(state.model.spec));
  if (state.expanded !== null) {
    const all = graph ? allGroups(graph) : null;
    const set = new Set(state.expanded);
    const everything = all?.every((g) => set.has(g)) ?? false;
    out.set('x', everything ? 'all' : state.expanded.join(','));
  }
  if (state.selected) out.set('sel', state.selected);
  return out;
}

/**
 * Resolve parsed group tokens against a graph: `all` expands everything; unknown groups are dropped with a
 * notice. Returns null when tokens is null (use the default expansion).
 */
export function resolveExpansion(
  graph: ArchGraph,
  tokens: readonly string[] | null,
): { expanded: Set<string> | null; notices: string[] } {
  if (tokens === null) return { expanded: null, notices: [] };
  const all = allGroups(graph);
  if (tokens.includes('all')) return { expanded: new Set(all), notices: [] };
  const known = new Set(all);
  const unknown = tokens.filter((t) => !known.has(t));
  const valid = tokens.filter((t) => known.has(t));
  return {
    // Nothing usable at all: the default view rather than everything collapsed.
    expanded: valid.length === 0 && unknown.length > 0 ? null : new Set(valid),
    notices: unknown.length
      ? [`Ignored groups that ${graph.name} does not have: ${unknown.slice(0, 3).map(show).join(', ')}.`]
      : [],
  };
}
