import * as d3 from 'd3';
import { descending } from '../../core/lab/responses';
import type { LayerResponse } from '../../tf/activation-stats';
import type { LabResponse } from '../../worker/lab-protocol';
import { drawAxes, SMALL_FRAME, seriesLegend, seriesPath, xTitle, yTitle } from './chart-parts';
import { LabChart } from './LabChart';

/** The worker's layer responses of the race's pair (minus the message's type and id). */
export type ResponseResult = Omit<Extract<LabResponse, { type: 'activation-stats-result' }>, 'type' | 'id'>;

const { width: W, height: H, margin: M } = SMALL_FRAME;

/** Std per layer for both nets: in layer order, or sorted in descending order (the paper's Fig. 7, top / bottom). */
export function ResponseChart({ result, sorted }: { readonly result: ResponseResult; readonly sorted: boolean }) {
  return (
    <LabChart
      frame={SMALL_FRAME}
      deps={[result, sorted]}
      draw={(svg, theme) => {
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
        drawAxes(svg, SMALL_FRAME, theme, d3.axisBottom(x).ticks(Math.min(n, 10)), d3.axisLeft(y).ticks(5));
        xTitle(svg, SMALL_FRAME, theme, sorted ? 'layer index (sorted by std)' : 'layer index (original order)');
        yTitle(svg, SMALL_FRAME, theme, 'std of the response');
        for (const s of series) seriesPath(svg, s, d3.line<number>().x((_, i) => x(i + 1)).y((v) => y(v))(s.ys));
        seriesLegend(svg, series, theme, W - M.right - 110, M.top + 4);
      }}
      label={`Std of each 3×3 layer's response, ${sorted ? 'sorted' : 'in layer order'}`}
      testId={sorted ? 'responses-sorted' : 'responses-order'}
    />
  );
}
