export const framed = globalThis.top !== globalThis;
if (framed) globalThis.top.location.replace(location.href);
