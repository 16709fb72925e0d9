import * as d3 from 'd3';
import { useState } from 'react';
import type { CompareRow, Unit } from '../../../core/compare';
import { formatShare, shortCount, UNIT_LABEL } from '../format';
import { ChartFrame } from './ChartFrame';

const wholePercent = d3.format('.0%');

type OkRow = Extract<CompareRow, { ok: true }>;
type Metric = 'macs' | 'params' | 'activations';

const W = 640;
const M = { top: 28, right: 70, bottom: 36, left: 150 };
const BAR = 22;

/** Per-stage stacked bars (stem, conv2…conv5, head): where the cost of each model sits. */
export function StageBars({ rows, unit }: { readonly rows: readonly CompareRow[]; readonly unit: Unit }) {
  const [metric, setMetric] = useState<Metric>('macs');
  const [share, setShare] = useState(false);
  const ok = rows.filter((r): r is OkRow => r.ok);
  const H = M.top + M.bottom + Math.max(1, ok.length) * (BAR + 8);
  const val = (st: OkRow['stages'][number]) =>
    metric === 'params' ? st.params : metric === 'activations' ? st.activations : unit === 'flops' ? 2 * st.macs : st.macs;
  // Canonical order: stem, conv2 … convN, head (a CIFAR row has no conv5).
  const order = (sec: string) => (sec === 'stem' ? 0 : sec === 'head' ? 1000 : Number(sec.slice(4)));
  const sections = [...new Set(ok.flatMap((r) => r.stages.map((s) => s.section)))].sort((a, b) => order(a) - order(b));
  const label = metric === 'params' ? 'params' : metric === 'activations' ? 'activations (elements per image)' : UNIT_LABEL[unit];
  const key = ok.map((r) => r.name + r.stages.map(val).join(',')).join('|');
  return (
    <ChartFrame
      id="chart-stages"
      title={`Per-stage ${label}`}
      caption="Stacked by section: stem, the residual stages conv2…conv5 (Keras names), head. Share of total shows where each model spends, whatever its size."
      width={W}
      height={H}
      drawKey={`${key}/${metric}/${share}/${unit}`}
      controls={
        <span className="cmp-chart-controls">
          <label>
            metric{' '}
            <select value={metric} onChange={(e) => setMetric(e.target.value as Metric)} aria-label="Per-stage metric">
              <option value="macs">{UNIT_LABEL[unit]}</option>
              <option value="params">params</option>
              <option value="activations">activations</option>
            </select>
          </label>
          <label>
            <input type="checkbox" checked={share} onChange={(e) => setShare(e.target.checked)} /> share of total
          </label>
        </span>
      }
      draw={(svg, t) => {
        const s = d3.select(svg);
        s.append('rect').attr('width', W).attr('height', H).attr('fill', t.bg);
        if (!ok.length) return;
        const totals = ok.map((r) => d3.sum(r.stages, val));
        const x = d3
          .scaleLinear()
          .domain([0, share ? 1 : d3.max(totals) || 1])
          .range([M.left, W - M.right]);
        const color = d3.scaleOrdinal<string, string>().domain(sections).range([t.muted, ...t.series]);
        ok.forEach((r, i) => {
          const yPos = M.top + i * (BAR + 8);
          let acc = 0;
          const g = s.append('g');
          for (const st of r.stages) {
            const v = val(st) / (share ? totals[i] || 1 : 1);
            g.append('rect')
              .attr('x', x(acc))
              .attr('y', yPos)
              .attr('width', Math.max(0, x(acc + v) - x(acc)))
              .attr('height', BAR)
              .attr('fill', color(st.section))
              .append('title')
              .text(`${r.name} ${st.section}: ${shortCount(val(st))} (${formatShare(val(st) / (totals[i] || 1))})`);
            acc += v;
          }
          s.append('text').attr('x', M.left - 6).attr('y', yPos + BAR / 2 + 4).attr('text-anchor', 'end').attr('font-size', 11).attr('fill', t.fg).text(r.name);
          s.append('text').attr('x', x(acc) + 4).attr('y', yPos + BAR / 2 + 4).attr('font-size', 11).attr('fill', t.muted).text(shortCount(totals[i]));
        });
        const axis = s
          .append('g')
          .attr('transform', `translate(0,${H - M.bottom})`)
          .call(
            d3
              .axisBottom(x)
              .ticks(5)
              .tickFormat((d) => (share ? wholePercent(Number(d)) : shortCount(Number(d)))),
          );
        axis.selectAll('path,line').attr('stroke', t.muted);
        axis.selectAll('text').attr('fill', t.fg).attr('font-size', 11);
        const legend = s.append('g').attr('transform', `translate(${M.left},${10})`);
        sections.forEach((sec, i) => {
          const lg = legend.append('g').attr('transform', `translate(${i * 70},0)`);
          lg.append('rect').attr('width', 10).attr('height', 10).attr('y', -4).attr('fill', color(sec));
          lg.append('text').attr('x', 14).attr('y', 5).attr('font-size', 11).attr('fill', t.fg).text(sec);
        });
      }}
    />
  );
}
