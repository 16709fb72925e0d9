/**
 * Downloads from the compare view: CSV text, a chart as standalone SVG, or as PNG (drawn on a canvas at 2×).
 * Charts set their colours as attributes (not CSS variables), so the serialised SVG looks the same on its own.
 */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadText(text: string, filename: string, type = 'text/csv'): void {
  download(new Blob([text], { type: `${type};charset=utf-8` }), filename);
}

export function svgString(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const { width, height } = viewBoxSize(svg);
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(clone);
}

function viewBoxSize(svg: SVGSVGElement): { width: number; height: number } {
  const vb = svg.viewBox.baseVal;
  return vb?.width ? { width: vb.width, height: vb.height } : { width: svg.clientWidth, height: svg.clientHeight };
}

export function downloadSvg(svg: SVGSVGElement, filename: string): void {
  downloadText(svgString(svg), filename, 'image/svg+xml');
}

export async function svgToPng(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const { width, height } = viewBoxSize(svg);
  const url = URL.createObjectURL(new Blob([svgString(svg)], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas context');
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('canvas.toBlob gave nothing'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
