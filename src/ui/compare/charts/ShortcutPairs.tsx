import * as d3 from 'd3';
import type { ShortcutCost, Unit } from '../../../core/compare';
import { formatInt, formatShare, shortCount, UNIT_LABEL } from '../format';
import { ChartFrame } from './ChartFrame';

const W = 640;
const M = { top: 30, right: 150, bottom: 36, left: 150 };
const ROW = 40;

/** Each residual model beside its plain twin: the extra params (projections) and MACs the shortcuts cost. */
export function ShortcutPairs({ pairs, unit }: { readonly pairs: readonly ShortcutCost[]; readonly unit: Unit }) {
  const H = M.top + M.bottom + Math.max(1, pairs.length) * ROW;
  const ops = (m: number) => (unit === 'flops' ? 2 * m : m);
  const key = pairs.map((p) => `${p.name}:${p.extraParams}:${p.extraMacs}`).join('|');
  return (
    <ChartFrame
      id="chart-shortcuts"
      title="Plain vs residual: what the shortcuts cost"
      caption={`Params of each network (dark) over its plain twin (light, same layers without shortcuts). Option A (zero-pad identity) adds nothing; B adds a 1×1 conv + BN where the shape changes; C in every block. Additions are not counted in ${UNIT_LABEL[unit]}.`}
      width={W}
      height={H}
      drawKey={`${key}/${unit}`}
      draw={(svg, t) => {
        const s = d3.select(svg);
        s.append('rect').attr('width', W).attr('height', H).attr('fill', t.bg);
        if (!pairs.length) {
          s.append('text').attr('x', W / 2).attr('y', H / 2).attr('text-anchor', 'middle').attr('fill', t.muted).text('No residual model selected');
          return;
        }
        const x = d3
          .scaleLinear()
          .domain([0, d3.max(pairs, (p) => p.residual.paramsTotal) || 1])
          .range([M.left, W - M.right]);
        pairs.forEach((p, i) => {
          const y = M.top + i * ROW;
          s.append('rect').attr('x', M.left).attr('y', y).attr('width', x(p.residual.paramsTotal) - M.left).attr('height', 14).attr('fill', t.accent)
            .append('title').text(`${p.name}: ${formatInt(p.residual.paramsTotal)} params`);
          s.append('rect').attr('x', M.left).attr('y', y + 16).attr('width', x(p.plain.paramsTotal) - M.left).attr('height', 14).attr('fill', t.accent).attr('fill-opacity', 0.35)
            .append('title').text(`plain-${p.name}: ${formatInt(p.plain.paramsTotal)} params`);
          s.append('text').attr('x', M.left - 6).attr('y', y + 12).attr('text-anchor', 'end').attr('font-size', 11).attr('fill', t.fg).text(`${p.name} (${p.shortcut})`);
          s.append('text').attr('x', M.left - 6).attr('y', y + 28).attr('text-anchor', 'end').attr('font-size', 11).attr('fill', t.muted).text('plain twin');
          const share = p.plain.paramsTotal ? p.extraParams / p.plain.paramsTotal : 0;
          s.append('text')
            .attr('x', x(p.residual.paramsTotal) + 6)
            .attr('y', y + 12)
            .attr('font-size', 11)
            .attr('fill', p.extraParams ? t.shortcut : t.fg)
            .text(`+${shortCount(p.extraParams)} params (+${formatShare(share)})`);
          s.append('text')
            .attr('x', x(p.residual.paramsTotal) + 6)
            .attr('y', y + 27)
            .attr('font-size', 11)
            .attr('fill', p.extraMacs ? t.shortcut : t.fg)
            .text(`+${shortCount(ops(p.extraMacs))} ${UNIT_LABEL[unit]}`);
        });
        const axis = s
          .append('g')
          .attr('transform', `translate(0,${H - M.bottom})`)
          .call(d3.axisBottom(x).ticks(5).tickFormat((d) => shortCount(Number(d))));
        axis.selectAll('path,line').attr('stroke', t.muted);
        axis.selectAll('text').attr('fill', t.fg).attr('font-size', 11);
        s.append('text').attr('x', M.left).attr('y', 16).attr('font-size', 11).attr('fill', t.muted).text('params (total); text: shortcut cost = residual − plain');
      }}
    />
  );
}
