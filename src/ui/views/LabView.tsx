import { ActivationStatsPanel } from '../lab/ActivationStatsPanel';
import { BackendPanel } from '../lab/BackendPanel';
import { FiltersPanel } from '../lab/FiltersPanel';
import { GradientPanel } from '../lab/GradientPanel';
import { LandscapePanel } from '../lab/LandscapePanel';
import { RaceLesionPanel } from '../lab/RaceLesionPanel';
import { RacePanel } from '../lab/RacePanel';
import { useLabWorker } from '../lab/useLabWorker';
import '../lab/lab.css';

/** The residual learning lab: why ResNets train, measured in the browser (all tfjs work in a worker). */
export default function LabView() {
  const worker = useLabWorker();
  return (
    <section aria-label="Lab" className="lab">
      {worker.status.note && (
        <p className="lab-error" role="alert">
          {worker.status.note}
        </p>
      )}
      <BackendPanel worker={worker} />
      <GradientPanel worker={worker} />
      <RacePanel worker={worker} />
      <LandscapePanel worker={worker} />
      <ActivationStatsPanel worker={worker} />
      <RaceLesionPanel worker={worker} />
      <FiltersPanel worker={worker} />
    </section>
  );
}
