// Two async tasks in one isolate increment one counter; interlace switches between them only at
// awaits and markers, in the order the schedule gives.
import { defineScenario, thread } from "interlace";
import { Counter } from "./counter.js";

export default defineScenario({
  setup: () => new Counter(),
  threads: {
    task1: thread.task((c: Counter) => c.increment()),
    task2: thread.task((c: Counter) => c.increment()),
  },
  invariant: (c) => c.value === 2,
});
