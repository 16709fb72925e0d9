/** Small drawing helpers shared by the live diagram and the SVG export (no DOM). */
import type { LayoutEdge, LayoutNode } from '../../core';

/** A polyline with rounded corners as an SVG path. */
export function roundedPath(points: readonly (readonly [number, number])[], r = 10): string {
  if (points.length < 2) return '';
  let d = `M${points[0][0]},${points[0][1]}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [px, py] = points[i - 1];
    const [x, y] = points[i];
    const [nx, ny] = points[i + 1];
    const l1 = Math.hypot(x - px, y - py);
    const l2 = Math.hypot(nx - x, ny - y);
    const rr = Math.min(r, l1 / 2, l2 / 2);
    const ax = x - ((x - px) / (l1 || 1)) * rr;
    const ay = y - ((y - py) / (l1 || 1)) * rr;
    const bx = x + ((nx - x) / (l2 || 1)) * rr;
    const by = y + ((ny - y) / (l2 || 1)) * rr;
    d += `L${ax},${ay}Q${x},${y} ${bx},${by}`;
  }
  const last = points[points.length - 1];
  return d + `L${last[0]},${last[1]}`;
}

/** Truncate to fit roughly `px` pixels at the given font size (average glyph ≈ 0.6 em). */
export function clip(text: string, px: number, fontSize: number): string {
  const max = Math.max(4, Math.floor(px / (fontSize * 0.6)));
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/** CSS class of a node: kind, lane and, for layers, the op (conv, bn, relu, add, …). */
export function nodeClass(n: LayoutNode): string {
  return `node ${n.kind} ${n.lane}${n.op ? ` op-${n.op}` : ''}${n.shortcut ? ` sc-${n.shortcut}` : ''}`;
}

export function edgeYRange(e: LayoutEdge): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const [, y] of e.points) {
    if (y < lo) lo = y;
    if (y > hi) hi = y;
  }
  return [lo, hi];
}
