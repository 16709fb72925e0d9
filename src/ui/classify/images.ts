/** Image files among a drop or paste (others are reported by name). The model worker decodes and checks them. */
export function splitImageFiles(files: readonly File[]): { images: File[]; others: File[] } {
  const images: File[] = [];
  const others: File[] = [];
  for (const f of files) (f.type === '' || f.type.startsWith('image/') ? images : others).push(f);
  return { images, others };
}
