/**
 * What the trained head gets right and wrong on the validation split: the confusion matrix (counts or
 * row-normalised), precision and recall per class, and the images of a chosen cell — the misclassified ones
 * until a cell is clicked — as thumbnails of the user's own files with their top-3.
 */
import { useEffect, useMemo, useState } from 'react';
import { perClassMetrics } from '../../core/finetune-metrics';
import { ConfusionMatrix } from './ConfusionMatrix';
import { type CellChoice, type EvalData, itemsOf } from './evaluation';

const pct = (v?: number | null) => (v === undefined || v === null ? '—' : `${(v * 100).toFixed(0)}%`);

/** A thumbnail of a picked file; the object URL lives as long as the image is shown. */
function Thumb({ file, alt }: { file?: Blob; alt: string }) {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!file) return;
    const u = URL.createObjectURL(file);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [file]);
  return url ? <img src={url} alt={alt} className="ft-thumb" /> : <span className="ft-thumb ft-thumb-missing">no preview</span>;
}

export function Evaluation({ data, fileOf, title = 'Validation' }: { data: EvalData; fileOf: (name: string) => Blob | undefined; title?: string }) {
  const [normalised, setNormalised] = useState(false);
  const [choice, setChoice] = useState<CellChoice>('misclassified');
  const scores = useMemo(() => perClassMetrics(data.confusion), [data.confusion]);
  const shown = useMemo(() => itemsOf(data.items, choice), [data.items, choice]);
  const total = data.items.length;
  const correct = data.confusion.reduce((a, r, i) => a + r[i], 0);
  const { classNames } = data;
  if (total === 0) {
    return (
      <p className="cls-muted" data-testid="finetune-evaluation">
        No validation images (validation share 0%): nothing to evaluate.
      </p>
    );
  }
  return (
    <section className="ft-eval" aria-label={`${title} evaluation`} data-testid="finetune-evaluation">
      <h4>
        {title}: {correct} of {total} images right ({pct(correct / total)})
      </h4>
      <div className="ft-eval-row">
        <div>
          <div className="cls-row">
            <label>
              <input type="checkbox" checked={normalised} onChange={(e) => setNormalised(e.target.checked)} /> row-normalised (share of each
              true class)
            </label>
          </div>
          <ConfusionMatrix classNames={classNames} confusion={data.confusion} normalised={normalised} selected={choice} onSelect={setChoice} />
        </div>
        <table className="ft-table ft-classes" aria-label="Precision and recall per class">
          <thead>
            <tr>
              <th>#</th>
              <th>class</th>
              <th title="Of the images predicted as this class, the share that are">precision</th>
              <th title="Of the images of this class, the share found">recall</th>
              <th>images</th>
            </tr>
          </thead>
          <tbody>
            {scores.map((s, i) => (
              <tr key={classNames[i]} data-class={classNames[i]} data-precision={s.precision ?? ''} data-recall={s.recall ?? ''}>
                <td>{i}</td>
                <td>{classNames[i]}</td>
                <td>{pct(s.precision)}</td>
                <td>{pct(s.recall)}</td>
                <td>{s.support}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="cls-row">
        <b data-testid="cell-title">
          {choice === 'misclassified'
            ? `Misclassified validation images (${shown.length})`
            : `True ${classNames[choice.trueIndex]}, predicted ${classNames[choice.predIndex]} (${shown.length})`}
        </b>
        {choice !== 'misclassified' && (
          <button type="button" onClick={() => setChoice('misclassified')}>
            Show all misclassified
          </button>
        )}
      </div>
      {shown.length === 0 && <p className="cls-muted">None.</p>}
      <ul className="ft-cell-images" aria-label="Images of the chosen cell">
        {shown.map((it) => (
          <li key={it.name} data-name={it.name} data-true={it.trueIndex} data-pred={it.top[0]?.index}>
            <Thumb file={fileOf(it.name)} alt={it.name} />
            <div>
              <div className="ft-img-name" title={it.name}>
                {it.name}
              </div>
              <ol className="ft-top3">
                {it.top.slice(0, 3).map((t) => (
                  <li key={t.index} className={t.index === it.trueIndex ? 'ft-top-true' : undefined}>
                    {classNames[t.index] ?? `class ${t.index}`} {(t.probability * 100).toFixed(1)}%
                  </li>
                ))}
              </ol>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
