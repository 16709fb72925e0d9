import { useEffect, useMemo, useRef, useState } from 'react';
import { compareResponses, isBranchEnd, SIMILAR_BAND } from '../../core/lab/responses';
import { Cites } from '../shared/Cites';
import { Progress } from './Progress';
import { ResponseChart, type ResponseResult as Result } from './ResponseChart';
import type { LabWorker } from './useLabWorker';
import { useRaceDone } from './useRaceDone';

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
