// Child process for the WebSocket benchmark, started with --inspect-brk: ticks argv[2] times.
import { tick } from "./ticker.mjs";

tick({}, Number(process.argv[2]));
