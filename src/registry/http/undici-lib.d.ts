// The files of undici that undici-parts.ts imports; their types are those of undici's index.
declare module 'undici/lib/dispatcher/agent.js' {
  const part: typeof import('undici').Agent;
  export = part;
}
declare module 'undici/lib/dispatcher/proxy-agent.js' {
  const part: typeof import('undici').ProxyAgent;
  export = part;
}
declare module 'undici/lib/dispatcher/pool.js' {
  const part: typeof import('undici').Pool;
  export = part;
}
declare module 'undici/lib/core/connect.js' {
  const part: typeof import('undici').buildConnector;
  export = part;
}
declare module 'undici/lib/dispatcher/dispatcher.js' {
  const part: typeof import('undici').Dispatcher;
  export = part;
}
declare module 'undici/lib/api/index.js' {
  const methods: Record<string, unknown>;
  export = methods;
}
