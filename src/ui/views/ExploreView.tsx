/**
 * Explore: pick or build a ResNet and see it. Model picker and builder on top, the diagram with its side
 * panel (summary, selection, legend) in the middle, the block-anatomy comparison below.
 */
import { useMemo, useState } from 'react';
import { analyze, layout, type ShortcutKind } from '../../core';
import { Anatomy } from '../explore/Anatomy';
import { Diagram } from '../explore/Diagram';
import { FeatureMaps } from '../explore/FeatureMaps';
import { Legend } from '../explore/Legend';
import { ModelPicker } from '../explore/ModelPicker';
import { NodeDetails } from '../explore/NodeDetails';
import { SpecForm } from '../explore/SpecForm';
import { Summary } from '../explore/Summary';
import { useExploreState } from '../explore/useExploreState';
import { ExportPanel } from '../export/ExportPanel';
import '../explore/explore.css';

export default function ExploreView() {
  const s = useExploreState();
  const [customOpen, setCustomOpen] = useState(s.model.kind === 'custom');
  const [formKey, setFormKey] = useState(0);
  const analysis = useMemo(() => analyze(s.graph), [s.graph]);
  const lay = useMemo(() => layout(s.graph, s.expanded), [s.graph, s.expanded]);
  const present = useMemo(() => new Set<ShortcutKind>(s.graph.blocks.map((b) => b.shortcut)), [s.graph]);

  return (
    <section className="explore" aria-label="Explore">
      {s.notices.length > 0 && (
        <div className="notice" role="alert" data-testid="url-notice">
          <ul>
            {s.notices.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
          <button type="button" onClick={s.dismissNotices}>
            Dismiss
          </button>
        </div>
      )}
      <ModelPicker
        model={s.model}
        spec={s.spec}
        customOpen={customOpen}
        onPick={(m) => {
          setCustomOpen(false);
          s.setModel(m);
        }}
        onCustomise={() => {
          setFormKey((k) => k + 1);
          setCustomOpen((o) => !o);
        }}
      />
      {customOpen && (
        <SpecForm
          key={formKey}
          base={s.spec}
          onValid={(spec) => s.setModel({ kind: 'custom', spec }, s.model.kind === 'custom')}
        />
      )}
      <div className="explore-main">
        <Diagram
          layout={lay}
          graph={s.graph}
          analysis={analysis}
          title={s.spec.name}
          selected={s.selected}
          viewEpoch={s.viewEpoch}
          onActivate={(node) => {
            if (node.expandable) s.toggle(node.id);
            s.select(node.id);
          }}
          onCollapse={s.toggle}
          onLevel={s.setLevel}
          onSearch={s.reveal}
        />
        <aside className="explore-side" aria-label="Details">
          <Summary spec={s.spec} graph={s.graph} analysis={analysis} />
          <section className="selection" aria-label="Selected layer">
            <h3>Selection</h3>
            {s.selected ? (
              <NodeDetails id={s.selected} graph={s.graph} analysis={analysis} />
            ) : (
              <p className="note">Click a layer or block (or Tab to it and press Enter) to see it here.</p>
            )}
          </section>
          <Legend present={present} residual={s.spec.residual} />
        </aside>
      </div>
      <FeatureMaps graph={s.graph} selected={s.selected} />
      <ExportPanel mode="explore" spec={s.spec} />
      <Anatomy spec={s.spec} graph={s.graph} />
    </section>
  );
}
