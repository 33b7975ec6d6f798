export { Interruption, STOP_GRACE_MS } from '../engine/interruption.js';
