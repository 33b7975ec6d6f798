import { createRequire } from 'node:module';
import type * as Undici from 'undici';

// undici's index loads every part it has (fetch, WebSocket, caches, mocks: some 400 modules, the largest share of a
// plan's start-up); the client needs these. Their types are the index's.
const require = createRequire(import.meta.url);

export const Agent: typeof Undici.Agent = require('undici/lib/dispatcher/agent.js');
export const ProxyAgent: typeof Undici.ProxyAgent = require('undici/lib/dispatcher/proxy-agent.js');
export const Pool: typeof Undici.Pool = require('undici/lib/dispatcher/pool.js');
export const buildConnector: typeof Undici.buildConnector = require('undici/lib/core/connect.js');

// As the index does: `request`, and the `connect` a ProxyAgent opens its tunnels with, are methods of every dispatcher.
const Dispatcher: typeof Undici.Dispatcher = require('undici/lib/dispatcher/dispatcher.js');
Object.assign(Dispatcher.prototype, require('undici/lib/api/index.js'));
