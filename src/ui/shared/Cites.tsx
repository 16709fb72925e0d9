import { type Citation, SOURCES } from '../../core/references';

/** "(He et al. 2015, Table 1; torchvision, A; B)": each source once, linked, with the places in it. */
export function Cites({ cites }: { readonly cites: readonly Citation[] }) {
  if (cites.length === 0) return null;
  const bySource = new Map<Citation['source'], string[]>();
  for (const c of cites) {
    const wheres = bySource.get(c.source) ?? [];
    if (!wheres.includes(c.where)) wheres.push(c.where);
    bySource.set(c.source, wheres);
  }
  const groups = [...bySource];
  return (
    <span className="cites">
      (
      {groups.map(([id, wheres], i) => (
        <span key={id}>
          <a href={SOURCES[id].url} target="_blank" rel="noreferrer" title={SOURCES[id].title}>
            {SOURCES[id].short}
          </a>
          , {wheres.join('; ')}
          {i < groups.length - 1 ? '; ' : ''}
        </span>
      ))}
      )
    </span>
  );
}
