import { type ReactNode, useEffect, useRef, useState } from 'react';
import { downloadPng, downloadSvg } from '../export';
import { type ChartTheme, chartTheme } from '../theme';

interface Props {
  readonly id: string;
  readonly title: string;
  readonly caption: ReactNode;
  readonly width: number;
  readonly height: number;
  /** Draws the whole chart into the (emptied) svg with d3. */
  readonly draw: (svg: SVGSVGElement, theme: ChartTheme) => void;
  /** Redraw when this changes (a digest of the data and options the drawing reads). */
  readonly drawKey: string;
  readonly controls?: ReactNode;
}

/** A chart: title, d3-drawn SVG (viewBox-scaled), caption, SVG/PNG export. */
export function ChartFrame({ id, title, caption, width, height, draw, drawKey, controls }: Props) {
  const ref = useRef<SVGSVGElement>(null);
  const [error, setError] = useState<string | null>(null);
  // The latest draw function, without making every render redraw: only a new drawKey does.
  const drawRef = useRef(draw);
  drawRef.current = draw;
  // Colours are baked into the SVG (so exports look right): redraw when the light/dark scheme changes.
  const [scheme, setScheme] = useState(() => matchMedia('(prefers-color-scheme: dark)').matches);
  useEffect(() => {
    const mq = matchMedia('(prefers-color-scheme: dark)');
    const on = () => setScheme(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  useEffect(() => {
    const svg = ref.current;
    if (!svg) return;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    svg.dataset.key = drawKey;
    svg.dataset.scheme = scheme ? 'dark' : 'light';
    drawRef.current(svg, chartTheme(svg));
  }, [drawKey, scheme]);
  const png = async () => {
    if (!ref.current) return;
    try {
      setError(null);
      await downloadPng(ref.current, `${id}.png`);
    } catch (e) {
      setError(`PNG export failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return (
    <figure className="cmp-chart" data-chart={id}>
      <div className="cmp-chart-head">
        <h3 id={`${id}-title`}>{title}</h3>
        {controls}
        <span className="cmp-chart-export">
          <button type="button" onClick={() => ref.current && downloadSvg(ref.current, `${id}.svg`)}>
            SVG
          </button>
          <button type="button" onClick={png}>
            PNG
          </button>
        </span>
      </div>
      <svg ref={ref} viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-title`} className="cmp-svg" />
      <figcaption>{caption}</figcaption>
      {error && <p role="alert" className="cmp-error">{error}</p>}
    </figure>
  );
}
