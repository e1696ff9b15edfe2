/**
 * Without a patient in context (standalone launch, or the EHR's inbox entry) the practice inbox opens. It is built
 * by the front-desk issue and reuses ThreadScreen for an opened thread; until then, this says what is coming.
 */
import type { ReactNode } from 'react';

/** Placeholder for the practice inbox. */
export function InboxPlaceholder(): ReactNode {
  return (
    <main className="screen">
      <div className="screen__card">
        <h1>Practice inbox</h1>
        <p>
          ChartText opened without a patient, so it shows the practice inbox: every conversation waiting for an answer.
        </p>
        <p>The inbox is not available yet. To text a patient, open ChartText from their chart.</p>
      </div>
    </main>
  );
}
