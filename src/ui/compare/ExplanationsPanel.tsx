import { explanations, stepsTotal } from '../../core/explain';
import { Cites } from '../shared/Cites';
import { formatInt } from './format';

/** Why figures differ, each with its arithmetic: left − right = Σ steps (checked in the unit tests). */
export function ExplanationsPanel() {
  return (
    <div className="cmp-explain">
      {explanations().map((e) => {
        const diff = e.left.value - e.right.value;
        const sum = stepsTotal(e);
        return (
          <details key={e.id} id={`explain-${e.id}`}>
            <summary>{e.title}</summary>
            <p>
              {e.text} <Cites cites={e.cites} />
            </p>
            <table>
              <tbody>
                <tr>
                  <th scope="row">{e.left.label}</th>
                  <td>{formatInt(e.left.value)}</td>
                </tr>
                <tr>
                  <th scope="row">− {e.right.label}</th>
                  <td>{formatInt(e.right.value)}</td>
                </tr>
                <tr className="cmp-explain-diff">
                  <th scope="row">= difference ({e.unit})</th>
                  <td>{formatInt(diff)}</td>
                </tr>
                {e.steps.map((s) => (
                  <tr key={s.label}>
                    <th scope="row">
                      {s.label}: <span className="cmp-hint">{s.formula}</span>
                    </th>
                    <td>{formatInt(s.value)}</td>
                  </tr>
                ))}
                <tr className="cmp-explain-diff">
                  <th scope="row">Σ {diff === sum ? '= difference ✓' : '≠ difference ✗'}</th>
                  <td>{formatInt(sum)}</td>
                </tr>
              </tbody>
            </table>
          </details>
        );
      })}
    </div>
  );
}
