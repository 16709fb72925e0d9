export default function LabView() {
  return <section aria-label="Lab"><p>Coming soon.</p></section>;
}
