export default function ClassifyView() {
  return <section aria-label="Classify"><p>Coming soon.</p></section>;
}
