/**
 * "See it in Explore": the model in use, drawn. A fine-tuned model's spec carries its new head (fc1, dropout,
 * predictions), so Explore opens with that head expanded and its classifier selected. The switch keeps the page
 * (pushState + popstate, which App listens to), so the model worker and its last image stay for feature maps.
 */
import { type ArchSpec, defaultExpansion, expand, expansionToShow, writeExploreState } from '../../core';

export function exploreSearch(spec: ArchSpec): string {
  const graph = expand(spec);
  const focus = graph.nodes.some((n) => n.id === 'fc1') ? 'fc1' : spec.head.includeTop ? spec.head.classifierName : null;
  const expanded = focus ? [...new Set([...defaultExpansion(graph), ...expansionToShow(graph, focus)])] : null;
  const params = writeExploreState(new URLSearchParams(), { model: { kind: 'custom', spec }, expanded, selected: focus });
  return `?${params}`;
}

export function OpenInExplore({ spec }: { spec: ArchSpec }) {
  return (
    <button
      type="button"
      onClick={() => {
        window.history.pushState(null, '', exploreSearch(spec));
        window.dispatchEvent(new PopStateEvent('popstate'));
      }}
    >
      See it in Explore
    </button>
  );
}
