import * as d3 from 'd3';
import { useEffect, useRef } from 'react';
import { centreLoss, type Surface, sliceAlongDelta } from '../../core/lab/landscape';
import { labTheme } from './theme';

/**
 * One colour scale for both nets: log-spaced levels from the lowest to the highest loss of either surface
 * (a log scale keeps the basin visible next to the large losses far out).
 */
export function sharedScale(surfaces: readonly Surface[]): { thresholds: number[]; colour: d3.ScaleSequential<string> } {
  const all = surfaces.flatMap((s) => s.losses);
  const lo = Math.max(1e-4, d3.min(all) ?? 1e-4);
  const hi = Math.max(lo * 1.01, d3.max(all) ?? 1);
  const levels = 14;
  const thresholds = d3.range(levels).map((i) => lo * (hi / lo) ** (i / levels));
  return { thresholds, colour: d3.scaleSequentialLog(d3.interpolateViridis).domain([lo, hi]) };
}

const S = 260;
const M = { top: 24, right: 10, bottom: 36, left: 40 };

/** Filled contours of one surface (d3.contours), α across, β up, the trained net at the centre. */
export function ContourPlot({ surface, name, scale }: { readonly surface: Surface; readonly name: string; readonly scale: ReturnType<typeof sharedScale> }) {
  const ref = useRef<SVGSVGElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const theme = labTheme(el);
    const svg = d3.select(el);
    svg.selectAll('*').remove();
    const n = surface.axis.length;
    const span = surface.axis[n - 1];
    const step = (2 * span) / (n - 1);
    const x = d3.scaleLinear().domain([-span, span]).range([M.left, M.left + S]);
    const y = d3.scaleLinear().domain([-span, span]).range([M.top + S, M.top]);
    // d3.contours puts grid value i at coordinate i + 0.5.
    const at = (c: number) => -span + (c - 0.5) * step;
    const path = d3.geoPath(
      d3.geoTransform({
        point(px, py) {
          this.stream.point(x(at(px)), y(at(py)));
        },
      }),
    );
    const id = `clip-${name.replace(/\W/g, '')}`;
    svg.append('clipPath').attr('id', id).append('rect').attr('x', M.left).attr('y', M.top).attr('width', S).attr('height', S);
    const contours = d3.contours().size([n, n]).thresholds(scale.thresholds)([...surface.losses]);
    svg
      .append('g')
      .attr('clip-path', `url(#${id})`)
      .selectAll('path')
      .data(contours)
      .join('path')
      .attr('class', 'landscape-level')
      .attr('d', path)
      .attr('fill', (c) => scale.colour(c.value))
      .attr('stroke', '#ffffff')
      .attr('stroke-opacity', 0.5)
      .attr('stroke-width', 0.5);
    svg
      .append('text')
      .attr('x', x(0))
      .attr('y', y(0))
      .attr('text-anchor', 'middle')
      .attr('dominant-baseline', 'central')
      .attr('fill', '#fff')
      .attr('font-size', 14)
      .text('+');
    svg
      .append('g')
      .attr('transform', `translate(0,${M.top + S})`)
      .call(d3.axisBottom(x).ticks(5))
      .call((a) => a.selectAll('text,line,path').style('color', theme.muted));
    svg
      .append('g')
      .attr('transform', `translate(${M.left},0)`)
      .call(d3.axisLeft(y).ticks(5))
      .call((a) => a.selectAll('text,line,path').style('color', theme.muted));
    svg.append('text').attr('x', M.left + S / 2).attr('y', M.top + S + 30).attr('text-anchor', 'middle').attr('fill', theme.fg).attr('font-size', 12).text('α (along δ)');
    svg.append('text').attr('x', 12).attr('y', M.top + S / 2).attr('text-anchor', 'middle').attr('fill', theme.fg).attr('font-size', 12).attr('transform', `rotate(-90 12 ${M.top + S / 2})`).text('β (along η)');
    svg
      .append('text')
      .attr('x', M.left)
      .attr('y', 15)
      .attr('fill', theme.fg)
      .attr('font-size', 12)
      .text(`${name}: loss at the centre (+) ${centreLoss(surface).toFixed(3)}`);
  }, [surface, name, scale]);
  return (
    <svg
      ref={ref}
      className="lab-chart lab-contour"
      viewBox={`0 0 ${M.left + S + M.right} ${M.top + S + M.bottom}`}
      role="img"
      aria-label={`Loss contours of ${name} around its trained weights`}
      data-testid="landscape-contour"
    />
  );
}

/** The shared colour scale as a bar with log ticks. */
export function ColourLegend({ scale }: { readonly scale: ReturnType<typeof sharedScale> }) {
  const ref = useRef<SVGSVGElement>(null);
  const W = 520;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const theme = labTheme(el);
    const svg = d3.select(el);
    svg.selectAll('*').remove();
    const [lo, hi] = scale.colour.domain();
    const x = d3.scaleLog().domain([lo, hi]).range([20, W - 20]);
    const grad = svg.append('defs').append('linearGradient').attr('id', 'landscape-gradient');
    d3.range(11).forEach((i) => {
      const v = lo * (hi / lo) ** (i / 10);
      grad.append('stop').attr('offset', `${i * 10}%`).attr('stop-color', scale.colour(v));
    });
    svg.append('rect').attr('x', 20).attr('y', 4).attr('width', W - 40).attr('height', 12).attr('fill', 'url(#landscape-gradient)');
    svg
      .append('g')
      .attr('transform', 'translate(0,16)')
      .call(d3.axisBottom(x).ticks(6, '.2~f'))
      .call((a) => a.selectAll('text,line,path').style('color', theme.muted));
    svg.append('text').attr('x', W / 2).attr('y', 46).attr('text-anchor', 'middle').attr('fill', theme.fg).attr('font-size', 11).text('training loss (log colour scale, the same for both nets)');
  }, [scale]);
  return <svg ref={ref} className="lab-chart lab-legend" viewBox={`0 0 ${W} 52`} role="img" aria-label="Colour scale: training loss" data-testid="landscape-legend" />;
}

const W1 = 420;
const H1 = 240;
const M1 = { top: 14, right: 14, bottom: 36, left: 48 };

/** The 1D slice f(θ + αδ) of both nets on one axis. */
export function SlicePlot({ plain, residual, depth }: { readonly plain: Surface; readonly residual: Surface; readonly depth: number }) {
  const ref = useRef<SVGSVGElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const theme = labTheme(el);
    const svg = d3.select(el);
    svg.selectAll('*').remove();
    const axis = plain.axis;
    const series = [
      { key: 'plain', name: `plain-${depth}`, colour: theme.plain, ys: sliceAlongDelta(plain) },
      { key: 'residual', name: `ResNet-${depth}`, colour: theme.residual, ys: sliceAlongDelta(residual) },
    ];
    const x = d3
      .scaleLinear()
      .domain([axis[0], axis[axis.length - 1]])
      .range([M1.left, W1 - M1.right]);
    // From the lowest to the highest loss on the slice (not from 0): the shape near the minimum is the point.
    const ys = series.flatMap((s) => s.ys);
    const lo = d3.min(ys) ?? 0;
    const hi = d3.max(ys) ?? 1;
    const pad = Math.max(1e-3, (hi - lo) * 0.05);
    const y = d3
      .scaleLinear()
      .domain([lo - pad, hi + pad])
      .nice()
      .range([H1 - M1.bottom, M1.top]);
    svg
      .append('g')
      .attr('transform', `translate(0,${H1 - M1.bottom})`)
      .call(d3.axisBottom(x).ticks(5))
      .call((a) => a.selectAll('text,line,path').style('color', theme.muted));
    svg
      .append('g')
      .attr('transform', `translate(${M1.left},0)`)
      .call(d3.axisLeft(y).ticks(5))
      .call((a) => a.selectAll('text,line,path').style('color', theme.muted));
    svg.append('text').attr('x', (M1.left + W1 - M1.right) / 2).attr('y', H1 - 4).attr('text-anchor', 'middle').attr('fill', theme.fg).attr('font-size', 12).text('α (β = 0)');
    svg.append('text').attr('x', 12).attr('y', (M1.top + H1 - M1.bottom) / 2).attr('text-anchor', 'middle').attr('fill', theme.fg).attr('font-size', 12).attr('transform', `rotate(-90 12 ${(M1.top + H1 - M1.bottom) / 2})`).text('training loss');
    for (const s of series) {
      svg
        .append('path')
        .datum(s.ys)
        .attr('class', `series series-${s.key}`)
        .attr('fill', 'none')
        .attr('stroke', s.colour)
        .attr('stroke-width', 2)
        .attr('d', d3.line<number>().x((_, i) => x(axis[i])).y((v) => y(v)));
      svg
        .append('g')
        .selectAll('circle')
        .data(s.ys)
        .join('circle')
        .attr('cx', (_, i) => x(axis[i]))
        .attr('cy', (v) => y(v))
        .attr('r', 2.5)
        .attr('fill', s.colour);
    }
    const legend = svg.append('g').attr('transform', `translate(${W1 - M1.right - 110},${M1.top + 4})`);
    series.forEach((s, i) => {
      legend.append('rect').attr('x', 0).attr('y', i * 16).attr('width', 12).attr('height', 3).attr('fill', s.colour);
      legend.append('text').attr('x', 18).attr('y', i * 16 + 5).attr('fill', theme.fg).attr('font-size', 11).text(s.name);
    });
  }, [plain, residual, depth]);
  return <svg ref={ref} className="lab-chart" viewBox={`0 0 ${W1} ${H1}`} role="img" aria-label={`1D loss slice, plain-${depth} vs ResNet-${depth}`} data-testid="landscape-slice" />;
}
