import * as d3 from 'd3';
import type { LayerGradient } from '../../tf/gradients';
import { drawAxes, type Frame, seriesPath, xTitle, yTitle } from './chart-parts';
import { LabChart, type Svg } from './LabChart';
import type { LabTheme } from './theme';

export interface GradientSeries {
  readonly key: 'plain' | 'residual';
  readonly name: string;
  readonly data: readonly LayerGradient[];
}

interface Props {
  readonly series: readonly GradientSeries[];
  readonly label: string;
  /** Changes whenever the data do; tests read it from the svg. */
  readonly drawKey: string;
}

const FRAME: Frame = { width: 640, height: 320, margin: { top: 30, right: 20, bottom: 42, left: 64 } };
const { width: W, height: H, margin: M } = FRAME;

/** Gradient norm of every main-path weighted layer against its depth, both nets, log scale. */
export function GradientChart({ series, label, drawKey }: Props) {
  return <LabChart frame={FRAME} draw={(svg, theme) => draw(svg, theme, series)} deps={[series]} label={label} testId="gradient-chart" drawKey={drawKey} />;
}

function draw(svg: Svg, theme: LabTheme, input: readonly GradientSeries[]): void {
  const series = input.map((s) => ({
    ...s,
    colour: s.key === 'plain' ? theme.plain : theme.residual,
    data: s.data.filter((l) => l.path === 'main'),
  }));
  const all = series.flatMap((s) => s.data.map((d) => d.norm)).filter((v) => v > 0 && Number.isFinite(v));
  if (all.length === 0) return;
  const maxDepth = d3.max(series, (s) => s.data.length) ?? 1;
  const x = d3.scaleLinear().domain([1, maxDepth]).range([M.left, W - M.right]);
  const lo = d3.min(all)!;
  const hi = d3.max(all)!;
  const y = d3
    .scaleLog()
    .domain([lo / 2, hi * 2])
    .range([H - M.bottom, M.top]);
  const decades = Math.log10(hi / lo);
  const g = svg.append('g');
  drawAxes(g, FRAME, theme, d3.axisBottom(x).ticks(Math.min(10, maxDepth)).tickFormat(d3.format('d')), d3.axisLeft(y).ticks(decades > 6 ? 6 : 5, decades > 3 ? '.0e' : '~g'));
  xTitle(g, FRAME, theme, 'weighted layer (input → output)', 6);
  yTitle(g, FRAME, theme, '‖∂L/∂W‖ (log)', 14);
  for (const s of series) {
    const line = d3
      .line<LayerGradient>()
      .defined((d) => d.norm > 0 && Number.isFinite(d.norm))
      .x((d) => x(d.depth))
      .y((d) => y(d.norm));
    seriesPath(g, s, line(s.data));
    g.append('g')
      .selectAll('circle')
      .data(s.data.filter((d) => d.norm > 0 && Number.isFinite(d.norm)))
      .join('circle')
      .attr('cx', (d) => x(d.depth))
      .attr('cy', (d) => y(d.norm))
      .attr('r', 2.5)
      .attr('fill', s.colour)
      .append('title')
      .text((d) => `${s.name} ${d.id}: ${d.norm.toExponential(2)}`);
  }
  // Legend in a row above the plot, so it never covers points.
  const legend = g.append('g').attr('transform', `translate(${M.left + 8},12)`);
  series.forEach((s, i) => {
    legend.append('rect').attr('x', i * 140).attr('y', 0).attr('width', 14).attr('height', 3).attr('fill', s.colour);
    legend
      .append('text')
      .attr('x', i * 140 + 20)
      .attr('y', 5)
      .attr('fill', theme.fg)
      .attr('font-size', 12)
      .text(s.name);
  });
}
