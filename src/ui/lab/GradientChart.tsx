import * as d3 from 'd3';
import { useEffect, useRef } from 'react';
import type { LayerGradient } from '../../tf/gradients';
import { labTheme } from './theme';

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

const W = 640;
const H = 320;
const M = { top: 30, right: 20, bottom: 42, left: 64 };

/** Gradient norm of every main-path weighted layer against its depth, both nets, log scale. */
export function GradientChart({ series: input, label, drawKey }: Props) {
  const ref = useRef<SVGSVGElement>(null);
  useEffect(() => {
    const svgEl = ref.current;
    if (!svgEl) return;
    const theme = labTheme(svgEl);
    const svg = d3.select(svgEl);
    svg.selectAll('*').remove();
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
    g.append('g')
      .attr('transform', `translate(0,${H - M.bottom})`)
      .call(d3.axisBottom(x).ticks(Math.min(10, maxDepth)).tickFormat(d3.format('d')))
      .call((a) => a.selectAll('text,line,path').style('color', theme.muted));
    g.append('g')
      .attr('transform', `translate(${M.left},0)`)
      .call(d3.axisLeft(y).ticks(decades > 6 ? 6 : 5, decades > 3 ? '.0e' : '~g'))
      .call((a) => a.selectAll('text,line,path').style('color', theme.muted));
    g.append('text')
      .attr('x', (M.left + W - M.right) / 2)
      .attr('y', H - 6)
      .attr('text-anchor', 'middle')
      .attr('fill', theme.fg)
      .attr('font-size', 12)
      .text('weighted layer (input → output)');
    g.append('text')
      .attr('transform', `translate(14,${(M.top + H - M.bottom) / 2}) rotate(-90)`)
      .attr('text-anchor', 'middle')
      .attr('fill', theme.fg)
      .attr('font-size', 12)
      .text('‖∂L/∂W‖ (log)');
    for (const s of series) {
      const line = d3
        .line<LayerGradient>()
        .defined((d) => d.norm > 0 && Number.isFinite(d.norm))
        .x((d) => x(d.depth))
        .y((d) => y(d.norm));
      g.append('path')
        .datum(s.data as LayerGradient[])
        .attr('class', `series series-${s.key}`)
        .attr('fill', 'none')
        .attr('stroke', s.colour)
        .attr('stroke-width', 2)
        .attr('d', line);
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
  }, [input]);
  return (
    <svg
      ref={ref}
      className="lab-chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={label}
      data-key={drawKey}
      data-testid="gradient-chart"
    />
  );
}
