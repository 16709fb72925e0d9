export default function CompareView() {
  return <section aria-label="Compare"><p>Coming soon.</p></section>;
}
