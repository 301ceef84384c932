/* crmframe: the end of the injected bundle (after the shim and the SDK). */
(function crmframeTail() {
  'use strict';
  // The SDK tag crmframe injected first in <head> goes once the shim and the
  // SDK read its data-crmframe-* attributes: a page's loader that takes the
  // first script of <head> for its own tag (x418) finds its own. A script
  // removed after it ran keeps its effects. A tag the page wrote itself (the
  // AgentDesktop path, compat_sdk_path) carries no such attribute and stays.
  var s = document.currentScript;
  if (s && s.parentNode && (s.hasAttribute('data-crmframe-prefix') || s.hasAttribute('data-crmframe-widget'))) s.parentNode.removeChild(s);
})();
