// The window's own confirmation: one question at a time, answered in the window's
// language (the system's confirm() is titled "JavaScript - tauri://localhost" and
// speaks English).

export type Question = { text: string; yes: string; no: string; danger: boolean };

type Asked = Question & { id: number; answer: (yes: boolean) => void };

export const asked = $state<{ current: Asked | null }>({ current: null });
let next = 0;

/** Asks the clerk; resolves true on "yes". A newer question answers the older one "no". */
export function ask(q: Question): Promise<boolean> {
  return new Promise((resolve) => {
    asked.current?.answer(false);
    const id = ++next;
    asked.current = {
      ...q,
      id,
      // (Compared by id: the state keeps a proxy of this object, never the object itself.)
      answer: (yes: boolean) => {
        if (asked.current?.id === id) asked.current = null;
        resolve(yes);
      },
    };
  });
}
