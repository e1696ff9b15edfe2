/**
 * Lets work that is not on screen yet wait until what is has been painted: the thread's first messages go to the
 * screen in one frame, and the reads only the composer and the title need start right after it
 * (docs/decisions/049-thread-first-paint.md).
 */
import { useEffect, useState } from 'react';

/** A page that paints no frames (hidden, or no rAF) still gets there after this long. */
const AT_MOST_MS = 100;

/** False until the frame after `shown` turned true has been painted (or `AT_MOST_MS` has passed); then true. */
export function useAfterPaint(shown: boolean): boolean {
  const [painted, setPainted] = useState(false);
  useEffect(() => {
    if (!shown || painted) return;
    const done = (): void => setPainted(true);
    // A task queued from requestAnimationFrame runs once that frame has been painted.
    let afterFrame: ReturnType<typeof setTimeout> | undefined;
    const frame =
      typeof requestAnimationFrame === 'function'
        ? requestAnimationFrame(() => (afterFrame = setTimeout(done, 0)))
        : undefined;
    const fallback = setTimeout(done, AT_MOST_MS);
    return () => {
      if (frame !== undefined) cancelAnimationFrame(frame);
      clearTimeout(afterFrame);
      clearTimeout(fallback);
    };
  }, [shown, painted]);
  return painted;
}
