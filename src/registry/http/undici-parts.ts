import type * as Undici from 'undici';
import dispatcherMethods from 'undici/lib/api/index.js';
import connectPart from 'undici/lib/core/connect.js';
import AgentPart from 'undici/lib/dispatcher/agent.js';
import DispatcherPart from 'undici/lib/dispatcher/dispatcher.js';
import PoolPart from 'undici/lib/dispatcher/pool.js';
import ProxyAgentPart from 'undici/lib/dispatcher/proxy-agent.js';

// undici's index loads every part it has (fetch, WebSocket, caches, mocks: some 400 modules, the largest share of a
// plan's start-up); the client needs these. Imported statically, so that the CLI's bundle holds them too. Their
// types are the index's.
export const Agent = AgentPart as typeof Undici.Agent;
export const ProxyAgent = ProxyAgentPart as typeof Undici.ProxyAgent;
export const Pool = PoolPart as typeof Undici.Pool;
export const buildConnector = connectPart as typeof Undici.buildConnector;

// As the index does: `request`, and the `connect` a ProxyAgent opens its tunnels with, are methods of every dispatcher.
Object.assign((DispatcherPart as typeof Undici.Dispatcher).prototype, dispatcherMethods);
