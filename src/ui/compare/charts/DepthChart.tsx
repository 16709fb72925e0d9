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
const MAX_LABELS = 18;

/** On a log axis label only 1, 2 and 5 × 10^k, so the minor ticks stay unlabelled. */
function logLabel(v: number): string {
  const lead = Math.round(v / 10 ** Math.floor(Math.log10(v)));
  return lead === 1 || lead === 2 || lead === 5 ? shortCount(v) : '';
}
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
      caption={`Depth = conv and dense layers on the main path (projections excluded), as the papers count. Log scales where values span more than 10×; colour = preset group; rings and dashed lines = plain twins; a line joins one family across depths.`}
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
          .call(d3.axisLeft(y).ticks(6).tickFormat((d) => (yLog ? logLabel(Number(d)) : shortCount(Number(d)))));
        for (const a of [xa, ya]) {
          a.selectAll('path,line').attr('stroke', t.muted);
          a.selectAll('text').attr('fill', t.fg).attr('font-size', 11);
        }
        s.append('text').attr('x', (M.left + W - M.right) / 2).attr('y', H - 8).attr('text-anchor', 'middle').attr('fill', t.fg).attr('font-size', 12).text(`depth (layers)${xLog ? ', log scale' : ''}`);
        s.append('text').attr('transform', `translate(14,${(M.top + H - M.bottom) / 2}) rotate(-90)`).attr('text-anchor', 'middle').attr('fill', t.fg).attr('font-size', 12).text(`${yLabel}${yLog ? ', log scale' : ''}`);
        const color = (r: OkRow) => t.series[GROUP_INDEX[r.group] ?? 5];
        // Lines join models of the same group in depth order (one family's scaling).
        // A series is one family scaled in depth: same library, shortcuts or not, stem, activation, stride placement,
        // cardinality and base width (so V1/V2, ResNeXt and wide nets get their own lines).
        const series = (r: OkRow) =>
          [r.spec.family, r.spec.residual, r.spec.stem.kind, r.spec.activation, r.spec.strideAt, r.spec.groups, r.spec.stages[0]?.width].join('/');
        const groups = d3.group(ok, series);
        for (const [, g] of groups) {
          const sorted = [...g].sort((a, b) => a.depth - b.depth);
          if (sorted.length < 2) continue;
          s.append('path')
            .attr('fill', 'none')
            .attr('stroke', color(sorted[0]))
            .attr('stroke-opacity', 0.45)
            .attr('stroke-dasharray', sorted[0].spec.residual ? null : '4 3')
            .attr('stroke-width', 1.5)
            .attr('d', d3.line<OkRow>().x((r) => x(r.depth)).y((r) => y(value(r)))(sorted));
        }
        const pts = s.append('g').selectAll('g').data(ok).join('g').attr('transform', (r) => `translate(${x(r.depth)},${y(value(r))})`);
        // Residual nets are filled dots, plain twins rings, so a pair at the same spot shows both.
        pts
          .append('circle')
          .attr('r', (r) => (r.spec.residual ? 5 : 6))
          .attr('fill', (r) => (r.spec.residual ? color(r) : 'none'))
          .attr('stroke', (r) => (r.spec.residual ? t.bg : color(r)))
          .attr('stroke-width', (r) => (r.spec.residual ? 1 : 2));
        pts.append('title').text((r) => `${r.name}: depth ${r.depth}, ${shortCount(value(r))}`);
        // Labels drawn after every dot: right of the point (left near the right edge), nudged down until they
        // overlap neither another label nor a dot.
        const placed: { x: number; y: number; right: number; bottom: number }[] = ok.map((r) => ({
          x: x(r.depth) - 5,
          y: y(value(r)) - 5,
          right: x(r.depth) + 5,
          bottom: y(value(r)) + 5,
        }));
        const labels = s.append('g');
        // Past a dozen and a half models the labels would bury the dots: hover (title) names them instead.
        if (ok.length > MAX_LABELS) {
          s.append('text').attr('x', W - M.right).attr('y', M.top).attr('text-anchor', 'end').attr('font-size', 11).attr('fill', t.muted).text(`${ok.length} models: hover a dot for its name`);
          return;
        }
        for (const r of ok) {
          const px = x(r.depth);
          const py = y(value(r));
          const left = px > W - 150;
          const label = labels
            .append('text')
            .attr('x', px + (left ? -8 : 8))
            .attr('y', py - 6)
            .attr('text-anchor', left ? 'end' : 'start')
            .attr('font-size', 11)
            .attr('fill', t.fg)
            .text(`${r.name} ${shortCount(value(r))}`);
          const node = label.node()!;
          for (let k = 0; k < 8; k++) {
            const bb = node.getBBox();
            const box = { x: bb.x, y: bb.y, right: bb.x + bb.width, bottom: bb.y + bb.height };
            const hit = placed.some((p) => box.x < p.right && box.right > p.x && box.y < p.bottom && box.bottom > p.y);
            if (!hit || k === 7) {
              placed.push(box);
              break;
            }
            // Alternate below and above the dot, further each time.
            const step = Math.ceil((k + 1) / 2) * 13;
            label.attr('y', py - 6 + (k % 2 === 0 ? step + 12 : -step));
          }
        }
      }}
    />
  );
}
