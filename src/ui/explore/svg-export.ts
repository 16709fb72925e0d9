/**
 * A standalone SVG document of the whole diagram (not only the part on screen), built as a string so it also
 * runs in Node (bench). Every piece of text is XML-escaped; colours are fixed (light theme) so the file looks
 * the same wherever it is opened.
 */
import { formatShape, type Layout, type ShortcutKind } from '../../core';
import { clip, nodeClass, roundedPath } from './geometry';

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Stroke styles per shortcut kind; the live diagram's CSS and the legend use the same. */
export const SHORTCUT_STYLE: Readonly<Record<ShortcutKind, { color: string; dash: string; width: number; label: string }>> = {
  identity: { color: '#d97706', dash: '', width: 2, label: 'identity (x passes unchanged)' },
  projection: { color: '#7c3aed', dash: '', width: 3.5, label: 'projection (1×1 conv + BN)' },
  zeropad: { color: '#0d9488', dash: '7 4', width: 2, label: 'option A: subsample + zero-pad channels' },
  subsample: { color: '#db2777', dash: '2 4', width: 2.5, label: '1×1 max-pool, stride 2 (V2)' },
  none: { color: '#999999', dash: '', width: 1, label: 'none' },
};

const STYLE = `
.bg{fill:#ffffff}
text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;fill:#1b1f24}
.edge.main{stroke:#5b6470;stroke-width:1.5;fill:none}
.edge-label{font-size:9px;fill:#5b6470}
.node rect{fill:#f4f6f8;stroke:#b7bfc8;stroke-width:1}
.node.block rect{fill:#eef3ff;stroke:#2563eb}
.node.stage rect{fill:#e0e9ff;stroke:#2563eb;stroke-width:1.5}
.node.group rect{fill:#eef3ff;stroke:#2563eb}
.node.side rect{fill:#f5efff;stroke:#7c3aed}
.node.op-conv rect{fill:#e8f0fe}
.node.op-add rect{fill:#fff4e0;stroke:#d97706}
.title{font-size:11px;font-weight:600}
.detail{font-size:9px;fill:#5b6470}
.band rect{fill:#e5e7eb}
.band text{font-size:9px;fill:#5b6470}
`;

export function layoutToSvg(layout: Layout, title: string): string {
  const pad = 20;
  const { minX, minY, maxX, maxY } = layout.bounds;
  const w = maxX - minX + 2 * pad;
  const h = maxY - minY + 2 * pad;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${minX - pad} ${minY - pad - 24} ${w} ${h + 24}" width="${w}" height="${h + 24}">`,
    `<title>${escapeXml(title)}</title>`,
    `<style>${STYLE}</style>`,
    `<rect class="bg" x="${minX - pad}" y="${minY - pad - 24}" width="${w}" height="${h + 24}"/>`,
    `<text x="${minX}" y="${minY - 14}" class="title">${escapeXml(title)}</text>`,
  );
  for (const b of layout.bands) {
    out.push(
      `<g class="band" data-group="${escapeXml(b.id)}"><rect x="${b.x}" y="${b.y0}" width="10" height="${b.y1 - b.y0}" rx="3"/></g>`,
    );
  }
  for (const e of layout.edges) {
    if (e.path !== 'main') continue;
    out.push(
      `<path class="edge main" d="${roundedPath(e.points)}"/>`,
      `<text class="edge-label" x="${e.labelAt[0]}" y="${e.labelAt[1]}">${formatShape(e.shape)}</text>`,
    );
  }
  const byId = new Map(layout.edges.map((e) => [e.id, e]));
  for (const a of layout.arcs) {
    const st = SHORTCUT_STYLE[a.kind];
    out.push(
      `<g class="arc" data-block="${escapeXml(a.block)}" data-shortcut-kind="${a.kind}" stroke="${st.color}" stroke-width="${st.width}" fill="none"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}>`,
    );
    for (const id of a.edgeIds) out.push(`<path d="${roundedPath(byId.get(id)!.points)}"/>`);
    out.push('</g>');
  }
  for (const e of layout.edges) {
    if (e.path === 'main') continue;
    out.push(`<text class="edge-label" x="${e.labelAt[0]}" y="${e.labelAt[1]}">${formatShape(e.shape)}</text>`);
  }
  for (const n of layout.nodes) {
    const titleSize = n.kind === 'layer' ? 11 : 12;
    out.push(
      `<g class="${nodeClass(n)}" data-node-id="${escapeXml(n.id)}" transform="translate(${n.x},${n.y})">`,
      `<rect x="${-n.w / 2}" y="${-n.h / 2}" width="${n.w}" height="${n.h}" rx="6"/>`,
      `<text class="title" x="${-n.w / 2 + 8}" y="${n.kind === 'layer' ? -2 : -4}">${escapeXml(clip(n.title, n.w - 16, titleSize))}</text>`,
      `<text class="detail" x="${-n.w / 2 + 8}" y="${n.kind === 'layer' ? 10 : 12}">${escapeXml(clip(n.detail, n.w - 16, 9))}</text>`,
      '</g>',
    );
  }
  out.push('</svg>');
  return out.join('\n');
}
