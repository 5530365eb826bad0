/**
 * Backpressure for ingest: at most `maxInFlight` requests decode and write at once
 * (about the database pool's size: more would only queue inside the driver, each
 * holding its decoded batch in memory), at most `maxQueued` more wait for a slot,
 * and none waits longer than `maxWaitMs`. Anything beyond is refused at once, so
 * the receivers answer "throttled, retry later" (OTLP/HTTP 429 + Retry-After,
 * OTLP/gRPC UNAVAILABLE) instead of growing an unbounded queue. A waiting request
 * has not read its body yet, so the memory of an overload is bounded by
 * `maxInFlight` bodies, not by the number of clients.
 */

export type IngestGateOptions = {
  /** Requests allowed to decode and write at the same time. */
  maxInFlight: number;
  /** Requests allowed to wait for a slot; the next one is refused. */
  maxQueued: number;
  /** A waiting request is refused after this long (exporters time out too: 10 s by default). */
  maxWaitMs: number;
};

/** Releases the slot; calling it again does nothing. */
export type IngestSlot = () => void;

export type IngestGateStats = { inFlight: number; queued: number; admitted: number; throttled: number };

type Waiter = { grant(slot: IngestSlot): void; timer: ReturnType<typeof setTimeout> | null };

export class IngestGate {
  private inFlight = 0;
  private readonly waiting: Waiter[] = [];
  private admitted = 0;
  private throttled = 0;

  constructor(readonly options: IngestGateOptions) {
    for (const [name, value] of Object.entries(options)) {
      if (!Number.isInteger(value) || value < (name === 'maxInFlight' ? 1 : 0)) throw new Error(`IngestGate: invalid ${name} ${value}`);
    }
  }

  /** A slot, or null when the request is to be throttled (queue full, or waited too long). */
  acquire(): Promise<IngestSlot | null> {
    if (this.inFlight < this.options.maxInFlight) return Promise.resolve(this.take());
    if (this.waiting.length >= this.options.maxQueued) {
      this.throttled++;
      return Promise.resolve(null);
    }
    return new Promise((resolve) => {
      const waiter: Waiter = { grant: resolve, timer: null };
      waiter.timer = setTimeout(() => {
        const at = this.waiting.indexOf(waiter);
        if (at < 0) return;
        this.waiting.splice(at, 1);
        this.throttled++;
        resolve(null);
      }, this.options.maxWaitMs);
      this.waiting.push(waiter);
    });
  }

  stats(): IngestGateStats {
    return { inFlight: this.inFlight, queued: this.waiting.length, admitted: this.admitted, throttled: this.throttled };
  }

  private take(): IngestSlot {
    this.inFlight++;
    this.admitted++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.handOver();
    };
  }

  /** First come, first served: the oldest waiter gets the freed slot. */
  private handOver(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const next = this.waiting.shift() as Waiter;
      if (next.timer) clearTimeout(next.timer);
      next.grant(this.take());
    }
  }
}

/** The process-wide gate both receivers share, rebuilt when its settings change (tests change the environment). */
const globalForGate = globalThis as unknown as { tracedeckIngestGate?: { key: string; gate: IngestGate } };

export function ingestGate(options: IngestGateOptions): IngestGate {
  const key = `${options.maxInFlight}/${options.maxQueued}/${options.maxWaitMs}`;
  const current = globalForGate.tracedeckIngestGate;
  if (current?.key === key) return current.gate;
  const gate = new IngestGate(options);
  globalForGate.tracedeckIngestGate = { key, gate };
  return gate;
}

/** Seconds an exporter is told to wait after being throttled: short, since a slot frees within one batch's write. */
export const THROTTLE_RETRY_AFTER_SECONDS = 1;
