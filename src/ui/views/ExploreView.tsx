export default function ExploreView() {
  return <section aria-label="Explore"><p>Coming soon.</p></section>;
}
