// Times pause→resume cycles in batches: `warmup` untimed cycles, then `batches` timed batches of
// `batchSize` cycles each. A cycle is the time from one marker pause to the next one, i.e. resume
// sent, isolate runs one iteration, pause event received.
import { performance } from "node:perf_hooks";

export class CycleClock {
  #warmup;
  #batchSize;
  #batches;
  #pauses = 0;
  #marks = [];

  constructor({ warmup, batches, batchSize }) {
    this.#warmup = warmup;
    this.#batches = batches;
    this.#batchSize = batchSize;
  }

  /** Marker pauses (= loop iterations) the target must make. */
  get totalPauses() {
    return this.#warmup + 1 + this.#batches * this.#batchSize;
  }

  /** Records one marker pause; true when it was the last one. */
  pause() {
    this.#pauses += 1;
    const timed = this.#pauses - this.#warmup - 1;
    if (timed >= 0 && timed % this.#batchSize === 0) this.#marks.push(performance.now());
    return this.#pauses === this.totalPauses;
  }

  /** µs per cycle of each timed batch. */
  usPerCycle() {
    const out = [];
    for (let i = 1; i < this.#marks.length; i++) out.push(((this.#marks[i] - this.#marks[i - 1]) * 1000) / this.#batchSize);
    return out;
  }

  get samples() {
    return `${this.#batches} × ${this.#batchSize} cycles`;
  }
}
