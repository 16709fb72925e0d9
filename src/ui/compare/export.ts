/**
 * Chart exports from the compare view: a chart as standalone SVG, or as PNG at 2×.
 * Charts set their colours as attributes (not CSS variables), so the serialised SVG looks the same on its own.
 */
import { downloadBlob, downloadText, svgToPng } from '../shared/download';

export function svgString(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const vb = svg.viewBox.baseVal;
  const { width, height } = vb?.width ? { width: vb.width, height: vb.height } : { width: svg.clientWidth, height: svg.clientHeight };
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(clone);
}

export function downloadSvg(svg: SVGSVGElement, filename: string): void {
  downloadText(svgString(svg), filename, 'image/svg+xml');
}

export async function downloadPng(svg: SVGSVGElement, filename: string): Promise<void> {
  downloadBlob(await svgToPng(svgString(svg)), filename);
}
