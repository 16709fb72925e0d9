import * as d3 from 'd3';
import { useEffect, useMemo, useRef, useState } from 'react';
import { compareResponses, descending, isBranchEnd, SIMILAR_BAND } from '../../core/lab/responses';
import type { LayerResponse } from '../../tf/activation-stats';
import { Cites } from '../shared/Cites';
import { Progress } from './Progress';
import type { LabWorker } from './useLabWorker';
import { useRaceDone } from './useRaceDone';
import { labTheme } from './theme';

interface Result {
  readonly depth: number;
  readonly images: number;
  readonly plain: readonly LayerResponse[];
  readonly residual: readonly LayerResponse[];
}

const W = 420;
const H = 240;
const M = { top: 14, right: 14, bottom: 36, left: 48 };

/** Std per layer for both nets: in layer order, or sorted in descending order (the paper's Fig. 7, top / bottom). */
function ResponseChart({ result, sorted }: { readonly result: Result; readonly sorted: boolean }) {
  const ref = useRef<SVGSVGElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const theme = labTheme(el);
    const svg = d3.select(el);
    svg.selectAll('*').remove();
    const prep = (ls: readonly LayerResponse[]) => (sorted ? descending(ls.map((l) => l.std)) : ls.map((l) => l.std));
    const series = [
      { key: 'plain', name: `plain-${result.depth}`, colour: theme.plain, ys: prep(result.plain) },
      { key: 'residual', name: `ResNet-${result.depth}`, colour: theme.residual, ys: prep(result.residual) },
    ];
    const n = result.plain.length;
    const x = d3
      .scaleLinear()
      .domain([1, Math.max(2, n)])
      .range([M.left, W - M.right]);
    const y = d3
      .scaleLinear()
      .domain([0, d3.max(series.flatMap((s) => s.ys)) ?? 1])
      .nice()
      .range([H - M.bottom, M.top]);
    svg
      .append('g')
      .attr('transform', `translate(0,${H - M.bottom})`)
      .call(d3.axisBottom(x).ticks(Math.min(n, 10)))
      .call((a) => a.selectAll('text,line,path').style('color', theme.muted));
    svg
      .append('g')
      .attr('transform', `translate(${M.left},0)`)
      .call(d3.axisLeft(y).ticks(5))
      .call((a) => a.selectAll('text,line,path').style('color', theme.muted));
    svg
      .append('text')
      .attr('x', (M.left + W - M.right) / 2)
      .attr('y', H - 4)
      .attr('text-anchor', 'middle')
      .attr('fill', theme.fg)
      .attr('font-size', 12)
      .text(sorted ? 'layer index (sorted by std)' : 'layer index (original order)');
    svg
      .append('text')
      .attr('x', 12)
      .attr('y', (M.top + H - M.bottom) / 2)
      .attr('text-anchor', 'middle')
      .attr('fill', theme.fg)
      .attr('font-size', 12)
      .attr('transform', `rotate(-90 12 ${(M.top + H - M.bottom) / 2})`)
      .text('std of the response');
    for (const s of series) {
      svg
        .append('path')
        .datum(s.ys)
        .attr('class', `series series-${s.key}`)
        .attr('fill', 'none')
        .attr('stroke', s.colour)
        .attr('stroke-width', 2)
        .attr('d', d3.line<number>().x((_, i) => x(i + 1)).y((v) => y(v)));
    }
    const legend = svg.append('g').attr('transform', `translate(${W - M.right - 110},${M.top + 4})`);
    series.forEach((s, i) => {
      legend.append('rect').attr('x', 0).attr('y', i * 16).attr('width', 12).attr('height', 3).attr('fill', s.colour);
      legend.append('text').attr('x', 18).attr('y', i * 16 + 5).attr('fill', theme.fg).attr('font-size', 11).text(s.name);
    });
  }, [result, sorted]);
  return (
    <svg
      ref={ref}
      className="lab-chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`Std of each 3×3 layer's response, ${sorted ? 'sorted' : 'in layer order'}`}
      data-testid={sorted ? 'responses-sorted' : 'responses-order'}
    />
  );
}

/** He et al. 2015, Fig. 7 for the race's trained pair. */
export function ActivationStatsPanel({ worker }: { readonly worker: LabWorker }) {
  const race = useRaceDone(worker);
  const [images, setImages] = useState(256);
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const ids = useRef(new Set<number>());

  useEffect(
    () =>
      worker.subscribe((m) => {
        if (!('id' in m) || m.id === undefined || !ids.current.has(m.id)) return;
        if (m.type === 'progress') setPending(m.label);
        else if (m.type === 'activation-stats-result') {
          setResult({ depth: m.depth, images: m.images, plain: m.plain, residual: m.residual });
          setPending(null);
        } else if (m.type === 'error') {
          setError(m.message);
          setPending(null);
        }
      }),
    [worker],
  );
  useEffect(() => {
    if (!race.done) setResult(null);
  }, [race]);

  const measure = () => {
    const id = worker.newId();
    ids.current.add(id);
    setError(null);
    setPending('measuring…');
    worker.send({ type: 'activation-stats', id, images });
  };
  const cmp = useMemo(() => (result ? compareResponses(
            result.plain.map((l) => l.std),
            result.residual.map((l) => l.std),
            result.residual.map((l) => isBranchEnd(l.id)),
          ) : null), [result]);

  return (
    <section className="lab-panel" aria-labelledby="lab-responses-title">
      <h2 id="lab-responses-title">Layer responses of the trained nets</h2>
      <p className="lab-muted">
        The standard deviation of each 3×3 layer's output after batch normalization and before the nonlinearity (in a residual block's second
        layer: before the addition), over all positions, channels and images, as in the paper's Fig. 7{' '}
        <Cites cites={[{ source: 'he2015', where: '§4.2 “Analysis of Layer Responses”, Fig. 7' }]} />. Measured on the first images of the race's
        training set, batch norm with batch statistics as in training. The paper found that ResNets have generally smaller responses than their plain
        counterparts — support for its motivation that residual functions are generally closer to zero than unreferenced ones — and that the deeper
        the ResNet, the smaller the responses of its layers.
      </p>
      <div className="lab-controls" role="group" aria-label="Response settings">
        <label>
          Images{' '}
          <select value={images} disabled={pending !== null} aria-label="Response images" onChange={(e) => setImages(Number(e.target.value))}>
            {[128, 256, 512].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <div className="lab-buttons">
          <button type="button" onClick={measure} disabled={!race.done || pending !== null || !worker.status.backend}>
            Measure layer responses
          </button>
          {!race.done && <span className="lab-status">Run the race to its last step first.</span>}
        </div>
      </div>
      <Progress pending={pending} error={error} />
      {result && cmp && (
        <div data-testid="responses-result">
          <div className="lab-stats">
            <ResponseChart result={result} sorted={false} />
            <ResponseChart result={result} sorted />
          </div>
          <p data-testid="responses-verdict">
            Ours ({result.images} images): the ResNet-{result.depth}'s response is smaller than the plain-{result.depth}'s in {cmp.residualLower} of{' '}
            {cmp.layers} layers; mean std {cmp.meanResidual.toFixed(3)} vs {cmp.meanPlain.toFixed(3)}.{' '}
            {cmp.verdict === 'agrees' && `This agrees with the paper: the ResNet's responses are ${((1 - cmp.ratio) * 100).toFixed(0)} % smaller on average.`}
            {cmp.verdict === 'similar' &&
              `No clear difference (means within ${SIMILAR_BAND * 100} %), so no agreement with the paper yet. With batch statistics each response's std is set by its BN scale γ and shift β, which start at 1 and 0: a short race leaves every std near 1. Train longer.`}
            {cmp.verdict === 'disagrees' &&
              "This does not agree with the paper: here the ResNet's responses are not smaller (our race is shorter, narrower and on other data than its CIFAR-10 runs)."}
            {cmp.branchEnds &&
              ` The layers that end a residual branch (the block's second 3×3 layer, just before the addition — the residual function itself): ResNet mean std ${cmp.branchEnds.meanResidual.toFixed(3)}, the same ${cmp.branchEnds.layers} layers of the plain net ${cmp.branchEnds.meanPlain.toFixed(3)}.`}
          </p>
        </div>
      )}
    </section>
  );
}
