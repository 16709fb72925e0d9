/**
 * The model's totals, with the conventions spelled out (MACs vs FLOPs) and, for bottleneck networks, where
 * the stride sits: Keras V1 (and the paper, and Caffe) stride the first 1×1 of a downsampling block, which
 * costs fewer MACs than torchvision's stride on the 3×3 ("ResNet v1.5"). Both figures are computed
 * (core/stride.ts); the published ones it cites come from core/references.ts.
 */
import { format } from 'd3';
import { useMemo } from 'react';
import { type Analysis, type ArchGraph, type ArchSpec, formatCount, formatShape } from '../../core';
import { gmacs as g, otherStrideMacs, strideNote } from '../../core/stride';
import { Cites } from '../shared/Cites';

const fmt = format(',');

export function Summary(props: { spec: ArchSpec; graph: ArchGraph; analysis: Analysis }) {
  const { spec, graph, analysis: a } = props;
  const other = useMemo(() => otherStrideMacs(spec), [spec]);
  const note = other === null ? null : strideNote();
  return (
    <section className="summary" aria-label="Model summary">
      <h2>{spec.name}</h2>
      <dl className="details">
        <dt>Params</dt>
        <dd data-testid="params-total">
          {fmt(a.params.total)} total · {fmt(a.params.trainable)} trainable
        </dd>
        <dt>MACs</dt>
        <dd data-testid="macs">
          {formatCount(a.macs)} multiply-accumulates · {formatCount(a.flops)}FLOPs (= 2 × MACs)
        </dd>
        <dt>Layers</dt>
        <dd>
          {a.layers} Keras layers · {a.weightedLayers} with weights · depth {a.depth}
        </dd>
        <dt>Blocks</dt>
        <dd>
          {graph.blocks.length} {spec.block} · {spec.residual ? `${graph.blocks.filter((b) => b.shortcut !== 'none').length} skips` : 'no skips (plain)'}
        </dd>
        <dt>Input → output</dt>
        <dd>
          {formatShape(spec.input)} → {formatShape(graph.nodes[graph.nodes.length - 1].outShape)}
        </dd>
      </dl>
      <p className="note">
        Papers and torchvision call multiply-adds “FLOPs”; here MACs count conv and dense multiply-accumulates only.
      </p>
      {other !== null && note && (
        <p className="note" data-testid="stride-note">
          {spec.strideAt === 'first1x1'
            ? `Stride 2 sits on the first 1×1 conv of each downsampling block (Keras V1, the paper’s released Caffe models): ${g(a.macs)} GMACs. Putting it on the 3×3 instead (torchvision, “ResNet v1.5”) gives ${g(other)} GMACs with the same parameters.`
            : `Stride 2 sits on the 3×3 conv (torchvision, “ResNet v1.5”): ${g(a.macs)} GMACs. Keras V1 and the paper’s released Caffe models stride the first 1×1 instead: ${g(other)} GMACs with the same parameters.`}{' '}
          {note.text} <Cites cites={note.cites} />
        </p>
      )}
      {spec.groups > 1 && spec.family === 'keras' && (
        <p className="note">
          keras-applications builds the grouped 3×3 as a depthwise conv plus a frozen 0/1 “_2_gconv” kernel, so Keras
          would count {fmt(a.kerasGconvConstantParams)} extra constant “params” (computed from the layers it builds); the grouped convolution itself has the{' '}
          {fmt(a.params.trainable)} trainable params shown here.
        </p>
      )}
    </section>
  );
}
