// the route manifest: the module that shows the next view
export const next = new URL('x1049-view.mjs', import.meta.url).href;
