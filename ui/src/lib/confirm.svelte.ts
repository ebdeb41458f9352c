// The window's own confirmation: one question at a time, answered in the window's
// language (the system's confirm() is titled "JavaScript - tauri://localhost" and
// speaks English).

export type Question = { text: string; yes: string; no: string; danger: boolean };

export const asked = $state<{ current: (Question & { answer: (yes: boolean) => void }) | null }>({ current: null });

/** Asks the clerk; resolves true on "yes". A newer question answers the older one "no". */
export function ask(q: Question): Promise<boolean> {
  return new Promise((resolve) => {
    asked.current?.answer(false);
    const entry = {
      ...q,
      answer: (yes: boolean) => {
        if (asked.current === entry) asked.current = null;
        resolve(yes);
      },
    };
    asked.current = entry;
  });
}
