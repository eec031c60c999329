/** A sleep that can be cut short: loops that wait between attempts must stop promptly on shutdown. */
export interface WakeableSleep {
  done: Promise<void>;
  /** Ends the sleep now (idempotent). */
  wake(): void;
}

export function wakeableSleep(ms: number): WakeableSleep {
  let wake = () => {};
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      resolve();
    }
    wake = finish;
  });
  return { done, wake };
}
