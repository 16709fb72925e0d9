import * as d3 from 'd3';
import { useEffect, useRef } from 'react';
import type { RacePoint } from '../../worker/lab-protocol';
import { labTheme } from './theme';

interface Props {
  readonly metric: 'loss' | 'accuracy';
  readonly plain: readonly RacePoint[];
  readonly residual: readonly RacePoint[];
  readonly depth: number;
  readonly totalSteps: number;
}

const W = 420;
const H = 240;
const M = { top: 14, right: 14, bottom: 36, left: 48 };

/** Exponential moving average, so single-batch noise does not hide the trend (raw points drawn faintly). */
function smooth(points: readonly RacePoint[], key: 'loss' | 'accuracy', alpha = 0.1): [number, number][] {
  let ema: number | undefined;
  return points.map((p) => {
    ema = ema === undefined ? p[key] : ema + alpha * (p[key] - ema);
    return [p.step, ema];
  });
}

export function RaceChart({ metric, plain, residual, depth, totalSteps }: Props) {
  const ref = useRef<SVGSVGElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const theme = labTheme(el);
    const svg = d3.select(el);
    svg.selectAll('*').remove();
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
    g.append('g')
      .attr('transform', `translate(0,${H - M.bottom})`)
      .call(d3.axisBottom(x).ticks(5))
      .call((a) => a.selectAll('text,line,path').style('color', theme.muted));
    g.append('g')
      .attr('transform', `translate(${M.left},0)`)
      .call(d3.axisLeft(y).ticks(5, metric === 'accuracy' ? '.0%' : '.1f'))
      .call((a) => a.selectAll('text,line,path').style('color', theme.muted));
    g.append('text')
      .attr('x', (M.left + W - M.right) / 2)
      .attr('y', H - 4)
      .attr('text-anchor', 'middle')
      .attr('fill', theme.fg)
      .attr('font-size', 12)
      .text('step');
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
      g.append('path').datum(s.data).attr('fill', 'none').attr('stroke', s.colour).attr('stroke-opacity', 0.25).attr('d', raw);
      g.append('path')
        .datum(smooth(s.data, metric))
        .attr('class', `series series-${s.key}`)
        .attr('data-points', s.data.length)
        .attr('fill', 'none')
        .attr('stroke', s.colour)
        .attr('stroke-width', 2)
        .attr('d', d3.line<[number, number]>().x((d) => x(d[0])).y((d) => y(d[1])));
    }
    const legend = g.append('g').attr('transform', `translate(${W - M.right - 110},${metric === 'loss' ? H - M.bottom - 40 : M.top + 4})`);
    series.forEach((s, i) => {
      legend.append('rect').attr('x', 0).attr('y', i * 16).attr('width', 12).attr('height', 3).attr('fill', s.colour);
      legend.append('text').attr('x', 18).attr('y', i * 16 + 5).attr('fill', theme.fg).attr('font-size', 11).text(s.name);
    });
  }, [metric, plain, residual, depth, totalSteps]);
  return (
    <svg
      ref={ref}
      className="lab-chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`Training ${metric}, plain-${depth} vs ResNet-${depth}`}
      data-testid={`race-${metric}`}
    />
  );
}
