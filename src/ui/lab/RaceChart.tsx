import * as d3 from 'd3';
import type { RacePoint } from '../../worker/lab-protocol';
import { drawAxes, SMALL_FRAME, seriesLegend, seriesPath, xTitle } from './chart-parts';
import { LabChart, type Svg } from './LabChart';
import type { LabTheme } from './theme';

interface Props {
  readonly metric: 'loss' | 'accuracy';
  readonly plain: readonly RacePoint[];
  readonly residual: readonly RacePoint[];
  readonly depth: number;
  readonly totalSteps: number;
}

const { width: W, height: H, margin: M } = SMALL_FRAME;

/** Exponential moving average, so single-batch noise does not hide the trend (raw points drawn faintly). */
function smooth(points: readonly RacePoint[], key: 'loss' | 'accuracy', alpha = 0.1): [number, number][] {
  let ema: number | undefined;
  return points.map((p) => {
    ema = ema === undefined ? p[key] : ema + alpha * (p[key] - ema);
    return [p.step, ema];
  });
}

export function RaceChart(props: Props) {
  const { metric, plain, residual, depth, totalSteps } = props;
  return (
    <LabChart
      frame={SMALL_FRAME}
      draw={(svg, theme) => draw(svg, theme, props)}
      deps={[metric, plain, residual, depth, totalSteps]}
      label={`Training ${metric}, plain-${depth} vs ResNet-${depth}`}
      testId={`race-${metric}`}
    />
  );
}

function draw(svg: Svg, theme: LabTheme, { metric, plain, residual, depth, totalSteps }: Props): void {
  const x = d3
    .scaleLinear()
    .domain([0, Math.max(10, totalSteps)])
    .range([M.left, W - M.right]);
  const maxLoss = Math.max(2.5, d3.max([...plain, ...residual], (p) => p.loss) ?? 2.5);
  const y = d3
    .scaleLinear()
    .domain(metric === 'loss' ? [0, maxLoss] : [0, 1])
    .range([H - M.bottom, M.top]);
  const g = svg.append('g');
  drawAxes(g, SMALL_FRAME, theme, d3.axisBottom(x).ticks(5), d3.axisLeft(y).ticks(5, metric === 'accuracy' ? '.0%' : '.1f'));
  xTitle(g, SMALL_FRAME, theme, 'step');
  if (metric === 'loss') {
    // Chance level: ln 10.
    g.append('line')
      .attr('x1', M.left)
      .attr('x2', W - M.right)
      .attr('y1', y(Math.LN10))
      .attr('y2', y(Math.LN10))
      .attr('stroke', theme.muted)
      .attr('stroke-dasharray', '4 4');
    g.append('text')
      .attr('x', W - M.right - 4)
      .attr('y', y(Math.LN10) - 4)
      .attr('text-anchor', 'end')
      .attr('fill', theme.muted)
      .attr('font-size', 10)
      .text('chance (ln 10)');
  }
  const series = [
    { key: 'plain', name: `plain-${depth}`, colour: theme.plain, data: plain },
    { key: 'residual', name: `ResNet-${depth}`, colour: theme.residual, data: residual },
  ];
  for (const s of series) {
    const raw = d3
      .line<RacePoint>()
      .x((p) => x(p.step))
      .y((p) => y(p[metric]));
    g.append('path').attr('fill', 'none').attr('stroke', s.colour).attr('stroke-opacity', 0.25).attr('d', raw(s.data));
    const smoothed = d3.line<[number, number]>().x((d) => x(d[0])).y((d) => y(d[1]));
    seriesPath(g, s, smoothed(smooth(s.data, metric))).attr('data-points', s.data.length);
  }
  seriesLegend(g, series, theme, W - M.right - 110, metric === 'loss' ? H - M.bottom - 40 : M.top + 4);
}
