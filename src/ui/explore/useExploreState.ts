/**
 * The explorer's state (model, expanded groups, selection) and its mirror in the URL. The URL is read once
 * at start (validated in src/core/url-state.ts; anything wrong becomes a notice) and rewritten with
 * history.replaceState on every change, so reloading or sharing the link reproduces the view.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  allGroups,
  type ArchGraph,
  type ArchSpec,
  DEFAULT_MODEL,
  defaultExpansion,
  expand,
  expansionToShow,
  getPreset,
  type ModelRef,
  parseExploreState,
  resolveExpansion,
  show,
  writeExploreState,
} from '../../core';

export interface ExploreModel {
  readonly model: ModelRef;
  readonly spec: ArchSpec;
  readonly graph: ArchGraph;
  /** Effective expanded groups (the default when the user has not changed them). */
  readonly expanded: ReadonlySet<string>;
  readonly selected: string | null;
  readonly notices: readonly string[];
  /** Increments when the diagram should reset its view (new model, expand/collapse all). */
  readonly viewEpoch: number;
}

interface State {
  model: ModelRef;
  expanded: Set<string> | null;
  selected: string | null;
  notices: string[];
  viewEpoch: number;
}

const specOf = (m: ModelRef): ArchSpec => (m.kind === 'preset' ? getPreset(m.name) : m.spec);

function initial(): State {
  const parsed = parseExploreState(window.location.search);
  const notices = [...parsed.notices];
  let model = parsed.state.model;
  let graph: ArchGraph;
  try {
    graph = expand(specOf(model));
  } catch (e) {
    notices.push(`The model in the link cannot be built (${e instanceof Error ? e.message : String(e)}); showing ${DEFAULT_MODEL}.`);
    model = { kind: 'preset', name: DEFAULT_MODEL };
    graph = expand(specOf(model));
  }
  const r = resolveExpansion(graph, parsed.state.expanded);
  notices.push(...r.notices);
  let selected = parsed.state.selected;
  if (selected !== null && !graph.nodes.some((n) => n.id === selected) && !allGroups(graph).includes(selected)) {
    notices.push(`Ignored the selected layer ${show(selected)}: ${graph.name} has no layer of that name.`);
    selected = null;
  }
  return { model, expanded: r.expanded, selected, notices, viewEpoch: 0 };
}

export function useExploreState() {
  const [st, setSt] = useState<State>(initial);
  const spec = useMemo(() => specOf(st.model), [st.model]);
  const graph = useMemo(() => expand(spec), [spec]);
  const expanded = useMemo(() => st.expanded ?? defaultExpansion(graph), [st.expanded, graph]);

  useEffect(() => {
    // Explore is the view without a `view` parameter. The user may already have switched views (this effect
    // can run after the click that left): never write explore's state over another view's URL.
    const current = new URLSearchParams(window.location.search).get('view');
    if (current !== null && current !== 'explore') return;
    const params = writeExploreState(new URLSearchParams(window.location.search), {
      model: st.model,
      expanded: st.expanded === null ? null : [...st.expanded],
      selected: st.selected,
    }, graph);
    params.set('view', 'explore');
    // Through URL, not `${pathname}?…`: a path like "//" would make that a protocol-relative URL, which
    // replaceState refuses (and the view would fail).
    const url = new URL(window.location.href);
    url.search = params.toString();
    if (url.href !== window.location.href) window.history.replaceState(null, '', url);
  }, [st.model, st.expanded, st.selected, graph]);

  /** A new model: its default view. `keepView` (live edits of a custom spec) keeps expansion and selection. */
  const setModel = useCallback((model: ModelRef, keepView = false) => {
    setSt((s) => ({
      model,
      expanded: keepView ? s.expanded : null,
      selected: keepView ? s.selected : null,
      notices: [],
      viewEpoch: keepView ? s.viewEpoch : s.viewEpoch + 1,
    }));
  }, []);

  const toggle = useCallback(
    (id: string) => {
      setSt((s) => {
        const next = new Set(s.expanded ?? defaultExpansion(graph));
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return { ...s, expanded: next };
      });
    },
    [graph],
  );

  const setLevel = useCallback(
    (level: 'stages' | 'blocks' | 'layers') => {
      setSt((s) => ({
        ...s,
        expanded:
          level === 'layers' ? new Set(allGroups(graph)) : level === 'blocks' ? new Set(graph.stages.map((x) => x.id)) : new Set(),
        viewEpoch: s.viewEpoch + 1,
      }));
    },
    [graph],
  );

  const select = useCallback((id: string | null) => setSt((s) => ({ ...s, selected: id })), []);

  /** Expand whatever hides a layer, and select it. */
  const reveal = useCallback(
    (id: string) => {
      setSt((s) => {
        const next = new Set(s.expanded ?? defaultExpansion(graph));
        for (const g of expansionToShow(graph, id)) next.add(g);
        return { ...s, expanded: next, selected: id };
      });
    },
    [graph],
  );

  const dismissNotices = useCallback(() => setSt((s) => ({ ...s, notices: [] })), []);

  const value: ExploreModel = {
    model: st.model,
    spec,
    graph,
    expanded,
    selected: st.selected,
    notices: st.notices,
    viewEpoch: st.viewEpoch,
  };
  return { ...value, setModel, toggle, setLevel, select, reveal, dismissNotices };
}
