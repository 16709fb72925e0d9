import { LAB_DEPTHS } from '../../core/lab/variants';

/** The depth N of the lab's plain-N / ResNet-N pair, one of `depths` (LAB_DEPTHS unless given). */
export function DepthSelect({
  value,
  depths = LAB_DEPTHS,
  disabled,
  label,
  onChange,
}: {
  readonly value: number;
  readonly depths?: readonly number[];
  readonly disabled: boolean;
  /** The select's accessible name (tests find it by this). */
  readonly label: string;
  readonly onChange: (depth: number) => void;
}) {
  return (
    <label>
      Depth{' '}
      <select value={value} disabled={disabled} onChange={(e) => onChange(Number(e.target.value))} aria-label={label}>
        {depths.map((d) => (
          <option key={d} value={d}>
            {d}
          </option>
        ))}
      </select>
    </label>
  );
}
