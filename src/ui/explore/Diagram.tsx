/**
 * The architecture diagram: toolbar (levels, fit, zoom, search, export), the SVG that d3 draws into, and the
 * hover/focus card. Layout comes from src/core/layout.ts; DiagramRenderer only draws it.
 */
import { useEffect, useRef, useState } from 'react';
import type { Analysis, ArchGraph, Layout, LayoutNode } from '../../core';
import { downloadBlob, safeFilename, svgToPng } from '../shared/download';
import { NodeDetails } from './NodeDetails';
import { DiagramRenderer } from './renderer';
import { layoutToSvg } from './svg-export';

export interface DiagramProps {
  layout: Layout;
  graph: ArchGraph;
  analysis: Analysis;
  title: string;
  selected: string | null;
  viewEpoch: number;
  onActivate(node: LayoutNode): void;
  onCollapse(id: string): void;
  onLevel(level: 'stages' | 'blocks' | 'layers'): void;
  onSearch(id: string): void;
}

interface Hover {
  id: string;
  x: number;
  y: number;
}

export function Diagram(props: DiagramProps) {
  const svgRef = useRef<SVGSVGElement>(null);
  const wrapRef = useRef<HTMLDivElement>(null);
  const rendererRef = useRef<DiagramRenderer | null>(null);
  const propsRef = useRef(props);
  propsRef.current = props;
  const anchorRef = useRef<{ id: string; oldTop: number } | null>(null);
  const epochRef = useRef(-1);
  const [hover, setHover] = useState<Hover | null>(null);
  const [query, setQuery] = useState('');
  const [searchMsg, setSearchMsg] = useState('');
  const [busy, setBusy] = useState('');
  const centerAfterRef = useRef<string | null>(null);

  useEffect(() => {
    const r = new DiagramRenderer(svgRef.current!, {
      activate(node) {
        const top = r.topOf(node.id);
        if (node.expandable && top !== undefined) anchorRef.current = { id: node.id, oldTop: top };
        propsRef.current.onActivate(node);
      },
      collapse(id) {
        const top = r.topOf(id);
        if (top !== undefined) anchorRef.current = { id, oldTop: top };
        propsRef.current.onCollapse(id);
      },
      hover(node, rect) {
        const wrap = wrapRef.current;
        if (!node || !rect || !wrap) return setHover(null);
        const w = wrap.getBoundingClientRect();
        setHover({ id: node.id, x: rect.right - w.left, y: rect.top - w.top });
      },
    });
    rendererRef.current = r;
    epochRef.current = -1; // a fresh renderer starts from the initial view
    return () => {
      r.destroy();
      rendererRef.current = null;
    };
  }, []);

  useEffect(() => {
    const r = rendererRef.current!;
    const first = epochRef.current === -1;
    const reset = epochRef.current !== props.viewEpoch;
    epochRef.current = props.viewEpoch;
    // A layer selected when the diagram opens (a shared link, "See it in Explore") is brought into view.
    if (first && props.selected) centerAfterRef.current = props.selected;
    r.setLayout(props.layout, { reset, anchor: reset ? undefined : (anchorRef.current ?? undefined) });
    anchorRef.current = null;
    r.setSelected(props.selected);
    if (centerAfterRef.current) {
      r.centerOn(centerAfterRef.current);
      centerAfterRef.current = null;
    }
    setHover(null);
  }, [props.layout, props.viewEpoch, props.selected]);

  const search = () => {
    const q = query.trim().toLowerCase();
    if (!q) return;
    const nodes = props.graph.nodes;
    const hit = nodes.find((n) => n.id.toLowerCase() === q) ?? nodes.find((n) => n.id.toLowerCase().includes(q));
    if (!hit) {
      setSearchMsg(`No layer named like “${query.trim().slice(0, 40)}”.`);
      return;
    }
    setSearchMsg('');
    centerAfterRef.current = hit.id;
    props.onSearch(hit.id);
  };

  const exportSvg = () => {
    const svg = layoutToSvg(props.layout, props.title);
    downloadBlob(new Blob([svg], { type: 'image/svg+xml' }), `${safeFilename(props.title)}.svg`);
  };
  const exportPng = async () => {
    setBusy('Rendering PNG…');
    try {
      const png = await svgToPng(layoutToSvg(props.layout, props.title));
      downloadBlob(png, `${safeFilename(props.title)}.png`);
      setBusy('');
    } catch (e) {
      setBusy(`PNG export failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const listId = 'layer-names';
  return (
    <div className="diagram" ref={wrapRef}>
      <div className="toolbar" role="toolbar" aria-label="Diagram">
        <span className="group" role="group" aria-label="Level of detail">
          <button type="button" onClick={() => props.onLevel('stages')} title="Collapse all: one node per stage">
            Stages
          </button>
          <button type="button" onClick={() => props.onLevel('blocks')} title="One node per residual block">
            Blocks
          </button>
          <button type="button" onClick={() => props.onLevel('layers')} title="Expand all: every layer">
            Layers
          </button>
        </span>
        <span className="group">
          <button type="button" onClick={() => rendererRef.current?.fitToScreen()}>
            Fit
          </button>
          <button type="button" aria-label="Zoom in" onClick={() => rendererRef.current?.zoomBy(1.4)}>
            +
          </button>
          <button type="button" aria-label="Zoom out" onClick={() => rendererRef.current?.zoomBy(1 / 1.4)}>
            −
          </button>
        </span>
        <form
          className="group search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            search();
          }}
        >
          <input
            type="search"
            aria-label="Find a layer by name"
            placeholder="Find layer, e.g. conv3_block2_2_conv"
            list={listId}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
          <datalist id={listId}>
            {props.graph.nodes.length <= 4000 && props.graph.nodes.map((n) => <option key={n.id} value={n.id} />)}
          </datalist>
          <button type="submit">Find</button>
        </form>
        <span className="group">
          <button type="button" onClick={exportSvg}>
            Export SVG
          </button>
          <button type="button" onClick={exportPng}>
            Export PNG
          </button>
        </span>
      </div>
      {(searchMsg || busy) && (
        <p className="toolbar-msg" role="status">
          {searchMsg || busy}
        </p>
      )}
      <svg ref={svgRef} className="diagram-svg" role="group" aria-label={`Architecture diagram of ${props.title}`} />
      {hover && (
        <div className="hover-card" role="tooltip" style={{ left: Math.max(0, Math.min(hover.x + 8, (wrapRef.current?.clientWidth ?? 600) - 310)), top: Math.max(0, hover.y) }}>
          <NodeDetails id={hover.id} graph={props.graph} analysis={props.analysis} compact />
        </div>
      )}
    </div>
  );
}
