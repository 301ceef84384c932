// layout helpers of the shell (ES module)
export function top(el) { return el.getBoundingClientRect().top + window.scrollY; }
export const toolbar = { top: 0, height: 32 };
