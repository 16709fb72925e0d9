/** The d3 pieces that the lab's charts share: axes, axis titles, the series legend. */
import type * as d3 from 'd3';
import type { LabTheme } from './theme';

/** A chart's size in viewBox units and the margins around its plot area. */
export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly margin: { readonly top: number; readonly right: number; readonly bottom: number; readonly left: number };
}

/** The frame of the small line charts (race, slice, responses). */
export const SMALL_FRAME: Frame = { width: 420, height: 240, margin: { top: 14, right: 14, bottom: 36, left: 48 } };

type Parent = d3.Selection<SVGSVGElement, unknown, null, undefined> | d3.Selection<SVGGElement, unknown, null, undefined>;

// biome-ignore lint/suspicious/noExplicitAny: d3 axes are drawn for any scale's domain type.
type AnyAxis = d3.Axis<any>;

/** The bottom axis along the plot's lower edge and the left axis along its left edge, in the muted colour. */
export function drawAxes(parent: Parent, f: Frame, theme: LabTheme, bottom: AnyAxis, left: AnyAxis): void {
  parent
    .append('g')
    .attr('transform', `translate(0,${f.height - f.margin.bottom})`)
    .call(bottom)
    .call((a) => a.selectAll('text,line,path').style('color', theme.muted));
  parent
    .append('g')
    .attr('transform', `translate(${f.margin.left},0)`)
    .call(left)
    .call((a) => a.selectAll('text,line,path').style('color', theme.muted));
}

/** The x axis's title, centred under the plot, its baseline `fromBottom` above the chart's lower edge. */
export function xTitle(parent: Parent, f: Frame, theme: LabTheme, text: string, fromBottom = 4): void {
  parent
    .append('text')
    .attr('x', (f.margin.left + f.width - f.margin.right) / 2)
    .attr('y', f.height - fromBottom)
    .attr('text-anchor', 'middle')
    .attr('fill', theme.fg)
    .attr('font-size', 12)
    .text(text);
}

/** The y axis's title, turned a quarter left, centred beside the plot at x = `x`. */
export function yTitle(parent: Parent, f: Frame, theme: LabTheme, text: string, x = 12): void {
  const cy = (f.margin.top + f.height - f.margin.bottom) / 2;
  parent
    .append('text')
    .attr('x', x)
    .attr('y', cy)
    .attr('text-anchor', 'middle')
    .attr('fill', theme.fg)
    .attr('font-size', 12)
    .attr('transform', `rotate(-90 ${x} ${cy})`)
    .text(text);
}

/** A legend of coloured strokes and names, one series a row, its top left corner at (x, y). */
export function seriesLegend(parent: Parent, series: readonly { readonly name: string; readonly colour: string }[], theme: LabTheme, x: number, y: number): void {
  const legend = parent.append('g').attr('transform', `translate(${x},${y})`);
  series.forEach((s, i) => {
    legend.append('rect').attr('x', 0).attr('y', i * 16).attr('width', 12).attr('height', 3).attr('fill', s.colour);
    legend.append('text').attr('x', 18).attr('y', i * 16 + 5).attr('fill', theme.fg).attr('font-size', 11).text(s.name);
  });
}

/** One series' line (class `series series-KEY`, which tests read), 2 px in the series' colour. */
export function seriesPath(parent: Parent, s: { readonly key: string; readonly colour: string }, d: string | null) {
  return parent.append('path').attr('class', `series series-${s.key}`).attr('fill', 'none').attr('stroke', s.colour).attr('stroke-width', 2).attr('d', d);
}
