// The store's time zone (Settings → time zone, an offset such as +09:00): every time the
// window shows is in it, whatever the clerk's language or the computer's own zone.

/** Minutes east of UTC, or null until the settings have been read. */
export const storeZone = $state<{ offsetMinutes: number | null }>({ offsetMinutes: null });

/** `+09:00` → 540, `-05:30` → -330; null for anything else. */
export function parseOffset(s: string | null | undefined): number | null {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec((s ?? '').trim());
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (Number(m[2]) > 14 || Number(m[3]) > 59) return null;
  return m[1] === '-' ? -minutes : minutes;
}

export function setStoreTimeZone(offset: string | null | undefined): void {
  storeZone.offsetMinutes = parseOffset(offset);
}
