// The N-task × M-await program of the task benchmarks: each task loops M times over one marker and
// two awaits on async methods of a shared object.
export class Shared {
  total = 0;

  async read() {
    return this.total;
  }

  async write(v) {
    this.total = v;
  }
}

export async function worker(shared, iterations) {
  for (let i = 0; i < iterations; i++) {
    // interlace: step
    const v = await shared.read();
    await shared.write(v + 1);
  }
}
