/**
 * d3 draws a Layout (computed in src/core/layout.ts) into an SVG and handles pan/zoom. It holds no model
 * logic. Large layouts (over CULL_THRESHOLD nodes, e.g. ResNet-1202 expanded) draw only what is in view and
 * redraw on pan/zoom; at low zoom text is hidden (semantic level of detail) to keep frames cheap.
 */
import { type D3ZoomEvent, type Selection, select, type ZoomBehavior, type ZoomTransform, zoom, zoomIdentity, zoomTransform } from 'd3';
import { formatShape, type Layout, type LayoutArc, type LayoutBand, type LayoutEdge, type LayoutNode } from '../../core';
import { clip, edgeYRange, nodeClass, roundedPath } from './geometry';

export const CULL_THRESHOLD = 1200;
/** Below this zoom, text is hidden. */
const LOD_TEXT_SCALE = 0.38;

export interface RendererHandlers {
  activate(node: LayoutNode): void;
  collapse(groupId: string): void;
  hover(node: LayoutNode | null, anchor?: DOMRect): void;
}

type G = Selection<SVGGElement, unknown, null, undefined>;

export class DiagramRenderer {
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly root: G;
  private readonly layers: Record<'bands' | 'edges' | 'arcs' | 'labels' | 'nodes', G>;
  private readonly zoomBehavior: ZoomBehavior<SVGSVGElement, unknown>;
  private layout: Layout | null = null;
  private transform: ZoomTransform = zoomIdentity;
  private selected: string | null = null;
  private frame = 0;
  /** After a keyboard expand/collapse, focus follows the group (its bracket, or its node again). */
  private pendingFocus: string | null = null;
  /** Milliseconds the last full draw took (read by the e2e test and shown for curiosity). */
  lastDrawMs = 0;

  constructor(
    private readonly el: SVGSVGElement,
    private readonly handlers: RendererHandlers,
  ) {
    this.svg = select(el);
    this.svg.selectAll('*').remove();
    this.root = this.svg.append('g').attr('class', 'viewport');
    this.layers = {
      bands: this.root.append('g').attr('class', 'bands'),
      edges: this.root.append('g').attr('class', 'edges'),
      arcs: this.root.append('g').attr('class', 'arcs'),
      labels: this.root.append('g').attr('class', 'labels'),
      nodes: this.root.append('g').attr('class', 'nodes'),
    };
    this.zoomBehavior = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.005, 4])
      .on('zoom', (e: D3ZoomEvent<SVGSVGElement, unknown>) => {
        this.transform = e.transform;
        this.root.attr('transform', e.transform.toString());
        this.svg.classed('lod-low', e.transform.k < LOD_TEXT_SCALE);
        if (this.culling()) this.schedule();
      });
    this.svg.call(this.zoomBehavior).on('dblclick.zoom', null);
    // A renderer re-created on the same <svg> (React may re-run effects) continues from its zoom state.
    this.transform = zoomTransform(el);
    this.root.attr('transform', this.transform.toString());
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.svg.on('.zoom', null);
    this.svg.selectAll('*').remove();
  }

  private culling(): boolean {
    return (this.layout?.nodes.length ?? 0) > CULL_THRESHOLD;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Draw a new layout. `anchor` keeps a group where it was on screen (expand/collapse in place). */
  setLayout(layout: Layout, opts: { reset?: boolean; anchor?: { id: string; oldTop: number } } = {}): void {
    this.layout = layout;
    if (opts.reset) this.initialView();
    else if (opts.anchor) {
      const top = topOf(layout, opts.anchor.id);
      if (top !== undefined) {
        const t = this.transform.translate(0, opts.anchor.oldTop - top);
        this.svg.call(this.zoomBehavior.transform, t);
      }
    }
    this.draw();
    if (this.pendingFocus) {
      const id = this.pendingFocus;
      this.pendingFocus = null;
      const target = this.el.querySelector<SVGGElement>(`g.band[data-group="${CSS.escape(id)}"], g.node[data-node-id="${CSS.escape(id)}"]`);
      target?.focus();
    }
  }

  setSelected(id: string | null): void {
    this.selected = id;
    this.layers.nodes.selectAll<SVGGElement, LayoutNode>('g.node').classed('selected', (d) => d.id === id);
  }

  /** Top y (layout units) of a node or an expanded group's bracket. */
  topOf(id: string): number | undefined {
    return this.layout ? topOf(this.layout, id) : undefined;
  }

  private size(): { w: number; h: number } {
    const r = this.el.getBoundingClientRect();
    return { w: Math.max(1, r.width), h: Math.max(1, r.height) };
  }

  fitToScreen(): void {
    if (!this.layout) return;
    const { w, h } = this.size();
    const b = this.layout.bounds;
    const bw = b.maxX - b.minX + 40;
    const bh = b.maxY - b.minY + 40;
    const k = Math.min(w / bw, h / bh, 1.25);
    const t = zoomIdentity.translate((w - bw * k) / 2 - (b.minX - 20) * k, (h - bh * k) / 2 - (b.minY - 20) * k).scale(k);
    this.svg.call(this.zoomBehavior.transform, t);
  }

  /** A readable start: fit when that stays legible, otherwise fit the width and start at the top. */
  private initialView(): void {
    if (!this.layout) return;
    const { w, h } = this.size();
    const b = this.layout.bounds;
    const bw = b.maxX - b.minX + 40;
    const bh = b.maxY - b.minY + 40;
    if (Math.min(w / bw, h / bh) >= 0.55) {
      this.fitToScreen();
      return;
    }
    const k = Math.min(1, w / bw);
    const t = zoomIdentity.translate((w - bw * k) / 2 - (b.minX - 20) * k, 10 - (b.minY - 20) * k).scale(k);
    this.svg.call(this.zoomBehavior.transform, t);
  }

  zoomBy(factor: number): void {
    this.svg.call(this.zoomBehavior.scaleBy, factor);
  }

  /** Pan so a node is in the middle of the view (zooming in to a readable scale if needed). */
  centerOn(id: string): void {
    const n = this.layout?.nodes.find((x) => x.id === id);
    if (!n) return;
    const { w, h } = this.size();
    const k = Math.max(this.transform.k, 0.8);
    const t = zoomIdentity.translate(w / 2 - n.x * k, h / 2 - n.y * k).scale(k);
    this.svg.call(this.zoomBehavior.transform, t);
    this.draw();
  }

  /** Bring a focused node into view without changing the zoom. */
  private ensureVisible(n: LayoutNode): void {
    const { h } = this.size();
    const top = this.transform.applyY(n.y - n.h / 2);
    const bottom = this.transform.applyY(n.y + n.h / 2);
    if (top >= 0 && bottom <= h) return;
    const dy = top < 0 ? -top + 20 : h - bottom - 20;
    this.svg.call(this.zoomBehavior.translateBy, 0, dy / this.transform.k);
  }

  private draw(): void {
    const layout = this.layout;
    if (!layout) return;
    const t0 = performance.now();
    let nodes = layout.nodes;
    let edges = layout.edges;
    let bands = layout.bands;
    let arcs = layout.arcs;
    if (this.culling()) {
      const { h } = this.size();
      const margin = 300 / this.transform.k;
      const y0 = this.transform.invertY(0) - margin;
      const y1 = this.transform.invertY(h) + margin;
      nodes = nodes.filter((n) => n.y + n.h / 2 >= y0 && n.y - n.h / 2 <= y1);
      const inView = (e: LayoutEdge) => {
        const [lo, hi] = edgeYRange(e);
        return hi >= y0 && lo <= y1;
      };
      edges = edges.filter(inView);
      bands = bands.filter((b) => b.y1 >= y0 && b.y0 <= y1);
      const visibleEdges = new Set(edges.map((e) => e.id));
      arcs = arcs.filter((a) => a.edgeIds.some((id) => visibleEdges.has(id)));
    }
    const byId = new Map(layout.edges.map((e) => [e.id, e]));
    this.drawBands(bands);
    this.drawEdges(edges.filter((e) => e.path === 'main'));
    this.drawArcs(arcs, byId);
    this.drawLabels(edges);
    this.drawNodes(nodes);
    this.lastDrawMs = performance.now() - t0;
    this.el.dataset.drawMs = this.lastDrawMs.toFixed(1);
    this.el.dataset.nodes = String(nodes.length);
  }

  private drawBands(bands: readonly LayoutBand[]): void {
    const sel = this.layers.bands
      .selectAll<SVGGElement, LayoutBand>('g.band')
      .data(bands, (d) => d.id)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'band').attr('tabindex', 0).attr('role', 'button');
        g.append('rect').attr('rx', 4).attr('class', 'band-bar');
        g.append('text').attr('class', 'band-label');
        g.on('click', (_e, d) => this.handlers.collapse(d.id));
        g.on('keydown', (e: KeyboardEvent, d) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            this.pendingFocus = d.id;
            this.handlers.collapse(d.id);
          }
        });
        return g;
      });
    sel
      .attr('data-group', (d) => d.id)
      .attr('aria-label', (d) => `Collapse ${d.id}`)
      .classed('band-block', (d) => d.kind === 'block');
    sel
      .select('rect')
      .attr('x', (d) => d.x)
      .attr('y', (d) => d.y0)
      .attr('width', 12)
      .attr('height', (d) => Math.max(1, d.y1 - d.y0));
    sel
      .select('text')
      .attr('transform', (d) => `translate(${d.x + 9},${d.y0 + 4}) rotate(90)`)
      .text((d) => `− ${d.kind === 'block' ? d.id.replace(/^conv\d+_/, '') : d.id}`);
  }

  private drawEdges(edges: readonly LayoutEdge[]): void {
    this.layers.edges
      .selectAll<SVGPathElement, LayoutEdge>('path')
      .data(edges, (d) => d.id)
      .join('path')
      .attr('class', 'edge main')
      .attr('d', (d) => roundedPath(d.points));
  }

  private drawArcs(arcs: readonly LayoutArc[], byId: Map<string, LayoutEdge>): void {
    const g = this.layers.arcs
      .selectAll<SVGGElement, LayoutArc>('g.arc')
      .data(arcs, (d) => d.block)
      .join('g')
      .attr('class', (d) => `arc sc-${d.kind}`)
      .attr('data-block', (d) => d.block)
      .attr('data-shortcut-kind', (d) => d.kind);
    g.selectAll<SVGPathElement, string>('path')
      .data((d) => d.edgeIds)
      .join('path')
      .attr('d', (id) => roundedPath(byId.get(id)!.points));
  }

  private drawLabels(edges: readonly LayoutEdge[]): void {
    this.layers.labels
      .selectAll<SVGTextElement, LayoutEdge>('text')
      .data(edges, (d) => d.id)
      .join('text')
      .attr('class', (d) => `edge-label ${d.path}`)
      // The layer whose output the label describes (a collapsed block's arc: the tensor its addition takes).
      .attr('data-tensor', (d) => d.tensor)
      .attr('x', (d) => d.labelAt[0])
      .attr('y', (d) => d.labelAt[1])
      .text((d) => formatShape(d.shape));
  }

  private drawNodes(nodes: readonly LayoutNode[]): void {
    const h = this.handlers;
    const sel = this.layers.nodes
      .selectAll<SVGGElement, LayoutNode>('g.node')
      // Sorted by y so the side lane's layers sit between their spine neighbours in the Tab order.
      .data([...nodes].sort((a, b) => a.y - b.y), (d) => d.id)
      .join((enter) => {
        const g = enter.append('g').attr('tabindex', 0).attr('role', 'button');
        g.append('rect').attr('rx', 6);
        g.append('text').attr('class', 'title');
        g.append('text').attr('class', 'detail');
        g.on('click', (_e, d) => h.activate(d));
        g.on('keydown', (e: KeyboardEvent, d) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            if (d.expandable) this.pendingFocus = d.id;
            h.activate(d);
          }
        });
        g.on('mouseenter', function (_e, d) {
          h.hover(d, (this as SVGGElement).getBoundingClientRect());
        });
        g.on('mouseleave', () => h.hover(null));
        const self = this;
        g.on('focus', function (_e, d) {
          self.ensureVisible(d);
          h.hover(d, (this as SVGGElement).getBoundingClientRect());
        });
        g.on('blur', () => h.hover(null));
        return g;
      });
    sel
      .attr('class', (d) => nodeClass(d))
      .classed('selected', (d) => d.id === this.selected)
      .attr('data-node-id', (d) => d.id)
      .attr('data-kind', (d) => d.kind)
      .attr('data-shape', (d) => formatShape(d.outShape))
      .attr('aria-label', (d) => `${d.title}: ${d.detail}, output ${formatShape(d.outShape)}${d.expandable ? ' (press Enter to expand)' : ''}`)
      .attr('aria-expanded', (d) => (d.expandable ? 'false' : null))
      .attr('transform', (d) => `translate(${d.x},${d.y})`);
    sel
      .select('rect')
      .attr('x', (d) => -d.w / 2)
      .attr('y', (d) => -d.h / 2)
      .attr('width', (d) => d.w)
      .attr('height', (d) => d.h);
    sel
      .select('text.title')
      .attr('x', (d) => -d.w / 2 + 8)
      .attr('y', (d) => (d.kind === 'layer' ? -2 : -4))
      .text((d) => (d.expandable ? '▸ ' : '') + clip(d.title, d.w - (d.expandable ? 30 : 14), d.kind === 'layer' ? 11 : 12));
    sel
      .select('text.detail')
      .attr('x', (d) => -d.w / 2 + 8)
      .attr('y', (d) => (d.kind === 'layer' ? 10 : 12))
      .text((d) => clip(d.detail, d.w - 16, 9.5));
    // Keep document order = spine order so Tab walks the network top to bottom.
    sel.order();
  }
}

function topOf(layout: Layout, id: string): number | undefined {
  const band = layout.bands.find((b) => b.id === id);
  if (band) return band.y0;
  const n = layout.nodes.find((x) => x.id === id);
  return n ? n.y - n.h / 2 : undefined;
}
