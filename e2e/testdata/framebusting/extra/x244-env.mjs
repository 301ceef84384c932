// a module's top-level this is undefined; the window comes from globalThis
export const root = globalThis.top;
