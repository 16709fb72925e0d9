import * as d3 from 'd3';
import { centreLoss, type Surface, sliceAlongDelta } from '../../core/lab/landscape';
import { drawAxes, type Frame, SMALL_FRAME, seriesLegend, seriesPath, xTitle, yTitle } from './chart-parts';
import { LabChart } from './LabChart';

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
const CONTOUR: Frame = { width: M.left + S + M.right, height: M.top + S + M.bottom, margin: M };

type Scale = ReturnType<typeof sharedScale>;

/** Filled contours of one surface (d3.contours), α across, β up, the trained net at the centre. */
export function ContourPlot({ surface, name, scale }: { readonly surface: Surface; readonly name: string; readonly scale: Scale }) {
  return (
    <LabChart
      frame={CONTOUR}
      deps={[surface, name, scale]}
      draw={(svg, theme) => {
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
        drawAxes(svg, CONTOUR, theme, d3.axisBottom(x).ticks(5), d3.axisLeft(y).ticks(5));
        xTitle(svg, CONTOUR, theme, 'α (along δ)', 6);
        yTitle(svg, CONTOUR, theme, 'β (along η)');
        svg
          .append('text')
          .attr('x', M.left)
          .attr('y', 15)
          .attr('fill', theme.fg)
          .attr('font-size', 12)
          .text(`${name}: loss at the centre (+) ${centreLoss(surface).toFixed(3)}`);
      }}
      label={`Loss contours of ${name} around its trained weights`}
      testId="landscape-contour"
      className="lab-chart lab-contour"
    />
  );
}

const LEGEND: Frame = { width: 520, height: 52, margin: { top: 4, right: 20, bottom: 36, left: 20 } };

/** The shared colour scale as a bar with log ticks. */
export function ColourLegend({ scale }: { readonly scale: Scale }) {
  const W = LEGEND.width;
  return (
    <LabChart
      frame={LEGEND}
      deps={[scale]}
      draw={(svg, theme) => {
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
      }}
      label="Colour scale: training loss"
      testId="landscape-legend"
      className="lab-chart lab-legend"
    />
  );
}

const { width: W1, height: H1, margin: M1 } = SMALL_FRAME;

/** The 1D slice f(θ + αδ) of both nets on one axis. */
export function SlicePlot({ plain, residual, depth }: { readonly plain: Surface; readonly residual: Surface; readonly depth: number }) {
  return (
    <LabChart
      frame={SMALL_FRAME}
      deps={[plain, residual, depth]}
      draw={(svg, theme) => {
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
        drawAxes(svg, SMALL_FRAME, theme, d3.axisBottom(x).ticks(5), d3.axisLeft(y).ticks(5));
        xTitle(svg, SMALL_FRAME, theme, 'α (β = 0)');
        yTitle(svg, SMALL_FRAME, theme, 'training loss');
        for (const s of series) {
          seriesPath(svg, s, d3.line<number>().x((_, i) => x(axis[i])).y((v) => y(v))(s.ys));
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
        seriesLegend(svg, series, theme, W1 - M1.right - 110, M1.top + 4);
      }}
      label={`1D loss slice, plain-${depth} vs ResNet-${depth}`}
      testId="landscape-slice"
    />
  );
}
