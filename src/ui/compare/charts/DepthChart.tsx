import * as d3 from 'd3';
import type { CompareRow, Unit } from '../../../core/compare';
import { shortCount, UNIT_LABEL } from '../format';
import { GROUP_INDEX } from '../theme';
import { ChartFrame } from './ChartFrame';

type OkRow = Extract<CompareRow, { ok: true }>;

interface Props {
  readonly rows: readonly CompareRow[];
  readonly metric: 'params' | 'ops';
  readonly unit: Unit;
}

const W = 640;
const H = 360;
const M = { top: 16, right: 24, bottom: 44, left: 64 };

/** Params or MACs/FLOPs against depth; log–log when the values span more than a decade. */
export function DepthChart({ rows, metric, unit }: Props) {
  const ok = rows.filter((r): r is OkRow => r.ok);
  const value = (r: OkRow) => (metric === 'params' ? r.paramsTotal : unit === 'flops' ? r.flops : r.macs);
  const yLabel = metric === 'params' ? 'params (total)' : `${UNIT_LABEL[unit]} per image`;
  const id = metric === 'params' ? 'chart-params-depth' : 'chart-ops-depth';
  const key = ok.map((r) => `${r.name}:${value(r)}:${r.depth}`).join('|');
  return (
    <ChartFrame
      id={id}
      title={metric === 'params' ? 'Params against depth' : `${UNIT_LABEL[unit]} against depth`}
      caption={`Depth = conv and dense layers on the main path (projections excluded), as the papers count. Log scales where values span more than 10×; colour = preset group.`}
      width={W}
      height={H}
      drawKey={`${key}/${metric}/${unit}`}
      draw={(svg, t) => {
        const s = d3.select(svg);
        if (!ok.length) {
          s.append('text').attr('x', W / 2).attr('y', H / 2).attr('text-anchor', 'middle').attr('fill', t.muted).text('No model selected');
          return;
        }
        const xs = ok.map((r) => r.depth);
        const ys = ok.map(value);
        const spans = (v: number[]) => Math.max(...v) / Math.max(1, Math.min(...v)) > 10;
        const pad = (lo: number, hi: number, log: boolean) => (log ? [lo / 1.4, hi * 1.4] : [0, hi * 1.1 || 1]);
        const xLog = spans(xs);
        const yLog = spans(ys);
        const x = (xLog ? d3.scaleLog() : d3.scaleLinear())
          .domain(pad(Math.min(...xs), Math.max(...xs), xLog))
          .range([M.left, W - M.right]);
        const y = (yLog ? d3.scaleLog() : d3.scaleLinear())
          .domain(pad(Math.min(...ys), Math.max(...ys), yLog))
          .range([H - M.bottom, M.top]);
        s.append('rect').attr('width', W).attr('height', H).attr('fill', t.bg);
        const xa = s
          .append('g')
          .attr('transform', `translate(0,${H - M.bottom})`)
          .call(d3.axisBottom(x).ticks(6, xLog ? '~s' : undefined));
        const ya = s
          .append('g')
          .attr('transform', `translate(${M.left},0)`)
          .call(d3.axisLeft(y).ticks(6).tickFormat((d) => shortCount(Number(d))));
        for (const a of [xa, ya]) {
          a.selectAll('path,line').attr('stroke', t.muted);
          a.selectAll('text').attr('fill', t.fg).attr('font-size', 11);
        }
        s.append('text').attr('x', (M.left + W - M.right) / 2).attr('y', H - 8).attr('text-anchor', 'middle').attr('fill', t.fg).attr('font-size', 12).text(`depth (layers)${xLog ? ', log scale' : ''}`);
        s.append('text').attr('transform', `translate(14,${(M.top + H - M.bottom) / 2}) rotate(-90)`).attr('text-anchor', 'middle').attr('fill', t.fg).attr('font-size', 12).text(`${yLabel}${yLog ? ', log scale' : ''}`);
        const color = (r: OkRow) => t.series[GROUP_INDEX[r.group] ?? 5];
        // Lines join models of the same group in depth order (one family's scaling).
        const groups = d3.group(ok, (r) => r.group);
        for (const [, g] of groups) {
          const sorted = [...g].sort((a, b) => a.depth - b.depth);
          if (sorted.length < 2) continue;
          s.append('path')
            .attr('fill', 'none')
            .attr('stroke', color(sorted[0]))
            .attr('stroke-opacity', 0.45)
            .attr('stroke-width', 1.5)
            .attr('d', d3.line<OkRow>().x((r) => x(r.depth)).y((r) => y(value(r)))(sorted));
        }
        const pts = s.append('g').selectAll('g').data(ok).join('g').attr('transform', (r) => `translate(${x(r.depth)},${y(value(r))})`);
        pts.append('circle').attr('r', 5).attr('fill', color).attr('stroke', t.bg);
        pts.append('title').text((r) => `${r.name}: depth ${r.depth}, ${shortCount(value(r))}`);
        // Models at the same depth (ResNet50 and resnet50) would print on top of each other: stack their labels.
        const seen = new Map<number, number>();
        const nth = ok.map((r) => {
          const k = Math.round(x(r.depth));
          const n = seen.get(k) ?? 0;
          seen.set(k, n + 1);
          return n;
        });
        pts
          .append('text')
          .attr('x', 7)
          .attr('y', (_r, i) => -6 + 13 * nth[i])
          .attr('font-size', 11)
          .attr('fill', t.fg)
          .text((r) => `${r.name} ${shortCount(value(r))}`);
      }}
    />
  );
}
