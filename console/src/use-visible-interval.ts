// Runs `tick` every `intervalMs` while the tab is visible (document.visibilityState), and once when it becomes
// visible again; a hidden tab makes no request. A tick still running when the next is due is not started twice.
import { useEffect, useRef } from 'preact/hooks';

export function useVisibleInterval(tick: () => Promise<void> | void, intervalMs: number, enabled = true): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!enabled) return;
    let running = false;
    const run = async () => {
      if (running || document.visibilityState !== 'visible') return;
      running = true;
      try {
        await latest.current();
      } finally {
        running = false;
      }
    };
    const timer = setInterval(() => void run(), intervalMs);
    const onVisibility = () => void run();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [intervalMs, enabled]);
}
