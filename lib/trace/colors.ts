/**
 * Service colours: a stable hash of the service name picks a slot in a fixed
 * palette (the CSS defines each slot for light and dark). Within one trace, a
 * service whose slot is already taken by another service moves to the next free
 * slot (services taken in name order), so the few services of a trace stay
 * distinguishable while a name keeps its colour across traces whenever it can.
 */

export const PALETTE_SIZE = 10;

/** FNV-1a, 32 bit, over UTF-16 code units. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The preferred palette slot of a service name. */
export function serviceSlot(service: string, size = PALETTE_SIZE): number {
  return hashString(service) % size;
}

/** Slot per service for one trace: preferred slots, collisions probed to the next free slot. */
export function assignServiceColors(services: Iterable<string>, size = PALETTE_SIZE): Map<string, number> {
  const names = [...new Set(services)].sort();
  const out = new Map<string, number>();
  const taken = new Set<number>();
  for (const name of names) {
    let slot = serviceSlot(name, size);
    if (taken.size < size) while (taken.has(slot)) slot = (slot + 1) % size;
    taken.add(slot);
    out.set(name, slot);
  }
  return out;
}
