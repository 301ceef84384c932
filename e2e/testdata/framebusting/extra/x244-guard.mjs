import { root } from "./x244-env.mjs";
export function enforce(here) {
  if (root !== globalThis) root.location.replace(here);
}
