// Your code, unmodified: an async counter whose increment() reads, awaits, then writes.
export class Counter {
  value = 0;

  async get(): Promise<number> {
    return this.value;
  }

  async set(v: number): Promise<void> {
    this.value = v;
  }

  async increment(): Promise<void> {
    // interlace: read_value
    const v = await this.get();
    // interlace: write_value
    await this.set(v + 1);
  }
}
