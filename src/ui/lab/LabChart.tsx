import * as d3 from 'd3';
import { type DependencyList, useEffect, useRef } from 'react';
import type { Frame } from './chart-parts';
import { type LabTheme, labTheme } from './theme';

export type Svg = d3.Selection<SVGSVGElement, unknown, null, undefined>;

interface Props {
  readonly frame: Frame;
  /** Draws the chart into the emptied svg, with the theme's colours read at draw time. */
  readonly draw: (svg: Svg, theme: LabTheme) => void;
  /** Redraw when one of these changes (what `draw` reads). */
  readonly deps: DependencyList;
  readonly label: string;
  readonly testId: string;
  readonly className?: string;
  /** Set as data-key, for tests that wait for a redraw. */
  readonly drawKey?: string;
}

/** The svg of a lab chart (viewBox-scaled by the `lab-chart` CSS), drawn with d3 each time `deps` change. */
export function LabChart({ frame, draw, deps, label, testId, className = 'lab-chart', drawKey }: Props) {
  const ref = useRef<SVGSVGElement>(null);
  // The latest draw function, without making every render redraw: only a change of deps does.
  const drawRef = useRef(draw);
  drawRef.current = draw;
  const redraw = () => {
    const el = ref.current;
    if (!el) return;
    const svg = d3.select(el);
    svg.selectAll('*').remove();
    drawRef.current(svg, labTheme(el));
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: deps name what draw reads; draw itself is new each render.
  useEffect(redraw, deps);
  return (
    <svg
      ref={ref}
      className={className}
      viewBox={`0 0 ${frame.width} ${frame.height}`}
      role="img"
      aria-label={label}
      data-key={drawKey}
      data-testid={testId}
    />
  );
}
