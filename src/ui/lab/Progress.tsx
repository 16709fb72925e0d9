/** A panel's busy line (spinner + what it is doing) and its last error, announced to screen readers. */
export function Progress({ pending, error }: { readonly pending?: string | null; readonly error?: string | null }) {
  return (
    <>
      {pending && (
        <p className="lab-status" role="status">
          <span className="lab-spinner" aria-hidden="true" /> {pending}
        </p>
      )}
      {error && (
        <p className="lab-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
